"""Readers for PBS attribute values as `qstat` prints them (JSON or text, typed or not).

The old JSON writer types values by what `strtod` accepts and the text form types nothing, so
every reader takes whatever came (str, int, float) and answers None for what it cannot read:
an odd value shows as absent, never as a crash.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

_RANGE = re.compile(r"(\d+)(?:-(\d+)(?::(\d+))?)?")


def text_value(value: Any) -> str:
    return "" if value is None else str(value)


def seconds_value(value: Any) -> int | None:
    """`HH:MM:SS` / `MM:SS` / seconds (walltime, eligible_time) → seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # JSON's Infinity and NaN decode to floats that no integer holds
        return int(value) if math.isfinite(value) else None
    parts = str(value).strip().split(":")
    if not all(p.isascii() and p.isdigit() for p in parts) or len(parts) > 3:
        return None
    total = 0
    for part in parts:
        total = total * 60 + int(part)
    return total


def ctime_value(value: Any) -> datetime | None:
    """The local-time `ctime()` strings qstat prints for ctime, stime, estimated.start_time …"""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.strptime(" ".join(value.split()), "%a %b %d %H:%M:%S %Y")
    except ValueError:
        return None


def epoch_value(value: Any) -> datetime | None:
    """`history_timestamp` is printed as epoch seconds (qstat converts only the ctime-like times)."""
    try:
        return datetime.fromtimestamp(int(str(value).strip()))
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_state_count(value: Any) -> dict[str, int]:
    """`Queued:3 Running:1 Exiting:0 Expired:0` (array_state_count, state_count) → counts by name."""
    counts = {}
    for item in str(value or "").split():
        name, _, number = item.partition(":")
        if number.isdecimal():
            counts[name] = int(number)
    return counts


def _ranges(spec: str) -> list[tuple[int, int, int]]:
    found = []
    for part in (spec or "").split(","):
        match = _RANGE.fullmatch(part.strip())
        if match:
            first = int(match.group(1))
            found.append((first, int(match.group(2) or first), int(match.group(3) or 1) or 1))
    return found


def expand_indices(spec: str) -> list[int]:
    """Array index ranges as qsub -J and qstat print them: `1-4`, `0-99:2`, `1,3,5-7`; `-` is none."""
    return [index for first, last, step in _ranges(spec) for index in range(first, last + 1, step)]


def count_indices(spec: str) -> int:
    """How many indices `spec` names, without listing them."""
    return sum(max(0, (last - first) // step + 1) for first, last, step in _ranges(spec))


def id_head(job_id: str) -> str:
    """`1234[7]` of `1234[7].server`: what a short id and the full id the server answers share."""
    return job_id.split(".", 1)[0]


def subjob_id(array_id: str, index: int | str) -> str:
    """`1234[7].server` from an array's id (`1234[].server`, or any of its subjobs' ids); index ""
    gives the array's own id."""
    head, dot, rest = array_id.partition(".")
    return f"{head.split('[', 1)[0]}[{index}]{dot}{rest}"
