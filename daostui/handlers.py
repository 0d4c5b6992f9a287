"""What each registered action does.

Every handler resolves its target from the model by key (not from what the filter shows: dolphie
#86), shows the exact command line(s) before running, asks for confirmation when the action is
destructive, and runs through `RunScreen` (progress, outcome, command log). Handlers are plain
functions over the app so the registry stays the single list of actions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from daostui.core.actions import Action
from daostui.screens.dialogs import ConfirmScreen, RunScreen, TypeToConfirmScreen

if TYPE_CHECKING:
    from daostui.app import DaosTui

Handler = Callable[["DaosTui", Action], Awaitable[None] | None]


def _selected(app: DaosTui, pane: str) -> str | None:
    key = app.main_screen.pane(pane).table.cursor_key
    if not key:
        app.notify(f"Select a row in the {pane} pane first.", severity="warning")
    return key


def _selected_container(app: DaosTui) -> tuple[str, Any] | None:
    """(pool, row) of the container under the cursor, resolved from the model by key, or None (told)."""
    pool = app.data.selected_pool
    key = _selected(app, "containers")
    row = app.data.container(pool, key) if key else None
    return (pool, row) if row is not None else None


def run(
    app: DaosTui,
    title: str,
    work: Callable[[], Awaitable[Any]],
    *,
    commands=(),
    success: Callable[[Any], str] | None = None,
    refresh: tuple[str, ...] = (),
    then: Callable[[Any], None] | None = None,
    closed: Callable[[Any], None] | None = None,
) -> RunScreen:
    """Run `work` behind a RunScreen; `then` gets the value on success (while the dialog still shows),
    `closed` gets the dialog's result once the user closes it (None unless it succeeded)."""

    def done(ok: bool, value: Any) -> None:
        for pane in refresh:
            app.refresh_pane(pane)
        if ok and then is not None:
            then(value)

    screen = RunScreen(title, work, commands=commands, success=success, on_done=done)
    app.push_screen(screen, closed)
    return screen


# ---------------------------------------------------------------------- global
def focus(pane: str) -> Handler:
    def handler(app: DaosTui, _action: Action) -> None:
        app.main_screen.focus_pane(pane)

    return handler


def refresh_all(app: DaosTui, _action: Action) -> None:
    for pane in ("pools", "containers", "mounts", "jobs"):
        app.refresh_pane(pane)


def filter_pane(app: DaosTui, _action: Action) -> None:
    pane = app.main_screen.focused_pane()
    if pane is not None:
        pane.start_filter()


def maximize(app: DaosTui, _action: Action) -> None:
    screen = app.main_screen
    if screen.maximized is not None:
        screen.minimize()
        return
    pane = screen.focused_pane()
    if pane is not None:
        screen.maximize(pane, container=False)


def details(app: DaosTui, _action: Action) -> None:
    pane = app.main_screen.focused_pane()
    if pane is not None and pane.table.cursor_key:
        app.show_details(pane.pane_id, pane.table.cursor_key)


def toggle_log(app: DaosTui, _action: Action) -> None:
    from daostui.widgets.command_log import CommandLogPanel

    panel = app.main_screen.query_one(CommandLogPanel)
    if not panel.toggle():
        pane = app.main_screen.focused_pane() or app.main_screen.pane("pools")
        pane.table.focus()


def show_help(app: DaosTui, _action: Action) -> None:
    from daostui.screens.help import HelpScreen

    app.push_screen(HelpScreen(readonly=app.session.readonly))


def quit_app(app: DaosTui, _action: Action) -> None:
    if app.running_actions:

        def answer(yes: bool | None) -> None:
            if yes:
                app.exit(0)

        app.push_screen(
            ConfirmScreen(
                "Quit while work is running?",
                f"{app.running_actions} action(s) still running. Quitting kills their commands "
                "(a mount or submission may be left half done).",
                confirm_label="Quit anyway",
                danger=True,
            ),
            answer,
        )
        return
    app.exit(0)


def pool_request(app: DaosTui, _action: Action) -> None:
    from daostui.screens.pool_request import PoolRequestScreen

    app.push_screen(PoolRequestScreen(app.session))


def wizard(app: DaosTui, _action: Action) -> None:
    from daostui.screens.wizard.screen import WizardScreen

    app.push_screen(WizardScreen())


def doctor(app: DaosTui, _action: Action) -> None:
    from daostui.screens.doctor_screen import DoctorScreen

    app.push_screen(DoctorScreen())


# ---------------------------------------------------------------------- containers
def cont_create(app: DaosTui, _action: Action) -> None:
    from daostui.screens.create_container import CreateContainerScreen

    pool = app.data.selected_pool
    if not pool:
        app.notify("Select a pool first (1).", severity="warning")
        return
    existing = {r.label for r in app.data.containers.get(pool, [])}

    def created(request: Any) -> None:
        if request is None:
            return
        daos = app.session.daos
        run(
            app,
            f"Create container {request.label} in {pool}",
            lambda: daos.cont_create(request),
            commands=[daos.argv_cont_create(request)],
            success=lambda info: f"Created container {request.label} ({getattr(info, 'uuid', '')}).",
            refresh=("containers", "pools"),
            then=lambda _info: app.jump("containers", request.label),
        )

    app.push_screen(CreateContainerScreen(pool, existing), created)


def cont_destroy(app: DaosTui, _action: Action) -> None:
    selected = _selected_container(app)
    if selected is None:
        return
    pool, row = selected
    daos = app.session.daos
    label = row.label or row.uuid
    mounted = f"it is mounted at {row.mount_path}; open handles get errors" if row.mount_path else ""

    def answered(value: tuple[bool, bool] | None) -> None:
        if not value or not value[0]:
            return
        force = value[1]
        run(
            app,
            f"Destroy container {label}",
            lambda: daos.cont_destroy(pool, label, force=force),
            commands=[daos.argv_cont_destroy(pool, label, force=force)],
            success=lambda _r: f"Destroyed container {label}.",
            refresh=("containers", "pools", "mounts"),
        )

    app.push_screen(
        TypeToConfirmScreen(
            f"Destroy container {label}?",
            f"This permanently deletes container {label} ({row.uuid}) in pool {pool} and ALL its data.",
            label,
            lambda force: [daos.argv_cont_destroy(pool, label, force=force)],
            offer_force=mounted,
        ),
        answered,
    )


def cont_mount(app: DaosTui, _action: Action) -> None:
    selected = _selected_container(app)
    if selected is None:
        return
    pool, row = selected
    if row.mount_path:
        app.notify(f"{row.label} is already mounted at {row.mount_path}.", severity="warning")
        return
    mounts = app.session.mounts
    label = row.label or row.uuid
    path = mounts.default_mount_point(pool, label)
    run(
        app,
        f"Mount {pool}/{label}",
        lambda: mounts.mount(pool, label, path),
        commands=mounts.argv_mount(pool, label, path),
        success=lambda _m: f"Mounted at {path}. Unmount with: fusermount3 -u {path}",
        refresh=("mounts",),
    )


def _unmount(app: DaosTui, path: str) -> None:
    mounts = app.session.mounts

    def answered(yes: bool | None) -> None:
        if yes:
            run(
                app,
                f"Unmount {path}",
                lambda: mounts.unmount(path),
                commands=[mounts.argv_unmount(path)],
                success=lambda _r: f"Unmounted {path}.",
                refresh=("mounts",),
            )

    app.push_screen(
        ConfirmScreen(
            f"Unmount {path}?",
            "Processes using files under it will get errors. On login nodes, unmounting what you mounted "
            "matters (ALCF asks users to clean up).",
            [mounts.argv_unmount(path)],
            confirm_label="Unmount",
            danger=True,
        ),
        answered,
    )


def cont_unmount(app: DaosTui, _action: Action) -> None:
    selected = _selected_container(app)
    if selected is None:
        return
    _pool, row = selected
    if not row.mount_path:
        app.notify(f"{row.label} is not mounted here.", severity="warning")
        return
    _unmount(app, row.mount_path)


def cont_copy(app: DaosTui, _action: Action) -> None:
    """Back up a container to flare, or stage data from flare into it (`daos filesystem copy`)."""
    from daostui.daos import copying
    from daostui.screens.copy_data import CopyDataScreen

    selected = _selected_container(app)
    if selected is None:
        return
    pool, row = selected
    label = row.label or row.uuid
    daos = app.session.daos

    def chosen(request: copying.CopyRequest | None) -> None:
        if request is None:
            return
        run(
            app,
            request.title,
            lambda: copying.perform_copy(daos, request),
            commands=copying.copy_commands(daos, request),
            success=lambda report: report.summary(timings=app.show_timings),
            refresh=("containers", "pools") if request.direction == copying.FROM_FLARE else (),
        )

    app.push_screen(CopyDataScreen(app, pool, label), chosen)


def cont_acl(app: DaosTui, _action: Action) -> None:
    """Show who may open the container and share it (`daos cont update-acl` / `delete-acl`)."""
    from daostui.screens.acl_editor import AclScreen

    selected = _selected_container(app)
    if selected is None:
        return
    pool, row = selected
    app.push_screen(AclScreen(app, pool, row.label or row.uuid))


# ---------------------------------------------------------------------- mounts
def mount_new(app: DaosTui, _action: Action) -> None:
    app.main_screen.focus_pane("containers")
    app.notify("Select the container to mount, then press m.", timeout=4)


def mount_unmount(app: DaosTui, _action: Action) -> None:
    key = _selected(app, "mounts")
    if key:
        _unmount(app, key)


# ---------------------------------------------------------------------- jobs
def _job(app: DaosTui) -> Any:
    key = _selected(app, "jobs")
    return app.data.tracker.get(key) if key else None


def job_new(app: DaosTui, _action: Action) -> None:
    from daostui.screens.job_form import JobFormScreen

    def submitted(job_id: str | None) -> None:
        if job_id:
            app.refresh_pane("jobs")
            app.jump("jobs", job_id)

    app.push_screen(JobFormScreen(app), submitted)


def job_cancel(app: DaosTui, _action: Action) -> None:
    job = _job(app)
    if job is None:
        return
    pbs = app.session.pbs

    def answered(yes: bool | None) -> None:
        if yes:
            run(
                app,
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


def job_hold(app: DaosTui, _action: Action) -> None:
    job = _job(app)
    if job is not None:
        pbs = app.session.pbs
        run(
            app,
            f"Hold job {job.short_id}",
            lambda: pbs.hold(job.id),
            commands=[pbs.argv_hold(job.id)],
            success=lambda _r: f"Job {job.short_id} held.",
            refresh=("jobs",),
        )


def job_release(app: DaosTui, _action: Action) -> None:
    job = _job(app)
    if job is not None:
        pbs = app.session.pbs
        run(
            app,
            f"Release job {job.short_id}",
            lambda: pbs.release(job.id),
            commands=[pbs.argv_release(job.id)],
            success=lambda _r: f"Job {job.short_id} released.",
            refresh=("jobs",),
        )


def job_output(app: DaosTui, _action: Action) -> None:
    from daostui.screens.output import OutputScreen

    job = _job(app)
    if job is None:
        return
    if not (job.output_path or job.error_path):
        app.notify(f"PBS has not said where job {job.short_id} writes its output yet.", severity="warning")
        return
    app.push_screen(OutputScreen(job))


def job_interactive(app: DaosTui, _action: Action) -> None:
    from daostui.screens.interactive_job import InteractiveScreen

    def chosen(request: Any) -> None:
        if request is not None:
            app.run_worker(app.run_interactive(request), group="interactive", exit_on_error=False)

    app.push_screen(InteractiveScreen(app), chosen)


HANDLERS: dict[str, Handler] = {
    "focus.pools": focus("pools"),
    "focus.containers": focus("containers"),
    "focus.mounts": focus("mounts"),
    "focus.jobs": focus("jobs"),
    "refresh": refresh_all,
    "filter": filter_pane,
    "maximize": maximize,
    "details": details,
    "log": toggle_log,
    "wizard": wizard,
    "doctor": doctor,
    "pool_request": pool_request,
    "help": show_help,
    "quit": quit_app,
    "cont.create": cont_create,
    "cont.destroy": cont_destroy,
    "cont.mount": cont_mount,
    "cont.unmount": cont_unmount,
    "cont.copy": cont_copy,
    "cont.acl": cont_acl,
    "mount.new": mount_new,
    "mount.unmount": mount_unmount,
    "job.new": job_new,
    "job.cancel": job_cancel,
    "job.hold": job_hold,
    "job.release": job_release,
    "job.output": job_output,
    "job.interactive": job_interactive,
}


async def dispatch(app: DaosTui, action: Action) -> None:
    handler = HANDLERS[action.id]
    outcome = handler(app, action)
    if outcome is not None:
        await outcome
