"""Byte counts as `daos` prints them (SI: `96 TB`, `3.0 TB`, `644 MB`)."""

from __future__ import annotations


def human_bytes(value: int | float | None) -> str:
    if value is None:
        return "?"
    number = float(value)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(number) < 1000:
            if unit == "B":
                return f"{int(number)} B"
            return f"{number:.1f} {unit}" if abs(number) < 10 else f"{number:.0f} {unit}"
        number /= 1000
    return f"{number:.1f} EB" if abs(number) < 10 else f"{number:.0f} EB"
