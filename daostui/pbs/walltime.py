"""PBS walltime values: parse what qsub accepts, format what qstat prints.

qsub accepts `HH:MM:SS`, `MM:SS` or plain seconds (pbs.md §2.1); qstat prints `HH:MM:SS` with
hours that may exceed 24 (e.g. `168:00:00`). One module so the job-script generator, the forms and
the qstat parsers agree on what a walltime means.
"""

from __future__ import annotations

import re

from daostui.core.errors import ParseError, ValidationError

_WALLTIME = re.compile(r"^\s*(?:(\d{1,4}):)?(?:(\d{1,2}):)?(\d{1,7})\s*$")


def parse_walltime(text: str) -> int:
    """Seconds in a PBS walltime string; raises ValidationError naming the accepted forms."""
    match = _WALLTIME.fullmatch(text or "")
    if not match:
        raise ValidationError(
            f"walltime {text!r} is not HH:MM:SS, MM:SS or seconds", field="walltime", rule="format"
        )
    first, second, last = match.groups()
    if first is not None and second is not None:
        hours, minutes, seconds = int(first), int(second), int(last)
    elif first is not None:
        hours, minutes, seconds = 0, int(first), int(last)
    else:
        hours, minutes, seconds = 0, 0, int(last)
    if (first is not None) and (minutes > 59 or seconds > 59) and second is not None:
        raise ValidationError(
            f"walltime {text!r}: minutes and seconds must be below 60", field="walltime", rule="range"
        )
    if first is not None and second is None and seconds > 59:
        raise ValidationError(f"walltime {text!r}: seconds must be below 60", field="walltime", rule="range")
    return hours * 3600 + minutes * 60 + seconds


def parse_walltime_value(text: str) -> int:
    """Like `parse_walltime` for tool output: raises ParseError (not a user mistake)."""
    try:
        return parse_walltime(text)
    except ValidationError as exc:
        raise ParseError(str(exc), excerpt=str(text)) from None


def format_walltime(seconds: int | float | None) -> str:
    """`HH:MM:SS` as PBS prints it (hours unbounded); empty for None."""
    if seconds is None:
        return ""
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"
