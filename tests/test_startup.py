"""Start-up: the console's first frame is the whole console, reached without needless work (issue 17).

The collector is paused from the command line until the first frame (the app resumes and freezes
it), the header and the hint are composed filled, and the footer builds its keys once.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from daostui import cli
from daostui.app import DaosTui
from daostui.core.first_start import OFFER
from daostui.widgets.footer import ConsoleFooter, ConsoleFooterKey
from daostui.widgets.header import StatusHeader
from tests.conftest import make_app
from tests.pilot_helpers import rendered, wait_for, wait_loaded


def test_the_console_command_pauses_the_collector_until_the_app_runs(
    demo_dir: Path, monkeypatch: Any
) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(DaosTui, "run", lambda self, *a, **k: seen.append(gc.isenabled()))
    try:
        assert cli.main(["--demo", "--demo-dir", str(demo_dir)]) == 0
        assert seen == [False]
        assert gc.isenabled()  # the console has ended: collected as usual again
    finally:
        gc.enable()


def test_a_console_that_does_not_start_collects_as_usual(demo_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "solarised"\n')
    try:
        assert cli.main(["--demo", "--demo-dir", str(demo_dir), "--config", str(config)]) == 2
        assert gc.isenabled()
    finally:
        gc.enable()


async def test_the_app_resumes_and_freezes_the_collector_once_the_console_is_on_screen(demo_session) -> None:
    app = make_app(demo_session)
    gc.disable()  # as `daostui` starts it
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            await wait_for(pilot, gc.isenabled, what="the collector resumed")
            assert gc.get_freeze_count() > 0
            await wait_loaded(pilot, app)
    finally:
        gc.enable()


class _Recording(DaosTui):
    """Records what the console shows when it is first on screen, before the app fills anything."""

    seen: dict[str, Any]

    def console_ready(self) -> None:
        screen = self.main_screen
        header = screen.query_one(StatusHeader)
        hint = screen.query_one("#hint")
        self.seen = {
            "header": str(header.render()),
            "hint": rendered(hint) if hint.display else "",
            "footer builds": 0,
        }
        footer = screen.query_one(ConsoleFooter)
        original = footer.recompose

        async def counted() -> None:
            self.seen["footer builds"] += 1
            await original()

        footer.recompose = counted  # type: ignore[method-assign]
        super().console_ready()


async def test_the_first_frame_has_the_header_and_the_hint_and_the_footer_is_built_once(demo_session) -> None:
    app = _Recording(demo_session, auto_refresh=False, show_host=False, first_start=True)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.pause()
        header = app.seen["header"]
        assert "DEMO" in header and demo_session.user in header
        assert OFFER in app.seen["hint"]
        footer = app.main_screen.query_one(ConsoleFooter)
        assert app.seen["footer builds"] == 1, "the footer was rebuilt for the same keys and width"
        keys = list(footer.query(ConsoleFooterKey))
        assert keys and all(key.has_class("-compact") == footer.compact for key in keys)
