"""The row an action acts on, resolved from the model by the key under a pane's cursor.

The cursor only names a key; the row itself comes from `ConsoleData`, so an action never acts on
what a filter happens to show (dolphie #86) and the screens it opens get plain values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from daostui.app import DaosTui
    from daostui.core.console_data import ContainerRow
    from daostui.pbs.models import Job


def cursor_key(app: DaosTui, pane: str) -> str:
    """The key under `pane`'s cursor ("" when the pane is empty)."""
    return app.main_screen.pane(pane).table.cursor_key or ""


def selected_key(app: DaosTui, pane: str) -> str:
    """The key under `pane`'s cursor; when there is none the user is told to select a row."""
    key = cursor_key(app, pane)
    if not key:
        app.notify(f"Select a row in the {pane} pane first.", severity="warning")
    return key


def container_under_cursor(app: DaosTui) -> ContainerRow | None:
    """The container under the containers pane's cursor, in the selected pool (None: no row)."""
    key = cursor_key(app, "containers")
    return app.data.container(app.data.selected_pool, key) if key else None


def selected_container(app: DaosTui) -> ContainerRow | None:
    """The container an action acts on, or None (and the user is told to select one)."""
    key = selected_key(app, "containers")
    return app.data.container(app.data.selected_pool, key) if key else None


def selected_job(app: DaosTui) -> Job | None:
    key = selected_key(app, "jobs")
    return app.data.tracker.get(key) if key else None
