"""Create a container: label validated as DAOS validates it, as you type; presets with trade-offs.

A label DAOS would reject, or one that already exists in the pool, is caught before anything
runs. Advanced properties are folded away; the exact `daos container create` line is previewed
live and is what runs.
"""

from __future__ import annotations

import shlex

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Collapsible, Input, Label, RadioButton, RadioSet, Static

from daostui.core.errors import ValidationError
from daostui.daos.labels import label_problem
from daostui.daos.presets import PRESETS, ContainerCreateRequest
from daostui.screens.base import DialogScreen


class CreateContainerScreen(DialogScreen[ContainerCreateRequest | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, pool: str, existing: set[str], *, label: str = "") -> None:
        super().__init__()
        self.pool = pool
        self.existing = existing
        self.initial_label = label

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(f"New POSIX container in pool {self.pool}", classes="title")
            yield Label("Label (1–127 of A–Z a–z 0–9 . _ : -, not a UUID):")
            yield Input(value=self.initial_label, placeholder="e.g. my_experiment", id="label")
            yield Static("", id="label-problem")
            yield Label("Preset:")
            with RadioSet(id="preset"):
                for index, (key, preset) in enumerate(PRESETS.items()):
                    yield RadioButton(f"{preset.title} — {preset.tradeoff}", value=index == 0, name=key)
            with Collapsible(title="Advanced (chunk size, object classes, extra properties)", collapsed=True):
                yield Label("Chunk size in bytes (empty: preset/default):")
                yield Input(id="chunk", placeholder="2097152")
                yield Label("File object class (empty: preset/default):")
                yield Input(id="file-oclass", placeholder="EC_16P3G32")
                yield Label("Directory object class:")
                yield Input(id="dir-oclass", placeholder="RP_4G1")
                yield Label("Extra properties k:v,k:v (e.g. cksum:crc32):")
                yield Input(id="extra", placeholder="")
            yield Static("", id="preview")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Create", id="create", variant="primary", disabled=True)

    def on_mount(self) -> None:
        self.query_one("#label", Input).focus()
        self._update()

    def _preset_key(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else next(iter(PRESETS))

    def request(self) -> ContainerCreateRequest:
        """The request the form describes; raises ValidationError naming the broken rule."""
        label = self.query_one("#label", Input).value.strip()
        request = PRESETS[self._preset_key()].request(self.pool, label)
        chunk = self.query_one("#chunk", Input).value.strip()
        if chunk:
            if not chunk.isdigit() or int(chunk) <= 0:
                raise ValidationError(
                    "chunk size must be a positive number of bytes",
                    field="chunk_size",
                    rule="positive integer",
                )
            request.chunk_size = int(chunk)
        for field_id, attr in (("#file-oclass", "file_oclass"), ("#dir-oclass", "dir_oclass")):
            value = self.query_one(field_id, Input).value.strip()
            if value:
                setattr(request, attr, value)
        extra = self.query_one("#extra", Input).value.strip()
        if extra:
            for item in extra.split(","):
                key, sep, value = item.partition(":")
                if not sep or not key.strip() or not value.strip():
                    raise ValidationError(
                        f"property {item!r} must be key:value", field="properties", rule="key:value"
                    )
                request.properties[key.strip()] = value.strip()
        request.validate()
        if label in self.existing:
            raise ValidationError(
                f"a container labelled {label!r} already exists in {self.pool}",
                field="label",
                rule="unique in pool",
            )
        return request

    @on(Input.Changed)
    @on(RadioSet.Changed)
    def _update(self) -> None:
        label = self.query_one("#label", Input).value.strip()
        problem = label_problem(label) if label else "a label is required"
        if not problem and label in self.existing:
            problem = f"{label!r} already exists in {self.pool}: pick another label"
        preview = ""
        if not problem:
            try:
                preview = "$ " + shlex.join(self.request().argv())
            except ValidationError as exc:
                problem = str(exc)
        self.query_one("#label-problem", Static).update(escape(problem or ""))
        self.query_one("#preview", Static).update(escape(preview))
        self.query_one("#create", Button).disabled = bool(problem)

    @on(Input.Submitted)
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        try:
            self.dismiss(self.request())
        except ValidationError as exc:
            self.query_one("#label-problem", Static).update(escape(str(exc)))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
