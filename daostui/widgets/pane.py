"""One console pane: a titled resource table with its filter, age and last error.

Every resource (pools, containers, mounts, jobs) is shown by this same pane around the same table
widget; only the column definitions differ (the k9s way). The pane shows *why* it is empty or
stale — "Loading pools…" until the first answer (an empty list says "none" only after a load that
returned nothing), "refreshing…", the failed command and its error, the data's age — never a
silent blank or a false "none" (lazydocker #15/#306/#686).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from daostui.core.refresh import format_age
from daostui.widgets.quiet import QuietStatic
from daostui.widgets.resource_table import ResourceTable
from daostui.widgets.table_filter import Filterable
from daostui.widgets.table_model import Column

T = TypeVar("T")


class PaneTitle(QuietStatic):
    FIXED_HEIGHT = True
    DEFAULT_CSS = """
    PaneTitle { height: 1; background: $boost; color: $text-muted; padding: 0 1; }
    ResourcePane:focus-within PaneTitle { background: $accent 40%; color: $foreground; }
    """


class ResourcePane(Vertical, Filterable, Generic[T]):
    """A titled, filterable, refreshable table of one kind of resource."""

    DEFAULT_CSS = """
    ResourcePane { border: round $panel-lighten-2; height: 1fr; }
    ResourcePane:focus-within { border: round $accent; }
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
        noun: str = "",
    ) -> None:
        super().__init__(id=pane_id)
        self._search = search
        self.pane_id = pane_id
        self.title_text = title
        self.number = number
        self._columns = columns
        self._key = key
        self._empty_text = empty_text
        #: What the rows are, for "Loading pools…" ("" uses the pane id).
        self.noun = noun or pane_id
        self.count = 0
        self.subtitle = ""
        self.filter_text = ""
        #: The rows shown come from a completed load: an empty table then means "none".
        self.loaded = False
        #: The last refresh failed (its error is shown under the table).
        self.failed = False

    def compose(self) -> ComposeResult:
        yield PaneTitle(id=f"{self.pane_id}-title")
        # the filter box is mounted on first use (`/`): four hidden Inputs cost a fifth of start-up
        yield ResourceTable(
            self._columns,
            key=self._key,
            empty_text=self._shown_empty_text(),
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
        text.append(f"  {self.matches_text(self.count)}", style="")
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

    def set_rows(self, rows: Sequence[T], *, subtitle: str | None = None, loaded: bool = True) -> None:
        """Show `rows`; `loaded=False` when they are not (yet) the answer of a completed load."""
        if subtitle is not None:
            self.subtitle = subtitle
        self.loaded = loaded
        self.table.update_rows(list(rows))
        self.count = len(rows)
        self._update_empty_text()
        self._render_title()

    def set_empty_text(self, text: str) -> None:
        """What an empty table says once loaded (e.g. "No containers in hpc_demo — press n …")."""
        self._empty_text = text
        self._update_empty_text()

    def _shown_empty_text(self) -> str:
        if self.loaded:
            return self._empty_text
        if self.failed:
            return f"Could not load {self.noun}: the error is below."
        return f"Loading {self.noun}{f' of {self.subtitle}' if self.subtitle else ''}…"

    def _update_empty_text(self) -> None:
        text = self._shown_empty_text()
        if self.table.empty_text != text:
            self.table.empty_text = text
            self.table.refresh()

    def set_age(self, seconds: float | None) -> None:
        self.age_text = "" if seconds is None else f"{format_age(seconds)} ago"

    def set_error(self, message: str) -> None:
        """Show why the last refresh failed under the table ("" once a refresh succeeded)."""
        # every refresh clears the error: an unchanged one must not cost a layout of the whole screen
        if message == self._error_message:
            return
        self._error_message = message
        error = self.query_one(f"#{self.pane_id}-error", Static)
        error.update(Text(message))
        self.failed = bool(message)
        self.set_class(self.failed, "-failed")
        self._update_empty_text()

    # ------------------------------------------------------------------ filter (see table_filter)
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.filter_action_state(action)

    def filter_updated(self) -> None:
        self._render_title()
