"""A real OpenPBS site for tests, found only through the environment (.ci/setup.d/20-realpbs.sh sets it).

- `DAOSTUI_TEST_PBS_BIN`: the site's bin dir (qsub, qstat, … run inside the site as the test user);
- `DAOSTUI_TEST_PBS_USER`: that user; `DAOSTUI_TEST_PBS_WORKDIR`: a directory the user owns;
- `DAOSTUI_TEST_PBS_ADMIN` (optional): qmgr as the site's manager (queue limits);
- `DAOSTUI_TEST_PBS_MASTER_QSTAT` (optional): master's qstat as a client of the same server.

Without them every real-PBS test skips and says which variable is missing. The client under test
talks to the site exactly as on a login node: `PbsClient` over a `LocalTransport` whose PATH puts
the site's commands first.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from daostui.pbs.client import PbsClient
from daostui.pbs.models import Job
from daostui.transport.base import CommandResult
from daostui.transport.local import LocalTransport

#: Generous: the site runs on a shared 2-core machine; tests wait for states, never for time.
DEADLINE = 120.0

#: `Exit_status` of a running job that qdel ended, as a real server records it. pbs_mom signals the
#: job's session bottom up (`kill_task(ptask, SIGTERM, 0)`: resmom/mom_main.c, linux/mom_mach.c),
#: the script's process first, then the login shell that started it (mom hands the shell the
#: script's name on its stdin, SHELL_INVOKE=1). The shell dies of the signal: 271 = 256 + SIGTERM.
#: Unless it runs between the two kills: then it sees its child die and exits 128 + SIGTERM = 143
#: first. This machine's real server logged 143 twice (one core busy) and 271 44 times in a day of tests.
QDEL_EXIT_STATUSES = (271, 143)


@dataclass
class Site:
    bin: Path
    user: str
    workdir: Path
    admin: Path | None = None
    master_qstat: Path | None = None

    @classmethod
    def from_environment(cls) -> Site:
        missing = [
            name
            for name in ("DAOSTUI_TEST_PBS_BIN", "DAOSTUI_TEST_PBS_USER", "DAOSTUI_TEST_PBS_WORKDIR")
            if not os.environ.get(name)
        ]
        if missing:
            pytest.skip(
                f"no real OpenPBS site: {', '.join(missing)} not set (.ci/setup.d/20-realpbs.sh starts one as root)"
            )
        bin_dir = Path(os.environ["DAOSTUI_TEST_PBS_BIN"])
        if not (bin_dir / "qstat").exists():
            pytest.skip(f"no real OpenPBS site: {bin_dir}/qstat does not exist")
        admin = os.environ.get("DAOSTUI_TEST_PBS_ADMIN")
        master = os.environ.get("DAOSTUI_TEST_PBS_MASTER_QSTAT")
        return cls(
            bin=bin_dir,
            user=os.environ["DAOSTUI_TEST_PBS_USER"],
            workdir=Path(os.environ["DAOSTUI_TEST_PBS_WORKDIR"]),
            admin=Path(admin) if admin else None,
            master_qstat=Path(master) if master else None,
        )

    def job_dir(self, name: str) -> Path:
        """A fresh directory the test user owns (qsub's cwd, where .o/.e files land)."""
        path = self.workdir / f"{name}-{uuid.uuid4().hex[:8]}"
        path.mkdir(mode=0o755)
        shutil.chown(path, user=self.user)
        return path

    def write(self, directory: Path, name: str, text: str, mode: int = 0o755) -> Path:
        path = directory / name
        path.write_text(text)
        path.chmod(mode)
        shutil.chown(path, user=self.user)
        return path


@dataclass
class Recorder:
    """Every command the client ran (the command log's feed)."""

    results: list[CommandResult] = field(default_factory=list)

    def __call__(self, result: CommandResult) -> None:
        self.results.append(result)

    def argvs(self, program: str = "") -> list[list[str]]:
        return [list(r.argv) for r in self.results if not program or r.argv[0] == program]


def client_for(site: Site, *, path_first: Path | None = None) -> tuple[PbsClient, Recorder]:
    """A PbsClient whose commands are the site's (optionally one more directory before them)."""
    dirs = [str(path_first)] if path_first else []
    transport = LocalTransport(env={"PATH": os.pathsep.join([*dirs, str(site.bin), os.environ["PATH"]])})
    recorder = Recorder()
    transport.add_listener(recorder)
    return PbsClient(transport, user=site.user, timeout=60.0), recorder


async def wait_for(client: PbsClient, job_id: str, states: str, *, deadline: float = DEADLINE) -> Job:
    """The job once it is in one of `states`, asking as the console does (status of that id)."""
    end = time.monotonic() + deadline
    seen: list[str] = []
    while time.monotonic() < end:
        result = await client.status([job_id])
        job = next((j for j in result.jobs if j.seq == job_id.split(".", 1)[0]), None)
        if job is not None:
            if not seen or seen[-1] != job.state:
                seen.append(job.state)
            if job.state in states:
                return job
        await asyncio.sleep(0.5)
    raise AssertionError(f"job {job_id} never reached {states} in {deadline:.0f}s; saw {seen}")


async def wait_until(check, what: str, *, deadline: float = DEADLINE):  # type: ignore[no-untyped-def]
    """Await `check()` until it returns something truthy."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.5)
    raise AssertionError(f"{what}: not within {deadline:.0f}s")


async def cleanup(client: PbsClient) -> None:
    """Delete what a test left queued or running, so the one-node site is free for the next."""
    ids = client.submitted_ids()
    if not ids:
        return
    result = await client.status(ids)
    active = [job.id for job in result.jobs if not job.is_finished]
    if active:
        await client.transport.run(["qdel", "-W", "force", *active], timeout=60)


# ---------------------------------------------------------------------- fixtures (import them into a test module)
@pytest.fixture(scope="module")
def site() -> Site:
    return Site.from_environment()


@pytest.fixture
async def connection(site: Site):  # type: ignore[no-untyped-def]
    """A client of the site and what it ran; what the test left queued or running is deleted after."""
    client, recorder = client_for(site)
    yield client, recorder
    await cleanup(client)


@pytest.fixture
def pbs(connection) -> PbsClient:  # type: ignore[no-untyped-def]
    return connection[0]


@pytest.fixture
def commands(connection) -> Recorder:  # type: ignore[no-untyped-def]
    """What the client ran, as the command log shows it."""
    return connection[1]
