"""Actions on the console itself: focus, refresh, filter, sort, views, the wizard, the doctor, quit,
reconnect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from daostui.core.actions import PANES
from daostui.handlers.selection import container_under_cursor

if TYPE_CHECKING:
    from collections.abc import Callable

    from daostui.app import DaosTui


def focus(pane: str) -> Callable[[DaosTui], None]:
    def handler(app: DaosTui) -> None:
        app.main_screen.focus_pane(pane)

    return handler


def refresh_all(app: DaosTui) -> None:
    for pane in PANES:
        app.refresh_pane(pane)


def filter_pane(app: DaosTui) -> None:
    """`/` filters the focused table: a pane, or the command log when it has the focus."""
    target = app.main_screen.focused_filterable()
    if target is not None:
        target.start_filter()


def sort_pane(app: DaosTui) -> None:
    """`s` sorts the focused table by its next column (the table's own key; here for the palette)."""
    target = app.main_screen.focused_filterable()
    if target is not None:
        target.table.action_cycle_sort()


def maximize(app: DaosTui) -> None:
    screen = app.main_screen
    if screen.maximized is not None:
        screen.minimize()
        return
    pane = screen.focused_pane()
    if pane is not None:
        screen.maximize(pane, container=False)


def details(app: DaosTui) -> None:
    pane = app.main_screen.focused_pane()
    if pane is not None and pane.table.cursor_key:
        app.show_details(pane.pane_id, pane.table.cursor_key)


def toggle_log(app: DaosTui) -> None:
    from daostui.widgets.command_log import CommandLogPanel

    panel = app.main_screen.query_one(CommandLogPanel)
    if not panel.toggle():
        pane = app.main_screen.focused_pane() or app.main_screen.pane("pools")
        pane.table.focus()


def show_help(app: DaosTui) -> None:
    from daostui.screens.help import HelpScreen

    app.push_screen(HelpScreen(readonly=app.session.readonly, mode=app.session.mode))


def quit_app(app: DaosTui) -> None:
    """Quit after a question: `q` never ends the console at once (a stray `q` typed where a text box
    was expected would lose the session). The question names work still running and daostui's own
    dfuse mounts; with neither, a second `q` (or `y`) answers it."""
    from daostui.screens.quit import QUIT, UNMOUNT, QuitScreen

    if isinstance(app.screen, QuitScreen):
        app.screen.action_again()  # q or ctrl+q pressed on the question itself
        return
    mounts = app.session.mounts
    owned = [m.path for m in app.data.mounts if m.owned]

    def answered(choice: str | None) -> None:
        if choice == QUIT:
            app.exit(0)
        elif choice == UNMOUNT:
            unmount_then_quit(app, owned)

    app.push_screen(
        QuitScreen(
            running=app.running_actions, mounts=owned, commands=[mounts.argv_unmount(p) for p in owned]
        ),
        answered,
    )


def unmount_then_quit(app: DaosTui, paths: list[str]) -> None:
    """Unmount each of `paths` (all are tried); quit once all are gone, else stay and show why."""
    mounts = app.session.mounts

    async def unmount_all() -> None:
        failed: list[BaseException] = []
        for path in paths:
            try:
                await mounts.unmount(path)
            except Exception as exc:  # noqa: BLE001 - the others are still unmounted; the first is shown
                failed.append(exc)
        if failed:
            raise failed[0]

    app.run_with_dialog(
        f"Unmount {len(paths)} mount{'' if len(paths) == 1 else 's'} and quit",
        unmount_all,
        commands=[mounts.argv_unmount(p) for p in paths],
        success=lambda _r: "Unmounted. Quitting.",
        refresh=("mounts",),
        then=lambda _r: app.exit(0),
    )


def reconnect(app: DaosTui) -> None:
    """ctrl+r over ssh: log in again (the passcode is asked again); a login refreshes every pane."""
    from daostui.core.failures import report_failure

    async def login() -> None:
        try:
            await app.session.reconnect()
        except Exception as exc:  # noqa: BLE001 - shown; the header keeps the link state
            failure = report_failure(exc, "reconnect", timings=app.show_timings)
            app.notify(failure.text(limit=2), title="Reconnect", severity="error", timeout=8)

    app.run_worker(login, group="reconnect", exclusive=True, exit_on_error=False, description="reconnect")


def pool_request(app: DaosTui) -> None:
    from daostui.screens.pool_request import PoolRequestScreen

    app.push_screen(PoolRequestScreen())


def wizard(app: DaosTui) -> None:
    from daostui.screens.wizard.screen import WizardScreen

    app.data.answer_offer("used")
    app.main_screen.show_hint("")

    def finished(job_id: str | None) -> None:
        if job_id:
            app.follow_job(job_id)

    app.push_screen(WizardScreen(), finished)


def doctor(app: DaosTui) -> None:
    """The checklist for the selected pool and the container under the cursor (if any)."""
    from daostui.screens.doctor_screen import DoctorScreen

    row = container_under_cursor(app)
    app.push_screen(DoctorScreen(app.data.selected_pool, row.label if row else ""))
