"""The kernel's own mount table, for the simulator's real FUSE mounts.

A real dfuse mount is `dfuse <path> fuse.daos <options> 0 0` in `/proc/mounts` (paths with
octal escapes for space, tab, newline and backslash). The simulator keeps its own registry of the
mounts it made; this module tells which of them the kernel still has, and gives their lines
verbatim so the demo's mounts table shows exactly what the kernel shows.
"""

from __future__ import annotations

import re
from pathlib import Path

PROC_MOUNTS = Path("/proc/self/mounts")
_OCTAL = re.compile(r"\\([0-7]{3})")


def unescape(field: str) -> str:
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), field)


def dfuse_lines() -> dict[str, str]:
    """{mount point: its /proc/mounts line} for every `fuse.daos` mount this namespace can see."""
    try:
        text = PROC_MOUNTS.read_text(errors="replace")
    except OSError:
        return {}
    found = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 6 and fields[2] == "fuse.daos":
            found[unescape(fields[1])] = line + "\n"
    return found


def dfuse_paths() -> set[str]:
    return set(dfuse_lines())


def is_mounted(path: str) -> bool:
    return path in dfuse_paths()
