"""Keeps the user's jobs current while asking the PBS server as little as possible.

On each refresh: one cheap `qselect -u $USER -x` lists the user's job ids (queued, running and
two weeks of history; an array appears once, as its parent `1234[].server`); then
`qstat -f -F json -x` is asked only for ids that are new or whose job can still change (not
finished). Finished jobs are kept from earlier answers. Admins' top complaint about scheduler
tools is repeated `qstat -f` of everything (pbs.md §6.6); this never does that. Jobs qsub
accepted but the server no longer knows stay visible as LOST.

Arrays: the parent carries the counts (`array_state_count`). Subjobs are fetched only for the
arrays the user opened (`expand`), with one `qstat -t` per open array per refresh while it can
still change; `rows()` lists each parent followed by its open subjobs, the jobs pane's order.
Once an array's subjobs are listed, its parent carries how many of them failed (PBS counts
states, not failures), and keeps it after closing once the array is finished.
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
        #: Subjobs of the open arrays, by the parent's id.
        self._subjobs: dict[str, list[Job]] = {}
        #: Failed subjobs per array, counted when its subjobs were last listed.
        self._failed: dict[str, int] = {}
        #: ids asked for with full status on the last refresh (tests and benchmarks read it).
        self.last_queried: list[str] = []

    def jobs(self) -> list[Job]:
        """Newest first (array parents only: their subjobs are in `rows()` and `subjobs()`)."""
        return sorted(self._jobs.values(), key=lambda job: _seq(job.id), reverse=True)

    def rows(self) -> list[Job]:
        """`jobs()` with the subjobs of each open array right after their parent."""
        ordered: list[Job] = []
        for job in self.jobs():
            ordered.append(job)
            ordered.extend(self._subjobs.get(job.id, ()))
        return ordered

    def get(self, job_id: str) -> Job | None:
        found = self._jobs.get(job_id)
        if found is not None:
            return found
        return next((job for subs in self._subjobs.values() for job in subs if job.id == job_id), None)

    # ------------------------------------------------------------------ arrays
    @property
    def expanded(self) -> set[str]:
        """The arrays whose subjobs are followed."""
        return set(self._subjobs)

    def subjobs(self, array_id: str) -> list[Job]:
        return list(self._subjobs.get(array_id, ()))

    async def expand(self, array_id: str) -> list[Job]:
        """Open an array: fetch its subjobs now and follow them on every refresh."""
        subjobs = [job.compact() for job in await self.client.subjobs(array_id)]
        self._subjobs[array_id] = subjobs
        self._failed[array_id] = sum(1 for job in subjobs if job.failed)
        self._annotate(array_id)
        return list(subjobs)

    def collapse(self, array_id: str) -> None:
        self._subjobs.pop(array_id, None)
        parent = self._jobs.get(array_id)
        if parent is None or not parent.is_finished:
            self._failed.pop(array_id, None)  # a running array's count would go stale

    def _annotate(self, array_id: str) -> None:
        parent = self._jobs.get(array_id)
        failed = self._failed.get(array_id)
        if parent is not None and failed is not None and parent.array_failed != failed:
            self._jobs[array_id] = parent.with_failed_subjobs(failed)

    async def _refresh_subjobs(self) -> None:
        for array_id in list(self._subjobs):
            parent = self._jobs.get(array_id)
            if parent is None:
                del self._subjobs[array_id]
            elif (
                not parent.is_finished
                or not self._subjobs[array_id]
                or any(not job.is_finished for job in self._subjobs[array_id])
            ):
                await self.expand(array_id)

    # ------------------------------------------------------------------ refresh
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
        for array_id in list(self._failed):
            if array_id in self._jobs:
                self._annotate(array_id)
            else:
                del self._failed[array_id]
        await self._refresh_subjobs()
        return self.jobs()

    def forget(self, job_id: str) -> None:
        self._jobs.pop(job_id, None)
        self._subjobs.pop(job_id, None)
        self._failed.pop(job_id, None)
