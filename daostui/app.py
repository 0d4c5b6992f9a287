"""The Textual app: the console, its refresh scheduling, and the dispatch of every action.

Data flows one way: background workers call the clients (which run commands through the
session's transport), store typed models in `ConsoleData`, and hand them to the panes. Every
user intent goes through `action_do`, which consults the action registry (read-only mode is
enforced there). Long-lived pollers are owned by the App, not by a screen that can be popped;
every worker has `exit_on_error=False`: one failing `qstat` must never end the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerCancelled, WorkerError, WorkerFailed

from daostui.core.actions import BY_ID, PANES, Action, actions_for_pane, allowed, global_actions, refusal
from daostui.core.console_data import ConsoleData
from daostui.core.failures import report_failure
from daostui.core.first_start import is_first_start
from daostui.core.refresh import RefreshPolicy
from daostui.core.session import Session
from daostui.host import Check, Work
from daostui.screens.console import ConsoleScreen
from daostui.ssh_link import wire_ssh
from daostui.transport.base import command_origin
from daostui.widgets.command_log import CommandLogPanel
from daostui.widgets.header import StatusHeader
from daostui.widgets.resource_table import RowHighlighted, RowSelected

if TYPE_CHECKING:
    from daostui.transport.base import CommandResult

#: The stylesheets beside this module (shipped as package data).
STYLES = Path(__file__).parent
#: Seconds a quitting console waits for its cancelled work (killing commands) before it exits anyway.
SHUTDOWN_GRACE = 10.0
#: Seconds the pools cursor must rest before the containers of the pool under it are listed.
POOL_SETTLE = 0.2


class DaosTui(App[int]):
    # absolute paths, so a subclass defined elsewhere (the start-up benchmark) gets the same styles
    CSS_PATH = [STYLES / "app.tcss", STYLES / "dialogs.tcss", STYLES / "wizard.tcss"]
    TITLE = "daostui"
    ENABLE_COMMAND_PALETTE = True
    # ctrl+q quits from anywhere (the wizard, the output view: there `q` never quits); on the
    # console the footer shows `q` for both (ConsoleFooter shows one entry per description)
    BINDINGS = [
        Binding(action.key, f"do('{action.id}')", action.title, show=action.footer)
        for action in global_actions()
        if action.key != "enter"
    ] + [Binding("ctrl+q", "quit_anywhere", "Quit", priority=True)]

    def __init__(
        self,
        session: Session,
        *,
        clock: Callable[[], float] = time.time,
        auto_refresh: bool = True,
        show_host: bool = True,
        show_timings: bool = True,
        first_start: bool | None = None,
    ) -> None:
        """`first_start` None: decided from the user's files (`core.first_start`); tests pin it."""
        super().__init__()
        self.session = session
        self.clock = clock
        self.live_refresh = auto_refresh
        self.show_host = show_host
        #: Command durations in dialogs; snapshot tests turn them off (they are never stable).
        self.show_timings = show_timings
        self.data = ConsoleData(session)
        self.data.first_start = is_first_start(session.config) if first_start is None else first_start
        intervals = session.config.refresh
        self.policies: dict[str, RefreshPolicy] = {
            pane: RefreshPolicy(interval=float(getattr(intervals, pane))) for pane in PANES
        }
        self._pane_timers: dict[str, Timer] = {}
        self.running_actions = 0
        self.last_refresh: float | None = None
        #: A job to select and follow once the jobs pane knows it (after the wizard's submit).
        self._pending_follow: str = ""
        self._pending_jump: dict[str, str] = {}
        self._refresh_again: set[str] = set()
        self._pool_settle: Timer | None = None
        #: Undo what `wire_ssh` hooked into the transport (the session outlives the app in tests).
        self._ssh_listeners: list[Callable[[], None]] = []
        if session.config.theme:
            self.theme = session.config.theme

    # ------------------------------------------------------------------ lifecycle
    def get_default_screen(self) -> Screen[Any]:
        # the console is the base screen itself: no extra screen push (and footer rebuild) at start-up;
        # it is composed with its header and hint filled, so the first frame is the whole console
        # (filling them once it is on screen laid the screen out again before the first refresh)
        return ConsoleScreen(hint=self.data.first_start_hint(), identity=self._identity())

    def _identity(self) -> dict[str, str]:
        """What the header says of the session: mode badge, host, user, project."""
        session = self.session
        return {
            "badge": session.badge if session.mode != "local" else "LOCAL",
            "host": session.host if self.show_host else "",
            "user": session.user,
            "project": session.project,
        }

    @on(ConsoleScreen.Ready)
    def _console_composed(self) -> None:
        self.console_ready()

    def console_ready(self) -> None:
        """The console screen is composed (with its header and hint, `get_default_screen`): fill
        the command log, follow the link, start refreshing."""
        header = self.main_screen.query_one("#header", StatusHeader)
        log_panel = self.main_screen.query_one(CommandLogPanel)
        log_panel.set_entries(self.session.log.entries())
        self.session.log.subscribe(self._command_logged)
        self._ssh_listeners = wire_ssh(self, header)
        # the first frame comes first: commands start once the console is on screen
        self.call_after_refresh(self._first_refresh)
        self.set_interval(1.0, self._tick_ages)

    async def on_unmount(self) -> None:
        """Quitting: stop everything still running and wait for it while the loop still runs.

        Textual cancels workers at exit but does not wait for them; a cancelled command still has
        to kill its process group, a followed output its `tail`, an ssh session its channels. Left
        to the loop's teardown they end as "Event loop is closed" and "never awaited" warnings, or
        as a worker that fails after the app has gone."""
        for timer in [*self._pane_timers.values(), self._pool_settle]:
            if timer is not None:
                timer.stop()
        self._pane_timers.clear()
        workers = list(self.workers)
        for worker in workers:
            # once is enough: a second cancel would interrupt the command's own clean-up (its kill)
            if not worker.is_cancelled:
                worker.cancel()
        if workers:
            waiting = [asyncio.ensure_future(_finished(worker)) for worker in workers]
            _done, stuck = await asyncio.wait(waiting, timeout=SHUTDOWN_GRACE)
            for task in stuck:  # a thread that does not check for cancellation: do not hang the exit
                task.cancel()
        self.session.log.unsubscribe(self._command_logged)
        for listener in self._ssh_listeners:
            listener()
        with contextlib.suppress(TimeoutError):  # a dead link must not hold the exit hostage
            await asyncio.wait_for(self.session.close(), SHUTDOWN_GRACE)

    def _first_refresh(self) -> None:
        import gc

        # everything built so far (modules, widgets, styles) lives as long as the app: move it out of
        # the collector's way, so a full collection later costs milliseconds, not a dropped frame; the
        # command line paused the collector for the start-up (`cli.pause_collector`): it resumes here
        gc.freeze()
        gc.enable()
        for pane in PANES:
            self.refresh_pane(pane)

    @property
    def main_screen(self) -> ConsoleScreen:
        for screen in self.screen_stack:
            if isinstance(screen, ConsoleScreen):
                return screen
        raise LookupError("console screen not mounted")

    def _command_logged(self, result: CommandResult) -> None:
        try:
            self.main_screen.query_one(CommandLogPanel).add(result)
        except LookupError:
            pass

    # ------------------------------------------------------------------ refresh
    def refresh_pane(self, pane: str) -> None:
        """Refresh one pane now unless its refresh is already running (never overlap)."""
        if not self.is_running:
            return  # quitting: a timer or a finished action must not start new work
        timer = self._pane_timers.pop(pane, None)
        if timer is not None:
            timer.stop()
        policy = self.policies[pane]
        if not policy.start(self.clock()):
            # one is running, maybe from before a change the caller just made: run again after it
            self._refresh_again.add(pane)
            return
        widget = self.main_screen.pane(pane)
        widget.status = "refreshing…"
        # the coroutine is made when the worker starts: one cancelled before it starts leaves none behind
        self.run_worker(
            partial(self._refresh, pane),
            group=f"refresh-{pane}",
            exit_on_error=False,
            description=f"refresh {pane}",
        )

    async def _refresh(self, pane: str) -> None:
        # the console's own work, even when an action's dialog asked for it: never in that dialog
        command_origin.set("")
        policy = self.policies[pane]
        error: Exception | None = None
        try:
            await self.data.load(pane)
        except Exception as exc:  # noqa: BLE001 - shown in the pane, retried with back-off
            error = exc
        if not self.is_running:
            return  # quitting: the panes are going away
        widget = self.main_screen.pane(pane)
        if error is not None:
            failure = report_failure(error, f"refresh {pane}", timings=self.show_timings)
            delay = policy.failed(self.clock(), str(error))
            widget.set_error(failure.summary(3))
            widget.status = (
                f"✗ refresh failed, retry in {int(delay)}s" if self.live_refresh else "✗ refresh failed"
            )
            self.main_screen.update_tabs()
        else:
            delay = policy.succeeded(self.clock())
            widget.set_error("")
            widget.status = ""
            self.last_refresh = self.clock()
            self._show(pane)
            pool = self.data.selected_pool
            if pane == "pools" and pool not in self.data.containers and self.data.loading_pool != pool:
                self.refresh_pane("containers")  # the pool is known only now (no default pool set)
        if pane in self._refresh_again:
            self._refresh_again.discard(pane)
            self.refresh_pane(pane)
        elif self.live_refresh:
            self._pane_timers[pane] = self.set_timer(delay, lambda: self.refresh_pane(pane))
        self._tick_ages()

    def _show(self, pane: str) -> None:
        console = self.main_screen
        widget = console.pane(pane)
        rows, subtitle = self.data.rows(pane)
        if pane == "containers":
            pool = self.data.selected_pool
            widget.set_empty_text(
                f"No containers in {pool} — press n to create one." if pool else "Select a pool (1) first."
            )
        widget.set_rows(rows, subtitle=subtitle, loaded=self.data.has_loaded(pane))
        if pane in ("containers", "mounts"):
            # the mounted-here markers depend on both
            other = "mounts" if pane == "containers" else "containers"
            rows2, sub2 = self.data.rows(other)
            console.pane(other).set_rows(rows2, subtitle=sub2, loaded=self.data.has_loaded(other))
        pending = self._pending_jump.get(pane)
        if pending and widget.table.move_cursor_to_key(self._row_key(pane, pending)):
            del self._pending_jump[pane]
        if pane == "jobs" and self._pending_follow:
            self._follow_if_known()
        console.update_tabs()
        console.show_hint(self.data.first_start_hint())
        self.refresh_keys()  # what the rows under the cursors allow may have changed

    def _tick_ages(self) -> None:
        now = self.clock()
        try:
            console = self.main_screen
        except LookupError:
            return
        try:
            for pane, policy in self.policies.items():
                console.pane(pane).set_age(policy.age(now))
            header = console.query_one("#header")
        except NoMatches:  # the timer can fire while the app is shutting down
            return
        header.busy = self.running_actions
        failed = [pane for pane in PANES if self.policies[pane].last_error]
        header.failed = ", ".join(failed)
        header.all_failed = len(failed) == len(PANES)
        if self.last_refresh is not None:
            header.refreshed = time.strftime("%H:%M:%S", time.localtime(self.last_refresh))

    def refresh_keys(self) -> None:
        """Re-check which keys apply (the footer greys out the others). A table's cursor event or a
        link change can still arrive while the app shuts down, when no screen is left to ask."""
        if self.screen_stack:
            self.refresh_bindings()

    # ------------------------------------------------------------------ selection
    @on(RowHighlighted)
    def _highlighted(self, event: RowHighlighted) -> None:
        table = getattr(event, "table", None)
        self.refresh_keys()  # the footer greys out what the new row's state does not allow
        if table is not None and table.id == "pools-table" and event.key != self.data.selected_pool:
            self.data.select_pool(event.key)
            # what we already know at once; else "Loading containers of …", never the old pool's rows
            self._show("containers")
            # scrolling through pools asks `daos cont list` once, for the pool the cursor rests on
            if self._pool_settle is not None:
                self._pool_settle.stop()
            self._pool_settle = self.set_timer(POOL_SETTLE, lambda: self.refresh_pane("containers"))

    @on(RowSelected)
    def _selected(self, event: RowSelected) -> None:
        table_id = getattr(event.table, "id", "") or ""
        pane = table_id.removesuffix("-table")
        if pane in PANES:
            self.show_details(pane, event.key)

    @on(CommandLogPanel.Inspect)
    def _inspect(self, event: CommandLogPanel.Inspect) -> None:
        from daostui.screens.detail import CommandDetailScreen

        self.push_screen(CommandDetailScreen(event.result))

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "do" or not parameters:
            return True
        registered = BY_ID.get(str(parameters[0]))
        if registered is None:
            return True
        session = self.session
        if not allowed(registered, readonly=session.readonly, mode=session.mode):
            return False
        # the console's keys act on the console only: `a` typed on the wizard is not a request,
        # and `q` there never quits (ctrl+q does, from anywhere: `action_quit_anywhere`)
        if not isinstance(self.screen, ConsoleScreen):
            return False
        if registered.id == "reconnect":
            return bool(session.transport.link.needs_reconnect or not session.transport.link.connected)
        if registered.applies is not None and self.refusal_of(registered) is not None:
            return None  # shown greyed out; pressed anyway, `on_key` says why
        return True

    def selected_row(self, pane: str) -> Any:
        """The model under `pane`'s cursor (None when the pane has no row)."""
        return self.data.row(pane, self.main_screen.pane(pane).table.cursor_key or "")

    def refusal_of(self, action: Action) -> str | None:
        """Why `action` does not apply to the selected row of its pane (None: it applies)."""
        if not action.pane or action.applies is None:
            return None
        return refusal(action, self.selected_row(action.pane))

    def on_key(self, event: events.Key) -> None:
        """A greyed-out key pressed anyway: say why, instead of doing nothing (or failing later)."""
        if not isinstance(self.screen, ConsoleScreen):
            return
        pane = self.main_screen.focused_pane()
        if pane is None or self.focused is not pane.table:
            return
        for action in actions_for_pane(pane.pane_id):
            if action.key == event.key and allowed(action, readonly=self.session.readonly):
                reason = self.refusal_of(action)
                if reason is not None:
                    event.stop()
                    event.prevent_default()
                    self.notify(reason, title=action.title, severity="warning", timeout=5)
                return

    async def action_do(self, action_id: str) -> None:
        action = BY_ID.get(action_id)
        if action is None:
            return
        if not allowed(action, readonly=self.session.readonly, mode=self.session.mode):
            why = "in read-only mode" if action.mutates else f"outside {' and '.join(action.modes)} mode"
            self.notify(f"{action.title} is not available {why}.", severity="warning")
            return
        reason = self.refusal_of(action)
        if reason is not None:  # from the palette, or a key whose row changed under it
            self.notify(reason, title=action.title, severity="warning", timeout=5)
            return
        from daostui import handlers

        await handlers.dispatch(self, action)

    async def action_quit_anywhere(self) -> None:
        """ctrl+q: quit from any screen, asking the same questions as `q` on the console."""
        await self.action_do("quit")

    @on(ConsoleScreen.HintDismissed)
    def _hint_dismissed(self) -> None:
        self.data.answer_offer("dismissed")

    def run_with_dialog(
        self,
        title: str,
        work: Work,
        *,
        commands: Sequence[Sequence[str]] = (),
        success: Callable[[Any], str] | None = None,
        refresh: tuple[str, ...] = (),
        then: Callable[[Any], None] | None = None,
        closed: Callable[[Any], None] | None = None,
        check: Check | None = None,
    ) -> None:
        """Run `work` behind a RunScreen (see `ConsoleHost.run_with_dialog`)."""
        from daostui.screens.dialogs import RunScreen

        def done(ok: bool, value: Any) -> None:
            for pane in refresh:
                self.refresh_pane(pane)
            if ok and then is not None:
                then(value)

        self.push_screen(
            RunScreen(title, work, commands=commands, success=success, on_done=done, check=check), closed
        )

    def action_started(self) -> None:
        self.running_actions += 1
        self._tick_ages()

    def action_finished(self) -> None:
        self.running_actions = max(0, self.running_actions - 1)
        self._tick_ages()

    def show_details(self, pane: str, key: str) -> None:
        from daostui.screens.detail import detail_screen_for

        screen = detail_screen_for(self, pane, key)
        if screen is not None:
            self.push_screen(screen)

    def get_system_commands(self, screen: Screen[Any]):  # type: ignore[override]
        yield from super().get_system_commands(screen)
        for action in BY_ID.values():
            if not allowed(action, readonly=self.session.readonly, mode=self.session.mode) or action.id in (
                "quit",
            ):
                continue
            yield SystemCommand(
                action.title, action.description, lambda a=action.id: self.run_action(f"do('{a}')")
            )
        for title, help_text, pane, key in self.data.jump_targets():
            yield SystemCommand(title, help_text, lambda p=pane, k=key: self.jump(p, k))

    def jump(self, pane: str, key: str) -> None:
        """Focus `pane` and put its cursor on the row keyed `key` (palette jumps, after create/submit)."""
        console = self.main_screen
        if pane == "pools":
            self.data.select_pool(key)
            self.refresh_pane("containers")
        console.focus_pane(pane)
        if not console.pane(pane).table.move_cursor_to_key(self._row_key(pane, key)):
            # not loaded yet (just created or submitted): the pane's next refresh puts the cursor there
            self._pending_jump[pane] = key

    def _row_key(self, pane: str, name: str) -> str:
        """Containers are keyed by UUID (labels can change); users and jumps name them by label."""
        if pane == "containers":
            for ref in self.data.containers.get(self.data.selected_pool, []):
                if name in (ref.label, ref.uuid):
                    return ref.uuid
        return name

    def follow_job(self, job_id: str) -> None:
        """Select `job_id` in the jobs pane and follow its output, as soon as `qstat` knows it."""
        self._pending_follow = job_id
        if not self._follow_if_known():
            self.refresh_pane("jobs")

    def _follow_if_known(self) -> bool:
        job_id = self._pending_follow
        tracker = self.data.tracker
        job = tracker.get(job_id)
        if job is None:
            return False
        self._pending_follow = ""
        self.jump("jobs", job_id)
        if job.output_path or job.error_path:
            from daostui.screens.output import OutputScreen

            self.push_screen(OutputScreen(job))
        return True


async def _finished(worker: Worker[Any]) -> None:
    """Wait until `worker` has ended, however it ends (cancelled, failed or done)."""
    with contextlib.suppress(WorkerCancelled, WorkerFailed, WorkerError):
        await worker.wait()
