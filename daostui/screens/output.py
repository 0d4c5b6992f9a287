"""Follow a job's stdout (.o) and stderr (.e) live, side by side or one at a time.

Output is followed with `tail -n +1 -F FILE` through the session's transport, so it works the same
locally, over ssh and in demo mode; GNU tail retries until the file appears (jobs create it when
they start, `-k doe`) and falls back to polling on file systems without inotify (Lustre, NFS).
Each view is a bounded line buffer (`OutputLog` with `max_lines`), so a chatty job cannot eat memory
and a very long line cannot stall the UI (the transport splits lines over 64 KiB).

The title follows the job's state. The jobs pane refreshes every 30 s or more, so the screen asks
PBS itself (`qstat -f` of this one job): when the first output line arrives (the job has surely
started) and every `STATE_POLL` seconds while it can still change.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label, Log

from daostui.screens.base import HostAccess
from daostui.widgets.output_log import OutputLog

if TYPE_CHECKING:
    from daostui.pbs.models import Job

MAX_LINES = 20_000
#: Seconds between two state queries of the followed job, until it has finished.
STATE_POLL = 10.0


class OutputScreen(Screen[None], HostAccess):
    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("s", "toggle_layout", "Side by side / single"),
        Binding("tab", "switch", "stdout ⇄ stderr"),
        Binding("f", "toggle_follow", "Follow / pause"),
    ]

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.follow = True
        self.lines_seen = {"out": 0, "err": 0}
        #: The job as this screen last asked PBS (None until it asked); fresher than the pane's.
        self.latest: Job | None = None

    def compose(self) -> ComposeResult:
        yield Label(f"Job {self.job.short_id} {self.job.name} — {self.job.state_name}", id="title")
        with Horizontal(id="views"):
            with Vertical(classes="view -current", id="view-out"):
                yield Label(f"stdout  {self.job.output_path or '(unknown)'}")
                yield OutputLog(max_lines=MAX_LINES, id="log-out", auto_scroll=True)
            with Vertical(classes="view", id="view-err"):
                yield Label(f"stderr  {self.job.error_path or '(unknown)'}")
                yield OutputLog(max_lines=MAX_LINES, id="log-err", auto_scroll=True)
        yield Footer()

    def on_mount(self) -> None:
        if self.size.width < 100:
            self.add_class("-single")
        for name, path in (("out", self.job.output_path), ("err", self.job.error_path)):
            if path:
                self.run_worker(
                    partial(self._follow, name, path), group=f"follow-{name}", exit_on_error=False
                )
        self.query_one("#log-out", Log).focus()
        self.set_interval(2.0, self._update_title)
        self.set_interval(STATE_POLL, self.ask_state)

    def ask_state(self) -> None:
        """Ask PBS for the job's state now (one `qstat -f` of this job), unless it has finished."""
        job = self.latest or self.job
        if not job.is_finished and self.is_attached:
            self.run_worker(self._ask_state, group="job-state", exclusive=True, exit_on_error=False)

    async def _ask_state(self) -> None:
        try:
            result = await self.host.session.pbs.status([self.job.id])
        except Exception:  # noqa: BLE001 - the title keeps the last known state; the next poll retries
            return
        job = next((j for j in result.jobs if j.id == self.job.id), None)
        if job is not None:
            self.latest = job
            self._update_title()

    def _update_title(self) -> None:
        """The job's state as last seen (queued → running → finished, live): this screen's own
        query, else what the jobs pane knows."""
        job = self.latest or self.host.data.tracker.get(self.job.id)
        if job is not None and self.is_attached:
            state = job.state_name + (f", {job.exit_text}" if job.is_finished and job.exit_text else "")
            for title in self.query("#title").results(Label):  # none while the app shuts down
                title.update(f"Job {job.short_id} {job.name} — {state}")

    async def _follow(self, name: str, path: str) -> None:
        import shlex

        pbs = self.host.session.pbs
        log = self.query_one(f"#log-{name}", OutputLog)
        log.write_line(f"$ {shlex.join(pbs.argv_follow(path))}")
        try:
            async for line in pbs.follow(path):
                if not any(self.lines_seen.values()):
                    self.ask_state()  # output means the job started: the title must not say Queued
                self.lines_seen[name] += 1
                log.write_line(line)
        except Exception as exc:  # noqa: BLE001 - shown in the view
            log.write_line(f"[following stopped: {exc}]")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_toggle_layout(self) -> None:
        self.toggle_class("-single")

    def action_switch(self) -> None:
        out, err = self.query_one("#view-out"), self.query_one("#view-err")
        current, other = (out, err) if out.has_class("-current") else (err, out)
        current.remove_class("-current")
        other.add_class("-current")
        other.query_one(Log).focus()

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        for log in self.query(Log):
            log.auto_scroll = self.follow
        self.notify(
            "Following the end of the output." if self.follow else "Paused: scroll freely.", timeout=2
        )
