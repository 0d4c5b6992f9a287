"""qstat's two writers, ported from OpenPBS 23.06.06 so the simulator prints what the real one does.

- JSON (`src/lib/Libcmds/pbs_json.c`): every attribute value is typed by `add_json_node()`:
  `strtod()` it, skip trailing C white space, and if nothing is left and the value does not start
  with `0` (unless below 1) print it *verbatim*, unquoted — so `.001`, `+42`, `inf`, `0x0.8` come
  out bare and the document is not JSON. Strings go through `strdup_escape(JSON_ESCAPE)` (a
  backslash before `,` or `'` is dropped, before anything else copied with that character; a
  `"` not preceded by a backslash is escaped, except at the very start) and
  `show_nonprint_chars()`. Layout: 4-space indent, `"key":value`, `,\\n` between members. The
  document's root is closed by an explicit end node, so a document with no jobs ends with `}`
  and no newline (observed on the real 23.06.06), one with jobs with `}\\n`.
- text (`src/cmds/qstat.c` `prt_attr()`): `    name = value`, wrapped at 78 columns: the value
  is cut at commas (`strtok`, empty pieces dropped); a piece that does not fit goes to a new line
  `\\n\\t`, and a piece longer than the line is written character by character with `\\n\\t` each
  time the column passes 78. Commas are not counted in the column. Columns count bytes.

`show_nonprint_chars()` turns every byte below 32 except newline and TAB into `^` + (byte + 64);
its `ch` is a signed `char`, so bytes above 127 are turned too (`é` = C3 A9 → `^\\x03^\\xe9`, seen
on the real server). Such bytes leave the simulator as surrogate escapes, written raw.
"""

from __future__ import annotations

import math
from typing import Any

C_SPACE = " \t\n\v\f\r"
DIGITS = "0123456789"
HEX = "0123456789abcdefABCDEF"
LINE_LIMIT = 78  # qstat.c CHAR_LINE_LIMIT


# ---------------------------------------------------------------------- strtod and the writer's test
def _digits(text: str, start: int, alphabet: str) -> int:
    end = start
    while end < len(text) and text[end] in alphabet:
        end += 1
    return end


def _exponent(text: str, start: int, letters: str) -> int:
    """End of an exponent (`e-5`, `p+3`) at `start`, or `start` when there is none (strtod backs off)."""
    if start < len(text) and text[start] in letters:
        sign = start + 1 + (start + 1 < len(text) and text[start + 1] in "+-")
        end = _digits(text, sign, DIGITS)
        if end > sign:
            return end
    return start


def strtod(text: str) -> tuple[float, int]:
    """glibc `strtod` in the C locale: (value, index just after the number), (0.0, 0) if none."""
    i = _digits(text, 0, C_SPACE)
    sign = -1.0 if text[i : i + 1] == "-" else 1.0
    if text[i : i + 1] in ("+", "-"):
        i += 1
    word = text[i : i + 8].lower()
    if word.startswith("inf"):
        return sign * math.inf, i + (8 if word == "infinity" else 3)
    if word.startswith("nan"):
        end = i + 3
        if text[end : end + 1] == "(":
            close = _digits(text, end + 1, DIGITS + "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
            if text[close : close + 1] == ")":
                end = close + 1
        return math.nan, end
    if text[i : i + 2].lower() == "0x":
        whole = _digits(text, i + 2, HEX)
        frac = _digits(text, whole + 1, HEX) if text[whole : whole + 1] == "." else whole
        if frac > i + 2 + (text[whole : whole + 1] == "."):
            end = _exponent(text, frac, "pP")
            try:
                return sign * float.fromhex(text[i:end]), end
            except OverflowError:  # strtod returns HUGE_VAL
                return sign * math.inf, end
        return 0.0, i + 1  # "0x" alone: strtod reads the 0
    whole = _digits(text, i, DIGITS)
    frac = _digits(text, whole + 1, DIGITS) if text[whole : whole + 1] == "." else whole
    if frac == i or text[i:frac] == ".":
        return 0.0, 0
    end = _exponent(text, frac, "eE")
    return sign * float(text[i:end]), end


def prints_bare(value: str) -> bool:
    """`add_json_node()`'s test: is `value` printed unquoted, verbatim?"""
    if not value.strip(C_SPACE):
        return False  # whitespace_only(): a string
    number, end = strtod(value)
    if end == 0 or value[end:].lstrip(C_SPACE):
        return False
    return value[0] != "0" or number < 1


# ---------------------------------------------------------------------- escaping
def show_nonprint(data: bytes) -> bytes:
    out = bytearray()
    for byte in data:
        if (byte < 32 and byte not in (10, 9)) or byte > 127:
            out += bytes((94, (byte + 64) & 0xFF))
        else:
            out.append(byte)
    return bytes(out)


def escape_string(value: str) -> bytes:
    """`strdup_escape(JSON_ESCAPE, value)` then `show_nonprint_chars()`, on the UTF-8 bytes."""
    data = value.encode("utf-8", "surrogateescape")
    out = bytearray()
    i = 0
    simple = {8: b"\\b", 12: b"\\f", 10: b"\\n", 13: b"\\r", 9: b"\\t"}
    while i < len(data):
        byte = data[i]
        if byte in simple:
            out += simple[byte]
        elif byte == 34:  # '"': escaped unless preceded by a backslash; never at the start (a C quirk)
            if i > 0 and data[i - 1] != 92:
                out.append(92)
            out.append(34)
        elif byte == 92:  # backslash: before ',' or "'" it is dropped, else copied with the next byte
            following = data[i + 1 : i + 2]
            out += following if following in (b",", b"'") else b"\\" + following
            i += len(following)
        else:
            out.append(byte)
        i += 1
    return show_nonprint(bytes(out))


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


# ---------------------------------------------------------------------- JSON
def _value(value: Any) -> str:
    text = str(value)
    return text if prints_bare(text) else '"' + _text(escape_string(text)) + '"'


def split_variable_list(value: str) -> list[tuple[str, str]]:
    """prt_attr's JSON split of `Variable_List`: unescaped commas separate, `\\,` is a comma, the key
    ends at the first `=`; an item without `=` has no value and is left out."""
    items: list[tuple[str, str]] = []
    key: list[str] = []
    val: list[str] | None = None
    i = 0
    while i <= len(value):
        char = value[i] if i < len(value) else ","
        if char == "," or i == len(value):
            if val is not None:
                items.append(("".join(key), "".join(val)))
            key, val = [], None
        else:
            if char == "\\" and value[i + 1 : i + 2] == ",":
                i += 1
                char = ","
            if val is None and char == "=":
                val = []
            else:
                (key if val is None else val).append(char)
        i += 1
    return items


def _members(attrs: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in attrs.items():
        if key == "Variable_List" and isinstance(value, str):
            value = dict(split_variable_list(value))
        if isinstance(value, dict):
            inner = _members(value, indent + 4)
            lines.append(f'{pad}"{key}":{{\n' + ",\n".join(inner) + f"\n{pad}}}")
        elif isinstance(value, list):  # a repeated attribute: 23.06 prints the key once per entry
            lines.extend(f'{pad}"{key}":{_value(item)}' for item in value)
        else:
            lines.append(f'{pad}"{key}":{_value(value)}')
    return lines


def json_document(
    section: str, objects: dict[str, dict[str, Any]], *, now: float, version: str, server: str
) -> str:
    """`qstat -f -F json` (section Jobs), `-Qf -F json` (Queue) or `-Bf -F json` (Server)."""
    head = [f'    "timestamp":{int(now)}', f'    "pbs_version":"{version}"', f'    "pbs_server":"{server}"']
    if not objects:
        return "{\n" + ",\n".join(head) + "\n}"
    bodies = [
        f'        "{name}":{{\n' + ",\n".join(_members(attrs, 12)) + "\n        }"
        for name, attrs in objects.items()
    ]
    section_text = f'    "{section}":{{\n' + ",\n".join(bodies) + "\n    }"
    return "{\n" + ",\n".join([*head, section_text]) + "\n}\n"


# ---------------------------------------------------------------------- text
def attribute_line(name: str, value: Any, *, one_line: bool = False) -> str:
    """One `qstat -f` attribute as prt_attr() prints it (`name` may be `Resource_List.walltime`)."""
    text = str(value).encode("utf-8", "surrogateescape")
    if one_line:
        data = text.replace(b"\n", b"\\n").replace(b"\f", b"\\f")
        return f"    {name} = " + _text(data if "." in name else show_nonprint(data))
    out = bytearray(f"    {name} = ".encode())
    column = len(name) + 7
    pieces = [piece for piece in text.split(b",") if piece]
    for index, piece in enumerate(pieces):
        if len(piece) + column < LINE_LIMIT:
            out += show_nonprint(piece)
            column += len(piece)
        else:
            if index > 0:
                out += b"\n\t"
                column = 9
            for byte in piece:
                out += show_nonprint(bytes((byte,)))
                column += 1
                if column > LINE_LIMIT:
                    column = 8
                    out += b"\n\t"
        if index + 1 < len(pieces):
            out += b","
    return _text(bytes(out))


def flat_attributes(attrs: dict[str, Any]) -> list[tuple[str, Any]]:
    """(name, value) in print order, resource groups as `group.resource`, repeats one per entry."""
    rows: list[tuple[str, Any]] = []
    for key, value in attrs.items():
        if isinstance(value, dict):
            for sub, item in value.items():
                items = item if isinstance(item, list) else [item]
                rows.extend((f"{key}.{sub}", one) for one in items)
        elif isinstance(value, list):
            rows.extend((key, one) for one in value)
        else:
            rows.append((key, value))
    return rows


def full_text(header: str, objects: dict[str, dict[str, Any]], *, one_line: bool = False) -> str:
    """`qstat -f` / `-Qf` / `-Bf` text: `Job Id: X`, one line per attribute, a blank line after each."""
    blocks = []
    for name, attrs in objects.items():
        lines = [attribute_line(key, value, one_line=one_line) for key, value in flat_attributes(attrs)]
        blocks.append(f"{header}{name}\n" + "\n".join(lines) + "\n\n")
    return "".join(blocks)
