"""One cold start to first frame, headless; run as a fresh process by `startup.py`.

`python -m benchmarks.startup_probe minimal|daostui DEMO_DIR`
"""

from __future__ import annotations

import sys


def minimal() -> None:
    from textual.app import App
    from textual.widgets import DataTable, Footer, Header

    class Minimal(App[None]):
        def compose(self):
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self.exit)  # the first frame has been composed and painted

    Minimal().run(headless=True, size=(120, 35))


def daostui(demo_dir: str) -> None:
    from pathlib import Path

    from daostui.cli import pause_collector

    pause_collector()  # as the console's command line does before it imports the app
    from daostui.app import DaosTui
    from daostui.core.session import demo_session

    class FirstFrame(DaosTui):
        def console_ready(self) -> None:
            super().console_ready()
            self.call_after_refresh(self.exit)  # the first frame has been composed and painted

    FirstFrame(demo_session(Path(demo_dir)), auto_refresh=False).run(headless=True, size=(120, 35))


if __name__ == "__main__":
    if sys.argv[1] == "minimal":
        minimal()
    else:
        daostui(sys.argv[2])
