"""`qsub -I` over ssh: the asyncssh session path of interactive jobs, against the simulator's qsub -I.

The user's terminal is stood in for by a pipe (keys in) and a buffer (screen out); the pumping,
the ready detection and the container mount in the job's shell are the real code.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from pathlib import Path

import pytest

from daostui import sim
from daostui.pbs import interactive_session as interactive
from daostui.transport.ssh import SshTarget, SshTransport
from tests.sshserver import SshTestServer


class Keys:
    """The read end of a pipe, posing as the terminal's stdin."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()

    def fileno(self) -> int:
        return self.read_fd

    def type(self, text: str) -> None:
        os.write(self.write_fd, text.encode())

    def close(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


class Screen(io.BytesIO):
    def text(self) -> str:
        return self.getvalue().decode("utf-8", "replace")


def mounting_request(pbs, mount_root: str) -> interactive.InteractiveRequest:
    """`qsub -I` on the debug queue that mounts hpc_demo/checkpoints in the job's shell (the
    simulated compute nodes mount under `mount_root`, their DAOSTUI_SIM_COMPUTE_ROOT)."""
    argv = interactive.interactive_argv(
        pbs,
        project="hpc_demo",
        queue="debug",
        nodes=1,
        walltime="00:10:00",
        daos_fs="daos_user",
        daos_resource="daos_user",
    )
    return interactive.InteractiveRequest(
        argv, pool="hpc_demo", container="checkpoints", mount_root=mount_root
    )


async def drive(
    transport, request, delete, *, timeout: float, typed: str = "echo inside-$PBS_JOBID\nexit\n"
) -> tuple[interactive.InteractiveOutcome, str]:
    """`qsub -I` through the app's ssh path (in the request's directory), a user typing `typed` in
    the job's shell once the container is mounted."""
    keys, screen = Keys(), Screen()

    async def user() -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while "container mounted at" not in screen.text() and loop.time() < deadline:
            await asyncio.sleep(0.05)
        keys.type(typed)

    try:
        conn = await transport.connect()
        typing = asyncio.ensure_future(user())
        outcome = await asyncio.wait_for(
            interactive.run_ssh(
                conn,
                transport.remote_command(request.login_argv()),
                request,
                delete=delete,
                stdin=keys,
                stdout=screen,
            ),
            timeout=timeout,
        )
        await typing
    finally:
        keys.close()
        await transport.close()
    return outcome, screen.text()


@pytest.fixture
async def server(demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DAOSTUI_SIM_COMPUTE_ROOT", str(tmp_path / "compute"))
    (tmp_path / "compute").mkdir()
    srv = SshTestServer(
        tmp_path / "ssh",
        env={**sim.environment(demo_dir), "DAOSTUI_SIM_COMPUTE_ROOT": str(tmp_path / "compute")},
    )
    await srv.start()
    yield srv
    await srv.stop()


async def test_qsub_interactive_over_ssh_mounts_and_runs_in_the_job(server, tmp_path: Path, demo_session):
    known = server.tmp / "known_hosts"
    known.write_text(server.known_hosts_line)
    transport = SshTransport(
        SshTarget("127.0.0.1", server.username, server.port),
        known_hosts=known,
        client_keys=[str(server.user_key_path)],
        config_files=[],
        extra_options={"agent_path": None},
    )
    request = mounting_request(demo_session.pbs, str(tmp_path / "compute"))
    deleted: list[str] = []

    async def delete(job_id: str) -> None:
        deleted.append(job_id)

    outcome, text = await drive(transport, request, delete, timeout=30)
    assert outcome.started and outcome.job_id.endswith("aurora.alcf.anl.gov"), repr(text)
    assert "qsub: waiting for job" in text and "ready" in text
    assert "container mounted at " + request.mount_point in text, "the mount checked, then said"
    assert "inside-" + outcome.job_id.split(".")[0] in text
    assert not deleted
    assert (tmp_path / "compute" / "hpc_demo" / "checkpoints").exists()


def test_qsub_interactive_locally_skips_the_login_noise_and_says_when_it_never_ran(demo_session, tmp_path):
    """Locally with a prelude (`bash -l` may print a banner) the argv is framed like over ssh."""
    import dataclasses

    from daostui.transport.base import Prelude
    from daostui.transport.local import LocalTransport

    argv = ["qsub", "-I", "-A", "hpc_demo", "-q", "nosuchqueue", "-l", "select=1", "-l", "walltime=00:10:00"]
    env = {**os.environ, **sim.environment(demo_session.demo_dir)}
    request = interactive.InteractiveRequest(argv)
    deleted: list[str] = []

    refused_argv, _ = LocalTransport(
        prelude=Prelude(lines=("echo 'qsub: job 1.fake ready'",), login=False)
    ).terminal_command(argv)
    refused = interactive.run_local(
        dataclasses.replace(request, argv=refused_argv), env=env, cwd=str(tmp_path), delete=deleted.append
    )
    assert not refused.started, "a banner that looks like qsub's 'ready' is not taken for it"
    assert refused.error and "did not run" not in refused.error  # qsub ran and refused the queue

    swallowed_argv, _ = LocalTransport(
        prelude=Prelude(lines=("echo loading", "exit 0"), login=False)
    ).terminal_command(argv)
    swallowed = interactive.run_local(
        dataclasses.replace(request, argv=swallowed_argv), env=env, cwd=str(tmp_path), delete=deleted.append
    )
    assert "did not run" in swallowed.error and "loading" in swallowed.error
    assert not deleted
