"""go-humanize's byte formatting, as `daos` prints sizes (`96 TB`, `3.0 TB`, `2.0 MiB`)."""

from __future__ import annotations

import math

SI = ("B", "kB", "MB", "GB", "TB", "PB", "EB")
IEC = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def _humanate(value: int, base: int, sizes: tuple[str, ...]) -> str:
    if value < 10:
        return f"{value} B"
    exponent = min(math.floor(math.log(value) / math.log(base)), len(sizes) - 1)
    scaled = math.floor(value / base**exponent * 10 + 0.5) / 10
    return f"{scaled:.0f} {sizes[exponent]}" if scaled >= 10 else f"{scaled:.1f} {sizes[exponent]}"


def si_bytes(value: int) -> str:
    return _humanate(int(value), 1000, SI)


def iec_bytes(value: int) -> str:
    return _humanate(int(value), 1024, IEC)


def parse_bytes(text: str) -> int:
    """humanize.ParseBytes: `2097152`, `2MiB`, `2MB` (= 2,000,000), `1.5 GB`."""
    import re

    match = re.match(r"^\s*([0-9.]+)\s*([A-Za-z]*)\s*$", text)
    if not match:
        raise ValueError(text)
    units = {
        "": 1,
        "b": 1,
        "k": 1000,
        "kb": 1000,
        "m": 10**6,
        "mb": 10**6,
        "g": 10**9,
        "gb": 10**9,
        "t": 10**12,
        "tb": 10**12,
        "ki": 1024,
        "kib": 1024,
        "mi": 1024**2,
        "mib": 1024**2,
        "gi": 1024**3,
        "gib": 1024**3,
        "ti": 1024**4,
        "tib": 1024**4,
    }
    unit = match.group(2).lower()
    if unit not in units:
        raise ValueError(text)
    return int(float(match.group(1)) * units[unit])


def tabwriter(rows: list[list[str]]) -> str:
    """Go text/tabwriter with padding 1: every cell left-aligned and followed by at least one space."""
    widths = [max(len(row[i]) for row in rows if i < len(row)) + 1 for i in range(max(map(len, rows)))]
    return "".join("".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + "\n" for row in rows)


def table(header: list[str], data: list[list[str]]) -> str:
    return tabwriter([header, ["-" * len(h) for h in header], *data])
