"""Actions on the console itself: focus, refresh, filter, views, the wizard, the doctor, quit."""

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
    pane = app.main_screen.focused_pane()
    if pane is not None:
        pane.start_filter()


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

    app.push_screen(HelpScreen(readonly=app.session.readonly))


def quit_app(app: DaosTui) -> None:
    from daostui.screens.dialogs import ConfirmScreen

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


def pool_request(app: DaosTui) -> None:
    from daostui.screens.pool_request import PoolRequestScreen

    app.push_screen(PoolRequestScreen())


def wizard(app: DaosTui) -> None:
    from daostui.screens.wizard.screen import WizardScreen

    def finished(job_id: str | None) -> None:
        if job_id:
            app.follow_job(job_id)

    app.push_screen(WizardScreen(), finished)


def doctor(app: DaosTui) -> None:
    """The checklist for the selected pool and the container under the cursor (if any)."""
    from daostui.screens.doctor_screen import DoctorScreen

    row = container_under_cursor(app)
    app.push_screen(DoctorScreen(app.data.selected_pool, row.label if row else ""))
