"""When a change reached the screen: the frame that first shows it, not "the process went idle".

Textual draws a frame when its screen-update timer fires after a widget asked to repaint; the
frame is made by `App._display` (which, headless, writes nothing). `PaintedApp` records the
moment the first frame for which a condition holds was made — e.g. "the table shows 10^5 rows"
— so a figure is the latency a user sees. (Pilot's `pause()` waits until the process has been
idle for 20 ms, which adds a floor of 20–40 ms to every figure and counts background work.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.app import App

DEADLINE = 120.0


class PaintedApp(App[None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._condition: Callable[[], bool] | None = None
        self._painted = asyncio.Event()
        self._painted_at = 0.0
        self.frames = 0

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is None:
            return
        self.frames += 1
        if self._condition is not None and self._condition():
            self._condition = None
            self._painted_at = time.perf_counter()
            self._painted.set()

    async def painted(self, start: float, condition: Callable[[], bool]) -> float:
        """Seconds from `start` to the first frame made once `condition()` holds."""
        self._painted.clear()
        self._condition = condition
        await asyncio.wait_for(self._painted.wait(), DEADLINE)
        return self._painted_at - start


async def until(condition: Callable[[], bool], step: float = 0.005) -> float:
    """Wait (polling every `step`) until `condition()` holds; the seconds it took."""
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > DEADLINE:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(step)
    return time.perf_counter() - start
