"""Actions on jobs: write and submit a new one, cancel, hold, release, follow its output, interactive."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from daostui.handlers.selection import cursor_key, selected_job

if TYPE_CHECKING:
    from daostui.app import DaosTui
    from daostui.pbs.interactive_session import InteractiveRequest
    from daostui.widgets.job_form import JobDefaults


def job_defaults(app: DaosTui) -> JobDefaults:
    """What a job form starts with: the project, the server's queues and limits, the selected pool
    (or the configured one) and the container under the cursor."""
    from daostui.widgets.job_form import JobDefaults

    config = app.session.config
    pool = app.data.selected_pool or config.default_pool or ""
    key = cursor_key(app, "containers")
    row = app.data.container(pool, key) if key else None
    return JobDefaults(
        project=app.session.project,
        queues=app.data.queue_limits(),
        queue=config.default_queue or "debug",
        pool=pool,
        container=row.label if row else "",
        site=app.data.job_site(),
    )


def new(app: DaosTui) -> None:
    from daostui.screens.new_job import JobFormScreen

    def submitted(job_id: str | None) -> None:
        if job_id:
            app.refresh_pane("jobs")
            app.jump("jobs", job_id)

    app.push_screen(JobFormScreen(job_defaults(app)), submitted)


def cancel(app: DaosTui) -> None:
    from daostui.screens.dialogs import ConfirmScreen

    job = selected_job(app)
    if job is None:
        return
    pbs = app.session.pbs

    def answered(yes: bool | None) -> None:
        if yes:
            app.run_with_dialog(
                f"Cancel job {job.short_id}",
                lambda: pbs.delete(job.id),
                commands=[pbs.argv_delete(job.id)],
                success=lambda _r: f"qdel accepted for {job.id}.",
                refresh=("jobs",),
            )

    app.push_screen(
        ConfirmScreen(
            f"Cancel job {job.short_id} ({job.name})?",
            f"The job is {job.state_name}. A running job is killed; its output so far stays in its .o/.e files.",
            [pbs.argv_delete(job.id)],
            confirm_label="Cancel job",
            danger=True,
        ),
        answered,
    )


def hold(app: DaosTui) -> None:
    job = selected_job(app)
    if job is not None:
        pbs = app.session.pbs
        app.run_with_dialog(
            f"Hold job {job.short_id}",
            lambda: pbs.hold(job.id),
            commands=[pbs.argv_hold(job.id)],
            success=lambda _r: f"Job {job.short_id} held.",
            refresh=("jobs",),
        )


def release(app: DaosTui) -> None:
    job = selected_job(app)
    if job is not None:
        pbs = app.session.pbs
        app.run_with_dialog(
            f"Release job {job.short_id}",
            lambda: pbs.release(job.id),
            commands=[pbs.argv_release(job.id)],
            success=lambda _r: f"Job {job.short_id} released.",
            refresh=("jobs",),
        )


def output(app: DaosTui) -> None:
    from daostui.screens.output import OutputScreen

    job = selected_job(app)
    if job is None:
        return
    if not (job.output_path or job.error_path):
        app.notify(f"PBS has not said where job {job.short_id} writes its output yet.", severity="warning")
        return
    app.push_screen(OutputScreen(job))


def interactive(app: DaosTui) -> None:
    from daostui.screens.interactive_job import InteractiveScreen

    def chosen(request: InteractiveRequest | None) -> None:
        if request is not None:
            # the App owns it: the terminal is handed over and the console resumes afterwards
            app.run_worker(partial(app.run_interactive, request), group="interactive", exit_on_error=False)

    app.push_screen(InteractiveScreen(job_defaults(app)), chosen)
