"""DAOS hybrid logical clock (HLC) times, decoded exactly as DAOS decodes them.

An HLC (gurt/hlc.c, daos-stack/daos release/2.6.4-aurora and release/2.8) counts units of 1/16 ns
since 2021-01-01 00:00:00 UTC (`D_HLC_START_SEC`, `D_HLC_NSEC`); its low 18 bits are a logical
counter, but DAOS's own conversion `d_hlc2unixnsec(hlc) = hlc / 16 + D_HLC_START_SEC * 1e9` does
not mask them, and neither do we, so a time shows the nanoseconds DAOS prints.

`daos container query` shows HLCs as `%#x (%s)` (2.6) or `%s (%#x)` (2.8), the `%s` being Go's
`time.Time.String()` in the local zone (`2024-11-21 18:54:29.280923648 +0800 CST`, fraction with
trailing zeros trimmed); 2.8's JSON carries that string instead of the number. `list-snap -j` and
`create-snap -j` print snapshot timestamps as `2006-01-02T15:04:05.000-07:00`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

HLC_START_SEC = 1_609_459_200
HLC_NSEC = 16
HLC_LOGICAL_BITS = 18
_NS = 1_000_000_000

#: Go's `time.Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST` (zone name optional).
_GO_TIME = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?"
    r"\s*(Z|[+-]\d\d:?\d\d)(?:\s+(\S+))?\s*$"
)


def hlc_to_unix_ns(hlc: int) -> int:
    """`d_hlc2unixnsec`: nanoseconds since the Unix epoch."""
    return hlc // HLC_NSEC + HLC_START_SEC * _NS


def unix_ns_to_hlc(unix_ns: int) -> int:
    """`d_unixnsec2hlc`: 0 for times before 2021 (DAOS's "impossible" value)."""
    start = HLC_START_SEC * _NS
    return (unix_ns - start) * HLC_NSEC if unix_ns >= start else 0


def hlc_to_datetime(hlc: int) -> datetime | None:
    """The UTC time of an HLC (microsecond precision); None for 0, which DAOS uses for "never"."""
    if not hlc or hlc < 0:
        return None
    try:
        seconds, nanos = divmod(hlc_to_unix_ns(hlc), _NS)
        return datetime.fromtimestamp(seconds, tz=UTC) + timedelta(microseconds=nanos // 1000)
    except (OverflowError, OSError, ValueError):
        return None


def parse_go_time(text: str) -> tuple[int, timezone] | None:
    """(Unix ns, printed zone offset) of a Go time string, or None when it is not one.

    Accepts `time.Time.String()` (2.8's container JSON) and the ISO form of snapshot timestamps.
    """
    match = _GO_TIME.match(text or "")
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = (match.group(7) or "").ljust(9, "0")
    zone = match.group(8)
    if zone == "Z":
        offset = timedelta(0)
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        tz = timezone(offset)
        moment = datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None
    return int(moment.timestamp()) * _NS + int(fraction), tz


def go_time_to_hlc(text: str) -> int | None:
    """The HLC a Go time string stands for (exact to the nanosecond), or None."""
    parsed = parse_go_time(text)
    return unix_ns_to_hlc(parsed[0]) if parsed else None
