"""Dialogs every action goes through: confirm, type-to-confirm, and run-with-progress.

Every action shows the exact command line(s) it will run before running them, a progress
indicator while they run, and then the outcome: on failure the command, its exit status, stderr
and what to do next. One place for this so no action can skip it.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, LoadingIndicator, Static
from textual.worker import Worker

from daostui.core.errors import OutcomeUnknownError, StateCheck
from daostui.core.failures import Failure, report_failure
from daostui.screens.base import DialogScreen
from daostui.transport.base import CommandResult, command_origin

#: Numbers the runs, so two runs of one action (a retry, the same action twice) keep their commands apart.
_RUNS = itertools.count(1)


def show_text(widget: Static, text: str) -> None:
    """Set a status line; an empty one takes no room (no blank line in a dialog at 80x24)."""
    widget.update(escape(text))
    widget.display = bool(text)


def command_lines(commands: Sequence[Sequence[str]]) -> str:
    import shlex

    return "\n".join(f"$ {shlex.join(list(argv))}" for argv in commands)


class ConfirmScreen(DialogScreen[bool]):
    """Yes/no, showing the command that will run.

    The buttons say what they do ("Keep job" / "Cancel job", never "Cancel" / "Cancel job") and
    carry their keys: `y` answers yes, `n` and esc answer no. The choice that loses nothing has
    the focus: "no" when the action destroys or interrupts something (`danger`), else "yes" (the
    wizard's "Resume"), so Enter never does what the focused button does not say.
    """

    BINDINGS = [Binding("escape,n", "answer(False)", "No"), Binding("y", "answer(True)", "Yes")]

    def __init__(
        self,
        title: str,
        message: str,
        commands: Sequence[Sequence[str]] = (),
        *,
        confirm_label: str = "Yes",
        cancel_label: str = "Cancel",
        danger: bool = False,
    ) -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._commands = commands
        self._confirm_label = confirm_label
        self._cancel_label = cancel_label
        self._danger = danger

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(self._title, classes="title")
            yield Static(self._message)
            if self._commands:
                yield Static(escape(command_lines(self._commands)), classes="commands", id="commands")
            with Horizontal(classes="buttons"):
                yield Button(f"{self._cancel_label} (n)", id="no")
                yield Button(
                    f"{self._confirm_label} (y)", id="yes", variant="error" if self._danger else "primary"
                )

    def on_mount(self) -> None:
        self.query_one("#no" if self._danger else "#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class TypeToConfirmScreen(DialogScreen[tuple[bool, bool] | None]):
    """Destroying data: the user types the name to confirm; offers --force when it is in use.

    Enter with anything but the exact name says so (never a silent no-op); `n` (outside the text
    box) and esc keep the data."""

    BINDINGS = [Binding("escape,n", "cancel", "Keep")]

    def __init__(
        self,
        title: str,
        message: str,
        expected: str,
        commands: Callable[[bool], Sequence[Sequence[str]]],
        *,
        offer_force: str = "",
        confirm_label: str = "Destroy",
        cancel_label: str = "Keep",
    ) -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._expected = expected
        self._commands = commands
        self._offer_force = offer_force
        self._confirm_label = confirm_label
        self._cancel_label = cancel_label

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(self._title, classes="title")
            yield Static(self._message)
            if self._offer_force:
                yield Checkbox(f"--force: {self._offer_force}", id="force")
            yield Static(escape(command_lines(self._commands(False))), classes="commands", id="commands")
            yield Label(f"Type [b]{escape(self._expected)}[/b] to confirm:")
            yield Input(placeholder=self._expected, id="typed")
            yield Static("", id="typed-problem", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(f"{self._cancel_label} (esc)", id="no")
                yield Button(self._confirm_label, id="yes", variant="error", disabled=True)

    def on_mount(self) -> None:
        show_text(self.query_one("#typed-problem", Static), "")
        self.query_one("#typed", Input).focus()

    def _force(self) -> bool:
        return bool(self._offer_force) and self.query_one("#force", Checkbox).value

    @on(Input.Changed, "#typed")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#yes", Button).disabled = event.value != self._expected
        show_text(self.query_one("#typed-problem", Static), "")

    @on(Checkbox.Changed)
    def _force_changed(self) -> None:
        self.query_one("#commands", Static).update(escape(command_lines(self._commands(self._force()))))

    @on(Input.Submitted, "#typed")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value == self._expected:
            self.dismiss((True, self._force()))
            return
        show_text(
            self.query_one("#typed-problem", Static),
            f"That is not {self._expected}: type it exactly to confirm (esc keeps it).",
        )

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "yes":
            self.dismiss((True, self._force()))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RunScreen(DialogScreen[Any]):
    """Runs one action's commands in the background with progress, then shows the outcome.

    The work runs in an App-owned worker: closing the dialog (esc) does not cancel it; the outcome
    then arrives as a notification. `ctrl+c` (or the Cancel button) cancels it, killing the
    command's process group. The dialog lists only its own commands: the work runs under its
    `origin` (`transport.base.command_origin`), which every command it starts records, so a
    background refresh finishing meanwhile never shows up here.

    When the connection dropped under a command (`OutcomeUnknownError`) the outcome is "unknown",
    and `check` — the action's look at the real state (is the job there? the mount?) — runs at
    once; a retry is offered only when the check says it did not happen.
    """

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "Close", show=False),
        Binding("ctrl+c", "cancel_run", "Cancel command"),
        Binding("r", "retry", "Retry", show=False),
    ]

    def __init__(
        self,
        title: str,
        work: Callable[[], Awaitable[Any]],
        *,
        commands: Sequence[Sequence[str]] = (),
        success: Callable[[Any], str] | None = None,
        on_done: Callable[[bool, Any], None] | None = None,
        check: Callable[[], Awaitable[StateCheck]] | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._work = work
        self._commands = commands
        self._success = success or (lambda _result: "Done.")
        self._on_done = on_done
        self._check = check
        #: What this run's commands are attributed to (unique: two runs of one action stay apart).
        self.origin = f"{title} (run {next(_RUNS)})"
        self._worker: Worker[None] | None = None
        self._reset()

    def _reset(self) -> None:
        self.finished = False
        self.succeeded = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.failure: Failure | None = None
        #: What the state check found after an unknown outcome (None: no check ran, or it failed).
        self.state_check: StateCheck | None = None
        self.check_failure: Failure | None = None
        self._checking = False
        self._ran: list[CommandResult] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(self._title, classes="title")
            if self._commands:
                yield Static("Runs:\n" + escape(command_lines(self._commands)), classes="commands")
            yield LoadingIndicator(id="progress")
            yield Static("", id="ran")
            yield Static("", id="outcome")
            yield Static("", id="checked")
            with Horizontal(classes="buttons"):
                yield Button("Cancel command", id="cancel", variant="warning")
                yield Button("Retry (r)", id="retry", variant="primary")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#retry").display = False
        for widget_id in ("#ran", "#outcome", "#checked"):
            show_text(self.query_one(widget_id, Static), "")
        self.host.session.log.subscribe(self._command_finished)
        self._start()

    def _start(self) -> None:
        # owned by the App, not by this dialog: closing it (esc) must not cancel the work
        self._worker = self.app.run_worker(
            self._run, group="actions", exit_on_error=False, description=self._title
        )
        self.host.action_started()

    def on_unmount(self) -> None:
        self.host.session.log.unsubscribe(self._command_finished)

    def _command_finished(self, result: CommandResult) -> None:
        if self.finished or result.origin != self.origin:
            return
        self._ran.append(result)
        if self.is_attached:
            lines = [
                f"{'✓' if r.ok else '✗'} {r.command_line}  ({r.outcome}"
                + (f", {r.duration:.1f}s)" if self.host.show_timings else ")")
                for r in self._ran[-8:]
            ]
            show_text(self.query_one("#ran", Static), "\n".join(lines))

    async def _run(self) -> None:
        host = self.host
        token = command_origin.set(self.origin)
        try:
            try:
                self.result = await self._work()
            except BaseException as exc:  # noqa: BLE001 - cancellation is an outcome shown to the user too
                self.error = exc
                self.failure = report_failure(exc, self._title, timings=host.show_timings)
                if isinstance(exc, OutcomeUnknownError) and self._check is not None:
                    await self._look(self._check)
            else:
                self.succeeded = True
        finally:
            command_origin.reset(token)  # what runs next (the panes' refresh) is not this action's
            self.finished = True
            host.action_finished()
        self._show_outcome()
        if self._on_done is not None:
            self._on_done(self.succeeded, self.result if self.succeeded else self.error)

    async def _look(self, check: Callable[[], Awaitable[StateCheck]]) -> None:
        """After an unknown outcome: what does the real state say? (shown as soon as it is known)"""
        self._checking = True
        self._show_outcome()
        try:
            self.state_check = await check()
        except BaseException as exc:  # noqa: BLE001 - a check that fails leaves the outcome unknown
            self.check_failure = report_failure(exc, f"{self._title}: state check", timings=False)
        finally:
            self._checking = False

    def _check_text(self) -> str:
        if self._checking:
            return "Checking what happened…"
        if self.check_failure is not None:
            return (
                f"✗ Could not check what happened: {self.check_failure.headline}\n"
                "Look before retrying (the panes, or the command log: l)."
            )
        found = self.state_check
        if found is None:
            return ""
        lines = [f"checked: $ {found.command}"] if found.command else []
        lines.append(f"{'✓' if found.done else '✗'} {found.summary}")
        if not found.done:
            lines.append("It did not happen: Retry (r) runs it again.")
        return "\n".join(lines)

    @property
    def retry_offered(self) -> bool:
        """Only when the state check says the work did not happen (never on a bare unknown)."""
        return self.finished and self.state_check is not None and not self.state_check.done

    def _show_outcome(self) -> None:
        failure = self.failure  # set when (and only when) the work failed or was cancelled
        if failure is None:
            headline, lines, css = "✓ " + self._success(self.result), [], "ok"
        else:
            headline, lines, css = "✗ " + failure.headline, failure.lines, "error"
        checked = self._check_text()
        if not self.is_attached:
            if self.finished:
                self.app.notify(
                    "\n".join([headline, *lines[-3:], *checked.splitlines()[-1:]]),
                    title=self._title,
                    severity="information" if self.succeeded else "error",
                    timeout=8,
                )
            return
        self.query_one("#progress").display = not self.finished
        self.query_one("#cancel").display = not self.finished
        self.query_one("#retry").display = self.retry_offered
        outcome = self.query_one("#outcome", Static)
        outcome.set_classes(css)
        show_text(outcome, "\n".join([headline, *lines]))
        show_text(self.query_one("#checked", Static), checked)
        if self.finished:
            self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(self.result if self.succeeded else None)

    @on(Button.Pressed, "#cancel")
    def action_cancel_run(self) -> None:
        if self._worker is not None and not self.finished:
            self._worker.cancel()

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        if not self.retry_offered:
            return
        self._reset()
        for widget_id in ("#ran", "#outcome", "#checked"):
            show_text(self.query_one(widget_id, Static), "")
        self.query_one("#progress").display = True
        self.query_one("#cancel").display = True
        self.query_one("#retry").display = False
        self._start()
