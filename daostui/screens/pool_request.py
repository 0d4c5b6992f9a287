"""The pool allocation request: the five fields ALCF support asks for, saved as a text file.

Users cannot create pools (that is `dmg`, admin-only); they ask support. This writes the request
in the order the guide lists (aurora-daos.md "Pools") so it can be pasted into an email.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static, TextArea

from daostui.core import paths
from daostui.screens.base import DialogScreen

FIELDS = (
    ("project", "Project name"),
    ("users", "ALCF user names (comma separated)"),
    ("space", "Total space requested (e.g. 200 TB)"),
    ("pool_name", "Preferred pool name"),
)


def render_request(values: dict[str, str]) -> str:
    return (
        "To: support@alcf.anl.gov\n"
        f"Subject: DAOS pool allocation request for project {values.get('project', '')}\n\n"
        f"Project Name: {values.get('project', '')}\n"
        f"ALCF User Names: {values.get('users', '')}\n"
        f"Total space requested: {values.get('space', '')}\n"
        f"Justification: {values.get('justification', '')}\n"
        f"Preferred pool name: {values.get('pool_name', '')}\n"
    )


def missing_fields(values: dict[str, str]) -> list[str]:
    names = dict(FIELDS) | {"justification": "Justification"}
    return [names[key] for key in names if not values.get(key, "").strip()]


def save_request(values: dict[str, str], directory: Path | None = None) -> Path:
    directory = directory or paths.requests_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = directory / f"daos-pool-request-{values.get('project', 'project') or 'project'}-{stamp}.txt"
    path.write_text(render_request(values), encoding="utf-8")
    return path


class PoolRequestScreen(DialogScreen[Path | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, *, directory: Path | None = None) -> None:
        super().__init__()
        self.directory = directory

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label("Request a DAOS pool from ALCF support", classes="title")
            yield Static(
                "Pools are allocated by ALCF on request and cannot be grown later: ask for what the "
                "project needs (typically 100s of TB). daostui saves the request as a text file "
                "ready to send to support@alcf.anl.gov."
            )
            session = self.host.session
            defaults = {"project": session.project, "users": session.user, "pool_name": session.project}
            for key, title in FIELDS:
                yield Label(title + ":")
                yield Input(value=defaults.get(key, ""), id=f"f-{key}")
            yield Label("Justification:")
            yield TextArea(id="f-justification")
            yield Static("", id="problem")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save request", id="save", variant="primary")

    def values(self) -> dict[str, str]:
        values = {key: self.query_one(f"#f-{key}", Input).value.strip() for key, _ in FIELDS}
        values["justification"] = self.query_one("#f-justification", TextArea).text.strip()
        return values

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        values = self.values()
        missing = missing_fields(values)
        if missing:
            self.query_one("#problem", Static).update(escape("Please fill in: " + ", ".join(missing)))
            return
        path = save_request(values, self.directory)
        self.notify(f"Saved {path} — send it to support@alcf.anl.gov.", timeout=8)
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
