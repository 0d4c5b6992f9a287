"""Remote mode against a real login node: Debian's OpenSSH, another account, a banner, a passcode.

The six failures of issue 14 as a laptop user met them, then the transport's behaviours (run,
stream, cancel, timeout, a connection dropped mid-command, reconnect, SFTP, `id -un`, `qsub -I`)
against the real thing. The server is tests/realssh.py; everything is skipped with the reason
where it cannot run (not root, packages missing).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from daostui.core.errors import OutcomeUnknownError, TransportError
from daostui.core.site import SiteProfile
from daostui.pbs.jobscript import JobRequest, generate_script
from daostui.sim import knobs, store
from tests.realssh import ALIAS, BANNER, BANNER_ERR
from tests.realssh_client import CodePrompter

pytestmark = pytest.mark.realssh


def script(name: str) -> str:
    """A valid Aurora job script named `name`, as the job form writes it."""
    request = JobRequest(
        project="hpc_demo", queue="debug", nodes=1, walltime="00:10:00", program="/bin/true", job_name=name
    )
    return generate_script(request, SiteProfile())


async def wait_until(predicate, what: str, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def sim_jobs(server) -> list[dict]:
    return list(store.load(server.demo_dir, "pbs").get("jobs", {}).values())


def account_runs(server, word: str) -> bool:
    """Whether a process of the account has `word` in its command line (the login node side)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid == server.uid and word in (entry / "cmdline").read_bytes().decode(
                "utf-8", "replace"
            ):
                return True
    return False


# ---------------------------------------------------------------------------------- issue 14's six


async def test_ssh_alias_from_ssh_config_connects_on_the_first_try(realssh, tmp_path, monkeypatch):
    """`daostui --ssh testlogin` with ~/.ssh/config and the known_hosts `ssh-keyscan -H` wrote."""
    from daostui.cli import build_parser
    from daostui.core.session import build_session

    home = tmp_path / "laptop-home"
    (home / ".ssh").mkdir(parents=True, mode=0o700)
    (home / ".ssh" / "known_hosts").write_text(realssh.server.keyscan("ed25519"))
    (home / ".ssh" / "config").write_text(
        f"Host {ALIAS}\n    HostName 127.0.0.1\n    Port {realssh.server.port}\n"
        f"    User {realssh.server.user}\n    IdentityFile {realssh.server.client_key}\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    known_before = (home / ".ssh" / "known_hosts").read_text()
    session = build_session(build_parser().parse_args(["--ssh", ALIAS]))
    session.transport.prompter = prompter = CodePrompter(realssh.server.passcodes)
    try:
        pools = await session.daos.pool_list()
        assert [p.name for p in pools] == ["hpc_demo", "datascience"]
        assert prompter.host_prompts == [], "the hashed ed25519 key ssh-keyscan wrote is trusted as is"
        assert len(prompter.prompts) == 1 and "OATH" in prompter.prompts[0][0][0]
        assert session.transport.connections_made == 1
        assert session.host == "127.0.0.1" and session.user == realssh.server.user
        assert session.badge == f"SSH {realssh.server.user}@127.0.0.1"
    finally:
        await session.close()
    assert (home / ".ssh" / "known_hosts").read_text() == known_before


async def test_unknown_host_is_asked_under_its_hostname_and_port_and_recorded_hashed(realssh):
    realssh.known_hosts.write_text("")
    realssh.prompter.trust = True
    transport = realssh.transport()
    try:
        assert (await transport.run(["true"])).ok
    finally:
        await transport.close()
    host, port, key_type, fingerprint = realssh.prompter.host_prompts[0]
    assert (host, port) == ("127.0.0.1", realssh.server.port)
    assert key_type == "ssh-ed25519" and fingerprint.startswith("SHA256:")
    line = realssh.known_hosts.read_text()
    assert line.startswith("|1|") and "ssh-ed25519" in line, "HashKnownHosts yes: recorded hashed"
    # and `ssh` itself accepts what daostui recorded
    check = await asyncio.create_subprocess_exec(
        "ssh-keygen",
        "-F",
        f"[127.0.0.1]:{realssh.server.port}",
        "-f",
        str(realssh.known_hosts),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await check.communicate()
    assert check.returncode == 0 and b"ssh-ed25519" in out


async def test_banner_and_module_chatter_never_reach_a_parser(realssh, demo_session, tmp_path):
    session = realssh.session(demo_session.config, log_path=tmp_path / "log.jsonl", workdir=tmp_path)
    try:
        pools = await session.daos.pool_list()
        ids = await session.pbs.my_job_ids()
    finally:
        await session.close()
    assert [p.name for p in pools] == ["hpc_demo", "datascience"]
    assert ids == [], "qselect printed no job of ours (and no banner line taken for one)"
    entries = session.log.entries()
    daos_run = next(r for r in entries if r.argv[:2] == ("daos", "-j"))
    assert BANNER not in daos_run.stdout and BANNER_ERR not in daos_run.stderr
    assert BANNER in daos_run.login_noise and BANNER_ERR in daos_run.login_noise
    saved = (tmp_path / "log.jsonl").read_text()
    assert '"login_noise"' in saved and BANNER in saved


async def test_job_script_is_written_on_the_login_node_and_submitted_from_there(
    realssh, demo_session, tmp_path
):
    session = realssh.session(demo_session.config, log_path=tmp_path / "log.jsonl", workdir=tmp_path)
    request = JobRequest(project="hpc_demo", queue="debug", nodes=1, walltime="00:10:00", program="/bin/true")
    try:
        workdir = await session.scripts.workdir()
        assert workdir == f"{realssh.server.home}/daostui/jobs"
        saved = await session.scripts.save(generate_script(request, session.site), "job.pbs")
        again = await session.scripts.save("#PBS -N other\n", "job.pbs")
        job_id = await session.pbs.submit(saved.path, cwd=saved.workdir)
        status = await session.pbs.status([job_id])
        modes = await session.transport.run(["stat", "-c", "%a %U", workdir, saved.path])
        # a path that exists only on the laptop is nothing on the login node
        laptop = tmp_path / "laptop-only.pbs"
        laptop.write_text(script("laptop"))
        with pytest.raises(Exception, match="No such file"):
            await session.pbs.submit(str(laptop), cwd=saved.workdir)
    finally:
        await session.close()
    assert saved.path == f"{workdir}/job.pbs" and again.path == f"{workdir}/job-2.pbs"
    assert saved.job_name == request.job_name
    assert status.jobs and status.jobs[0].workdir.endswith("daostui/jobs")
    assert modes.stdout.split("\n")[:2] == [f"700 {realssh.server.user}", f"600 {realssh.server.user}"]
    assert saved.local_copy is not None and saved.local_copy.read_text().startswith("#!/bin/bash")
    assert oct(saved.local_copy.stat().st_mode & 0o777) == "0o600"


async def test_the_remote_user_is_learned_and_used_for_jobs_mounts_and_header(
    realssh, demo_session, tmp_path
):
    session = realssh.session(demo_session.config, log_path=tmp_path / "log.jsonl", workdir=tmp_path)
    session.identity.user = "laptop_user"  # what a guess from the laptop would say
    seen = []
    session.transport.add_link_listener(lambda link: seen.append((link.status, session.user)))
    try:
        await session.daos.pool_list()
    finally:
        await session.close()
    user = realssh.server.user
    assert session.identity.learned and session.user == user
    assert ("connected", user) in seen, "the login event comes once the user is known"
    assert session.pbs.argv_my_job_ids()[:3] == ["qselect", "-u", user]
    assert session.mounts.default_mount_point("hpc_demo", "c").startswith(f"/tmp/{user}/")
    assert session.badge == f"SSH {user}@127.0.0.1"
    assert any(r.argv[:2] == ("sh", "-c") and "id -un" in r.argv[2] for r in session.log.entries())


async def test_a_connection_dropped_after_qsub_is_outcome_unknown_and_the_check_finds_the_job(
    realssh, demo_session, tmp_path
):
    session = realssh.session(demo_session.config, log_path=tmp_path / "log.jsonl", workdir=tmp_path)
    try:
        saved = await session.scripts.save(script("dropped"), "dropped.pbs")
        running = asyncio.ensure_future(
            session.transport.run(["sh", "-c", 'qsub "$1" && sleep 60', "sh", saved.path], timeout=120)
        )
        await wait_until(
            lambda: any(j["name"] == "dropped" for j in sim_jobs(realssh.server)), "the job in PBS"
        )
        realssh.server.drop_connections()
        result = await asyncio.wait_for(running, 60)
        assert result.outcome_unknown and result.outcome == "outcome unknown" and not result.ok, repr(result)
        assert not result.error, "never 'not run'"
        assert "may have run" in result.stderr
        from daostui.pbs.client import _failure

        error = _failure(result)
        assert isinstance(error, OutcomeUnknownError) and "commands not found" not in error.hint
        check = await session.pbs.check_submitted("dropped")  # reconnects (a new passcode)
        assert check.done and len(check.found) == 1 and "do not submit it again" in check.summary
        assert session.transport.connections_made == 2
    finally:
        await session.close()


async def test_a_qsub_cut_off_before_it_ran_is_unknown_too_and_the_check_says_not_submitted(
    realssh, demo_session, tmp_path
):
    session = realssh.session(demo_session.config, log_path=tmp_path / "log.jsonl", workdir=tmp_path)
    try:
        saved = await session.scripts.save(script("slowsub"), "slowsub.pbs")
        knobs.set_latency(realssh.server.demo_dir, 60, "qsub*")
        realssh.server.give_back()
        submitting = asyncio.ensure_future(session.pbs.submit(saved.path, cwd=saved.workdir))
        await wait_until(
            lambda: account_runs(realssh.server, "slowsub.pbs"), "qsub running on the login node"
        )
        realssh.server.drop_connections()
        with pytest.raises(OutcomeUnknownError, match="outcome unknown"):
            await asyncio.wait_for(submitting, 60)
        knobs.clear(realssh.server.demo_dir)
        realssh.server.give_back()
        check = await session.pbs.check_submitted("slowsub")
        assert not check.done and "not submitted" in check.summary
    finally:
        await session.close()


async def test_cancelled_passcode_stays_disconnected_until_reconnect(realssh):
    realssh.prompter.cancel = True
    transport = realssh.transport()
    links = []
    transport.add_link_listener(links.append)
    try:
        first = await transport.run(["true"])
        assert not first.ok and "cancelled" in first.error
        for _ in range(4):  # the panes keep refreshing: nothing asks again
            assert not (await transport.run(["true"])).ok
        assert len(realssh.prompter.prompts) == 1
        assert transport.link.needs_reconnect and transport.link.reason == "passcode cancelled"
        assert transport.state == "disconnected: passcode cancelled — reconnect to try again"
        realssh.prompter.cancel = False
        realssh.prompter.wrong_left = 1  # a typo first, then the right code
        link = await transport.reconnect()
        assert link.connected and link.logins == 1
        assert len(realssh.prompter.prompts) == 3
        assert (await transport.run(["echo", "back"])).stdout == "back\n"
    finally:
        await transport.close()
    assert [link.status for link in links].count("connected") == 1


# ---------------------------------------------------------------------------------- transport scenarios


async def test_run_stream_timeout_and_cancel_on_the_login_node(realssh):
    transport = realssh.transport()
    try:
        ran = await transport.run(["bash", "-c", 'echo "out $1"; echo err >&2; exit 3', "x", "a b"])
        assert (ran.exit_status, ran.stdout, ran.stderr) == (3, "out a b\n", "err\n")
        lines = [line async for line in transport.stream(["bash", "-c", "echo a; echo b >&2; echo c"])]
        assert sorted(lines) == ["a", "b", "c"], "no banner in a stream"
        timed = await transport.run(["bash", "-c", "echo partial; sleep 60"], timeout=1)
        assert timed.timed_out and timed.stdout == "partial\n"
        task = asyncio.ensure_future(transport.run(["sleep", "61"], timeout=120))
        await wait_until(lambda: account_runs(realssh.server, "sleep\x0061"), "sleep on the login node")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await wait_until(lambda: not account_runs(realssh.server, "sleep\x0061"), "the remote sleep killed")
        assert transport.connections_made == 1
    finally:
        await transport.close()


async def test_prelude_that_exits_means_not_run(realssh):
    from daostui.transport.base import Prelude

    transport = realssh.transport(prelude=Prelude(lines=("module use /soft/modulefiles", "exit 0")))
    try:
        result = await transport.run(["touch", "/tmp/should-not-exist"])
        with pytest.raises(TransportError, match="did not run"):
            async for _line in transport.stream(["echo", "x"]):
                pass
    finally:
        await transport.close()
    assert not result.ok and result.outcome == "not run" and "did not run" in result.error
    assert BANNER in result.login_noise
    assert not realssh.server.remote_path_exists("/tmp/should-not-exist")


async def test_files_over_sftp_and_the_shell_when_sftp_is_off(realssh):
    transport = realssh.transport()
    try:
        home = await transport.home()
        assert home == str(realssh.server.home)
        await transport.make_dirs(f"{home}/a/b", 0o700)
        await transport.write_file(f"{home}/a/b/f.sh", "#!/bin/sh\necho run\n", mode=0o700)
        with pytest.raises(FileExistsError):
            await transport.write_file(f"{home}/a/b/f.sh", "other")
        assert (await transport.run([f"{home}/a/b/f.sh"])).stdout == "run\n"
        transport.files.sftp_available = False
        await transport.make_dirs(f"{home}/c", 0o700)
        await transport.write_file(f"{home}/c/g.txt", "via the shell\n")
        with pytest.raises(FileExistsError):
            await transport.write_file(f"{home}/c/g.txt", "other")
        modes = await transport.run(
            ["stat", "-c", "%a", f"{home}/a", f"{home}/a/b/f.sh", f"{home}/c", f"{home}/c/g.txt"]
        )
    finally:
        await transport.close()
    assert modes.stdout.split() == ["700", "700", "700", "600"]
    assert (realssh.server.home / "c" / "g.txt").read_text() == "via the shell\n"


async def test_qsub_interactive_over_real_ssh_is_framed(realssh, demo_session):
    from tests.test_interactive_ssh import drive, mounting_request

    transport = realssh.transport()
    request = mounting_request(demo_session.pbs, str(realssh.server.home / "compute"))

    async def delete(job_id: str) -> None:
        raise AssertionError("nothing to delete")

    outcome, text = await drive(transport, request, delete, timeout=90)
    assert outcome.started and not outcome.error, text
    assert BANNER not in text and transport.marker not in text, "the terminal shows nothing before the marker"
    assert "inside-" + outcome.job_id.split(".")[0] in text


async def test_a_job_s_output_is_followed_on_the_login_node(realssh, demo_session, tmp_path):
    session = realssh.session(demo_session.config, log_path=tmp_path / "log.jsonl", workdir=tmp_path)
    request = JobRequest(
        project="hpc_demo",
        queue="debug",
        nodes=1,
        walltime="00:10:00",
        program="/bin/echo",
        args=("hello from the job",),
        job_name="echoer",
    )
    seen: list[str] = []

    async def follow(path: str) -> None:
        lines = session.pbs.follow(path)
        try:
            async for line in lines:
                seen.append(line)
                if "hello from the job" in line:
                    return
        finally:
            await lines.aclose()

    try:
        saved = await session.scripts.save(generate_script(request, session.site), "echoer.pbs")
        job_id = await session.pbs.submit(saved.path, cwd=saved.workdir)
        job = (await session.pbs.status([job_id])).jobs[0]
        assert job.output_path.startswith(saved.workdir + "/echoer.o"), "PBS names a path on the login node"
        await asyncio.wait_for(follow(job.output_path), 60)
    finally:
        await session.close()
    assert not any(BANNER in line for line in seen)
