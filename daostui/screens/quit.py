"""The quit question: `q` never ends the console at once, and it names what is left behind.

A mount made from the console outlives it (dfuse keeps running), and ALCF asks users to clean up
what they mount on a shared login node: quitting names those mounts with the exact commands that
unmount them, and offers to run them first. Work in flight is named too (quitting kills it). The
choice that leaves everything as it is — stay — has the focus. With nothing left behind, `q`
again (or `y`) quits, so a deliberate `q q` stays quick.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Label, Static

from daostui.screens.base import DialogScreen
from daostui.screens.dialogs import command_lines

#: What the dialog answers: stay in the console, quit, or unmount daostui's mounts then quit.
STAY, QUIT, UNMOUNT = "stay", "quit", "unmount"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class QuitScreen(DialogScreen[str]):
    BINDINGS = [
        Binding("escape,n", "answer('stay')", "Stay"),
        Binding("y,k", "answer('quit')", "Quit"),
        Binding("u", "answer('unmount')", "Unmount and quit"),
        Binding("q", "again", "Quit", show=False),
    ]

    def __init__(self, *, running: int, mounts: Sequence[str], commands: Sequence[Sequence[str]]) -> None:
        super().__init__()
        self.running = running
        self.mounts = list(mounts)
        self._commands = commands

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label("Quit daostui?", classes="title")
            if self.running:
                yield Static(
                    f"{plural(self.running, 'action')} still running. Quitting kills "
                    f"{'its' if self.running == 1 else 'their'} commands (a mount or a submission may be "
                    "left half done).",
                    id="running",
                )
            if self.mounts:
                listed = "\n".join(f"  {path}" for path in self.mounts)
                yield Static(
                    escape(
                        f"You have {plural(len(self.mounts), 'mount')} made by daostui:\n{listed}\n"
                        "They stay mounted after daostui quits. Unmount them now, keep them, or stay. "
                        "To unmount them later:"
                    ),
                    id="mounts",
                )
                yield Static(escape(command_lines(self._commands)), classes="commands", id="commands")
            with Horizontal(classes="buttons"):
                yield Button("Stay (esc)", id=STAY)
                if self.mounts:
                    yield Button("Keep them and quit (k)", id=QUIT, variant="warning")
                    yield Button("Unmount and quit (u)", id=UNMOUNT, variant="primary")
                elif self.running:
                    yield Button("Quit anyway (y)", id=QUIT, variant="error")
                else:
                    yield Button("Quit (q)", id=QUIT, variant="error")

    def on_mount(self) -> None:
        self.query_one(f"#{STAY}", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id or STAY)

    def action_again(self) -> None:
        """`q` on the question: quits when nothing is left behind; otherwise the buttons decide."""
        if not self.running and not self.mounts:
            self.dismiss(QUIT)

    def action_answer(self, choice: str) -> None:
        if choice == UNMOUNT and not self.mounts:
            return
        self.dismiss(choice)
