"""One step of the guided setup: the small interface every step widget implements.

The wizard screen owns navigation, progress and the shared command/outcome lines; each step is a
widget (one module per step) that fills itself from the saved `WizardState` when it is shown,
says why Next is refused while it is not done, and keeps what was typed when the user leaves it.
Steps reach the screen only through the `Wizard` protocol below and the console through
`self.host`, like every screen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual.containers import Vertical
from textual.widget import Widget

from daostui.screens.base import HostAccess

if TYPE_CHECKING:
    from daostui.core.errors import StateCheck
    from daostui.core.wizard_progress import WizardState
    from daostui.daos.models import Pool


class Wizard(Protocol):
    """What a step may ask of the wizard screen around it."""

    state: WizardState
    #: True while a step's command runs (navigation waits for it).
    busy: bool
    #: The pools the environment check found (the pool step offers them).
    pools: list[Pool]

    def run(
        self,
        title: str,
        commands: Sequence[Sequence[str]],
        work: Callable[[], Awaitable[Any]],
        done: Callable[[Any], str],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Show `commands`, run `work` in the background with progress, then show the outcome:
        `done(value)` returns the success line; `failed(exc)` lets the step explain a failure."""
        ...

    def verify(
        self,
        title: str,
        commands: Sequence[Sequence[str]],
        check: Callable[[], Awaitable[StateCheck]],
        took_effect: Callable[[StateCheck], str],
    ) -> None:
        """After a command whose outcome is unknown (the connection dropped): look at the real state
        with the client's check before anything is retried; `took_effect(check)` (the success line)
        when it did, else the check's finding is shown and the step's button may be pressed again."""
        ...

    def set_commands(self, commands: Sequence[Sequence[str]]) -> None:
        """Show the commands the step is about to run (before anything runs)."""
        ...

    def set_outcome(self, text: str, css: str) -> None:
        """Show an outcome line; `css` is "ok", "error" or ""."""
        ...

    def save(self) -> None:
        """Save the state now (the user can leave and resume at any time)."""
        ...

    def next(self) -> None:
        """Go on to the next step (as the Next button does), once the running command is done."""
        ...

    def focus_next_button(self) -> None:
        """Put the focus on the Next button: the step is done."""
        ...

    def finish(self, job_id: str) -> None:
        """The setup is complete: close the wizard and follow `job_id` in the console."""
        ...


class WizardStep(Vertical, HostAccess):
    """A step's widget; subclasses set `STEP_ID` (an id of `core.wizard_progress.STEPS`)."""

    STEP_ID: ClassVar[str]

    def __init__(self, wizard: Wizard) -> None:
        super().__init__(id=f"step-{self.STEP_ID}")
        self.wizard = wizard

    @property
    def state(self) -> WizardState:
        return self.wizard.state

    def enter(self) -> None:
        """The step is shown (first time, or again after Back, Next or a resume): fill it from the
        state, and start what it checks or lists. Every step overrides this."""
        raise NotImplementedError(f"{type(self).__name__} must say what it shows when entered")

    def problem(self) -> str:
        """Why Next is refused on this step ("" when the user may go on)."""
        return ""

    def ready_to_leave(self, proceed: Callable[[], None]) -> bool:
        """Whether Next may go on now. A step with work left to do first (saving the script) starts
        it, returns False, and calls `proceed()` once it succeeded."""
        return True

    def focus_later(self, widget: Widget) -> None:
        """Focus `widget` once the step is laid out, without scrolling: a step opens at its top,
        its explanation in view."""
        self.call_after_refresh(widget.focus, scroll_visible=False)

    def leave(self) -> None:
        """The user leaves the step (Back, Next or esc): keep what was typed in the state. Steps
        whose choices go into the state as they are made keep nothing more here."""
