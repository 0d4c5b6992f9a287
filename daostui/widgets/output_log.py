"""A bounded, follow-able log of a command's output lines, measured on the event loop.

Textual's `Log.write_lines` (and `write_line`) hands the width measurement of every batch of new
lines to a thread worker. For a followed job that is one thread per line, and a measurement still
queued when the console quits runs after the app has gone (`NoActiveAppError`, which fails the
exit). Lines reach this widget already split by the transport (at most 64 KiB each), so measuring
them where they arrive costs little and leaves nothing behind. Blank lines are kept: a job's output
is shown as the job wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

from textual.widgets import Log


class OutputLog(Log):
    def write_lines(self, lines: Iterable[str], scroll_end: bool | None = None) -> Self:
        new = [part for line in lines for part in (line.splitlines() or [""])]
        if not new:
            return self
        # follow the end only when the view is there already (the user may have scrolled up to read)
        follow = (
            (self.auto_scroll if scroll_end is None else scroll_end)
            and self.is_vertical_scroll_end
            and not self.is_vertical_scrollbar_grabbed
        )
        return self.write("".join(part + "\n" for part in new), scroll_end=follow)
