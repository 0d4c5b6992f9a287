"""Jobs as a real OpenPBS 23.06.06 server printed them (tests/fixtures/pbs/real, see its README), for
console tests whose jobs must not depend on the clock: a finished job array and its subjobs, a
script that exited 3 submitted with bare `-v` values, a walltime kill (-29), a qdel (271) and two
queued jobs with the scheduler's estimated start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from daostui.pbs.models import Job, StatusResult
from daostui.pbs.parse import parse_jobs_json

REAL = Path(__file__).parent / "fixtures" / "pbs" / "real"
ARRAY_ID = "8[].pbshost"


def _jobs(name: str) -> list[Job]:
    return parse_jobs_json((REAL / name).read_text())


def real_jobs() -> dict[str, Job]:
    """Every job of the captures by id (job 5 as the `-v` capture shows it: the same job, with its
    Variable_List)."""
    jobs: dict[str, Job] = {}
    for name in (
        "qstat_tfx_json_array.json",
        "qstat_fx_json_history.json",
        "qstat_f_json_bare_values.json",
        "qstat_f_json_estimated.json",
    ):
        jobs.update({job.id: job for job in _jobs(name)})
    return jobs


def subjobs_of(array_id: str) -> list[Job]:
    return sorted(
        (job for job in real_jobs().values() if job.array_parent_id == array_id),
        key=lambda job: job.array_index or 0,
    )


class RealJobsPbs:
    """Stands in for the session's PbsClient where the console reads jobs (status, subjobs): answers
    from the captures, so the jobs pane and details show what the real server printed."""

    def __init__(self, pbs: Any, jobs: dict[str, Job]) -> None:
        self._pbs = pbs
        self.jobs = jobs

    async def status(self, ids: list[str], history: bool = True) -> StatusResult:
        found = [self.jobs[i] for i in ids if i in self.jobs]
        return StatusResult(found, [i for i in ids if i not in self.jobs])

    async def subjobs(self, array_id: str, history: bool = True) -> list[Job]:
        return subjobs_of(array_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pbs, name)


def with_real_jobs(app: Any, jobs: dict[str, Job] | None = None) -> Any:
    """The app's jobs pane, details and array subjobs read the captures instead of the simulator."""
    jobs = jobs if jobs is not None else real_jobs()
    tracker = app.data.tracker
    fake = RealJobsPbs(app.session.pbs, jobs)
    tracker.client = fake
    app.session.pbs = fake

    async def load_jobs() -> None:
        tracker._jobs = {job.id: job.compact() for job in jobs.values() if not job.is_subjob}
        await tracker._refresh_subjobs()

    app.data.load_jobs = load_jobs
    return app
