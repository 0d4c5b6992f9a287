"""A new row count repaints the table, not the screen: only a scrollbar that comes or goes lays out.

Every refresh whose row count changed used to ask for a layout of the whole screen (the frame
stalls of issue 17). The composed screen must still be right: the scrollbar is where the rows
need it, and gone when they fit. And no line is wider than the table, whatever its columns need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from textual.app import App
from textual.scrollbar import ScrollBar

from daostui.widgets.resource_table import ResourceTable
from daostui.widgets.table_model import Column
from tests.pilot_helpers import wait_for

SIZE = (60, 12)


@dataclass(frozen=True)
class Item:
    id: str


def _items(count: int) -> list[Item]:
    return [Item(f"row{n:03d}") for n in range(count)]


class _Table(App[None]):
    def compose(self):  # type: ignore[no-untyped-def]
        yield ResourceTable([Column("id", "Id", text=lambda i: i.id)], key=lambda i: i.id, id="t")


def _at_right_edge(app: _Table) -> Any:
    """The widget the composed screen has in the table's last column (a scrollbar or the table)."""
    widget, _region = app.screen.get_widget_at(SIZE[0] - 1, 5)
    return widget


async def _with_scrollbar(app: _Table, pilot: Any) -> ResourceTable[Item]:
    """The table holding 100 rows, its scrollbar on screen."""
    table = app.query_one(ResourceTable)
    table.update_rows(_items(100))
    await wait_for(pilot, lambda: isinstance(_at_right_edge(app), ScrollBar), what="the scrollbar")
    return table


async def test_row_counts_that_keep_the_scrollbar_lay_nothing_out_and_the_thumb_follows() -> None:
    app = _Table()
    async with app.run_test(size=SIZE) as pilot:
        table = await _with_scrollbar(app, pilot)
        layouts = []
        original = app.screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            layouts.append(1)
            original(*args, **kwargs)

        app.screen._refresh_layout = counted  # type: ignore[method-assign]
        table.update_rows(_items(40))
        await wait_for(pilot, lambda: table.vertical_scrollbar.window_virtual_size == 41, what="the thumb")
        await pilot.pause()
        assert layouts == []
        assert isinstance(_at_right_edge(app), ScrollBar)
        table.move_cursor_to_key("row039")
        await wait_for(pilot, lambda: table.scroll_offset.y > 0, what="scrolled to the last row")
        table.update_rows(_items(20))  # the scroll position is kept in range
        await wait_for(pilot, lambda: table.row_count == 20, what="20 rows")
        assert table.scroll_offset.y <= table.max_scroll_y


async def test_a_scrollbar_that_comes_or_goes_is_laid_out() -> None:
    app = _Table()
    async with app.run_test(size=SIZE) as pilot:
        table = await _with_scrollbar(app, pilot)
        table.set_filter("row00")  # 10 rows fit in 11 lines
        await wait_for(pilot, lambda: _at_right_edge(app) is table, what="the scrollbar gone")
        assert not table.show_vertical_scrollbar and table.row_count == 10
        table.set_filter("")
        await wait_for(pilot, lambda: isinstance(_at_right_edge(app), ScrollBar), what="the scrollbar back")
        assert table.vertical_scrollbar.window_virtual_size == 101


class _Narrow(App[None]):
    """Columns that always show and need 31 cells (with their gaps), in a table 24 wide."""

    def compose(self):  # type: ignore[no-untyped-def]
        columns = [
            Column("id", "Id", width=10, text=lambda i: i.id),
            Column("state", "State", width=8, text=lambda i: "RUNNING"),
            Column("exit", "Exit", width=11, text=lambda i: "-29 walltime"),
        ]
        yield ResourceTable(columns, key=lambda i: i.id, id="t")

    CSS = "ResourceTable { width: 24; }"


async def test_columns_that_need_more_than_the_width_are_cut_not_drawn_past_it() -> None:
    """A wider line ran over the pane's border (the jobs pane at 100 columns needed 49 of 48)."""
    app = _Narrow()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResourceTable)
        table.update_rows(_items(3))
        await wait_for(pilot, lambda: table.row_count == 3, what="the rows")
        lines = ["".join(segment.text for segment in table.render_line(y)) for y in range(4)]
        assert [cell_len(line) for line in lines] == [24] * 4, lines
        assert lines[0] == "Id         State    Exit"
        assert lines[1] == "row000     RUNNING  -29…"  # the last column gives way, with `…`
