"""Frame pacing: the next frame after a late one comes at the next 60 Hz tick, not the one after.

Textual draws a screen when its update timer ticks (every 1/60 s while something is dirty; the
timer is paused otherwise and resumed by the screen's idle handler). When a tick fires late —
always the case for the first frame after a pause — `Timer._run` (Textual 8.2.8) skips ahead to
`int(elapsed / interval + 1)` and then waits for the tick *after* that one: the next frame is
one to two intervals away (17–33 ms) instead of at most one. A keystroke that arrives shortly
after a frame (a user typing a filter) therefore waited on average 25 ms for a frame that was
ready after 8, which was most of the "next filter keystroke" figure of issue 17.

`install` replaces `Timer._run` with the same loop whose skip lands on the next tick. Nothing
else changes: ticks stay on the timer's grid, so frames are still at most 60 a second. Textual
is pinned exactly; `tests/test_frame_pacing.py` fails when the pinned loop's source changes, so
an upgrade re-examines this (and drops it if upstream has fixed the skip).
"""

from __future__ import annotations

from textual import _time
from textual._time import sleep
from textual.timer import EventTargetGone, Timer

#: The replaced loop, kept for the test that pins its source.
ORIGINAL_RUN = Timer._run


async def _run(self: Timer) -> None:
    """Textual's `Timer._run`, except that skipping late ticks lands on the next one."""
    count = 0
    _repeat = self._repeat
    _interval = self._interval
    self._active  # noqa: B018 - force the Event's creation in this thread, as Textual does
    await self._active.wait()
    start = _time.get_time()

    while _repeat is None or count <= _repeat:
        next_timer = start + ((count + 1) * _interval)
        now = _time.get_time()
        if self._skip and next_timer < now:
            # Textual: int(... + 1), which makes the next tick the one after the next
            count = int((now - start) / _interval)
            continue
        wait_time = max(0, next_timer - now)
        await sleep(wait_time)
        count += 1
        await self._active.wait()
        if self._reset:
            start = _time.get_time()
            count = 0
            self._reset = False
            continue
        try:
            await self._tick(next_timer=next_timer, count=count)
        except EventTargetGone:
            break


def install() -> None:
    """Use the corrected loop for every timer started from now on (idempotent)."""
    Timer._run = _run  # type: ignore[method-assign]
