"""Shared helpers: synthetic jobs in the real `qstat -f -F json` shape, a PBS that answers with
them, timing, and the figures a run reports (collected by `python -m benchmarks` into the results JSON)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "pbs" / "qstat_f.json"
SERVER = "aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"
FIRST_SEQ = 8_000_000


@dataclass
class Figure:
    """One measured figure; `key` names it in the results file and the README table."""

    key: str
    name: str
    value: float
    unit: str
    baseline: float | None = None
    base_name: str = ""
    target: str = ""

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


#: Every figure reported since the runner last cleared it.
FIGURES: list[Figure] = []

#: `python -m benchmarks --quick`: fewer repeats of everything (indicative figures in a few minutes).
QUICK = False


def repeats(full: int) -> int:
    """How many times to repeat a measurement: `full`, or a third of it (at least one) in a quick run."""
    return max(1, full // 3) if QUICK else full


def report(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    base_name: str = "",
    target: str = "",
    key: str = "",
) -> str:
    figure = Figure(key or name, name, value, unit, baseline, base_name, target)
    FIGURES.append(figure)
    line = f"{name:<52} {value:10.3f} {unit}"
    if baseline:
        line += f"   ratio {value / baseline:6.2f}x vs {base_name} ({baseline:.3f} {unit})"
    if target:
        line += f"   [{target}]"
    print(line, flush=True)
    return line


def best_time(fn: Callable[[], Any], repeat: int = 7) -> float:
    """The fastest of `repeat` runs: the figure least disturbed by whatever else the machine does."""
    samples = []
    for _ in range(repeats(repeat)):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return min(samples)


def template_job() -> tuple[str, dict[str, Any]]:
    data = json.loads(FIXTURE.read_text())
    job_id, job = next(iter(data["Jobs"].items()))
    return job_id, job


def job_id(index: int) -> str:
    return f"{FIRST_SEQ + index}.{SERVER}"


def job_record(template: dict[str, Any], index: int) -> dict[str, Any]:
    """The reference's real job record, made as unique as a real history's: every job its own name,
    paths, times, comment and used walltime; queue, owner, project and requests shared."""
    seq = FIRST_SEQ + index
    state = "FFFFFFRQH"[index % 9]  # a two-week history is mostly finished jobs
    record = {**template, "resources_used": dict(template["resources_used"])}
    minute, second = divmod(index % 3600, 60)
    node = f"x{4000 + index % 700}c{index % 8}s{index % 7}b0n0"
    record["Job_Name"] = f"job_{index:06d}"
    record["job_state"] = state
    record["Output_Path"] = f"aurora-uan-0009...:/lus/flare/projects/MyProj/job_{index:06d}.o{seq}"
    record["Error_Path"] = f"aurora-uan-0009...:/lus/flare/projects/MyProj/job_{index:06d}.e{seq}"
    record["stime"] = f"Sun Sep 27 22:{minute:02d}:{second:02d} 2026"
    record["resources_used"]["walltime"] = f"00:{minute:02d}:{second:02d}"
    record["exec_host"] = f"{node}/0*208"
    record["exec_vnode"] = f"({node}:ncpus=208)"
    if state == "F":
        record["comment"] = f"Job run at Sun Sep 27 at 22:{minute:02d} on ({node}:ncpus=208) and finished"
        record["obittime"] = f"Sun Sep 27 23:{minute:02d}:{second:02d} 2026"
        record["Exit_status"] = 0
    elif state == "R":
        record["comment"] = f"Job run at Sun Sep 27 at 22:{minute:02d} on ({node}:ncpus=208)"
    else:
        record["comment"] = "Not Running: Insufficient amount of resource: ncpus (R: 208 A: 0 T: 4992)"
    return record


def qstat_json(records: dict[str, dict[str, Any]], *, invalid_escapes: bool = False) -> str:
    text = json.dumps(
        {"timestamp": 1699630815, "pbs_version": "2022.1.1", "pbs_server": SERVER, "Jobs": records}, indent=4
    )
    if invalid_escapes:
        # what real servers emit in Variable_List: a backslash before an ordinary character
        text = text.replace('"Job_Name": "job_000001"', '"Job_Name": "job_\\q000001"', 1)
    return text


def qstat_document(count: int, *, invalid_escapes: bool = False) -> str:
    """`qstat -f -F json` for `count` jobs, built from the reference's real job record."""
    _job_id, template = template_job()
    return qstat_json(
        {job_id(index): job_record(template, index) for index in range(count)},
        invalid_escapes=invalid_escapes,
    )


def jobs(count: int) -> list[Any]:
    from daostui.pbs.parse import parse_jobs_json

    return parse_jobs_json(qstat_document(count))


def synthetic_pbs(count: int) -> Any:
    """A transport that answers `qselect` and `qstat -f -F json` for `count` jobs as a server
    would (one document per request), for the tracker to load the way it does in the console."""
    from daostui.transport.base import CommandResult, Transport

    _job_id, template = template_job()

    class SyntheticPbs(Transport):
        where = "synthetic PBS"

        async def run(self, argv: Sequence[str], **_options: Any) -> CommandResult:  # type: ignore[override]
            argv = tuple(argv)
            if argv[0] not in ("qselect", "qstat"):
                return CommandResult(argv, 127, "", f"{argv[0]}: not here", 0.0, time.time(), self.where)
            # the server's work happens elsewhere, as a real one's does: not on the console's loop
            stdout = await asyncio.to_thread(self.answer, argv)
            return CommandResult(argv, 0, stdout, "", 0.0, time.time(), self.where)

        @staticmethod
        def answer(argv: tuple[str, ...]) -> str:
            if argv[0] == "qselect":
                return "".join(f"{job_id(index)}\n" for index in range(count))
            asked = [a for a in argv[1:] if a[:1].isdigit()]
            indices = [int(a.split(".", 1)[0]) - FIRST_SEQ for a in asked]
            return qstat_json({job_id(i): job_record(template, i) for i in indices})

        def stream(self, argv: Sequence[str], **_options: Any) -> Any:  # type: ignore[override]
            raise NotImplementedError

        async def home(self) -> str:
            return "/home/user"

        async def make_dirs(self, path: str, mode: int = 0o700) -> None:
            raise NotImplementedError

        async def write_file(self, path: str, data: str | bytes, **_options: Any) -> None:  # type: ignore[override]
            raise NotImplementedError

    return SyntheticPbs()


async def tracked_jobs(count: int) -> Any:
    """A `JobTracker` that has loaded `count` jobs from `synthetic_pbs` (qselect, then qstat by chunks)."""
    from daostui.pbs.client import PbsClient
    from daostui.pbs.tracker import JobTracker

    tracker = JobTracker(PbsClient(synthetic_pbs(count), user="user"))
    await tracker.refresh()
    return tracker


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
