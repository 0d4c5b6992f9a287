"""Reading the JSON that `qstat -F json` really prints, which is not always JSON.

OpenPBS ≤ 23.06 (the writer Aurora's PBS 2022 uses; `src/lib/Libcmds/pbs_json.c`) decides per
value whether to print it bare, as a number: `add_json_node()` calls `strtod(value, &end)`, skips
trailing white space after `end`, and prints the value *verbatim* (no quotes, no escaping) when
nothing else is left and the value does not start with `0` unless it is below 1. `strtod`
accepts far more than JSON's number grammar, so `-v LR=.001,SEED=+42` gives `"LR":.001` and
`"SEED":+42` — invalid JSON (seen on a real 23.06.06 server). Every form `strtod` takes can come
out that way: a sign, leading or trailing dots, exponents, hexadecimal floats (`0x0.8p-1`),
`inf`/`infinity`/`nan`/`nan(chars)` in any case, C white space around the number (including
`\\v` and `\\f`), leading zeros after a sign (`-05`) or repeated zeros (`00`).

The repair is written from that rule: on a line `"key":VALUE` (the writer prints one value per
line), a VALUE that `strtod` would accept in full but that is not a JSON number becomes the
JSON string of exactly those characters, i.e. the user's original text. It also keeps the older
repairs real servers needed (pbs.md §3.4): backslashes before ordinary characters (the writer
copies `\\x` through), raw control characters, backslash + newline, missing commas between job
objects, trailing commas.

Cost: a clean document is one `json.loads` (a big one decoded job by job, so a thread decoding it
lets the event loop run: `daostui.core.json_decode`). Repairs run only when it fails, and only on the
text from the first error on (everything before it already parsed), cheapest first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from daostui.core.errors import ParseError
from daostui.core.json_decode import decode

#: C's isspace() in the C locale (qstat never calls setlocale): what strtod skips and the writer keeps.
C_SPACE = r"[ \t\n\v\f\r]"
#: glibc strtod's accepted forms (C99 7.20.1.3), ASCII case-insensitive where strtod is.
STRTOD_NUMBER = (
    r"[+-]?(?:"
    r"0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?"
    r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    r"|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?"
    r"|[nN][aA][nN](?:\([0-9A-Za-z_]*\))?"
    r")"
)
#: Python's json reads these bare words as floats (an extension to JSON; NumberText keeps the text).
PYTHON_CONSTANTS = ("NaN", "Infinity", "-Infinity")
#: JSON's number grammar (RFC 8259 §6) with JSON's white space around it.
JSON_NUMBER = re.compile(r"[ \t\n\r]*-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?[ \t\n\r]*")

#: `"key":` + a bare value the writer printed, up to the `,` or the `}` after it. Valid JSON
#: numbers (the common case: Priority, nodect, …) are skipped by the lookahead without a callback.
_BARE_VALUE = re.compile(
    r'":(?![ \t\n\r]*-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?[ \t\r]*(?:,|\n[ \t]*[}\]]|[}\]]))'
    r"(" + C_SPACE + r"*" + STRTOD_NUMBER + C_SPACE + r"*)"
    # the writer's terminators: `,` (next member) or newline, indent, `}` (end); trailing white space
    # is the value's own (it printed the value verbatim), up to the last newline before the brace
    r"(?=,|\n[ \t]*[}\]]|(?<![ \t\n\v\f\r])[}\]]|\Z)"
)
#: What precedes the `":` of a key: `{`, `,` or a line start, white space, one complete string.
_KEY_BEFORE = re.compile(r'(?:^|[{,])[ \t\n]*"(?:[^"\\\n]|\\.)*"\Z', re.MULTILINE)

_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.?)", re.DOTALL)
_VALID_ESCAPES = set('"\\/bfnrt')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A JSON string literal (skipped by the structural repairs, so values are never rewritten).
_STRING = r'("[^"\\]*(?:\\.[^"\\]*)*")'
_MISSING_COMMA = re.compile(r"}(\s*)\"(\d+(?:\[\d*\])?\.[^\"]+)\"\s*:")
_TRAILING_COMMA = re.compile(_STRING + r"|,(\s*[}\]])", re.DOTALL)


def _quote_bare(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        line_start = text.rfind("\n", 0, match.start()) + 1
        if not _KEY_BEFORE.search(text, line_start, match.start() + 1):
            return match.group(0)  # `":` inside a string value, not after a key
        value = match.group(1)
        if JSON_NUMBER.fullmatch(value) or value.strip(" \t\n\r") in PYTHON_CONSTANTS:
            return match.group(0)  # what json.loads reads anyway: the same reading on both paths
        return '":' + json.dumps(value)

    return _BARE_VALUE.sub(replace, text)


def _fix_escape(match: re.Match[str]) -> str:
    """Valid escapes stay; any other backslash becomes a literal one (pairs are consumed left to right)."""
    escaped = match.group(1)
    if len(escaped) == 5 or escaped in _VALID_ESCAPES:
        return match.group(0)
    return "\\\\" + escaped


def _repair_escapes(text: str) -> str:
    text = text.replace("\\\r\n", " ").replace("\\\n", " ")
    return _CONTROL.sub(" ", _ESCAPE.sub(_fix_escape, text))


def _repair_structure(text: str) -> str:
    text = _MISSING_COMMA.sub(r'},\1"\2":', text)
    return _TRAILING_COMMA.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)


#: Cheapest and most common first: the writer's bare numbers (every job submitted with such a
#: `-v` value), then invalid escapes and control characters, then the structural repairs.
REPAIRS: tuple[Callable[[str], str], ...] = (_quote_bare, _repair_escapes, _repair_structure)


def repair_json(text: str) -> str:
    """Every repair, over the whole text (what a test or a one-off caller wants)."""
    for repair in REPAIRS:
        text = repair(text)
    return text


class NumberText(float):
    """A JSON number that is a float (its value, as JSON says) but reads as the text PBS held.

    PBS attributes are strings; the writer only guessed a type. `-v EXP=1e5` is the float 1e5 to
    JSON, but the user typed `1e5`, not `100000.0`: `str()` gives that text back. `NaN` and
    `Infinity`, which Python's json accepts as constants, are kept the same way.
    """

    __slots__ = ("text",)

    def __new__(cls, literal: str) -> NumberText:
        number = super().__new__(cls, literal)
        number.text = literal
        return number

    def __str__(self) -> str:
        return self.text


def _safe_cut(text: str, position: int) -> int:
    """A line start before `position` where the repairs can begin: the line before the error's
    (a missing or trailing comma shows one line late), never inside a backslash-newline string."""
    cut = text.rfind("\n", 0, position)
    for _ in range(2):
        if cut <= 0:
            return 0
        cut = text.rfind("\n", 0, cut)
    while cut > 0 and text[cut - 1] == "\\":
        cut = text.rfind("\n", 0, cut)
    return max(cut + 1, 0)


def load_json(
    text: str, source: str, *, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None
) -> Any:
    """Parse qstat's JSON, repairing only as much, and only as far back, as the document needs."""

    def parse(document: str) -> Any:
        return decode(  # json.loads; a big document walked value by value (`core.json_decode`)
            document,
            strict=False,
            parse_float=NumberText,
            parse_constant=NumberText,
            object_pairs_hook=object_pairs_hook,
        )

    try:
        return parse(text)
    except (ValueError, RecursionError) as exc:
        error: Exception = exc
        position = getattr(exc, "pos", 0) or 0
    head, tail = text[: _safe_cut(text, position)], text[_safe_cut(text, position) :]
    # the error names the likelier repair: try that one first (each attempt costs a full parse)
    escapes_first = "escape" in str(error) or "control character" in str(error)
    for repair in (_repair_escapes, _quote_bare, _repair_structure) if escapes_first else REPAIRS:
        tail = repair(tail)
        try:
            return parse(head + tail)
        except (ValueError, RecursionError) as exc:
            error = exc
    if head:  # the error was blamed late: repair everything
        try:
            return parse(repair_json(text))
        except (ValueError, RecursionError) as exc:
            error = exc
    raise ParseError(f"invalid JSON even after repair: {error}", excerpt=text[:400], source=source) from None
