"""Shared helpers: synthetic jobs in the real `qstat -f -F json` shape, timing, and report lines."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "pbs" / "qstat_f.json"


def report(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    base_name: str = "",
    target: str = "",
) -> str:
    line = f"{name:<44} {value:10.3f} {unit}"
    if baseline:
        line += f"   ratio {value / baseline:6.2f}x vs {base_name} ({baseline:.3f} {unit})"
    if target:
        line += f"   [{target}]"
    print(line, flush=True)
    return line


def best_time(fn: Callable[[], Any], repeat: int = 7) -> float:
    """The fastest of `repeat` runs: the figure least disturbed by whatever else the machine does."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return min(samples)


def template_job() -> tuple[str, dict[str, Any]]:
    data = json.loads(FIXTURE.read_text())
    job_id, job = next(iter(data["Jobs"].items()))
    return job_id, job


def qstat_document(count: int, *, invalid_escapes: bool = False) -> str:
    """`qstat -f -F json` for `count` jobs, built from the reference's real job record."""
    _job_id, job = template_job()
    jobs = {}
    for index in range(count):
        record = dict(job)
        record["Job_Name"] = f"job_{index:06d}"
        record["job_state"] = "RQFH"[index % 4]
        jobs[f"{8_000_000 + index}.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"] = record
    text = json.dumps(
        {"timestamp": 1699630815, "pbs_version": "2022.1.1", "pbs_server": "aurora-pbs-0001", "Jobs": jobs},
        indent=4,
    )
    if invalid_escapes:
        # what real servers emit in Variable_List: a backslash before an ordinary character
        text = text.replace('"Job_Name": "job_000001"', '"Job_Name": "job_\\q000001"', 1)
    return text


def jobs(count: int) -> list[Any]:
    from daostui.pbs.parse import parse_jobs_json

    return parse_jobs_json(qstat_document(count))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
