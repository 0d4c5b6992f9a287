"""The same scenarios against the simulator and a real OpenPBS 23.06.06 server: the parsed models agree.

Wherever they disagreed (formats, states, comments, exit codes, error texts, when F and the history
come), the simulator was changed to what the real server did. What legitimately differs is
normalised first: the server and host names, job numbers, the queue (the simulated Aurora limits
debug to one job per user), paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from daostui.core.errors import PbsError
from daostui.pbs.client import PbsClient
from daostui.pbs.exitstatus import decode_exit_status
from daostui.pbs.models import Job
from tests.realpbs import QDEL_EXIT_STATUSES, Site, cleanup, client_for, wait_for, wait_until

pytestmark = pytest.mark.realpbs

SLEEPER = "#!/bin/sh\necho started\nexec sleep 60\n"  # qdel: 271, or 143 (settle_the_qdel_race)
FAILS = "#!/bin/sh\necho out; echo err >&2; exit 3\n"
ARRAY = "#!/bin/sh\necho index $PBS_ARRAY_INDEX\n"


@dataclass
class Backend:
    name: str
    client: PbsClient
    directory: Path
    queue: str
    user: str
    site: Site | None = None

    def write(self, name: str, text: str) -> Path:
        if self.site is not None:
            return self.site.write(self.directory, name, text)
        path = self.directory / name
        path.write_text(text)
        path.chmod(0o755)
        return path

    def args(self, *extra: str) -> list[str]:
        """Aurora's flags, which both accept (the real site defines `filesystems` and `daos`)."""
        return [
            "-A",
            "hpc_demo",
            "-q",
            self.queue,
            "-l",
            "select=1",
            "-l",
            "walltime=00:10:00",
            "-l",
            "filesystems=home:flare",
            "-k",
            "doe",
            *extra,
        ]

    async def submit(self, script: Path, *extra: str) -> str:
        return await self.client.submit(str(script), cwd=str(self.directory), extra_args=self.args(*extra))


def normalise(text: str, user: str = "") -> str:
    """Names that differ by site: server and submit host, job numbers, the user, times, nodes."""
    text = re.sub(r"\w{3} \w{3} +\d+ at \d\d:\d\d", "DATE", text)
    if user:
        text = text.replace(user, "USER")
    text = re.sub(r"aurora-pbs-0001\.hostmgmt\.cm\.aurora\.alcf\.anl\.gov|pbshost", "SERVER", text)
    text = re.sub(r"aurora-uan-0009\.hostmgmt\.cm\.aurora\.alcf\.anl\.gov", "SERVER", text)
    text = re.sub(r"\b\d{1,8}(?=(\[\d*\])?\.SERVER|\[|$| )", "N", text)
    return re.sub(r"\(([^)]*):ncpus=\d+\)", "(NODE)", text)


def summary(job: Job, user: str) -> dict[str, Any]:
    """What the console shows of a finished job, site names normalised."""
    return {
        "state": job.state,
        "exit_status": job.exit_status,
        "exit_text": job.exit_text,
        "comment": normalise(job.comment, user),
        "substate": str(job.raw.get("substate")),
        "run_count": str(job.raw.get("run_count", "")),
        "keep": job.raw.get("Keep_Files"),
        "history": job.history_timestamp is not None,
        "history_after_start": job.stime is None or job.history_timestamp >= job.stime,
        "output": Path(job.output_path).name.replace(job.seq.split("[")[0], "N"),
        "is_array": job.is_array,
        "array": (job.array_indices_submitted, job.array_indices_remaining, job.array_state_count)
        if job.is_array
        else None,
        "subjob": (job.array_index, normalise(job.array_parent_id)) if job.is_subjob else None,
    }


async def _started(path: Path) -> bool:
    return path.exists() and path.read_text().startswith("started")


async def scenario(backend: Backend) -> dict[str, Any]:
    client = backend.client
    fails = backend.write("fails.sh", FAILS)
    sleeper = backend.write("sleeper.sh", SLEEPER)
    array = backend.write("arr.sh", ARRAY)
    seen: dict[str, Any] = {}

    failed_id = await backend.submit(fails, "-v", "LR=.001,SEED=+42,K=a\\,b")
    failed = await wait_for(client, failed_id, "F")
    seen["failed"] = summary(failed, backend.user)
    seen["variables"] = {key: failed.variables[key] for key in ("LR", "SEED", "K")}
    seen["failed_output"] = Path(failed.output_path).read_text()
    seen["failed_error"] = Path(failed.error_path).read_text()

    running_id = await backend.submit(sleeper)
    running = await wait_for(client, running_id, "R")
    # qdel once the script runs: in its first moments (substate PRERUN) PBS ends a job differently
    await wait_until(lambda: _started(Path(running.output_path)), "the job's script started")
    await client.delete(running_id)
    seen["deleted_running"] = summary(await wait_for(client, running_id, "F"), backend.user)

    held_id = await backend.submit(sleeper, "-h")
    held = await wait_for(client, held_id, "H")
    seen["held"] = (held.raw["Hold_Types"], normalise(held.comment or "no comment", backend.user))
    await client.delete(held_id)
    seen["deleted_held"] = summary(await wait_for(client, held_id, "F"), backend.user)

    array_id = await backend.submit(array, "-J", "1-2")
    seen["array_id"] = normalise(array_id)
    parent = await wait_for(client, array_id, "F")
    seen["array"] = summary(parent, backend.user)
    seen["subjobs"] = [summary(job, backend.user) for job in await client.subjobs(array_id)]

    errors = {}
    for name, call in (
        ("qdel finished", client.delete(failed_id)),
        ("qhold finished", client.hold(failed_id)),
        ("qdel unknown", client.delete("99999999")),
        ("qhold unknown", client.hold("99999999")),
    ):
        try:
            await call
            errors[name] = "no error"
        except PbsError as error:
            errors[name] = (normalise(str(error), backend.user), error.result.exit_status)
    unknown = await client.status(["99999999"])
    errors["qstat unknown"] = (unknown.jobs, unknown.unknown_ids)
    plain = await client.transport.run(["qstat", "-f", failed_id])
    errors["qstat finished without -x"] = (normalise(plain.stderr.strip(), backend.user), plain.exit_status)
    seen["errors"] = errors
    return seen


@pytest.fixture
async def real_backend():
    site = Site.from_environment()
    client, _recorder = client_for(site)
    yield Backend("real", client, site.job_dir("compare"), "debug", site.user, site)
    await cleanup(client)


def differences(expected: dict[str, Any], seen: dict[str, Any]) -> dict[str, Any]:
    """(real, simulated) of each step that differs; for a job's summary, only the fields that do
    (pytest cuts a long message, and the field is what tells where the simulator went wrong)."""
    found: dict[str, Any] = {}
    for key, real in expected.items():
        simulated = seen.get(key)
        if real == simulated:
            continue
        if isinstance(real, dict) and isinstance(simulated, dict):
            fields = real.keys() | simulated.keys()
            found[key] = {
                f: (real.get(f), simulated.get(f)) for f in sorted(fields) if real.get(f) != simulated.get(f)
            }
        else:
            found[key] = (real, simulated)
    return found


def settle_the_qdel_race(expected: dict[str, Any]) -> None:
    """The real server's qdel of the running job: 271, or 143 where the job shell won the race
    that `QDEL_EXIT_STATUSES` tells of. The simulator signals the job's process group at once: 271,
    a quiet node's outcome."""
    deleted = expected["deleted_running"]
    if deleted["exit_status"] != 271 and deleted["exit_status"] in QDEL_EXIT_STATUSES:
        assert "SIGTERM" in deleted["exit_text"] and deleted["comment"].endswith("terminated by USER@SERVER")
        deleted.update(exit_status=271, exit_text=decode_exit_status(271))


async def test_the_same_life_cycle_on_the_simulator_and_a_real_server(demo_session, real_backend) -> None:
    simulated = Backend("sim", demo_session.pbs, demo_session.workdir, "capacity", demo_session.user)
    expected = await scenario(real_backend)
    seen = await scenario(simulated)
    settle_the_qdel_race(expected)
    found = differences(expected, seen)
    assert not found, found
    # and what they agree on is what the real server did
    assert expected["failed"]["comment"].endswith(" and failed") and expected["failed"]["exit_status"] == 3
    assert expected["deleted_running"]["exit_status"] == 271
    assert expected["variables"] == {"LR": ".001", "SEED": "+42", "K": "a,b"}
    assert expected["array_id"] == "N[].SERVER"
