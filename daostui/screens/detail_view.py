"""The detail view every resource uses: a dialog showing the commands it runs, then what they said.

It fetches in the background (a progress bar meanwhile), shows a failure as the failure it is,
and retries a fetch that timed out (a slow PBS server, DAOS servers not answering) with back-off,
saying which attempt failed and when the next one comes; `r` fetches again at once.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.events import Key
from textual.timer import Timer
from textual.widgets import Label, LoadingIndicator, Static

from daostui.core.errors import CommandError
from daostui.core.failures import report_failure
from daostui.screens.base import DialogScreen

#: Seconds before each retry of a detail whose command timed out; after the last one it stops
#: and says so (`r` starts again). The pane refreshes back off the same way (core/refresh.py).
RETRY_DELAYS = (5.0, 15.0, 30.0, 60.0)


def kv_table(rows: Sequence[tuple[str, Any]]) -> Table:
    table = Table(show_header=False, box=None, expand=True, padding=(0, 1))
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("value", ratio=1)
    for name, value in rows:
        table.add_row(name, value if isinstance(value, Text) else Text(str(value)))
    return table


def when(moment: datetime | None, empty: str = "-") -> str:
    """A time as the detail views print it: local time, with the zone when the time carries one."""
    if moment is None:
        return empty
    if moment.tzinfo is not None:
        return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def timed_out(exc: BaseException) -> bool:
    """A command that did not answer in time (worth retrying later), not one that failed."""
    result = exc.result if isinstance(exc, CommandError) else None
    return bool(result is not None and result.timed_out)


class DetailScreen(DialogScreen[None]):
    BINDINGS = [Binding("escape,q", "close", "Close"), Binding("r", "reload", "Reload")]
    #: Back-off of the automatic retries after a timeout (tests shorten it).
    retry_delays: tuple[float, ...] = RETRY_DELAYS
    #: The frame's classes (dialogs.tcss): a view with a wide table takes the widest frame.
    DIALOG_CLASSES = "dialog -wide -tall -panel"

    def __init__(
        self,
        title: str,
        commands: Sequence[Sequence[str]],
        load: Callable[[], Awaitable[RenderableType]],
        *,
        keys: Mapping[str, Callable[[DetailScreen], None]] | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._commands = commands
        self._load = load
        #: Extra keys of this detail (a running job's `N`: its compute nodes).
        self._keys = dict(keys or {})
        #: Fetches since the last `r` (or the first open): 1, 2, … while timeouts are retried.
        self.attempt = 0
        #: Seconds until the next automatic retry (None: none is planned).
        self.retry_in: float | None = None
        self._step = 1.0
        self._retry_timer: Timer | None = None

    def on_key(self, event: Key) -> None:
        handler = self._keys.get(event.key)
        if handler is not None:
            event.stop()
            handler(self)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes=self.DIALOG_CLASSES):
            yield Label(self._title, classes="title")
            yield Static(
                escape("\n".join("$ " + shlex.join(list(c)) for c in self._commands)), classes="commands"
            )
            yield LoadingIndicator(id="loading")
            yield Static("", id="retry", classes="hint")
            yield Static("", id="body")

    def on_mount(self) -> None:
        self.query_one("#retry").display = False
        self.action_reload()

    def action_reload(self) -> None:
        """`r`: fetch now, counting attempts afresh."""
        self.attempt = 0
        self._fetch_again()

    def _fetch_again(self) -> None:
        self._stop_retry()
        self.attempt += 1
        self.query_one("#loading").display = True
        self.run_worker(self._fetch, exclusive=True, group="detail", exit_on_error=False)

    async def _fetch(self) -> None:
        retry = ""
        try:
            body: RenderableType = await self._load()
        except Exception as exc:  # noqa: BLE001 - shown, never fatal
            failure = report_failure(exc, self._title, timings=self.host.show_timings)
            body = Text(failure.text(), style="red")
            if timed_out(exc):
                retry = self._plan_retry()
        self.query_one("#loading").display = False
        self.query_one("#body", Static).update(body)
        self._show_retry(retry)

    def _plan_retry(self) -> str:
        """After a timeout: the next try, in `retry_delays[attempt-1]` seconds, or giving up."""
        if self.attempt > len(self.retry_delays):
            return f"Attempt {self.attempt} timed out too; no more automatic retries (r tries again)."
        self.retry_in = self.retry_delays[self.attempt - 1]
        self._step = min(1.0, self.retry_in)
        self._retry_timer = self.set_interval(self._step, self._tick)
        return self._retry_text()

    def _retry_text(self) -> str:
        total = len(self.retry_delays) + 1
        return (
            f"Attempt {self.attempt} of {total} timed out: retrying in {self.retry_in:.0f}s "
            f"(attempt {self.attempt + 1}; r retries now)."
        )

    def _tick(self) -> None:
        if self.retry_in is None:
            return
        self.retry_in = max(0.0, self.retry_in - self._step)
        if self.retry_in <= 0:
            self._fetch_again()
            self._show_retry(f"Attempt {self.attempt} of {len(self.retry_delays) + 1}…")
        else:
            self._show_retry(self._retry_text())

    def _stop_retry(self) -> None:
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        self.retry_in = None

    def _show_retry(self, text: str) -> None:
        widget = self.query_one("#retry", Static)
        widget.update(text)
        widget.display = bool(text)

    def action_close(self) -> None:
        self._stop_retry()
        self.dismiss(None)
