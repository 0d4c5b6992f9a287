"""Frame pacing (`daostui.widgets.frame_pacing`): after a late tick, the next one is the next on the grid.

The timer loop runs on a fake clock, so the figures are exact: a 1 s interval timer whose first
tick takes 2.5 s (ends at 3.5 s) must tick next at 4 s; Textual's own loop ticks at 5 s.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
from typing import Any

import pytest
from textual import _time
from textual._context import active_app
from textual.timer import Timer

from daostui.widgets import frame_pacing

#: sha256 of `textual.timer.Timer._run` in the pinned Textual (8.2.8). A new Textual changes it:
#: then check whether upstream still skips to the tick after the next, and drop or redo the fix.
PINNED_RUN = "60c942a84c1a8765932ea4fe897d61a94d0a74dcd249ec0b4a6aad75757ade50"


class _App:
    """What a timer's tick reads of the running app."""

    _exit = False
    features: frozenset[str] = frozenset()

    def _handle_exception(self, error: Exception) -> None:
        raise error


class _Target:
    """What a timer is attached to (held by a weak reference)."""


async def _tick_times(run: Any, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    clock = [0.0]
    ticks: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        clock[0] += seconds
        await asyncio.sleep(0)

    def on_tick() -> None:
        ticks.append(clock[0])
        if len(ticks) == 1:
            clock[0] += 2.5  # the first tick (a frame) takes two and a half intervals

    monkeypatch.setattr(_time, "get_time", lambda: clock[0])
    monkeypatch.setattr(frame_pacing, "sleep", fake_sleep)
    monkeypatch.setattr("textual.timer.sleep", fake_sleep)
    target = _Target()
    timer = Timer(target, 1.0, callback=on_tick)  # type: ignore[arg-type]
    token = active_app.set(_App())  # type: ignore[arg-type]
    try:
        task = asyncio.create_task(run(timer))
        for _ in range(1000):  # the fake clock never waits: a few dozen passes are plenty
            if len(ticks) >= 2 or task.done():
                break
            await asyncio.sleep(0)
        if task.done():
            task.result()  # a loop that ended (or failed) before its second tick says why
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        active_app.reset(token)
    return ticks


def test_the_pinned_textual_timer_loop_is_the_one_the_fix_was_made_for() -> None:
    source = inspect.getsource(frame_pacing.ORIGINAL_RUN)
    assert hashlib.sha256(source.encode()).hexdigest() == PINNED_RUN, (
        "Textual's Timer._run changed: re-examine daostui/widgets/frame_pacing.py"
    )
    assert "int((now - start) / _interval + 1)" in source


def test_importing_the_widgets_installs_the_corrected_loop() -> None:
    assert Timer._run is frame_pacing._run


async def test_after_a_late_tick_the_next_is_the_next_on_the_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    assert await _tick_times(frame_pacing._run, monkeypatch) == [1.0, 4.0]


async def test_textuals_own_loop_skipped_one_tick_more(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the fix is for: the same timer under the pinned loop waits until 5 s."""
    assert await _tick_times(frame_pacing.ORIGINAL_RUN, monkeypatch) == [1.0, 5.0]
