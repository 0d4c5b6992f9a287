"""A Static that repaints only when its content really changes.

`Static.update` always asks for a layout pass, which re-arranges the whole screen. Titles, tabs and
hints are set on every refresh and every age tick with the same text most of the time; skipping those
no-op updates is what keeps frames short while many commands complete at once.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class QuietStatic(Static):
    """`FIXED_HEIGHT`: one-line widgets whose size never depends on their text skip the layout pass."""

    FIXED_HEIGHT = False
    _shown: Any = None

    def show(self, content: Any) -> None:
        if content == self._shown:
            return
        self._shown = content
        self.update(content, layout=not self.FIXED_HEIGHT)
