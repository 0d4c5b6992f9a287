"""One console pane: a titled resource table with its filter, age and last error.

Every resource (pools, containers, mounts, jobs, the command log) is shown by this same pane
around the same table widget; only the column definitions differ (the k9s way). The pane shows
*why* it is empty or stale — "refreshing…", the failed command and its error, the data's age —
never a silent blank (lazydocker #15/#306/#686).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static

from daostui.core.refresh import format_age
from daostui.widgets.quiet import QuietStatic
from daostui.widgets.resource_table import ResourceTable
from daostui.widgets.table_model import Column

T = TypeVar("T")


class PaneTitle(QuietStatic):
    FIXED_HEIGHT = True
    DEFAULT_CSS = """
    PaneTitle { height: 1; background: $boost; color: $text-muted; padding: 0 1; }
    ResourcePane:focus-within PaneTitle { background: $accent 40%; color: $foreground; }
    """


class ResourcePane(Vertical, Generic[T]):
    """A titled, filterable, refreshable table of one kind of resource."""

    DEFAULT_CSS = """
    ResourcePane { border: round $panel-lighten-2; height: 1fr; }
    ResourcePane:focus-within { border: round $accent; }
    ResourcePane > Input { display: none; height: 3; }
    ResourcePane.-filtering > Input { display: block; }
    ResourcePane > .error { color: $error; height: auto; max-height: 3; padding: 0 1; display: none; }
    ResourcePane.-failed > .error { display: block; }
    ResourcePane > ResourceTable { height: 1fr; }
    """

    BINDINGS = [Binding("escape", "clear_filter", "Clear filter", show=False)]
    #: `z` maximizes the whole pane (title, filter, table), not just its table.
    ALLOW_MAXIMIZE = True

    # repaint=False: the title line shows them (and repaints itself); repainting the whole pane for
    # them every second was the longest frame when results arrived together (benchmarks/frames.py)
    age_text: reactive[str] = reactive("", repaint=False)
    status: reactive[str] = reactive("", repaint=False)
    #: The error shown under the table ("" none), to skip updates that change nothing.
    _error_message: str = ""

    class FilterChanged(Message):
        def __init__(self, pane: ResourcePane[Any], text: str) -> None:
            super().__init__()
            self.pane = pane
            self.text = text

    def __init__(
        self,
        pane_id: str,
        title: str,
        number: int,
        columns: Sequence[Column[T]],
        key: Callable[[T], str],
        *,
        empty_text: str = "",
        search: Callable[[T], str] | None = None,
    ) -> None:
        super().__init__(id=pane_id)
        self._search = search
        self.pane_id = pane_id
        self.title_text = title
        self.number = number
        self._columns = columns
        self._key = key
        self._empty_text = empty_text
        self.count = 0
        self.subtitle = ""
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield PaneTitle(id=f"{self.pane_id}-title")
        # the filter box is mounted on first use (`/`): four hidden Inputs cost a fifth of start-up
        yield ResourceTable(
            self._columns,
            key=self._key,
            empty_text=self._empty_text,
            search=self._search,
            id=f"{self.pane_id}-table",
        )
        yield Static("", classes="error", id=f"{self.pane_id}-error")

    @property
    def table(self) -> ResourceTable[T]:
        return self.query_one(ResourceTable)

    def on_mount(self) -> None:
        self._render_title()

    def _render_title(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{self.number} ", style="bold")
        text.append(self.title_text, style="bold")
        if self.subtitle:
            text.append(f" · {self.subtitle}")
        text.append(f"  {self.count}", style="")
        if self.filter_text:
            text.append(f"  /{self.filter_text}", style="italic")
        if self.status:
            text.append(f"  {self.status}", style="yellow")
        if self.age_text:
            text.append(f"  {self.age_text}", style="dim")
        self.query_one(PaneTitle).show(text)

    def watch_age_text(self) -> None:
        if self.is_mounted:
            self._render_title()

    def watch_status(self) -> None:
        if self.is_mounted:
            self._render_title()

    def set_rows(self, rows: Sequence[T], *, subtitle: str | None = None) -> None:
        if subtitle is not None:
            self.subtitle = subtitle
        self.table.update_rows(list(rows))
        self.count = len(rows)
        self._render_title()

    def set_empty_text(self, text: str) -> None:
        self.table.empty_text = text
        self.table.refresh()

    def set_age(self, seconds: float | None) -> None:
        self.age_text = "" if seconds is None else f"{format_age(seconds)} ago"

    def set_error(self, message: str) -> None:
        # every refresh clears the error: an unchanged one must not cost a layout of the whole screen
        if message == self._error_message:
            return
        self._error_message = message
        error = self.query_one(f"#{self.pane_id}-error", Static)
        error.update(Text(message))
        self.set_class(bool(message), "-failed")

    def _filter_box(self) -> Input:
        boxes = self.query(Input)
        if boxes:
            return boxes.first()
        box = Input(
            placeholder="filter (substring, regex, !inverse) — esc clears", id=f"{self.pane_id}-filter"
        )
        self.mount(box, before=self.table)
        return box

    def start_filter(self) -> None:
        self.add_class("-filtering")
        box = self._filter_box()
        box.value = self.filter_text
        self.call_after_refresh(box.focus)

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value
        self.table.set_filter(event.value)
        self._render_title()

    @on(Input.Submitted)
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.remove_class("-filtering")
        self.table.focus()

    def action_clear_filter(self) -> None:
        if self.filter_text or self.has_class("-filtering"):
            for box in self.query(Input):
                box.value = ""
            self.filter_text = ""
            self.table.set_filter("")
            self.remove_class("-filtering")
            self.table.focus()
            self._render_title()
