"""Job arrays in the jobs pane: open one to list its subjobs beneath it, close it again, and what
cancelling means for a parent (the whole array) or a subjob (that one only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from daostui.core.failures import report_failure
from daostui.handlers.selection import selected_job

if TYPE_CHECKING:
    from daostui.app import DaosTui
    from daostui.core.console_data import ConsoleData
    from daostui.pbs.client import PbsClient
    from daostui.pbs.models import Job


def _show_jobs(app: DaosTui, cursor: str = "") -> None:
    """Put what the tracker now knows into the jobs pane (without asking PBS again)."""
    console = app.main_screen
    pane = console.pane("jobs")
    rows, subtitle = app.data.rows("jobs")
    pane.set_rows(rows, subtitle=subtitle)
    console.update_tabs()
    if cursor:
        pane.table.move_cursor_to_key(cursor)


def array_of(data: ConsoleData, job: Job) -> Job | None:
    """The array a row belongs to: itself for a parent, its parent for a subjob, else None."""
    if job.is_array:
        return job
    if job.is_subjob:
        return data.tracker.get(job.array_parent_id)
    return None


def toggle(app: DaosTui) -> None:
    """Open the array under the cursor (its subjobs listed beneath it, followed on every refresh),
    or close it; on a subjob, close its array and put the cursor back on the parent."""
    job = selected_job(app)
    if job is None:
        return
    parent = array_of(app.data, job)
    if parent is None:
        app.notify(f"Job {job.short_id} is not a job array (qsub -J).", severity="warning", timeout=4)
        return
    tracker = app.data.tracker
    if parent.id in tracker.expanded:
        tracker.collapse(parent.id)
        _show_jobs(app, parent.id)
        return

    async def expand() -> None:
        try:
            subjobs = await tracker.expand(parent.id)
        except Exception as exc:  # noqa: BLE001 - shown, the pane keeps what it had
            failure = report_failure(exc, f"list the subjobs of {parent.seq}", timings=app.show_timings)
            app.notify(failure.text(limit=3), title="Job array", severity="error", timeout=10)
            return
        _show_jobs(app, parent.id)
        if not subjobs:
            app.notify(f"PBS lists no subjob of {parent.seq} (yet).", timeout=4)

    app.run_worker(expand, group=f"array-{parent.id}", exclusive=True, exit_on_error=False)


@dataclass(frozen=True, slots=True)
class CancelPlan:
    """What `d` on a job row asks and runs."""

    #: `job 1234.aurora-pbs-0001`, `subjob 1234[7]`, `the whole array 1234[]`.
    what: str
    name: str
    message: str
    argv: list[str]
    confirm_label: str
    #: The qdel itself (`delete_subjob` for one subjob, `delete` for a job or a whole array).
    work: Callable[[], Awaitable[None]]

    @property
    def question(self) -> str:
        return f"Cancel {self.what} ({self.name})?"

    @property
    def title(self) -> str:
        return f"Cancel {self.what}"


def cancel_plan(job: Job, pbs: PbsClient) -> CancelPlan:
    """A subjob: qdel that one (`1234[7]`); an array parent: qdel the whole array; else the job."""
    argv = pbs.argv_delete(job.id)
    index = job.array_index
    if index is not None:
        return CancelPlan(
            f"subjob {job.seq}",
            job.name,
            f"Subjob {index} is {job.state_name}; the array's other subjobs go on.",
            argv,
            "Cancel subjob",
            partial(pbs.delete_subjob, job.array_parent_id, index),
        )
    if job.is_array:
        return CancelPlan(
            f"the whole array {job.seq}",
            job.name,
            f"Every subjob not yet finished is cancelled ({job.array_progress}): running ones are "
            "killed, queued ones never start. To cancel one subjob, open the array (space) and pick it.",
            argv,
            "Cancel array",
            partial(pbs.delete, job.id),
        )
    return CancelPlan(
        f"job {job.short_id}",
        job.name,
        f"The job is {job.state_name}. A running job is killed; its output so far stays in its .o/.e files.",
        argv,
        "Cancel job",
        partial(pbs.delete, job.id),
    )
