"""The mounts table (`/proc/mounts` format): fields separated by spaces, with octal escapes.

Spaces, tabs, newlines and backslashes in paths are written as `\\040`, `\\011`, `\\012`, `\\134`.
Lines that do not have the six fields are skipped (the kernel never writes them; a partial read
may), but text with content and not one parseable line is an error.
"""

from __future__ import annotations

import re

from daostui.core.errors import ParseError
from daostui.mounts.models import MountEntry

_OCTAL = re.compile(r"\\([0-7]{3})")


def unescape(field: str) -> str:
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), field)


def parse_mounts(text: str) -> list[MountEntry]:
    entries = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 6 or not fields[4].isdecimal() or not fields[5].isdecimal():
            continue
        source, path, fstype, options, freq, passno = fields
        entries.append(
            MountEntry(
                unescape(source), unescape(path), fstype, tuple(options.split(",")), int(freq), int(passno)
            )
        )
    if not entries and text.strip():
        raise ParseError("no mount table lines", excerpt=text, source="mounts table")
    return entries


def dfuse_mounts(entries: list[MountEntry]) -> list[MountEntry]:
    """dfuse mounts are recognised by type `fuse.daos` (their source is always `dfuse`)."""
    return [entry for entry in entries if entry.is_dfuse]
