"""The command log drawer: every command daostui ran, newest first, with outcome and duration.

Users learn the real CLI from it (lazygit's command log; lazydocker #627). It uses the same
resource table as every pane, so 10^4 entries cost nothing to show, and the same `/` filter. It
opens on the newest entry and stays there while commands arrive, unless the user moved the cursor
down to read an older one.
"""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message

from daostui.transport.base import CommandResult
from daostui.widgets.quiet import QuietStatic
from daostui.widgets.resource_table import ResourceTable, RowSelected
from daostui.widgets.table_filter import Filterable
from daostui.widgets.table_model import Column


def _clock(result: CommandResult) -> str:
    return time.strftime("%H:%M:%S", time.localtime(result.started_at))


def _outcome_style(result: CommandResult) -> str:
    return "green" if result.ok else "bold red"


def result_key(result: CommandResult) -> str:
    return f"{result.started_at:.6f}-{id(result)}"


LOG_COLUMNS: list[Column[CommandResult]] = [
    Column("time", "Time", width=8, text=_clock),
    Column("outcome", "Outcome", width=10, text=lambda r: r.outcome, style=_outcome_style),
    Column(
        "duration",
        "Took",
        width=7,
        align="right",
        text=lambda r: f"{r.duration:.2f}s",
        sort_key=lambda r: r.duration,
    ),
    Column("where", "Where", width=12, text=lambda r: r.where, hidden_when_narrow=True),
    Column("command", "Command", min_width=20, ratio=1, text=lambda r: r.command_line),
    Column(
        "stderr",
        "stderr",
        min_width=10,
        ratio=1,
        hidden_when_narrow=True,
        text=lambda r: (r.stderr.strip().splitlines() or [r.error or ""])[-1][:200],
    ),
]


class LogTitle(QuietStatic):
    FIXED_HEIGHT = True


class CommandLogPanel(Vertical, Filterable):
    """A drawer at the bottom of the console (toggled with `l`)."""

    DEFAULT_CSS = """
    CommandLogPanel { dock: bottom; height: 12; display: none; border-top: heavy $accent; }
    CommandLogPanel.-open { display: block; }
    CommandLogPanel > LogTitle { height: 1; background: $boost; padding: 0 1; }
    """
    BINDINGS = [
        Binding("c", "copy_command", "Copy command"),
        Binding("l", "app.do('log')", "Close log"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]
    #: Entries kept in the drawer (the file keeps every command).
    LIMIT = 5000

    class Inspect(Message):
        def __init__(self, result: CommandResult) -> None:
            super().__init__()
            self.result = result

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: list[CommandResult] = []
        self._by_key: dict[str, CommandResult] = {}

    def compose(self) -> ComposeResult:
        yield LogTitle(self._title_text())
        yield ResourceTable(LOG_COLUMNS, key=result_key, empty_text="No commands yet.", id="log-table")

    @property
    def table(self) -> ResourceTable[CommandResult]:
        return self.query_one(ResourceTable)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def _title_text(self) -> str:
        shown = self.matches_text(len(self._entries)) if self.is_mounted else str(len(self._entries))
        match = f" /{self.filter_text}" if self.filter_text else ""
        return f"Command log (newest first) · {shown}{match} · enter details · c copy · l close"

    def filter_updated(self) -> None:
        self.query_one(LogTitle).show(self._title_text())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.filter_action_state(action)

    def set_entries(self, entries: list[CommandResult]) -> None:
        self._entries = list(reversed(entries))[: self.LIMIT]
        self._by_key = {result_key(r): r for r in self._entries}
        if self.is_mounted:
            self._show(newest=True)

    def add(self, result: CommandResult) -> None:
        self._entries.insert(0, result)
        self._by_key[result_key(result)] = result
        if len(self._entries) > self.LIMIT:
            dropped = self._entries.pop()
            self._by_key.pop(result_key(dropped), None)
        if self.is_mounted and self.is_open:
            # a reader on the newest entry keeps seeing the newest; one reading an older entry keeps it
            self._show(newest=self.table.cursor == 0)

    def _show(self, *, newest: bool) -> None:
        table = self.table
        table.update_rows(list(self._entries))  # the table keeps what it is given: not the live list
        if newest and table.row_count:
            table.action_edge(0)
        self.filter_updated()

    def toggle(self) -> bool:
        self.toggle_class("-open")
        if self.is_open:
            self._show(newest=True)  # always opens on the newest command
            self.table.focus()
        return self.is_open

    def selected(self) -> CommandResult | None:
        key = self.table.cursor_key
        return self._by_key.get(key) if key else None

    def on_row_selected(self, event: RowSelected) -> None:
        result = self._by_key.get(event.key)
        if result is not None:
            event.stop()
            self.post_message(self.Inspect(result))

    def action_copy_command(self) -> None:
        result = self.selected()
        if result is not None:
            self.app.copy_to_clipboard(result.command_line)
            self.app.notify(f"Copied: {result.command_line}", timeout=3)
