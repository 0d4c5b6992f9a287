"""Actions on jobs: write and submit a new one, cancel, hold, release, follow its output, interactive."""

from __future__ import annotations

import asyncio
import dataclasses
import shlex
from functools import partial
from typing import TYPE_CHECKING

from daostui.core.failures import report_failure
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
    """qdel after confirmation: the job, one subjob, or (on an array parent) the whole array."""
    from daostui.handlers.arrays import cancel_plan
    from daostui.screens.dialogs import ConfirmScreen

    job = selected_job(app)
    if job is None:
        return
    plan = cancel_plan(job, app.session.pbs)

    def answered(yes: bool | None) -> None:
        if yes:
            app.run_with_dialog(
                plan.title,
                plan.work,
                commands=[plan.argv],
                success=lambda _r: f"qdel accepted for {job.id}.",
                refresh=("jobs",),
            )

    app.push_screen(
        ConfirmScreen(
            plan.question,
            plan.message,
            [plan.argv],
            confirm_label=plan.confirm_label,
            cancel_label="Keep " + plan.confirm_label.removeprefix("Cancel "),
            danger=True,
        ),
        answered,
    )


def hold(app: DaosTui) -> None:
    _hold_or_release(app, hold=True)


def release(app: DaosTui) -> None:
    _hold_or_release(app, hold=False)


def _hold_or_release(app: DaosTui, *, hold: bool) -> None:
    job = selected_job(app)
    if job is None:
        return
    pbs = app.session.pbs
    verb, done = ("Hold", "held") if hold else ("Release", "released")
    app.run_with_dialog(
        f"{verb} job {job.short_id}",
        (lambda: pbs.hold(job.id)) if hold else (lambda: pbs.release(job.id)),
        commands=[pbs.argv_hold(job.id) if hold else pbs.argv_release(job.id)],
        success=lambda _r: f"Job {job.short_id} {done}.",
        refresh=("jobs",),
    )


def output(app: DaosTui) -> None:
    from daostui.screens.output import OutputScreen

    job = selected_job(app)
    if job is not None:  # an array or a job without output paths is refused by the registry
        app.push_screen(OutputScreen(job))


def nodes(app: DaosTui) -> None:
    """The selected running job's compute nodes and their dfuse mounts (probed with clush)."""
    from daostui.screens.job_nodes import JobNodesScreen

    job = selected_job(app)
    if job is not None:  # a job that does not run is refused by the registry (`running_job`)
        app.push_screen(JobNodesScreen(job.id, job.name))


def interactive(app: DaosTui) -> None:
    from daostui.screens.interactive_job import InteractiveScreen

    if app.session.readonly:
        # the client refuses `qsub -I` anyway; the form is not even shown, and the user is told why
        app.notify(
            "Interactive jobs are off in read-only mode: qsub -I submits a job (start without --readonly).",
            severity="warning",
        )
        return

    def chosen(request: InteractiveRequest | None) -> None:
        if request is not None:
            # the App owns it: the terminal is handed over and the console resumes afterwards
            app.run_worker(partial(run_interactive, app, request), group="interactive", exit_on_error=False)

    app.push_screen(InteractiveScreen(job_defaults(app)), chosen)


async def run_interactive(app: DaosTui, request: InteractiveRequest) -> None:
    """Suspend the console, run `qsub -I` in this terminal, and resume where the user was."""
    from textual.app import SuspendNotSupported

    from daostui.pbs import interactive_session as interactive
    from daostui.transport.ssh import SshTransport  # asyncssh: imported only when a job is started

    session = app.session
    loop = asyncio.get_running_loop()
    command = shlex.join(request.argv)
    try:
        with app.suspend():
            transport = session.transport
            if isinstance(transport, SshTransport):
                conn = await transport.connect()
                # qsub -I in the form's directory on the login node: the job's shell starts there
                outcome = await interactive.run_ssh(
                    conn, transport.remote_command(request.login_argv()), request, delete=session.pbs.delete
                )
            else:
                argv, env = transport.terminal_command(request.argv)  # type: ignore[attr-defined]

                def delete(job_id: str) -> None:
                    asyncio.run_coroutine_threadsafe(session.pbs.delete(job_id), loop).result(timeout=60)

                outcome = await asyncio.to_thread(
                    interactive.run_local,
                    dataclasses.replace(request, argv=argv),
                    env=env,
                    cwd=request.directory or str(session.workdir),
                    delete=delete,
                )
    except SuspendNotSupported:
        app.notify(
            f"Interactive jobs need a real terminal (not a browser tab or a test). Run it there:\n{command}",
            severity="warning",
            timeout=12,
        )
        return
    except Exception as exc:  # noqa: BLE001 - shown, the console stays up
        failure = report_failure(exc, "interactive job", timings=app.show_timings)
        app.notify(failure.text(limit=3), title="Interactive job", severity="error", timeout=12)
        return
    if outcome.error:
        app.notify(f"{command}\n{outcome.error}", title="Interactive job", severity="error", timeout=12)
    elif outcome.cancelled:
        app.notify(f"Interactive job cancelled{' and deleted: ' + outcome.job_id if outcome.job_id else ''}.")
    else:
        app.notify(f"Interactive job {outcome.job_id} ended.", timeout=6)
    app.refresh_pane("jobs")
