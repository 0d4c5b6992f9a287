"""The rows behind a resource table: keyed, sorted, filtered — and Textual-free.

What a table shows is one immutable `TableState`; `TableModel.build` makes the next one from the
previous one and a `Request` (rows, filter, sort). It is a pure function of its inputs, so the
widget runs it inline for small tables and in a thread for big ones and only swaps the finished
state in: the event loop never walks 10^5 rows.

Costs, for n rows: the keys are one pass; the lowercase search texts are built once per row
object (a refresh hands back the same objects for unchanged rows, whose texts are kept); a sort
is done once per (rows, column) and filtering keeps its order; a filter that only grows (`jo` →
`job`) narrows the previous result instead of scanning every row, and earlier results are kept
for going back (backspace). Positions are arrays of C ints (4 bytes each, not a 36-byte int
object per row), an unfiltered, unsorted table has no position list at all, and lookups by key
scan in C rather than keeping a dict per table.
"""

from __future__ import annotations

import heapq
import re
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_REGEX_CHARS = set(".^$*+?{}[]\\|()")
#: Rows per sorted run when sorting many rows: each run's C sort holds the interpreter lock only
#: briefly, and the runs are merged in Python (which lets go of it), so a sort in a thread never
#: stalls the event loop for long.
SORT_RUN = 8192
#: Earlier filter results kept per state (for narrowing and backspace).
KEPT_RESULTS = 8


@dataclass(frozen=True)
class Column(Generic[T]):
    key: str
    title: str
    width: int | None = None
    min_width: int = 4
    ratio: int = 0
    align: str = "left"
    text: Callable[[T], str] = str
    style: Callable[[T], str] | None = None
    sort_key: Callable[[T], Any] | None = None
    hidden_when_narrow: bool = False


@dataclass(frozen=True)
class Filter:
    """A parsed filter: a substring (case-insensitive), a regex when it has regex characters and
    compiles, and `!` in front for the rows that do not match."""

    text: str
    inverted: bool
    needle: str
    pattern: re.Pattern[str] | None

    @classmethod
    def parse(cls, text: str) -> Filter | None:
        if not text:
            return None
        inverted = text.startswith("!")
        needle = text[1:] if inverted else text
        pattern = None
        if any(ch in _REGEX_CHARS for ch in needle):
            try:
                pattern = re.compile(needle, re.IGNORECASE)
            except re.error:
                pass  # not a valid regex (e.g. "a[b" typed half-way): match it as plain text
        return cls(text, inverted, needle.lower(), pattern)

    def narrows(self, previous: Filter) -> bool:
        """Whether every row this filter keeps was kept by `previous` (a plain needle that grew)."""
        return (
            self.pattern is None
            and previous.pattern is None
            and not self.inverted
            and not previous.inverted
            and previous.needle in self.needle
        )

    def select(self, candidates: Iterable[int], texts: Sequence[str]) -> array[int]:
        """The candidates (positions) whose search text matches, in their order."""
        if self.pattern is not None:
            search = self.pattern.search
            if self.inverted:
                return array("i", [p for p in candidates if search(texts[p]) is None])
            return array("i", [p for p in candidates if search(texts[p]) is not None])
        needle = self.needle
        if self.inverted:
            return array("i", [p for p in candidates if needle not in texts[p]])
        return array("i", [p for p in candidates if needle in texts[p]])


@dataclass(frozen=True)
class Request(Generic[T]):
    """What the table should show: these rows, filtered and sorted so."""

    rows: list[T]
    filter_text: str = ""
    sort_column: str | None = None
    sort_reverse: bool = False
    #: Build the search texts even without a filter (so the first keystroke finds them ready).
    with_search: bool = False


@dataclass(frozen=True, eq=False)
class TableState(Generic[T]):
    rows: list[T] = field(default_factory=list)
    #: The key of every row (None until needed: a first fill shows its rows without them).
    keys: list[str] | None = field(default_factory=list)
    #: Lowercase search text per row (None until a filter needed it or it was prepared).
    search: list[str] | None = None
    #: Every position sorted by `sort_column` (None: the rows' own order).
    order: array[int] | None = None
    #: The positions shown, in order (None: all of `order`).
    view: array[int] | None = None
    filter: Filter | None = None
    sort_column: str | None = None
    sort_reverse: bool = False
    #: Earlier filter results for these rows and this order, by filter text.
    results: dict[str, array[int]] = field(default_factory=dict)

    def __len__(self) -> int:
        shown = self.view if self.view is not None else self.order
        return len(shown) if shown is not None else len(self.rows)

    def position(self, index: int) -> int:
        shown = self.view if self.view is not None else self.order
        return shown[index] if shown is not None else index

    def index_of(self, key: str | None) -> int | None:
        if key is None or self.keys is None:
            return None
        try:
            position = self.keys.index(key)
        except ValueError:
            return None
        shown = self.view if self.view is not None else self.order
        if shown is None:
            return position
        try:
            return shown.index(position)
        except ValueError:
            return None


class TableModel(Generic[T]):
    def __init__(
        self, columns: Sequence[Column[T]], key: Callable[[T], str], search: Callable[[T], str] | None = None
    ) -> None:
        self.columns = list(columns)
        self.key = key
        #: What `/` matches against; by default every column's text. A resource with many rows can
        #: give a cheaper source (the jobs pane reads its raw fields instead of formatting 10 columns).
        self.search = search
        self.state: TableState[T] = TableState()

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self.state)

    @property
    def rows(self) -> list[T]:
        return self.state.rows

    @property
    def keys(self) -> list[str]:
        return self._keyed().keys or []

    def _keyed(self) -> TableState[T]:
        """The state with its keys (made here, once, if a first fill left them to the search pass)."""
        state = self.state
        if state.keys is None:
            state = self.state = replace(state, keys=list(map(self.key, state.rows)))
        return state

    def fills_instantly(self, request: Request[T]) -> bool:
        """Whether `request` is a first fill with nothing to compute (no filter, sort or search, no
        earlier rows whose cursor to keep): `build` only wraps the rows, at any size."""
        return (
            not self.state.rows
            and not request.filter_text
            and request.sort_column is None
            and not request.with_search
        )

    @property
    def filter_text(self) -> str:
        return self.state.filter.text if self.state.filter is not None else ""

    @property
    def sort_column(self) -> str | None:
        return self.state.sort_column

    @property
    def sort_reverse(self) -> bool:
        return self.state.sort_reverse

    def request(self) -> Request[T]:
        """What the current state shows, as a request to change from."""
        state = self.state
        return Request(state.rows, self.filter_text, state.sort_column, state.sort_reverse)

    def row(self, index: int) -> T:
        return self.state.rows[self.state.position(index)]

    def key_at(self, index: int) -> str | None:
        state = self.state
        if not 0 <= index < len(state):
            return None
        position = state.position(index)
        return state.keys[position] if state.keys is not None else self.key(state.rows[position])

    def index_of(self, key: str | None) -> int | None:
        return self._keyed().index_of(key)

    def cell(self, row: T, column: Column[T]) -> str:
        try:
            value = column.text(row)
        except Exception:  # noqa: BLE001 - a row a column cannot describe shows "?", never crashes the table
            return "?"
        return "" if value is None else str(value)

    # ------------------------------------------------------------------ changing (synchronously)
    def set_rows(self, rows: Sequence[T]) -> None:
        self.state = self.build(self.state, replace(self.request(), rows=list(rows)))

    def set_filter(self, text: str) -> None:
        self.state = self.build(self.state, replace(self.request(), filter_text=text))

    def sort_by(self, column_key: str, reverse: bool | None = None) -> None:
        self.state = self.build(self.state, self.sort_request(self.request(), column_key, reverse))

    def sort_request(self, request: Request[T], column_key: str, reverse: bool | None) -> Request[T]:
        if reverse is None:
            reverse = (not request.sort_reverse) if request.sort_column == column_key else False
        return replace(request, sort_column=column_key, sort_reverse=reverse)

    # ------------------------------------------------------------------ building (pure)
    def build(self, previous: TableState[T], request: Request[T]) -> TableState[T]:
        """The state showing `request`, reusing what `previous` already computed. Reads nothing
        but its arguments and this model's column functions: safe to run in a thread."""
        rows = request.rows
        same_rows = rows is previous.rows
        column = next((c for c in self.columns if c.key == request.sort_column), None)
        keys: list[str] | None
        if same_rows and previous.keys is not None:
            keys = previous.keys
        elif not previous.rows and column is None and not request.filter_text and not request.with_search:
            keys = None  # a first fill: shown at once, keyed with its search texts in the background
        else:
            keys = list(map(self.key, rows))
        sort_column = column.key if column is not None else None
        same_order = same_rows and (sort_column, request.sort_reverse) == (
            previous.sort_column,
            previous.sort_reverse,
        )
        if same_order:
            order = previous.order
        elif column is None:
            order = None
        else:
            order = self._sorted(rows, column, request.sort_reverse)
        query = Filter.parse(request.filter_text)
        search = previous.search if same_rows else None
        if search is None and (query is not None or request.with_search):
            search = self._search_texts(rows, keys, previous)
        results = dict(previous.results) if same_order else {}
        view = None
        if query is not None and search is not None:
            view = results.get(query.text)
            if view is None:
                candidates: Iterable[int] = order if order is not None else range(len(rows))
                earlier = previous.filter if same_order else None
                if earlier is not None and previous.view is not None and query.narrows(earlier):
                    candidates = previous.view
                view = query.select(candidates, search)
                results[query.text] = view
                while len(results) > KEPT_RESULTS:
                    del results[next(iter(results))]
        return TableState(
            rows,
            keys,
            search,
            order,
            view,
            query,
            sort_column,
            request.sort_reverse if column else False,
            results,
        )

    def _search_text(self, row: T, key: str) -> str:
        if self.search is not None:
            try:
                return self.search(row).lower()
            except Exception:  # noqa: BLE001 - an odd row is matched on its key only
                return key.lower()
        return "\x1f".join(self.cell(row, column) for column in self.columns).lower()

    def _search_texts(self, rows: list[T], keys: list[str], previous: TableState[T]) -> list[str]:
        """Lowercase search text per row; a row object the previous state had keeps its text."""
        old = previous.search
        if old is None or not previous.rows:
            return [self._search_text(row, key) for row, key in zip(rows, keys, strict=True)]
        where = dict(zip(previous.keys, range(len(previous.keys)), strict=True))
        old_rows = previous.rows
        texts = []
        for row, key in zip(rows, keys, strict=True):
            position = where.get(key)
            if position is not None and old_rows[position] is row:
                texts.append(old[position])
            else:
                texts.append(self._search_text(row, key))
        return texts

    def _sorted(self, rows: list[T], column: Column[T], reverse: bool) -> array[int]:
        """Positions ordered by `column` (rows it cannot sort go last), in runs merged in Python."""
        getter = column.sort_key or (lambda row: self.cell(row, column).lower())

        def sort_value(row: T) -> Any:
            try:
                return getter(row)
            except Exception:  # noqa: BLE001 - an unsortable row sorts last
                return None

        values = list(map(sort_value, rows))
        present = [p for p, value in enumerate(values) if value is not None]
        missing = [p for p, value in enumerate(values) if value is None]
        try:
            ordered = _sort_positions(present, values, reverse)
        except TypeError:  # mixed types: fall back to text order
            texts = [self.cell(row, column).lower() for row in rows]
            ordered = _sort_positions(present, texts, reverse)
        return array("i", ordered + missing)


def _sort_positions(positions: list[int], values: list[Any], reverse: bool) -> list[int]:
    """`positions` sorted by `values[position]`, stable, in runs of `SORT_RUN` merged lazily."""
    key = values.__getitem__
    if len(positions) <= SORT_RUN:
        return sorted(positions, key=key, reverse=reverse)
    runs = [
        sorted(positions[i : i + SORT_RUN], key=key, reverse=reverse)
        for i in range(0, len(positions), SORT_RUN)
    ]
    return list(heapq.merge(*runs, key=key, reverse=reverse))
