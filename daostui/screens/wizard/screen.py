"""The guided wizard: environment → pool → container → mount → job script → submit and monitor.

Each step says in a few lines what it does and why, shows the exact commands before running them,
runs them in an App-owned worker (the UI never waits) and shows the outcome with the same failure
text as every other action. Progress is saved to the state dir after every change, so `esc`
leaves without losing anything and reopening offers to resume. State and the summary live in the
Textual-free `daostui.core.wizard_progress`; each step is a widget of its own module (see
`step.py`); this screen owns the navigation, the progress and the shared command/outcome lines.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Footer, Label, LoadingIndicator, Static

from daostui.core import paths
from daostui.core.failures import report_failure
from daostui.core.wizard_progress import STEP_IDS, STEPS, WizardState, clear_state, load_state, save_state
from daostui.screens.base import HostAccess
from daostui.screens.dialogs import command_lines
from daostui.screens.wizard.container import ContainerStep
from daostui.screens.wizard.environment import EnvironmentStep
from daostui.screens.wizard.job import JobStep
from daostui.screens.wizard.mount import MountStep
from daostui.screens.wizard.pool import PoolStep
from daostui.screens.wizard.resume import RESUME, ResumeScreen
from daostui.screens.wizard.submit import SubmitStep

if TYPE_CHECKING:
    from textual.events import Resize

    from daostui.core.errors import StateCheck
    from daostui.daos.models import Pool
    from daostui.screens.wizard.step import WizardStep

#: The step widgets, in the order of `core.wizard_progress.STEPS`.
STEP_TYPES: tuple[type[WizardStep], ...] = (
    EnvironmentStep,
    PoolStep,
    ContainerStep,
    MountStep,
    JobStep,
    SubmitStep,
)
#: Below this width the step list is folded away (the title names the step): the explanations
#: and forms need the columns more than the list does.
NARROW_WIDTH = 100


class WizardScreen(Screen[str | None], HostAccess):
    """Dismissed with the id of the job it submitted when the user presses Finish (else None)."""

    BINDINGS = [
        Binding("escape", "leave", "Leave (saved)"),
        Binding("ctrl+n", "next", "Next step"),
        Binding("ctrl+b", "back", "Previous step"),
    ]

    def __init__(self, *, resume: bool | None = None) -> None:
        super().__init__()
        self.state_file = paths.wizard_state_file()
        self.state = WizardState()
        self._ask_resume = resume
        self.busy = False
        self.pools: list[Pool] = []
        self.steps: dict[str, WizardStep] = {kind.STEP_ID: kind(self) for kind in STEP_TYPES}
        assert tuple(self.steps) == STEP_IDS, "one step widget per step of core.wizard_progress"

    @property
    def step(self) -> WizardStep:
        """The step on screen."""
        return self.steps[self.state.step_id]

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Label("", id="wiz-title")
        with Horizontal(id="wiz-main"):
            yield Static("", id="steps")
            with Vertical(id="main"):
                with VerticalScroll(id="body"):
                    yield Static("", id="why")
                    with ContentSwitcher(initial=f"step-{STEP_IDS[0]}"):
                        yield from self.steps.values()
                    yield Static("", id="commands")
                # outside the scrolled body: what just happened is always in view, at any size
                with VerticalScroll(id="result"):
                    yield LoadingIndicator(id="progress")
                    yield Static("", id="outcome")
        with Horizontal(id="nav"):
            yield Button("◀ Back", id="back")
            yield Button("Next ▶", id="next", variant="primary")
            yield Button("Leave (esc)", id="leave")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        saved = load_state(self.state_file)
        if saved.resumable and self._ask_resume is None:

            def answered(answer: str | None) -> None:
                if answer is None:
                    # esc: leave as if the wizard was never opened; the saved progress stays
                    self.dismiss(None)
                    return
                self._start(saved if answer == RESUME else WizardState())

            self.app.push_screen(ResumeScreen(saved), answered)
        else:
            self._start(saved if (self._ask_resume and saved.resumable) else WizardState())

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def _start(self, state: WizardState) -> None:
        self.state = state
        self._show_step()

    # ------------------------------------------------------------------ navigation
    def _show_step(self) -> None:
        info = STEPS[self.state.step]
        self.query_one("#wiz-title", Label).update(
            f"Guided setup — step {self.state.step + 1} of {len(STEPS)}: {info.title}"
        )
        lines = []
        for index, item in enumerate(STEPS):
            mark = "▶" if index == self.state.step else ("✓" if index < self.state.step else " ")
            lines.append(f"{mark} {index + 1}. {item.title}")
        self.query_one("#steps", Static).update("\n".join(lines))
        self.query_one("#why", Static).update(escape(info.why))
        self.query_one(ContentSwitcher).current = f"step-{info.id}"
        self.set_commands([])
        self.set_outcome("", "")
        self.query_one("#back", Button).disabled = self.state.step == 0
        self.query_one("#next", Button).display = self.state.step < len(STEPS) - 1
        self.step.enter()
        self.save()
        body = self.query_one("#body", VerticalScroll)
        body.scroll_home(animate=False)
        # again once the step has laid itself out (lists filled, focus set without scrolling)
        self.call_after_refresh(body.scroll_home, animate=False)

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        if self.busy or self.state.step >= len(STEPS) - 1:
            return
        problem = self.step.problem()
        if problem:
            self.set_outcome("✗ " + problem, "error")
            return
        if not self.step.ready_to_leave(self.next):
            return  # the step finishes its work (a save) first, then calls next() again
        self.step.leave()
        self.state.step += 1
        self._show_step()

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        if self.busy or self.state.step == 0:
            return
        self.step.leave()
        self.state.step -= 1
        self._show_step()

    @on(Button.Pressed, "#leave")
    def action_leave(self) -> None:
        self.step.leave()
        if not self.state.finished:
            self.save()
            self.notify("Guided setup saved: press w to resume where you left off.", timeout=4)
        self.dismiss(None)

    # ------------------------------------------------------------------ what steps use (step.Wizard)
    def next(self) -> None:
        # queued, not called: a step's command may still be finishing (busy) when it asks
        self.call_later(self.action_next)

    def focus_next_button(self) -> None:
        self.query_one("#next", Button).focus()

    def finish(self, job_id: str) -> None:
        self.state.finished = True
        clear_state(self.state_file)
        self.dismiss(job_id)

    def save(self) -> None:
        save_state(self.state_file, self.state)

    def verify(
        self,
        title: str,
        commands: Sequence[Sequence[str]],
        check: Callable[[], Awaitable[StateCheck]],
        took_effect: Callable[[StateCheck], str],
    ) -> None:
        def done(found: StateCheck) -> str:
            if found.done:
                return took_effect(found)
            return f"Checked: {found.summary} It is safe to try again."

        # queued: the failed command's worker is still finishing (busy) when the step asks
        self.call_later(self.run, title, commands, check, done)

    def set_commands(self, commands: Sequence[Sequence[str]]) -> None:
        text = ("Runs:\n" + command_lines(commands)) if commands else ""
        self.query_one("#commands", Static).update(escape(text))

    def set_outcome(self, text: str, css: str) -> None:
        outcome = self.query_one("#outcome", Static)
        outcome.set_classes(css)
        outcome.update(escape(text))

    def run(
        self,
        title: str,
        commands: Sequence[Sequence[str]],
        work: Callable[[], Awaitable[Any]],
        done: Callable[[Any], str],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Show the commands, run `work` in the background with progress, show the outcome."""
        if self.busy:
            return
        self.busy = True
        self.set_commands(commands)
        self.set_outcome(f"{title}…", "")
        self.query_one("#progress").display = True
        host = self.host

        async def runner() -> None:
            try:
                value = await work()
            except Exception as exc:  # noqa: BLE001 - every failure is shown, none ends the app
                failure = report_failure(exc, f"wizard: {title}", timings=host.show_timings)
                if self.is_attached:
                    self.set_outcome(failure.text(prefix="✗ "), "error")
                if failed is not None:
                    failed(exc)
            else:
                message = done(value)
                if self.is_attached:
                    self.set_outcome("✓ " + message, "ok")
            finally:
                self.busy = False
                host.action_finished()
                if self.is_attached:
                    self.query_one("#progress").display = False
                    self.save()

        host.action_started()
        # the App owns it: leaving the wizard (esc) must not kill a create or a qsub half way
        self.app.run_worker(runner, group="wizard", exit_on_error=False, description=title)
