"""Keeps the user's jobs current while asking the PBS server as little as possible.

On each refresh: one cheap `qselect -u $USER -x` lists the user's job ids (queued, running and
two weeks of history); then `qstat -f -F json -x` is asked only for ids that are new or whose job
can still change (not finished). Finished jobs are kept from earlier answers. Admins' top
complaint about scheduler tools is repeated `qstat -f` of everything (pbs.md §6.6); this never
does that. Jobs qsub accepted but the server no longer knows stay visible as LOST.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from daostui.pbs.client import PbsClient
    from daostui.pbs.models import Job


def _seq(job_id: str) -> int:
    head = job_id.split(".", 1)[0].split("[", 1)[0]
    return int(head) if head.isdigit() else 0


class JobTracker:
    def __init__(self, client: PbsClient) -> None:
        self.client = client
        self._jobs: dict[str, Job] = {}
        #: ids asked for with full status on the last refresh (tests and benchmarks read it).
        self.last_queried: list[str] = []

    def jobs(self) -> list[Job]:
        """Newest first."""
        return sorted(self._jobs.values(), key=lambda job: _seq(job.id), reverse=True)

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def needs_status(self, ids: list[str]) -> list[str]:
        wanted = []
        for job_id in ids:
            known = self._jobs.get(job_id)
            if known is None or not known.is_finished:
                wanted.append(job_id)
        return wanted

    async def refresh(self) -> list[Job]:
        listed = await self.client.my_job_ids(history=True)
        submitted = [i for i in self.client.submitted_ids() if i not in listed]
        ids = list(dict.fromkeys([*listed, *submitted]))
        wanted = self.needs_status(ids)
        self.last_queried = wanted
        if wanted:
            result = await self.client.status(wanted)
            for job in result.jobs:
                self._jobs[job.id] = job.compact()
        keep = set(ids)
        for job_id in list(self._jobs):
            if job_id not in keep:
                del self._jobs[job_id]
        return self.jobs()

    def forget(self, job_id: str) -> None:
        self._jobs.pop(job_id, None)
