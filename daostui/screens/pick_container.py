"""Which container to check on a job's nodes, when the job's script did not say (or said wrong).

`POOL/CONT` (or `POOL:CONT`, as launch-dfuse.sh takes it), checked as DAOS checks labels before
anything runs; empty means "whatever dfuse mounts the nodes have". The answer is the containers
to check (an empty tuple for "whatever is mounted"), or None when cancelled.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from daostui.core.errors import ValidationError
from daostui.nodes.models import JobContainer
from daostui.screens.base import DialogScreen


class PickContainerScreen(DialogScreen[tuple[JobContainer, ...] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, seen: list[JobContainer]) -> None:
        super().__init__()
        self.seen = seen

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label("Container to check on the job's nodes", classes="title")
            yield Label("POOL/CONTAINER (empty: whatever dfuse mounts the nodes have):")
            initial = self.seen[0].name if len(self.seen) == 1 else ""
            yield Input(value=initial, placeholder="e.g. hpc_demo/checkpoints", id="container")
            yield Static("", id="problem", classes="error")
            if self.seen:
                names = ", ".join(c.name for c in self.seen)
                yield Static(Text(f"Mounted on the nodes now: {names}"), classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Check", id="check", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#container", Input).focus()

    def _choice(self) -> tuple[JobContainer, ...]:
        text = self.query_one("#container", Input).value.strip()
        if not text:
            return ()
        parts = [p for p in re.split(r"[/:]", text) if p]
        if len(parts) != 2:
            raise ValidationError("write POOL/CONTAINER, e.g. hpc_demo/checkpoints", field="container")
        return (self.host.session.nodes.container(parts[0], parts[1]),)

    @on(Input.Submitted)
    @on(Button.Pressed, "#check")
    def _check(self) -> None:
        try:
            choice = self._choice()
        except ValidationError as exc:
            self.query_one("#problem", Static).update(Text(str(exc)))
            return
        self.dismiss(choice)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
