"""Dialogs every action goes through: confirm, type-to-confirm, and run-with-progress.

Every action shows the exact command line(s) it will run before running them, a progress
indicator while they run, and then the outcome: on failure the command, its exit status, stderr
and what to do next. One place for this so no action can skip it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, LoadingIndicator, Static
from textual.worker import Worker

from daostui.core.failures import Failure, report_failure
from daostui.screens.base import DialogScreen
from daostui.transport.base import CommandResult


def command_lines(commands: Sequence[Sequence[str]]) -> str:
    import shlex

    return "\n".join(f"$ {shlex.join(list(argv))}" for argv in commands)


class ConfirmScreen(DialogScreen[bool]):
    """Yes/no, showing the command that will run."""

    BINDINGS = [Binding("escape,n", "answer(False)", "No"), Binding("y", "answer(True)", "Yes")]

    def __init__(
        self,
        title: str,
        message: str,
        commands: Sequence[Sequence[str]] = (),
        *,
        confirm_label: str = "Yes",
        danger: bool = False,
    ) -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._commands = commands
        self._confirm_label = confirm_label
        self._danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="title")
            yield Static(self._message)
            if self._commands:
                yield Static(escape(command_lines(self._commands)), classes="commands", id="commands")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="no")
                yield Button(self._confirm_label, id="yes", variant="error" if self._danger else "primary")

    def on_mount(self) -> None:
        self.query_one("#no" if self._danger else "#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class TypeToConfirmScreen(DialogScreen[tuple[bool, bool] | None]):
    """Destroying data: the user types the name to confirm; offers --force when it is in use."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        message: str,
        expected: str,
        commands: Callable[[bool], Sequence[Sequence[str]]],
        *,
        offer_force: str = "",
    ) -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._expected = expected
        self._commands = commands
        self._offer_force = offer_force

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="title")
            yield Static(self._message)
            if self._offer_force:
                yield Checkbox(f"--force: {self._offer_force}", id="force")
            yield Static(escape(command_lines(self._commands(False))), classes="commands", id="commands")
            yield Label(f"Type [b]{escape(self._expected)}[/b] to confirm:")
            yield Input(placeholder=self._expected, id="typed")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="no")
                yield Button("Destroy", id="yes", variant="error", disabled=True)

    def _force(self) -> bool:
        return bool(self._offer_force) and self.query_one("#force", Checkbox).value

    @on(Input.Changed, "#typed")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#yes", Button).disabled = event.value != self._expected

    @on(Checkbox.Changed)
    def _force_changed(self) -> None:
        self.query_one("#commands", Static).update(escape(command_lines(self._commands(self._force()))))

    @on(Input.Submitted, "#typed")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value == self._expected:
            self.dismiss((True, self._force()))

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
    command's process group.
    """

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "Close", show=False),
        Binding("ctrl+c", "cancel_run", "Cancel command"),
    ]

    def __init__(
        self,
        title: str,
        work: Callable[[], Awaitable[Any]],
        *,
        commands: Sequence[Sequence[str]] = (),
        success: Callable[[Any], str] | None = None,
        on_done: Callable[[bool, Any], None] | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._work = work
        self._commands = commands
        self._success = success or (lambda _result: "Done.")
        self._on_done = on_done
        self._worker: Worker[None] | None = None
        self.finished = False
        self.succeeded = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.failure: Failure | None = None
        self._ran: list[CommandResult] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(self._title, classes="title")
            if self._commands:
                yield Static("Runs:\n" + escape(command_lines(self._commands)), classes="commands")
            yield LoadingIndicator(id="progress")
            yield Static("", id="ran")
            yield Static("", id="outcome")
            with Horizontal(classes="buttons"):
                yield Button("Cancel command", id="cancel", variant="warning")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.host.session.log.subscribe(self._command_finished)
        # owned by the App, not by this dialog: closing it (esc) must not cancel the work
        self._worker = self.app.run_worker(
            self._run, group="actions", exit_on_error=False, description=self._title
        )
        self.host.action_started()

    def on_unmount(self) -> None:
        self.host.session.log.unsubscribe(self._command_finished)

    def _command_finished(self, result: CommandResult) -> None:
        if self.finished:
            return
        self._ran.append(result)
        if self.is_attached:
            lines = [
                f"{'✓' if r.ok else '✗'} {r.command_line}  ({r.outcome}"
                + (f", {r.duration:.1f}s)" if self.host.show_timings else ")")
                for r in self._ran[-8:]
            ]
            self.query_one("#ran", Static).update(escape("\n".join(lines)))

    async def _run(self) -> None:
        host = self.host
        try:
            self.result = await self._work()
        except BaseException as exc:  # noqa: BLE001 - cancellation is an outcome shown to the user too
            self.error = exc
            self.failure = report_failure(exc, self._title, timings=host.show_timings)
            self.succeeded = False
        else:
            self.succeeded = True
        finally:
            self.finished = True
            host.action_finished()
        self._show_outcome()
        if self._on_done is not None:
            self._on_done(self.succeeded, self.result if self.succeeded else self.error)

    def _show_outcome(self) -> None:
        failure = self.failure  # set when (and only when) the work failed or was cancelled
        if failure is None:
            headline, lines, css = "✓ " + self._success(self.result), [], "ok"
        else:
            headline, lines, css = "✗ " + failure.headline, failure.lines, "error"
        if not self.is_attached:
            self.app.notify(
                headline + ("\n" + "\n".join(lines[-3:]) if lines else ""),
                title=self._title,
                severity="information" if self.succeeded else "error",
                timeout=8,
            )
            return
        self.query_one("#progress").display = False
        self.query_one("#cancel").display = False
        outcome = self.query_one("#outcome", Static)
        outcome.set_classes(css)
        outcome.update(escape("\n".join([headline, *lines])))
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(self.result if self.succeeded else None)

    @on(Button.Pressed, "#cancel")
    def action_cancel_run(self) -> None:
        if self._worker is not None and not self.finished:
            self._worker.cancel()
