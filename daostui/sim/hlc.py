"""HLC timestamps as DAOS makes and prints them (gurt/hlc.c, lib/daos/hlc.go, common/time_utils.go).

An HLC counts 1/16 ns since 2021-01-01 00:00:00 UTC; `d_hlc_get()` takes the physical time with
its low 18 bits cleared and, when that is not newer than the last HLC it handed out, returns the
last one + 1 (the logical counter). The simulator keeps that last value in its DAOS state so its
HLCs are monotonic across commands like a server's.

`daos` prints an HLC with Go's `time.Time.String()` in the local zone
(`2024-11-21 18:54:29.280923648 +0800 CST`: nanoseconds with trailing zeros trimmed, no fraction
at all on a whole second) and snapshot timestamps with `common.FormatTime`
(`2006-01-02T15:04:05.000-07:00`).
"""

from __future__ import annotations

import time
from typing import Any

HLC_START_SEC = 1_609_459_200
HLC_NSEC = 16
HLC_MASK = 0x3FFFF
_NS = 1_000_000_000


def physical(unix_ns: int) -> int:
    """`d_hlc_localtime_get`: the physical part of an HLC for a Unix time (low 18 bits cleared)."""
    return ((unix_ns - HLC_START_SEC * _NS) * HLC_NSEC) & ~HLC_MASK


def next_hlc(data: dict[str, Any], unix_ns: int | None = None) -> int:
    """`d_hlc_get`: a new HLC, after every one handed out before (kept in `data["hlc"]`)."""
    pt = physical(time.time_ns() if unix_ns is None else unix_ns)
    last = int(data.get("hlc") or 0)
    value = pt if (last & ~HLC_MASK) < pt else last + 1
    data["hlc"] = value
    return value


def unix_ns(hlc: int) -> int:
    """`d_hlc2unixnsec`."""
    return hlc // HLC_NSEC + HLC_START_SEC * _NS


def _zone(struct: time.struct_time) -> str:
    offset = struct.tm_gmtoff or 0
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{sign}{hours:02d}{minutes:02d}"


def go_string(hlc: int) -> str:
    """`daos.HLC(hlc).String()`: Go's `time.Time.String()` of the HLC's time in the local zone."""
    seconds, nanos = divmod(unix_ns(hlc), _NS)
    local = time.localtime(seconds)
    fraction = ("." + f"{nanos:09d}".rstrip("0")) if nanos else ""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", local)
    return f"{stamp}{fraction} {_zone(local)} {local.tm_zone}"


def iso_string(hlc: int) -> str:
    """`common.FormatTime(daos.HLC(hlc).ToTime())`: `2006-01-02T15:04:05.000-07:00`."""
    seconds, nanos = divmod(unix_ns(hlc), _NS)
    local = time.localtime(seconds)
    zone = _zone(local)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', local)}.{nanos // 1_000_000:03d}{zone[:3]}:{zone[3:]}"
