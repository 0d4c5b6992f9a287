"""Shared pieces of the `daos` parsers: numbers, sizes, the `--json` envelope, tabwriter tables.

Text tables are cut by the column offsets of their dash line (tabwriter pads with single spaces
and cells such as `96 TB` contain spaces, so splitting on blanks is unsafe); entity blocks
(`  Key   : value`) are matched line by line.
"""

from __future__ import annotations

import math
import re
from typing import Any

from daostui.core.errors import ParseError
from daostui.core.json_decode import decode

_UNITS = {
    "": 1,
    "B": 1,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "PB": 1000**5,
    "EB": 1000**6,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
    "TIB": 1024**4,
    "PIB": 1024**5,
}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$")
_INTEGER = re.compile(r"^\s*-?[0-9]+\s*$")
DER = re.compile(r"(DER_[A-Z_]+)\((-?\d+)\)")


def parse_size(text: str) -> int:
    """`3.0 TB` → 3_000_000_000_000; `1.0 MiB` → 1_048_576 (humanize's SI and IEC units)."""
    match = _SIZE.match(text or "")
    if not match or match.group(2).upper() not in _UNITS:
        raise ParseError(f"not a size: {text!r}", excerpt=text, source="daos")
    value = float(match.group(1)) * _UNITS[match.group(2).upper()]
    if not math.isfinite(value):
        raise ParseError(f"size out of range: {text!r}", excerpt=text, source="daos")
    return int(value)


def as_int(value: Any, what: str) -> int:
    """DAOS numbers are 64-bit (sizes, HLC times); anything else is not daos output."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INTEGER.match(value) and len(value) < 40:
        number = int(value.strip())
    if number is None or not -(2**63) <= number < 2**64:
        shown = repr(value[:40]) if isinstance(value, str) else type(value).__name__  # str(10**5000) fails
        raise ParseError(f"{what}: expected a 64-bit number, got {shown}", source="daos")
    return number


def as_str(value: Any, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise ParseError(f"{what}: expected text, got {type(value).__name__}", source="daos")


def as_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"{what}: expected an object, got {type(value).__name__}", source="daos")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"{what}: expected a list, got {type(value).__name__}", source="daos")
    return value


def parse_der(text: str) -> tuple[str, int | None]:
    """(`DER_NONEXIST`, -1005) from any error text, or ("", None)."""
    match = DER.search(text or "")
    return (match.group(1), int(match.group(2))) if match else ("", None)


def parse_envelope(stdout: str) -> tuple[Any, str | None, int]:
    """(response, error, status) of `daos -j` output: `{"response", "error", "status"}`."""
    try:
        data = decode(stdout)  # json.loads; 10^5 containers decoded one by one (`core.json_decode`)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"daos did not print JSON: {exc}", excerpt=stdout, source="daos -j") from None
    if not isinstance(data, dict) or "response" not in data or "status" not in data:
        raise ParseError(
            "daos JSON lacks the response/error/status envelope", excerpt=stdout, source="daos -j"
        )
    error = data.get("error")
    if error is not None and not isinstance(error, str):
        raise ParseError("daos JSON 'error' is not text", excerpt=stdout, source="daos -j")
    return data["response"], error, as_int(data["status"], "status")


def as_bool(value: Any, what: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise ParseError(f"{what}: expected true or false, got {type(value).__name__}", source="daos")


def table(text: str, expected_first: str) -> list[dict[str, str]]:
    """Rows of a tabwriter table whose header starts with `expected_first`, cut by the dash line."""
    lines = [line.rstrip("\n") for line in text.splitlines()]
    for index, line in enumerate(lines[:-1]):
        if line.split()[:1] == [expected_first] and set(lines[index + 1].replace(" ", "")) == {"-"}:
            dashes = lines[index + 1]
            starts = [m.start() for m in re.finditer(r"-+", dashes)]
            names = [line[s:e].strip() for s, e in zip(starts, [*starts[1:], None], strict=True)]
            rows = []
            for row in lines[index + 2 :]:
                if not row.strip():
                    break
                cells = [
                    row[s:e].strip() if s < len(row) else ""
                    for s, e in zip(starts, [*starts[1:], None], strict=True)
                ]
                rows.append(dict(zip(names, cells, strict=True)))
            return rows
    raise ParseError(f"no table with a {expected_first!r} column", excerpt=text, source="daos")


ENTITY = re.compile(r"^\s{2}(.+?)\s*: (.*?)\s*$")


def entity(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for line in text.splitlines() if (m := ENTITY.match(line))}
