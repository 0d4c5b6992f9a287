"""The one table widget every resource uses: virtual (only visible lines render), keyed, sortable.

Built on Textual's Line API (`ScrollView.render_line`): first paint, scrolling and filtering cost
the same at 10^2 and 10^5 rows, where `DataTable` builds every row up front (29 s at 10^5). A fixed
header line shows the sort column; rows keep their cursor by key across refreshes.

New rows, a filter keystroke or a sort make a `Request`; the model's pure `build` turns it into
the next state — inline for small tables, in a thread for big ones (`daostui.core.offload`), one
build at a time, the latest request winning — and the widget swaps the finished state in. After
a big table's first paint its search texts are prepared in the same way, so the first `/`
keystroke finds them ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from daostui.core.offload import is_big
from daostui.widgets.table_model import Column, Request, TableModel, TableState

T = TypeVar("T")


class _RowMessage(Message):
    def __init__(self, table: ResourceTable[Any], key: str) -> None:
        super().__init__()
        self.table = table
        self.key = key

    @property
    def control(self) -> ResourceTable[Any]:
        return self.table


class RowHighlighted(_RowMessage):
    """The cursor moved to the row keyed `key`."""


class RowSelected(_RowMessage):
    """`enter` (or a click on the highlighted row) on the row keyed `key`."""


@dataclass(frozen=True)
class _Pass(Generic[T]):
    """What one rendering pass reads for every line."""

    width: int
    top: int
    base: Style
    cursor: Style
    header: Style
    empty: Style
    widths: list[tuple[Column[T], int]]


def _fit(widths: list[tuple[Column[T], int]], width: int) -> list[tuple[Column[T], int]]:
    """`widths` cut to `width` (with the one-cell gaps between columns): the columns that always
    show can need more than a narrow pane has (the jobs pane at 100 columns needed 49 of 48).
    The last columns give way, cut (`_cell` ends the text with `…`) or, under two cells, dropped
    with their gap. A line wider than the table ran over the pane's right border."""
    fitted = list(widths)
    over = sum(w for _, w in fitted) + len(fitted) - 1 - width
    while over > 0 and fitted:
        column, w = fitted[-1]
        if w - over >= 2:
            fitted[-1] = (column, w - over)
            break
        fitted.pop()
        over -= w + (1 if fitted else 0)
    return fitted


class ResourceTable(ScrollView, Generic[T], can_focus=True):
    DEFAULT_CSS = """
    ResourceTable { background: $surface; }
    ResourceTable > .resource-table--header { text-style: bold; background: $panel; color: $foreground; }
    ResourceTable > .resource-table--cursor { background: $accent 30%; }
    ResourceTable:focus > .resource-table--cursor { background: $accent; color: $text; }
    ResourceTable > .resource-table--empty { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {"resource-table--header", "resource-table--cursor", "resource-table--empty"}
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "edge(0)", "First", show=False),
        Binding("end,G", "edge(1)", "Last", show=False),
        Binding("enter", "select", "Details", show=False),
        Binding("s", "cycle_sort", "Sort", show=True),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    def __init__(
        self,
        columns: Sequence[Column[T]],
        *,
        key: Callable[[T], str],
        empty_text: str = "",
        search: Callable[[T], str] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.model: TableModel[T] = TableModel(columns, key, search)
        self.empty_text = empty_text
        self._widths: list[tuple[Column[T], int]] = []
        self._width_for = -1
        #: What the table should show once the build running now (if any) and the next are done.
        self._wanted: Request[T] = self.model.request()
        self._building = False
        self._pass: _Pass[T] | None = None

    # ------------------------------------------------------------------ data
    @property
    def cursor_key(self) -> str | None:
        return self.model.key_at(self.cursor)

    @property
    def row_count(self) -> int:
        return len(self.model)

    @property
    def settled(self) -> bool:
        """Whether the table shows what it was last asked to (no build waiting or running)."""
        return not self._building and self._shows(self._wanted)

    def _shows(self, request: Request[T]) -> bool:
        model = self.model
        return request.rows is model.rows and (
            request.filter_text,
            request.sort_column,
            request.sort_reverse,
        ) == (model.filter_text, model.sort_column, model.sort_reverse)

    def update_rows(self, rows: Sequence[T]) -> None:
        """Replace the rows, keeping the cursor on the same key and the scroll position.

        A list is kept as it is, not copied: the caller hands it over and never changes it (the
        panes pass a copy of their data, the log a copy of its entries). A second young list of
        10^5 rows cost every collection until it aged a walk over it, two of them in the frame
        that first shows the rows."""
        rows = rows if type(rows) is list else list(rows)
        current = self._wanted.rows
        if len(rows) == len(current) and rows == current:
            return  # a refresh that changed nothing repaints nothing (most refreshes, under load too)
        self._want(replace(self._wanted, rows=rows))

    def set_filter(self, text: str) -> None:
        self._want(replace(self._wanted, filter_text=text))

    def sort_by(self, column_key: str, reverse: bool | None = None) -> None:
        self._want(self.model.sort_request(self._wanted, column_key, reverse))

    def _want(self, request: Request[T]) -> None:
        self._wanted = request
        if self._building:
            return  # the running build picks the latest request up when it finishes
        if not is_big(items=len(request.rows)) or not self.is_attached:
            self._swap(self.model.build(self.model.state, request))
            return
        self._building = True
        if self.model.fills_instantly(request):
            # a first fill only wraps the rows: show them now (a thread's round trip was most of the
            # first paint at 10^5 rows), and key them and make their search texts in the thread once
            # that frame is drawn (a thread holding the GIL meanwhile slowed the frame down)
            self._swap(self.model.build(self.model.state, request))
            self.call_after_refresh(self._start_build)
            return
        self._start_build()

    def _start_build(self) -> None:
        self.run_worker(self._build_in_thread, group="table-build", exit_on_error=False)

    async def _build_in_thread(self) -> None:
        """Build the latest request in a thread until the table shows it, then its search texts."""
        try:
            while True:
                request = self._wanted
                if self._shows(request):
                    if self.model.state.search is not None:
                        return
                    request = replace(request, with_search=True)  # on screen: now the search texts
                state = await asyncio.to_thread(self.model.build, self.model.state, request)
                self._swap(state)
        finally:
            self._building = False

    def _swap(self, state: TableState[T]) -> None:
        old = self.model.state
        key = self.cursor_key
        self.model.state = state
        if state.rows is old.rows and state.view is old.view and state.order is old.order:
            return  # only the search texts are new: nothing on screen changed
        self._after_change(key)

    def move_cursor_to_key(self, key: str) -> bool:
        index = self.model.index_of(key)
        if index is None:
            return False
        self._set_cursor(index)
        return True

    def _after_change(self, key: str | None) -> None:
        index = self.model.index_of(key)
        if index is None:
            index = min(self.cursor, max(0, len(self.model) - 1))
        self._set_virtual_size(Size(self.size.width, len(self.model) + 1))
        self._set_cursor(index, announce=key != self.model.key_at(index))
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """Take a new row count without laying out the whole screen when nothing else changes.

        Assigning `virtual_size` asks for a layout of every widget on the screen (8–30 ms with
        four panes), on every refresh whose row count changed — the frame stalls of issue 17.
        The table's own box does not depend on its rows: only a scrollbar that appears or goes
        (or a new width) changes the layout, and then it is assigned as before; otherwise the
        scrollbar's thumb is resized and the scroll kept in range, and the table repaints."""
        old = self.virtual_size
        if size == old:
            return
        height = self.container_size.height
        if size.width != old.width or not height or (size.height > height) != (old.height > height):
            self.virtual_size = size
            return
        self.set_reactive(ResourceTable.virtual_size, size)
        self._scroll_update(size)

    def _set_cursor(self, index: int, *, announce: bool = True) -> None:
        count = len(self.model)
        index = max(0, min(index, count - 1)) if count else 0
        old = self.cursor
        changed = index != old
        self.cursor = index
        if not self._scroll_to_cursor():
            # the rows stay where they are: only the old and the new cursor line change
            self.refresh_line(old + 1)
            self.refresh_line(index + 1)
        if (changed or announce) and count:
            key = self.model.key_at(index)
            if key is not None:
                self.post_message(RowHighlighted(self, key))

    def _scroll_to_cursor(self) -> bool:
        """Scroll so the cursor's row is visible; whether it scrolled (which repaints every line)."""
        visible = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
            return True
        if self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)
            return True
        return False

    # ------------------------------------------------------------------ layout
    def _column_widths(self, width: int) -> list[tuple[Column[T], int]]:
        if width == self._width_for and self._widths:
            return self._widths
        columns = list(self.model.columns)

        def needed(cols: list[Column[T]]) -> int:
            return sum(c.width if c.width is not None else c.min_width for c in cols) + len(cols) - 1

        # optional columns give way one at a time, the last declared first, only as far as needed
        for optional in [c for c in reversed(columns) if c.hidden_when_narrow]:
            if needed(columns) <= width:
                break
            columns.remove(optional)
        fixed = sum(c.width for c in columns if c.width is not None)
        flex = [c for c in columns if c.width is None]
        spare = max(0, width - fixed - len(columns) - sum(c.min_width for c in flex))
        total_ratio = sum(max(1, c.ratio) for c in flex) or 1
        widths = []
        for column in columns:
            if column.width is not None:
                widths.append((column, column.width))
            else:
                widths.append((column, column.min_width + spare * max(1, column.ratio) // total_ratio))
        self._widths, self._width_for = _fit(widths, width), width
        return self._widths

    def on_resize(self, _event: events.Resize) -> None:
        self._width_for = -1
        self.virtual_size = Size(self.size.width, len(self.model) + 1)
        self._scroll_to_cursor()

    # ------------------------------------------------------------------ rendering
    def _cell(self, text: str, width: int, align: str) -> str:
        if cell_len(text) > width:
            return set_cell_size(text, max(0, width - 1)) + "…" if width else ""
        return text.rjust(width) if align == "right" else set_cell_size(text, width)

    def render_lines(self, crop: Region) -> list[Strip]:
        # what every line of this pass reads, looked up once: `size` and `rich_style` each walk
        # the DOM, and were most of a frame's cost when looked up per line
        self._pass = self._make_pass()
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def _make_pass(self) -> _Pass[T]:
        width = self.size.width
        base = self.rich_style
        return _Pass(
            width,
            int(self.scroll_offset.y),
            base,
            base + self.get_component_rich_style("resource-table--cursor"),
            self.get_component_rich_style("resource-table--header"),
            base + self.get_component_rich_style("resource-table--empty"),
            self._column_widths(width),
        )

    def render_line(self, y: int) -> Strip:
        frame = self._pass or self._make_pass()
        width, base, widths = frame.width, frame.base, frame.widths
        model = self.model
        if y == 0:
            parts = []
            for column, w in widths:
                mark = ""
                if model.sort_column == column.key:
                    mark = "▼" if model.sort_reverse else "▲"
                parts.append(self._cell(column.title + mark, w, column.align))
            return Strip([Segment(set_cell_size(" ".join(parts), width), frame.header)], width)
        index = frame.top + y - 1
        count = len(model)
        if not count:
            if y == 1:
                text = self.empty_text
                if model.filter_text and model.rows:
                    text = f"No rows match /{model.filter_text} — esc clears the filter"
                return Strip([Segment(set_cell_size(" " + text, width), frame.empty)], width)
            return Strip.blank(width, base)
        if index >= count:
            return Strip.blank(width, base)
        row = model.row(index)
        on_cursor = index == self.cursor
        row_style = frame.cursor if on_cursor else base
        segments: list[Segment] = []
        used = 0
        for position, (column, w) in enumerate(widths):
            if position:
                segments.append(Segment(" ", row_style))
                used += 1
            text = self._cell(model.cell(row, column), w, column.align)
            style = row_style
            if column.style is not None:
                try:
                    extra = column.style(row)
                except Exception:  # noqa: BLE001 - a style a row cannot compute is no style
                    extra = ""
                if extra:
                    extra_style = Style.parse(extra)
                    if on_cursor:
                        # on the cursor bar a state colour would be unreadable: keep only its weight
                        extra_style = Style(bold=extra_style.bold, italic=extra_style.italic)
                    style = row_style + extra_style
            segments.append(Segment(text, style))
            used += w
        if used < width:
            segments.append(Segment(" " * (width - used), row_style))
        return Strip(segments, width)

    # ------------------------------------------------------------------ input
    def action_cursor(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * max(1, self.size.height - 2))

    def action_edge(self, end: int) -> None:
        self._set_cursor(len(self.model) - 1 if end else 0)

    def action_select(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(RowSelected(self, key))

    def action_cycle_sort(self) -> None:
        columns = [c for c, _ in self._column_widths(self.size.width)]
        if not columns:
            return
        keys = [c.key for c in columns]
        current = self.model.sort_column
        if current in keys and not self.model.sort_reverse:
            self.sort_by(current, reverse=True)
        else:
            following = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
            self.sort_by(following, reverse=False)

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = event.x
            for column, w in self._column_widths(self.size.width):
                if x < w + 1:
                    self.sort_by(column.key)
                    return
                x -= w + 1
            return
        index = int(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self.model):
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            else:
                self._set_cursor(index)
