"""A first fill of a big table shows its rows at once and keys them (with their search texts) later.

Building a state for rows with no filter, sort or earlier rows needs nothing computed, so the table
swaps it in on the loop instead of a thread round trip (most of the first paint at 10^5 rows); the
keys and search texts follow in the background, and anything asking for a key before then gets it.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App

from daostui.widgets.resource_table import ResourceTable
from daostui.widgets.table_model import Column, Request, TableModel
from tests.pilot_helpers import wait_for

COUNT = 20_000  # over the inline limit (core/offload.py): a build of a change runs in a thread


@dataclass(frozen=True)
class Item:
    id: str
    name: str


def _items(count: int) -> list[Item]:
    return [Item(f"i{n}", f"name {n:05d}") for n in range(count)]


def _model() -> TableModel[Item]:
    columns = [
        Column("id", "Id", width=8, text=lambda i: i.id),
        Column("name", "Name", text=lambda i: i.name),
    ]
    return TableModel(columns, key=lambda i: i.id)


def test_a_first_fill_is_built_without_keys_and_answers_key_questions_anyway() -> None:
    model = _model()
    rows = _items(COUNT)
    request = Request(rows)
    assert model.fills_instantly(request)
    model.state = model.build(model.state, request)
    assert model.state.keys is None and len(model) == COUNT
    assert model.key_at(7) == "i7" and model.key_at(COUNT) is None
    assert model.index_of("i19999") == 19999  # keys made on demand, once
    assert model.state.keys is not None and model.keys[3] == "i3"
    # a filter, a sort or earlier rows are work: those requests are not instant and are keyed
    assert not model.fills_instantly(Request(rows, filter_text="x"))
    assert not model.fills_instantly(Request(rows, sort_column="name"))
    assert not model.fills_instantly(Request(_items(5)))  # the table has rows: keep the cursor's key


def test_refill_and_search_after_a_keyless_first_fill() -> None:
    model = _model()
    first = _items(COUNT)
    model.state = model.build(model.state, Request(first))
    searched = model.build(model.state, Request(first, with_search=True))
    assert (
        searched.keys is not None and searched.search is not None and searched.search[2] == "i2\x1fname 00002"
    )
    fewer = first[:10]
    again = model.build(model.state, Request(fewer, filter_text="name 0000"))
    assert again.keys == [f"i{n}" for n in range(10)] and len(again) == 10


class _Table(App[None]):
    def compose(self):  # type: ignore[no-untyped-def]
        yield ResourceTable(_model().columns, key=lambda i: i.id, id="t")


async def test_table_shows_a_big_first_fill_at_once_then_prepares_search_in_the_background() -> None:
    app = _Table()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        table.update_rows(_items(COUNT))
        assert table.row_count == COUNT  # swapped in on this call, not after a thread's round trip
        assert table.cursor_key == "i0"
        await wait_for(
            pilot, lambda: table.settled and table.model.state.search is not None, what="search texts"
        )
        assert table.model.state.keys is not None
        table.set_filter("name 0199")
        await wait_for(pilot, lambda: table.settled and table.model.filter_text == "name 0199", what="filter")
        assert table.row_count == 10 and table.cursor_key == "i1990"  # i0 is filtered out
