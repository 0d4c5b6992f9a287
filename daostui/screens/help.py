"""Help: every key (from the action registry) and what each pane's columns mean."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from daostui.core.actions import ACTIONS, PANES, allowed, key_label
from daostui.screens.base import DialogScreen
from daostui.widgets.resource_columns import COLUMN_HELP


class HelpScreen(DialogScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, *, readonly: bool = False, mode: str = "") -> None:
        """`mode` leaves out the keys that do not exist in it (ctrl+r reconnects only over ssh)."""
        super().__init__()
        self.readonly = readonly
        self.mode = mode

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog -medium -tall -panel"):
            yield Static(Text("daostui help — esc closes", style="bold"))
            yield Static(self.keys_table())
            yield Static(self.columns_table())

    def keys_table(self) -> Table:
        table = Table(title="Keys", title_justify="left", expand=True, show_edge=False)
        table.add_column("key", width=7)
        table.add_column("where", width=11)
        table.add_column("action")
        for action in ACTIONS:
            if self.mode and action.modes and self.mode not in action.modes:
                continue
            where = action.pane or "anywhere"
            text = Text(action.description)
            if not allowed(action, readonly=self.readonly):
                text = Text(action.description + " (disabled: read-only)", style="dim strike")
            elif action.destructive:
                text.append("  (asks first)", style="yellow")
            table.add_row(key_label(action.key), where, text)
        table.add_row("ctrl+p", "anywhere", "Command palette: every action, jump to any pool/container/job")
        table.add_row("esc", "anywhere", "Close a dialog, clear a filter")
        return table

    def columns_table(self) -> Table:
        table = Table(title="Columns", title_justify="left", expand=True, show_edge=False)
        table.add_column("pane", width=11)
        table.add_column("column", width=14)
        table.add_column("meaning")
        for pane in PANES:
            for column, meaning in COLUMN_HELP.get(pane, []):
                table.add_row(pane, column, meaning)
        return table
