"""Waiting helpers for Pilot tests: poll a condition instead of sleeping a guessed time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


async def wait_for(
    pilot: Any, predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition"
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def wait_screen(pilot: Any, app: Any, name: str, timeout: float = 30.0) -> Any:
    """The screen on top once it is `name` and composed and mounted (its on_mount has run)."""
    await wait_for(
        pilot,
        lambda: type(app.screen).__name__ == name and app.screen.is_mounted,
        timeout,
        what=f"screen {name}",
    )
    return app.screen


def focused_id(app: Any) -> str:
    """The id of the focused widget ("" when nothing has the focus)."""
    return getattr(app.focused, "id", "") or ""


def footer_keys(app: Any) -> dict[str, bool]:
    """The keys the console's footer shows, each with whether it is enabled (not greyed out)."""
    from daostui.widgets.footer import ConsoleFooter

    footer = app.main_screen.query_one(ConsoleFooter)
    return {key.key: not key.has_class("-disabled") for key in footer.query("FooterKey")}


def rendered(widget: Any) -> str:
    """What a Static/Label shows, as plain text."""
    return str(widget.render())


async def wait_loaded(pilot: Any, app: Any, *panes: str) -> None:
    wanted = set(panes or ("pools", "containers", "mounts", "jobs"))
    await wait_for(pilot, lambda: wanted <= app.data.loaded, what=f"first refresh of {sorted(wanted)}")
    await wait_for(
        pilot, lambda: not any(p.running for p in app.policies.values()), what="refreshes to settle"
    )
    await pilot.pause(0.05)


async def finish_run(pilot: Any, app: Any, timeout: float = 30.0) -> Any:
    """Wait for the RunScreen on top to finish; returns it (still open, showing its outcome)."""
    screen = await wait_screen(pilot, app, "RunScreen")
    await wait_for(pilot, lambda: screen.finished, timeout, what="the action to finish")
    await pilot.pause(0.05)
    return screen
