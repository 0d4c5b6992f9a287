"""The rows behind a resource table: keyed, sorted, filtered — and Textual-free.

The view is a list of indices into the rows; cell texts are computed lazily and cached per row
object, so setting 10^5 rows costs one pass to index keys, and a filter keystroke one pass over
cached lowercase texts. Rows are replaced wholesale on refresh and matched by key, so the cursor
stays on the same resource.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_REGEX_CHARS = set(".^$*+?{}[]\\|()")


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


def _matcher(text: str) -> tuple[Callable[[str], bool], bool]:
    """(predicate over lowercase row text, inverted) for a filter string."""
    inverted = text.startswith("!")
    needle = text[1:] if inverted else text
    if any(ch in _REGEX_CHARS for ch in needle):
        try:
            pattern = re.compile(needle, re.IGNORECASE)
            return (lambda hay: pattern.search(hay) is not None), inverted
        except re.error:
            pass  # not a valid regex (e.g. "a[b" typed half-way): match it as plain text below
    lowered = needle.lower()
    return (lambda hay: lowered in hay), inverted


class TableModel(Generic[T]):
    def __init__(
        self, columns: Sequence[Column[T]], key: Callable[[T], str], search: Callable[[T], str] | None = None
    ) -> None:
        self.columns = list(columns)
        self.key = key
        #: What `/` matches against; by default every column's text. A resource with many rows can
        #: give a cheaper source (the jobs pane reads its raw fields instead of formatting 10 columns).
        self.search = search
        self.rows: list[T] = []
        self.keys: list[str] = []
        self.view: list[int] = []
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.filter_text = ""
        self._search: dict[int, str] = {}
        self._position: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.view)

    # ------------------------------------------------------------------ data
    def set_rows(self, rows: Sequence[T]) -> tuple[set[str], set[str], set[str]]:
        """Replace the data; (added, removed, kept) keys."""
        old = set(self.keys)
        previous = {key: (self.rows[p], text) for p, text in self._search.items() for key in (self.keys[p],)}
        self.rows = list(rows)
        self.keys = [self.key(row) for row in self.rows]
        # a refresh hands back the same objects for unchanged rows (finished jobs): keep their search text
        self._search = {}
        for position, key in enumerate(self.keys):
            cached = previous.get(key)
            if cached is not None and cached[0] is self.rows[position]:
                self._search[position] = cached[1]
        new = set(self.keys)
        self._rebuild()
        return new - old, old - new, new & old

    def row(self, index: int) -> T:
        return self.rows[self.view[index]]

    def key_at(self, index: int) -> str | None:
        return self.keys[self.view[index]] if 0 <= index < len(self.view) else None

    def index_of(self, key: str | None) -> int | None:
        return self._position.get(key) if key is not None else None

    def cell(self, row: T, column: Column[T]) -> str:
        try:
            value = column.text(row)
        except Exception:  # noqa: BLE001 - a row a column cannot describe shows "?", never crashes the table
            return "?"
        return "" if value is None else str(value)

    def _search_text(self, position: int) -> str:
        text = self._search.get(position)
        if text is None:
            row = self.rows[position]
            if self.search is not None:
                try:
                    text = self.search(row).lower()
                except Exception:  # noqa: BLE001 - an odd row is matched on its key only
                    text = self.keys[position].lower()
            else:
                text = "\x1f".join(self.cell(row, column) for column in self.columns).lower()
            self._search[position] = text
        return text

    # ------------------------------------------------------------------ view
    def _rebuild(self) -> None:
        positions = list(range(len(self.rows)))
        if self.filter_text:
            match, inverted = _matcher(self.filter_text)
            positions = [p for p in positions if match(self._search_text(p)) != inverted]
        if self.sort_column is not None:
            column = next((c for c in self.columns if c.key == self.sort_column), None)
            if column is not None:
                getter = column.sort_key or (lambda row, c=column: self.cell(row, c).lower())

                def sort_value(position: int) -> tuple[int, Any]:
                    try:
                        value = getter(self.rows[position])
                    except Exception:  # noqa: BLE001 - an unsortable row sorts last
                        value = None
                    return (1, "") if value is None else (0, value)

                try:
                    positions.sort(key=sort_value, reverse=self.sort_reverse)
                except TypeError:  # mixed types: fall back to text order
                    positions.sort(
                        key=lambda p: self.cell(self.rows[p], column).lower(), reverse=self.sort_reverse
                    )
        self.view = positions
        self._position = {self.keys[p]: index for index, p in enumerate(positions)}

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self._rebuild()

    def sort_by(self, column_key: str, reverse: bool | None = None) -> None:
        if reverse is None:
            reverse = (not self.sort_reverse) if self.sort_column == column_key else False
        self.sort_column = column_key
        self.sort_reverse = reverse
        self._rebuild()
