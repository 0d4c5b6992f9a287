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

With 10^5 jobs in the history, the bookkeeping (which ids to ask, merging the answers, keeping
them newest first) runs in a thread (`daostui.core.offload`) on copies, and the event loop only
swaps the finished dict and list in: `jobs()` and `rows()` are cached lists, never re-sorted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from daostui.core.offload import is_big, offload

if TYPE_CHECKING:
    from collections.abc import Iterable

    from daostui.pbs.client import PbsClient
    from daostui.pbs.models import Job


def _seq(job: Job) -> int:
    head = job.id.split(".", 1)[0].split("[", 1)[0]
    return int(head) if head.isdigit() else 0


def _plan(known: dict[str, Job], listed: list[str], submitted: list[str]) -> tuple[list[str], list[str]]:
    """(every id to keep, the ids whose full status must be asked: new, or not finished yet)."""
    ids = list(dict.fromkeys([*listed, *submitted]))
    wanted = []
    for job_id in ids:
        job = known.get(job_id)
        if job is None or not job.is_finished:
            wanted.append(job_id)
    return ids, wanted


def _merge(
    known: dict[str, Job], answered: Iterable[Job], keep: list[str]
) -> tuple[dict[str, Job], list[Job]]:
    """The new jobs by id (unchanged ones are the same objects) and the list newest first."""
    merged = dict(known)
    for job in answered:
        merged[job.id] = job.compact()
    if len(merged) != len(keep) or any(job_id not in merged for job_id in keep):
        wanted = set(keep)
        merged = {job_id: job for job_id, job in merged.items() if job_id in wanted}
    return merged, _newest_first(merged)


def _newest_first(jobs: dict[str, Job]) -> list[Job]:
    return sorted(jobs.values(), key=_seq, reverse=True)


class JobTracker:
    def __init__(self, client: PbsClient) -> None:
        self.client = client
        #: Replaced, never changed in place: a thread may be reading the previous one.
        self._jobs: dict[str, Job] = {}
        #: `_jobs` newest first, and the `_jobs` it was made from (a stale cache is rebuilt).
        self._ordered: list[Job] = []
        self._ordered_for: dict[str, Job] | None = None
        self._rows: list[Job] | None = None
        #: Subjobs of the open arrays, by the parent's id.
        self._subjobs: dict[str, list[Job]] = {}
        #: Failed subjobs per array, counted when its subjobs were last listed.
        self._failed: dict[str, int] = {}
        #: How many ids the last refresh asked full status for (a count: keeping the ids would keep
        #: 10^5 strings of the first refresh alive).
        self.queried = 0

    def jobs(self) -> list[Job]:
        """Newest first (array parents only: their subjobs are in `rows()` and `subjobs()`)."""
        return list(self._newest())

    def _newest(self) -> list[Job]:
        if self._ordered_for is not self._jobs:
            self._ordered, self._ordered_for = _newest_first(self._jobs), self._jobs
            self._rows = None
        return self._ordered

    def rows(self) -> list[Job]:
        """`jobs()` with the subjobs of each open array right after their parent (a shared list: do
        not change it)."""
        ordered = self._newest()
        if not self._subjobs:
            return ordered
        if self._rows is None:
            rows: list[Job] = []
            for job in ordered:
                rows.append(job)
                rows.extend(self._subjobs.get(job.id, ()))
            self._rows = rows
        return self._rows

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
        answered = await self.client.subjobs(array_id)
        subjobs = await offload(is_big(items=len(answered)), lambda: [job.compact() for job in answered])
        self._subjobs[array_id] = subjobs
        self._failed[array_id] = sum(1 for job in subjobs if job.failed)
        self._annotate(array_id)
        self._rows = None
        return list(subjobs)

    def collapse(self, array_id: str) -> None:
        self._subjobs.pop(array_id, None)
        self._rows = None
        parent = self._jobs.get(array_id)
        if parent is None or not parent.is_finished:
            self._failed.pop(array_id, None)  # a running array's count would go stale

    def _annotate(self, array_id: str) -> None:
        """The parent with its failed-subjob count, swapped into a new dict (a thread may read the
        old one) and into the ordered list in place of the old parent (no re-sort of 10^5 jobs)."""
        parent = self._jobs.get(array_id)
        failed = self._failed.get(array_id)
        if parent is None or failed is None or parent.array_failed == failed:
            return
        annotated = parent.with_failed_subjobs(failed)
        jobs = {**self._jobs, array_id: annotated}
        if self._ordered_for is self._jobs:
            self._ordered = [annotated if job is parent else job for job in self._ordered]
            self._ordered_for = jobs
        self._jobs, self._rows = jobs, None

    async def _refresh_subjobs(self) -> None:
        for array_id in list(self._subjobs):
            parent = self._jobs.get(array_id)
            if parent is None:
                del self._subjobs[array_id]
                self._rows = None
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
        submitted = self.client.submitted_ids()
        known = self._jobs
        big = is_big(items=len(listed) + len(known))
        ids, wanted = await offload(big, _plan, known, listed, submitted)
        self.queried = len(wanted)
        answered = (await self.client.status(wanted, compact=True)).jobs if wanted else []
        if answered or len(known) != len(ids):
            merged, ordered = await offload(big, _merge, known, answered, ids)
            if self._jobs is known:  # else forgotten meanwhile: the next refresh merges again
                self._jobs, self._ordered, self._ordered_for, self._rows = merged, ordered, merged, None
        for array_id in list(self._failed):
            if array_id in self._jobs:
                self._annotate(array_id)
            else:
                del self._failed[array_id]
        await self._refresh_subjobs()
        return self.jobs()

    def forget(self, job_id: str) -> None:
        self._jobs = {key: job for key, job in self._jobs.items() if key != job_id}
        self._subjobs.pop(job_id, None)
        self._failed.pop(job_id, None)
