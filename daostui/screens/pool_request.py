"""The pool allocation request: the five fields ALCF support asks for, saved as a text file.

Users cannot create pools (that is `dmg`, admin-only); they ask support. This writes the request
in the order the guide lists (aurora-daos.md "Pools") so it can be pasted into an email. What
support would send back is caught here: the space must be a size with its unit ("500 TB"; pools
are typically 100s of TB and cannot be grown later), and the preferred pool name must be a valid
DAOS label that no visible pool already has. The file is private (it names the project and its
users) and lands in the state dir.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection
from pathlib import Path

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static, TextArea

from daostui.core import paths
from daostui.daos.labels import label_problem
from daostui.screens.base import DialogScreen

FIELDS = (
    ("project", "Project name"),
    ("users", "ALCF user names (comma separated)"),
    ("space", "Total space requested (e.g. 500 TB)"),
    ("pool_name", "Preferred pool name"),
)
#: Units a request may use, decimal and binary (support thinks in TB).
SIZE_UNITS = ("GB", "TB", "PB", "GiB", "TiB", "PiB")
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([A-Za-z]+)")


def space_problem(text: str) -> str:
    """Why `text` is not a size support can allocate ("" when it is, e.g. "500 TB", "1.5 PB")."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        return f"total space {text.strip()!r} is not a size: write a number and a unit, e.g. 500 TB"
    unit = next((u for u in SIZE_UNITS if u.lower() == match.group(2).lower()), "")
    if not unit:
        return f"total space: unit {match.group(2)!r} is not one of {', '.join(SIZE_UNITS)}"
    if float(match.group(1)) <= 0:
        return "total space must be more than 0"
    return ""


def proposed_pool_name(project: str, existing: Collection[str]) -> str:
    """The project's name, or `project_2`, `project_3`… when a visible pool already has it."""
    if not project:
        return ""
    candidates = [project] + [f"{project}_{n}" for n in range(2, 100)]
    return next((name for name in candidates if name not in existing), "")


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


def request_problems(values: dict[str, str], existing: Collection[str]) -> list[str]:
    """Everything wrong with the request, missing fields first (empty: it can be saved)."""
    missing = missing_fields(values)
    problems = ["Please fill in: " + ", ".join(missing)] if missing else []
    space = values.get("space", "").strip()
    if space and (problem := space_problem(space)):
        problems.append(problem)
    name = values.get("pool_name", "").strip()
    if name:
        if name in existing:
            problems.append(f"a pool named {name!r} already exists: choose another preferred name")
        elif problem := label_problem(name, "pool"):
            problems.append(f"preferred pool name: {problem}")
    return problems


def save_request(values: dict[str, str], directory: Path | None = None) -> Path:
    """Write the request as a private file (0600 in a 0700 directory), never over another one."""
    directory = directory or paths.requests_dir()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    project = values.get("project", "project") or "project"
    for counter in range(1, 100):
        suffix = "" if counter == 1 else f"-{counter}"
        path = directory / f"daos-pool-request-{project}-{stamp}{suffix}.txt"
        try:
            return paths.write_private(path, render_request(values), exclusive=True)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free request name in {directory}")


class PoolRequestScreen(DialogScreen[Path | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, *, directory: Path | None = None) -> None:
        super().__init__()
        self.directory = directory

    def existing(self) -> set[str]:
        """The pools the console can see (a request must not ask for one of their names)."""
        return {pool.name for pool in self.host.data.pools}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -tall"):
            yield Label("Request a DAOS pool from ALCF support", classes="title")
            with VerticalScroll(id="body"):
                yield Static(
                    "Pools are allocated by ALCF on request and cannot be grown later: ask for what the "
                    "project needs (typically 100s of TB). daostui saves the request as a text file "
                    "ready to send to support@alcf.anl.gov."
                )
                session = self.host.session
                defaults = {
                    "project": session.project,
                    "users": session.user,
                    "pool_name": proposed_pool_name(session.project, self.existing()),
                }
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
        problems = request_problems(values, self.existing())
        if problems:
            self.query_one("#problem", Static).update(escape("\n".join(problems)))
            return
        try:
            path = save_request(values, self.directory)
        except OSError as exc:
            self.query_one("#problem", Static).update(escape(f"Could not save the request: {exc}"))
            return
        self.notify(f"Saved {path} — send it to support@alcf.anl.gov.", timeout=8)
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
