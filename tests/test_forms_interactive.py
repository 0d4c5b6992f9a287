"""The interactive-job form and its job shell: the mount really checked, `-N` passed, the directory where
`qsub -I` runs on the login node, and no form at all in read-only mode.

`launch-dfuse.sh` exits 0 even when dfuse failed, so "container mounted at …" may only be said once
the mount table shows the mount (on every node through clush when the job has several). The mount
script is run for real here with bash, with stand-ins for the site's tools; the form is driven with
Pilot in demo, ssh and real-OpenSSH modes, and its request then runs through the same ssh pty path
the console uses; the installed console runs it in a real pseudo-terminal.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import pytest

from daostui.core import form_memory
from daostui.handlers import HANDLERS
from daostui.pbs import interactive_session as interactive
from tests.conftest import make_app
from tests.pilot_helpers import wait_for, wait_loaded, wait_screen
from tests.test_interactive_ssh import drive

SIZE = (120, 40)
#: Jobs' compute nodes mount under their own root (set before the session reads it).
pytestmark = pytest.mark.usefixtures("compute_root")


# ---------------------------------------------------------------------- the mount script, run by bash
def tools(directory: Path, *, mounted: list[str], clush_status: int | None = None) -> dict[str, str]:
    """A PATH whose `launch-dfuse.sh` says it failed and exits 0 (as ALCF's does), whose `mount -t
    fuse.daos` lists `mounted`, and (when `clush_status` is given) a `clush` that records its
    arguments and exits with that status."""
    directory.mkdir()
    (directory / "launch-dfuse.sh").write_text("#!/bin/sh\necho 'dfuse: failed to connect' >&2\nexit 0\n")
    table = "".join(f"dfuse on {path} type fuse.daos (rw,nosuid,nodev)\\n" for path in mounted)
    (directory / "mount").write_text(f"#!/bin/sh\nprintf '{table}'\n")
    if clush_status is not None:
        (directory / "clush").write_text(
            f'#!/bin/sh\necho "$@" > {directory}/clush.args\nexit {clush_status}\n'
        )
    for tool in directory.iterdir():
        tool.chmod(0o755)
    return {**os.environ, "PATH": f"{directory}:/usr/bin:/bin"}


def run_script(tmp_path: Path, env: dict[str, str], nodes: int) -> subprocess.CompletedProcess[str]:
    request = interactive.InteractiveRequest(
        ["qsub", "-I"], pool="hpc_demo", container="results", mount_root="/lus/x", job_name="ij"
    )
    script = tmp_path / request.setup_name
    script.write_text(request.setup_script())
    nodefile = tmp_path / "nodefile"
    nodefile.write_text("".join(f"x100{n}c0s0b0n0.hostmgmt\n" for n in range(nodes)))
    return subprocess.run(
        ["bash", str(script)],
        env={**env, "PBS_NODEFILE": str(nodefile)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_failed_launch_that_exits_0_is_said_as_not_mounted(tmp_path: Path):
    done = run_script(tmp_path, tools(tmp_path / "bin", mounted=["/lus/x/other/cont"]), nodes=1)
    assert done.returncode == 1
    assert "container mounted at" not in done.stdout
    assert "NOT mounted: no dfuse mount at /lus/x/hpc_demo/results on this node" in done.stderr


def test_a_mount_in_the_table_is_said_as_mounted_with_how_to_clean_up(tmp_path: Path):
    done = run_script(tmp_path, tools(tmp_path / "bin", mounted=["/lus/x/hpc_demo/results"]), nodes=1)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "daostui: container mounted at /lus/x/hpc_demo/results on this node "
        "(run clean-dfuse.sh hpc_demo:results before you exit)\n"
    )


@pytest.mark.parametrize(("status", "mounted"), [(0, True), (1, False)])
def test_several_nodes_are_checked_each_through_clush(tmp_path: Path, status: int, mounted: bool):
    done = run_script(tmp_path, tools(tmp_path / "bin", mounted=[], clush_status=status), nodes=3)
    args = (tmp_path / "bin" / "clush.args").read_text()
    assert args.startswith(f"-S --hostfile {tmp_path / 'nodefile'} mount -t fuse.daos | grep -qF")
    assert "on /lus/x/hpc_demo/results type fuse.daos" in args
    assert ("container mounted at /lus/x/hpc_demo/results on every node of the job" in done.stdout) is mounted
    assert ("NOT mounted" in done.stderr) is not mounted


def test_qsub_interactive_carries_the_job_name(demo_session):
    argv = interactive.interactive_argv(
        demo_session.pbs,
        project="hpc_demo",
        queue="debug",
        nodes=1,
        walltime="00:10:00",
        daos_fs="daos_user",
        daos_resource=None,
        job_name="my_shell",
    )
    assert argv[:8] == ["qsub", "-I", "-A", "hpc_demo", "-q", "debug", "-N", "my_shell"]


# ---------------------------------------------------------------------- the form
async def open_form(pilot, app):
    await wait_loaded(pilot, app)
    await pilot.press("2")
    app.jump("containers", "checkpoints")
    await pilot.press("4", "i")
    form = await wait_screen(pilot, app, "InteractiveScreen")
    await wait_for(pilot, lambda: form.form.default_dir, what="the default directory")
    return form


@pytest.mark.parametrize("mode_session", ["demo", "ssh", "realssh"], indirect=True)
async def test_the_form_saves_its_mount_script_where_qsub_runs_and_the_job_mounts(mode_session, monkeypatch):
    """Start: the mount script is written in the job's directory where commands run, `qsub -I` gets
    the form's `-N`; over ssh the job's shell then starts there, named, the container checked mounted."""
    from daostui.handlers import jobs

    started: list[interactive.InteractiveRequest] = []

    async def run_interactive(_app, request):
        started.append(request)

    monkeypatch.setattr(jobs, "run_interactive", run_interactive)
    session = mode_session
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, app)
        directory = form.form.default_dir
        assert directory == await session.scripts.workdir()
        form.query_one("#name").value = "ij_test"
        await wait_for(pilot, lambda: "-N ij_test" in str(form.query_one("#preview").render()), what="-N")
        form.query_one("#start").press()
        await wait_for(pilot, lambda: started, what="the request handed to the console")
    request = started[0]
    assert request.argv[request.argv.index("-N") + 1] == "ij_test"
    assert request.directory == directory
    assert request.setup_path == f"{directory}/ij_test-mount.sh"
    saved = await session.transport.run(["cat", "--", request.setup_path])
    assert saved.ok and "launch-dfuse.sh hpc_demo:checkpoints" in saved.stdout
    assert f" on {request.mount_point} type fuse.daos " in saved.stdout
    assert form_memory.load("interactive")[form_memory.OWN_FILE] == request.setup_path
    if session.mode != "ssh":
        return  # locally the job's shell needs the user's terminal: tests/test_e2e.py and below

    async def delete(job_id: str) -> None:
        raise AssertionError(f"nothing to delete ({job_id})")

    outcome, text = await drive(
        session.transport,
        request,
        delete,
        timeout=90,
        typed="echo name=$PBS_JOBNAME; echo cwd=$(pwd); exit\n",
    )
    assert outcome.started and not outcome.error, text
    assert "daostui: container mounted at " + request.mount_point in text
    assert "name=ij_test" in text and f"cwd={directory}" in text


async def test_the_form_remembers_its_values(demo_session, monkeypatch):
    from daostui.handlers import jobs

    monkeypatch.setattr(jobs, "run_interactive", lambda _app, _request: asyncio.sleep(0))
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, app)
        form.query_one("#walltime").value = "00:45:00"
        form.query_one("#mount").value = False
        await pilot.press("escape")
        await wait_screen(pilot, app, "ConsoleScreen")
        await pilot.press("i")
        again = await wait_screen(pilot, app, "InteractiveScreen")
        assert again.query_one("#walltime").value == "00:45:00"
        assert again.query_one("#mount").value is False


async def test_read_only_refuses_the_interactive_form_with_the_reason(demo_session):
    demo_session.readonly = True
    app = make_app(demo_session)
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.notify = lambda message, **_options: said.append(str(message))  # type: ignore[method-assign]
        HANDLERS["job.interactive"](app)  # called directly: the handler itself refuses
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "ConsoleScreen"
    assert said and "read-only" in said[0] and "qsub -I" in said[0]


# ---------------------------------------------------------------------- in a real terminal
@pytest.mark.e2e
def test_a_failed_launch_in_the_job_shell_is_never_said_mounted(tmp_path: Path, compute_root: Path):
    """The installed console in a pty: launch-dfuse.sh fails (exit 0), the shell says NOT mounted;
    the job carries the form's name instead of STDIN."""
    from daostui.sim import knobs
    from tests.test_e2e import Terminal, installed_daostui, seeded_env

    env, demo = seeded_env(tmp_path)
    env["DAOSTUI_SIM_COMPUTE_ROOT"] = str(compute_root)
    knobs.add_fault(demo, "exit", match="launch-dfuse.sh*", exit=0, stderr="dfuse: failed to mount\n")
    term = Terminal([installed_daostui(), "--demo", "--demo-dir", str(demo)], env, tmp_path)
    try:
        term.wait_for(lambda t: "checkpoints" in t, what="the console")
        term.send("4")
        term.send("i")
        term.wait_for(lambda t: "qsub -I -A hpc_demo" in t and "-N daos_job" in t, what="the qsub -I preview")
        term.send("\r")
        term.wait_for(lambda t: "is running" in t, what="the job's shell", timeout=30)
        screen = term.wait_for(lambda t: "NOT mounted" in t, what="the failed mount said", timeout=15)
        assert "container mounted at" not in screen
        term.send("echo name=$PBS_JOBNAME\r")
        term.wait_for(lambda t: "name=daos_job" in t, what="the job's name")
        term.send("exit\r")
        term.wait_for(lambda t: "My jobs" in t and "Pools" in t, what="the console again", timeout=20)
        term.quit()
    finally:
        if term.child.isalive():
            term.child.kill(signal.SIGKILL)
    assert (tmp_path / "daos_job-mount.sh").exists(), "the mount script is saved where qsub -I ran"
