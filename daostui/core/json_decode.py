"""`json.loads` that lets go of the interpreter lock while it decodes a big document.

A worker thread only keeps the event loop drawing if it lets the loop have the interpreter lock
often. Python code does (the interpreter switches threads every `sys.getswitchinterval()`), one
C call does not: `json.loads` of `daos cont list` for 10^5 containers (7 MB) holds the lock for
~40 ms, a frozen screen even though it runs in a thread. `decode` walks the top levels of a big
document in Python (objects and arrays down to `WALK_DEPTH`) and decodes everything below with
the C scanner one value at a time (`JSONDecoder.raw_decode`: a job record, a container), so
the lock is free between values. Small documents (below `WALK_ABOVE`) are one `json.loads`.

One C call per value re-creates every key string of every value (the scanner's key memo lives
for one call), which made a 10^4-job `qstat` twice as slow as `json.loads`. Where the document
puts each value's closing bracket on a line of its own at the value's indentation (qstat's JSON
writer does), the walker decodes a run of values per call instead: it cuts the text after the
last such line within `CHUNK_CHARS` and decodes the cut as one object (or array). A cut that is not exactly a
run of whole values — a closing line inside a string, a different layout — is never valid JSON
there, so the walker then decodes those values one by one, as before.

The result, and every error with its message and absolute position, are those of `json.loads`
with the same arguments (duplicate keys: the last wins, or `object_pairs_hook` sees them all).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.decoder import JSONDecodeError, scanstring
from typing import Any

#: Characters above which a document is walked rather than decoded in one call (~10 ms of C).
WALK_ABOVE = 2 * 1024 * 1024
#: Levels walked in Python: the root and its members (`{"Jobs": {id: job}}`, `{"response": [..]}`).
WALK_DEPTH = 2
_SPACE = " \t\n\r"
#: Characters per C call once the layout is known (~1 ms of C: about 100 qstat jobs).
CHUNK_CHARS = 256 * 1024


def decode(
    text: str,
    *,
    strict: bool = True,
    parse_float: Callable[[str], Any] | None = None,
    parse_constant: Callable[[str], Any] | None = None,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
    walk_above: int | None = None,
) -> Any:
    """`json.loads(text, …)`, walking the top levels of a document longer than `walk_above`."""
    options: dict[str, Any] = {"strict": strict, "object_pairs_hook": object_pairs_hook}
    if parse_float is not None:
        options["parse_float"] = parse_float
    if parse_constant is not None:
        options["parse_constant"] = parse_constant
    if len(text) <= (WALK_ABOVE if walk_above is None else walk_above):
        return json.loads(text, **options)
    return _Walker(text, json.JSONDecoder(**options), strict, object_pairs_hook).document()


class _Walker:
    def __init__(
        self,
        text: str,
        decoder: json.JSONDecoder,
        strict: bool,
        hook: Callable[[list[tuple[str, Any]]], Any] | None,
    ) -> None:
        self.text = text
        self.decoder = decoder
        self.strict = strict
        self.hook = hook

    def _skip(self, index: int) -> int:
        text = self.text
        while index < len(text) and text[index] in _SPACE:
            index += 1
        return index

    def _char(self, index: int) -> str:
        return self.text[index] if index < len(self.text) else ""

    def document(self) -> Any:
        value, end = self._value(self._skip(0), WALK_DEPTH)
        end = self._skip(end)
        if end != len(self.text):
            raise JSONDecodeError("Extra data", self.text, end)
        return value

    def _value(self, index: int, depth: int) -> tuple[Any, int]:
        char = self._char(index)
        if depth <= 0 or char not in "{[":
            return self.decoder.raw_decode(self.text, index)
        return self._object(index + 1, depth) if char == "{" else self._array(index + 1, depth)

    def _object(self, index: int, depth: int) -> tuple[Any, int]:
        text = self.text
        pairs: list[tuple[str, Any]] = []
        index = self._skip(index)
        if self._char(index) == "}":
            return self._finish(pairs), index + 1
        closing: str | None = None
        while True:
            if closing:
                run = self._run(index, closing, "{}")
                if run is not None:
                    members, index = run
                    pairs.extend(members.items())
                    if self._char(index) == "}":
                        return self._finish(pairs), index + 1
                    index = self._skip(index + 1)  # the comma `_run` saw
                    continue
                closing = ""  # not this document's layout: value by value from here
            if self._char(index) != '"':
                raise JSONDecodeError("Expecting property name enclosed in double quotes", text, index)
            key, index = scanstring(text, index + 1, self.strict)
            index = self._skip(index)
            if self._char(index) != ":":
                raise JSONDecodeError("Expecting ':' delimiter", text, index)
            value, index = self._value(self._skip(index + 1), depth - 1)
            pairs.append((key, value))
            if closing is None and depth <= 1 and self.hook is None:
                closing = self._closing_line(index)
            index = self._skip(index)
            char = self._char(index)
            if char == "}":
                return self._finish(pairs), index + 1
            if char != ",":
                raise JSONDecodeError("Expecting ',' delimiter", text, index)
            index = self._skip(index + 1)

    def _closing_line(self, end: int) -> str:
        """The line that closed the value ending at `end` (a newline, its indentation, `}` or `]`),
        or "" when the value did not end on a line of its own."""
        text = self.text
        if end < 2 or text[end - 1] not in "}]":
            return ""
        line = text.rfind("\n", 0, end - 1)
        if line < 0 or text[line + 1 : end - 1].strip(" \t"):
            return ""
        return text[line:end]

    def _run(self, index: int, closing: str, brackets: str) -> tuple[Any, int] | None:
        """The values from `index` up to the last line `closing` within `CHUNK_CHARS` (or the first
        one, for a longer value), decoded in one call (members of an object, `brackets` "{}", or
        items of an array, "[]"): the values and the index of the `,` or closing bracket after
        them, or None when the cut is not a run of whole values (then nothing was consumed)."""
        text = self.text
        # backwards from the limit: a search forwards through the run would cost more than the
        # decoding (the closing line starts like every other line: a newline and spaces)
        found = text.rfind(closing, index, index + CHUNK_CHARS)
        if found < 0:
            found = text.find(closing, index)
            if found < 0:
                return None
        stop = found + len(closing)
        after = self._skip(stop)
        if self._char(after) not in ("," + brackets[1]):
            return None
        wrapped = brackets[0] + text[index:stop] + brackets[1]
        try:
            values, end = self.decoder.raw_decode(wrapped)
        except (ValueError, RecursionError):
            return None
        if end != len(wrapped):
            return None
        return values, after

    def _finish(self, pairs: list[tuple[str, Any]]) -> Any:
        return self.hook(pairs) if self.hook is not None else dict(pairs)

    def _array(self, index: int, depth: int) -> tuple[list[Any], int]:
        text = self.text
        items: list[Any] = []
        index = self._skip(index)
        if self._char(index) == "]":
            return items, index + 1
        closing: str | None = None
        while True:
            if closing:
                run = self._run(index, closing, "[]")
                if run is not None:
                    values, index = run
                    items.extend(values)
                    if self._char(index) == "]":
                        return items, index + 1
                    index = self._skip(index + 1)
                    continue
                closing = ""
            value, index = self._value(index, depth - 1)
            items.append(value)
            if closing is None and depth <= 1:
                closing = self._closing_line(index)
            index = self._skip(index)
            char = self._char(index)
            if char == "]":
                return items, index + 1
            if char != ",":
                raise JSONDecodeError("Expecting ',' delimiter", text, index)
            index = self._skip(index + 1)
