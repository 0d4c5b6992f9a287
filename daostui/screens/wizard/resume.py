"""The question a reopened wizard asks first: resume where the user left, or start over.

Three answers, none of which loses anything by accident: Resume (the default, Enter or r),
Start over (s: the progress is reset, nothing created is touched), and esc, which leaves the
wizard as it was — the saved progress stays for the next `w`.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from daostui.core.wizard_progress import STEPS, WizardState
from daostui.screens.base import DialogScreen

RESUME = "resume"
START_OVER = "start-over"


def left_at(state: WizardState) -> str:
    """Where the user left, in words: the step, and the pool and container chosen so far."""
    return (
        f"You left at step {state.step + 1} ({STEPS[state.step].title})"
        + (f" with pool {state.pool}" if state.pool else "")
        + (f" and container {state.container}" if state.container else "")
        + "."
    )


class ResumeScreen(DialogScreen[str | None]):
    """Dismissed with RESUME, START_OVER, or None (esc: leave the wizard, progress untouched)."""

    BINDINGS = [
        Binding("escape", "answer(None)", "Leave"),
        Binding("r,y", "answer('resume')", "Resume"),
        Binding("s", "answer('start-over')", "Start over"),
    ]

    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Resume the guided setup?", classes="title")
            yield Static(
                escape(left_at(self.state))
                + " Resume there, or start over? (Starting over keeps what was created; esc leaves "
                "the setup as it is.)"
            )
            with Horizontal(classes="buttons"):
                yield Button("Start over", id=START_OVER)
                yield Button("Resume", id=RESUME, variant="primary")

    def on_mount(self) -> None:
        self.query_one(f"#{RESUME}", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)
