"""Copy data between a container and flare: back up to Lustre, or stage data in from it.

The DAOS test configuration may be wiped (aurora-daos.md "Data protection"), so this is the
"protect my data" form. The flare side is validated as you type (absolute, no `..`, inside your
project directory) and the exact `daos filesystem copy` line is previewed; the form only returns
the request, the caller runs it behind a RunScreen (progress, cancel, final report).
"""

from __future__ import annotations

import shlex

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from daostui.core.errors import ValidationError
from daostui.daos.copying import (
    DIRECTIONS,
    FROM_FLARE,
    LARGE_DATA_HINT,
    TO_FLARE,
    CopyRequest,
    build_request,
    default_flare_path,
    project_dir,
)
from daostui.screens.base import DialogScreen


class CopyDataScreen(DialogScreen[CopyRequest | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, pool: str, cont: str, *, cont_path: str = "", direction: str = TO_FLARE) -> None:
        super().__init__()
        self.pool = pool
        self.cont = cont
        self.initial_cont_path = cont_path
        self.initial_direction = direction
        self._auto_flare = ""

    # ------------------------------------------------------------------ layout
    def _project_dir(self) -> str:
        session = self.host.session
        try:
            return project_dir(session.site, session.project, session.user)
        except ValidationError:
            return ""

    def _default_flare(self, cont_path: str) -> str:
        session = self.host.session
        try:
            return default_flare_path(session.site, session.project, self.cont, cont_path, session.user)
        except ValidationError:
            return ""

    def compose(self) -> ComposeResult:
        base = self._project_dir() or "(project not set)"
        with VerticalScroll(classes="dialog"):
            yield Label(f"Copy data: container {self.pool}/{self.cont} ⇄ flare", classes="title")
            with RadioSet(id="direction"):
                for key, text in DIRECTIONS.items():
                    yield RadioButton(text, value=key == self.initial_direction, name=key)
            yield Label("Path inside the container (empty or / for all of it):")
            yield Input(value=self.initial_cont_path, placeholder="/ or results/run42", id="cont-path")
            yield Label(f"Directory on flare (must be under {base}):", id="flare-label")
            self._auto_flare = self._default_flare(self.initial_cont_path)
            yield Input(value=self._auto_flare, placeholder=f"{base}/...", id="flare-path")
            yield Static("", id="problem")
            yield Static("", id="preview")
            yield Static(escape(LARGE_DATA_HINT), id="note")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Copy", id="copy", variant="primary", disabled=True)

    def on_mount(self) -> None:
        self.query_one("#cont-path", Input).focus()
        self._update()

    # ------------------------------------------------------------------ state
    def direction(self) -> str:
        pressed = self.query_one("#direction", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else TO_FLARE

    def request(self) -> CopyRequest:
        """The request the form describes; raises ValidationError naming the broken rule."""
        session = self.host.session
        return build_request(
            self.direction(),
            self.pool,
            self.cont,
            self.query_one("#cont-path", Input).value,
            self.query_one("#flare-path", Input).value,
            site=session.site,
            project=session.project,
            user=session.user,
        )

    @on(Input.Changed, "#cont-path")
    def _cont_path_changed(self, event: Input.Changed) -> None:
        flare = self.query_one("#flare-path", Input)
        if flare.value == self._auto_flare:
            try:
                self._auto_flare = self._default_flare(event.value)
            except ValidationError:
                return
            flare.value = self._auto_flare  # triggers _update through Input.Changed
        self._update()

    @on(Input.Changed, "#flare-path")
    @on(RadioSet.Changed)
    def _update(self) -> None:
        problem, preview = "", ""
        try:
            request = self.request()
        except ValidationError as exc:
            problem = str(exc)
        else:
            preview = "$ " + shlex.join(request.argv(self.host.session.daos))
            if request.direction == FROM_FLARE:
                preview += "\n(the flare directory's contents land in the container path; existing files are overwritten)"
            else:
                preview += "\n(the container path's contents land in the flare directory; existing files are overwritten)"
        self.query_one("#problem", Static).update(escape(problem))
        self.query_one("#preview", Static).update(escape(preview))
        self.query_one("#copy", Button).disabled = bool(problem)

    @on(Input.Submitted)
    @on(Button.Pressed, "#copy")
    def _copy(self) -> None:
        try:
            self.dismiss(self.request())
        except ValidationError as exc:
            self.query_one("#problem", Static).update(escape(str(exc)))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
