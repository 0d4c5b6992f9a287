"""Unknown outcomes said as such and checked against the real state; scripts saved where qsub runs;
one identity for the session and its clients; private files whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from daostui.core.errors import OutcomeUnknownError, TransportError, ValidationError
from daostui.core.site import SiteProfile
from daostui.daos.client import DaosClient
from daostui.mounts.client import MountsClient
from daostui.pbs.client import PbsClient
from daostui.pbs.script_store import ScriptStore
from daostui.transport.fake import FakeTransport, Reply
from daostui.transport.identity import Identity
from daostui.transport.local import LocalTransport
from daostui.transport.localfiles import make_dirs, write_private
from tests.sshserver import SshTestServer
from tests.test_transport_ssh import transport_for

QSUB_LOST = Reply(stderr="connection lost during the command: outcome unknown", outcome_unknown=True)


async def test_a_lost_qsub_is_outcome_unknown_never_not_run_or_missing_pbs() -> None:
    fake = FakeTransport()
    fake.on(["qsub"], QSUB_LOST)
    pbs = PbsClient(fake, user="alice")
    with pytest.raises(OutcomeUnknownError) as raised:
        await pbs.submit("/home/alice/daostui/jobs/train.pbs")
    assert "outcome unknown" in str(raised.value) and "may have run" in str(raised.value)
    assert "commands not found" not in raised.value.hint and raised.value.result.outcome == "outcome unknown"


async def test_check_submitted_finds_a_new_job_of_ours_by_name() -> None:
    fake = FakeTransport()
    fake.on(
        ["qselect", "-u", "alice", "-N", "train", "-x"], Reply(stdout="8100.aurora-pbs\n8123.aurora-pbs\n")
    )
    pbs = PbsClient(fake, user="alice")
    found = await pbs.check_submitted("train", known=["8100.aurora-pbs-0001"])
    assert found.done and found.found == ("8123.aurora-pbs",) and "do not submit it again" in found.summary
    assert found.command == "qselect -u alice -N train -x"
    assert "8123.aurora-pbs" in pbs.submitted_ids(), "followed like a job submitted normally"
    none = await pbs.check_submitted("train", known=["8100.aurora-pbs", "8123.aurora-pbs"])
    assert not none.done and "not submitted" in none.summary


async def test_daos_create_and_destroy_checks_read_the_container_list() -> None:
    listing = '{"response": [{"label": "results", "uuid": "0a0e0d0c-0000-4000-8000-000000000001"}], "error": null, "status": 0}'
    fake = FakeTransport()
    fake.on(["daos", "-j", "container", "list", "hpc_demo"], Reply(stdout=listing))
    fake.on(["daos", "container", "destroy"], QSUB_LOST)
    daos = DaosClient(fake)
    with pytest.raises(OutcomeUnknownError):
        await daos.cont_destroy("hpc_demo", "results")
    assert (await daos.check_container("hpc_demo", "results", created=True)).done
    gone = await daos.check_container("hpc_demo", "results", created=False)
    assert not gone.done and "still" in gone.summary and gone.found == ("results",)
    absent = await daos.check_container("hpc_demo", "other", created=False)
    assert absent.done and "destroyed" in absent.summary


async def test_a_lost_mount_is_unknown_and_the_mounts_table_says_what_happened(tmp_path) -> None:
    site = SiteProfile().with_overrides(
        login_mount_root=str(tmp_path / "{user}"), allowed_mount_roots=(str(tmp_path),)
    )
    path = site.login_mount_point("alice", "hpc_demo", "results")
    fake = FakeTransport()
    started: list[bool] = []

    def real(argv: list[str], _stdin: str | None) -> Reply:
        """The mount-point check (id, stat, mkdir) runs for real on the test's own directory."""
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        return Reply(stdout=done.stdout, stderr=done.stderr, exit_status=done.returncode)

    def start(_argv: list[str], _stdin: str | None) -> Reply:
        started.append(True)  # the connection dropped, but the mount did happen
        return QSUB_LOST

    def table(_argv: list[str], _stdin: str | None) -> Reply:
        line = f"dfuse {path} fuse.daos rw,nosuid,nodev,user_id=1000 0 0\n"
        return Reply(stdout=line if started else "")

    for program in ("id", "stat", "mkdir"):
        fake.on([program], real)
    fake.on([site.start_dfuse], start)
    fake.on(["cat"], table)
    mounts = MountsClient(fake, site, user="alice", table_path="/proc/mounts")
    with pytest.raises(OutcomeUnknownError):
        await mounts.mount("hpc_demo", "results")
    assert (await mounts.check_mounted(path)).done
    assert not (await mounts.check_mounted(path, mounted=False)).done
    assert not (await mounts.check_mounted(path + "x")).done


def test_one_identity_for_the_session_and_its_clients(demo_session) -> None:
    assert demo_session.pbs.identity is demo_session.mounts.identity is demo_session.identity
    demo_session.identity.learn("remote_bob", "/home/remote_bob")
    assert demo_session.user == demo_session.pbs.user == demo_session.mounts.user == "remote_bob"
    assert demo_session.pbs.argv_my_job_ids()[:3] == ["qselect", "-u", "remote_bob"]
    assert "/remote_bob/" in demo_session.mounts.default_mount_point("p", "c")
    demo_session.user = "carol"
    assert demo_session.pbs.user == "carol"
    assert PbsClient(FakeTransport(), user=Identity("dave")).user == "dave"


# ---------------------------------------------------------------------------------- script store


async def test_scripts_go_to_daostui_jobs_under_the_remote_home_and_never_overwrite(tmp_path) -> None:
    fake = FakeTransport(home="/home/alice")
    store = ScriptStore(fake, local_dir=tmp_path / "state" / "scripts")
    assert await store.workdir() == "/home/alice/daostui/jobs"
    first = await store.save("#PBS -N train\necho 1\n", "train.pbs")
    second = await store.save("#PBS -N train\necho 2\n", "train.pbs")
    run = await store.save("echo hi\n", "run.sh", executable=True)
    assert (first.path, second.path) == (
        "/home/alice/daostui/jobs/train.pbs",
        "/home/alice/daostui/jobs/train-2.pbs",
    )
    assert (
        first.workdir == "/home/alice/daostui/jobs" and first.job_name == "train" and run.job_name == "run.sh"
    )
    assert fake.files[first.path] == (b"#PBS -N train\necho 1\n", 0o600)
    assert fake.files[run.path][1] == 0o700
    assert fake.dirs["/home/alice/daostui/jobs"] == 0o700
    assert first.local_copy is not None and first.local_copy.read_text() == "#PBS -N train\necho 1\n"
    assert stat.S_IMODE(first.local_copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(first.local_copy.parent.stat().st_mode) == 0o700


async def test_the_working_directory_the_user_picks(tmp_path) -> None:
    fake = FakeTransport(home="/home/alice")
    store = ScriptStore(fake, local_dir=None)
    assert (
        await store.save("x", "a.pbs", directory="~/project/run1")
    ).path == "/home/alice/project/run1/a.pbs"
    assert (
        await store.save("x", "a.pbs", directory="/lus/flare/projects/p/")
    ).workdir == "/lus/flare/projects/p"
    for bad_dir in ("relative/dir", "a\nb"):
        with pytest.raises(ValidationError):
            await store.save("x", "a.pbs", directory=bad_dir)
    for bad_name in ("", "..", "a/b.pbs", "a\n.pbs"):
        with pytest.raises(ValidationError):
            await store.save("x", bad_name)


JOB = (
    "#!/bin/bash -l\n#PBS -A hpc_demo\n#PBS -q debug\n#PBS -N {name}\n#PBS -l select=1\n"
    "#PBS -l walltime=00:05:00\n#PBS -l filesystems=home:flare\necho hi\n"
)


async def test_local_mode_saves_where_the_user_started(demo_session) -> None:
    saved = await demo_session.scripts.save(JOB.format(name="x"), "x.pbs")
    assert saved.path == str(demo_session.workdir / "x.pbs")
    assert stat.S_IMODE(os.stat(saved.path).st_mode) == 0o600
    job_id = await demo_session.pbs.submit(saved.path, cwd=saved.workdir)
    assert job_id


async def test_over_ssh_the_script_is_written_by_sftp_and_qsub_finds_it(
    demo_session, demo_dir, tmp_path
) -> None:
    from daostui import sim

    srv = SshTestServer(tmp_path / "ssh", env=sim.environment(demo_dir))
    await srv.start()
    t = transport_for(srv, tmp_path)
    store = ScriptStore(t, local_dir=tmp_path / "copies")
    pbs = PbsClient(t, user=t.identity)
    text = JOB.format(name="sftpjob")
    try:
        saved = await store.save(text, "sftpjob.pbs")
        job_id = await pbs.submit(saved.path, cwd=saved.workdir)
        t.files.sftp_available = False  # a site without SFTP: the shell writes it
        by_shell = await store.save(text, "sftpjob.pbs")
    finally:
        await t.close()
        await srv.stop()
    assert saved.path == f"{srv.home}/daostui/jobs/sftpjob.pbs" and job_id
    assert stat.S_IMODE(os.stat(saved.path).st_mode) == 0o600
    assert by_shell.path.endswith("sftpjob-2.pbs") and Path(by_shell.path).read_text() == text
    assert stat.S_IMODE(os.stat(by_shell.path).st_mode) == 0o600


# ---------------------------------------------------------------------------------- private local files


def test_private_files_and_dirs_whatever_the_umask(tmp_path) -> None:
    old = os.umask(0)
    try:
        make_dirs(tmp_path / "a" / "b", 0o700)
        write_private(tmp_path / "a" / "b" / "f", b"x", 0o600)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b" / "f").stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        write_private(tmp_path / "a" / "b" / "f", b"y")
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(FileExistsError):
        write_private(tmp_path / "link", b"y")  # a planted link is never written through
    write_private(tmp_path / "link", b"y", exclusive=False)  # replaced by a file: the link's target untouched
    assert not (tmp_path / "elsewhere").exists()
    assert not (tmp_path / "link").is_symlink()
    (tmp_path / "file").write_text("")
    with pytest.raises(TransportError, match=r"(?i)not a directory"):
        make_dirs(tmp_path / "file" / "sub")


async def test_local_transport_files(tmp_path) -> None:
    t = LocalTransport()
    assert await t.home() == str(Path.home())
    await t.make_dirs(str(tmp_path / "jobs"))
    await t.write_file(str(tmp_path / "jobs" / "j.pbs"), "text", mode=0o700)
    assert stat.S_IMODE((tmp_path / "jobs" / "j.pbs").stat().st_mode) == 0o700
    with pytest.raises(FileExistsError):
        await t.write_file(str(tmp_path / "jobs" / "j.pbs"), "again")
