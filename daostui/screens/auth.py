"""Authentication and host-key trust dialogs for ssh mode.

Aurora logins ask for a one-time passcode through keyboard-interactive authentication. The
prompts appear here; answers go straight back to asyncssh and are never stored, logged or kept
in widget history. An unknown host key shows its fingerprint and is trusted only when the user
says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from daostui.screens.base import DialogScreen


class PromptScreen(DialogScreen[list[str] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, instructions: str, prompts: Sequence[tuple[str, bool]]) -> None:
        super().__init__()
        self._title = title
        self._instructions = instructions
        self._prompts = list(prompts)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="title")
            if self._instructions:
                yield Static(self._instructions)
            for index, (prompt, echo) in enumerate(self._prompts):
                yield Label(prompt.strip())
                yield Input(password=not echo, id=f"answer-{index}")
            yield Static("Nothing you type here is stored or logged.", classes="commands")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Send", id="send", variant="primary")

    def on_mount(self) -> None:
        # a prompt cancelled at once (esc) may already be gone when this runs
        for first in self.query("#answer-0").results(Input):
            first.focus()

    def _answers(self) -> list[str]:
        return [self.query_one(f"#answer-{i}", Input).value for i in range(len(self._prompts))]

    @on(Input.Submitted)
    @on(Button.Pressed, "#send")
    def _send(self) -> None:
        if not self.is_active:
            return  # already answered or cancelled: a second Enter must not answer again
        answers = self._answers()
        for index in range(len(self._prompts)):
            self.query_one(f"#answer-{index}", Input).value = ""
        self.dismiss(answers)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class TrustHostScreen(DialogScreen[bool]):
    BINDINGS = [Binding("escape,n", "answer(False)", "No")]

    def __init__(self, host: str, port: int, key_type: str, fingerprint: str) -> None:
        super().__init__()
        self._text = (
            f"The authenticity of host {host} (port {port}) can't be established.\n"
            f"{key_type} key fingerprint is {fingerprint}.\n\n"
            "Compare it with the fingerprint ALCF publishes before trusting it. Trusting adds the key to "
            "~/.ssh/known_hosts."
        )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Unknown host key", classes="title")
            yield Static(self._text)
            with Horizontal(classes="buttons"):
                yield Button("Don't trust", id="no")
                yield Button("Trust and continue", id="yes", variant="warning")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class AppPrompter:
    """Implements `daostui.transport.ssh.Prompter` with the dialogs above."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app

    async def _ask(self, screen: ModalScreen[Any]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def done(value: Any) -> None:
            if not future.done():
                future.set_result(value)

        self.app.push_screen(screen, done)
        return await future

    async def keyboard_interactive(
        self, host: str, name: str, instructions: str, prompts: Sequence[tuple[str, bool]]
    ) -> list[str] | None:
        return await self._ask(PromptScreen(name or f"Log in to {host}", instructions, prompts))

    async def password(self, host: str, user: str) -> str | None:
        answers = await self._ask(PromptScreen(f"Password for {user}@{host}", "", [("Password:", False)]))
        return answers[0] if answers else None

    async def trust_host_key(self, host: str, port: int, key_type: str, fingerprint: str) -> bool:
        return bool(await self._ask(TrustHostScreen(host, port, key_type, fingerprint)))
