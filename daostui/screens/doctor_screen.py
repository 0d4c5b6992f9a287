"""The Doctor screen: the troubleshooting checklist with its commands, evidence and fixes.

Checks appear as they finish (progress); the long tests (`pool autotest`, `container check`) run
only on request, and never in a read-only session (autotest creates containers and writes data);
an UNCLEAN container — and only then — gets a confirmed fix. `c` saves the support-ticket summary
to a private file in the state dir and sends it to the terminal's clipboard with OSC 52, saying
both: whether the terminal took it, no program can know (many terminals ignore OSC 52).
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from daostui.core import paths
from daostui.doctor.checklist import FAIL, PASS, WARN, Check, Doctor, fix_unclean, report_text, worst
from daostui.screens.base import DialogScreen
from daostui.screens.dialogs import ConfirmScreen

STYLE = {PASS: "green", WARN: "yellow", FAIL: "bold red"}
#: Why the long tests are off in a read-only session (the button's tooltip and the note under it).
READONLY_LONG = "Long tests are off in read-only mode: daos pool autotest creates containers and writes data."


def save_report(text: str, directory: Path | None = None) -> Path:
    """The report as a private file in the state dir (a new one each time), for a support ticket."""
    directory = directory or paths.reports_dir()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for counter in range(1, 100):
        path = directory / f"doctor-{stamp}{'' if counter == 1 else f'-{counter}'}.txt"
        try:
            return paths.write_private(path, text, exclusive=True)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free report name in {directory}")


def render_check(check: Check) -> Group:
    head = Text()
    head.append(f"[{check.status}] ", style=STYLE.get(check.status, "dim"))
    head.append(check.title, style="bold")
    parts: list[Any] = [head]
    parts.extend(Text(f"    $ {command}", style="dim") for command in check.commands)
    parts.extend(Text(f"    {line}") for line in check.evidence)
    if check.fix and check.status in (WARN, FAIL):
        parts.append(Text(f"    fix: {check.fix}", style="yellow"))
    return Group(*parts)


class DoctorScreen(DialogScreen[None]):
    """Runs the checklist for `pool` and `cont` (the console's selection, resolved by the caller)."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("c", "copy", "Copy report")]
    #: Focus the results, not the pool Input: a focused Input would swallow `c` (copy) as a letter.
    AUTO_FOCUS = "#results"

    def __init__(self, pool: str = "", cont: str = "") -> None:
        super().__init__()
        self.pool = pool
        self.cont = cont
        self.checks: list[Check] = []
        self.running = False
        #: The last report saved by Copy report (None until then).
        self.saved_report: Path | None = None

    def compose(self) -> ComposeResult:
        pool, cont = self.pool, self.cont
        with Vertical(classes="dialog -wide -taller -panel"):
            yield Label("Doctor — ALCF's DAOS troubleshooting checklist, run for you")
            with Horizontal(id="inputs"):
                yield Input(pool, placeholder="pool", id="pool")
                yield Input(cont, placeholder="container (optional)", id="cont")
            yield LoadingIndicator(id="progress")
            with VerticalScroll(id="results"):
                yield Static("", id="report")
            yield Static("", id="summary")
            yield Static("", id="note")
            with Horizontal(classes="buttons"):
                yield Button("Run again", id="run")
                yield Button("Long tests", id="long", tooltip="daos pool autotest and daos container check")
                yield Button("Fix UNCLEAN", id="fix", variant="warning", disabled=True)
                yield Button("Copy report", id="copy")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        fix = self.query_one("#fix", Button)
        fix.display = False  # offered only when a container is UNCLEAN
        if self.host.session.readonly:
            long = self.query_one("#long", Button)
            long.disabled = True
            long.tooltip = READONLY_LONG
            self._note(READONLY_LONG)
        self.start(long_tests=False)

    def _note(self, text: str) -> None:
        self.query_one("#note", Static).update(Text(text))

    def start(self, *, long_tests: bool) -> None:
        if self.running:
            return
        self.running = True
        self.checks = []
        self.query_one("#progress").display = True
        self.query_one("#report", Static).update("")
        self.run_worker(partial(self._run, long_tests), exclusive=True, group="doctor", exit_on_error=False)

    def _progress(self, check: Check) -> None:
        self.checks.append(check)
        self.query_one("#report", Static).update(Group(*(render_check(c) for c in self.checks)))

    async def _run(self, long_tests: bool) -> None:
        session = self.host.session
        doctor = Doctor(
            session,
            pool=self.query_one("#pool", Input).value.strip(),
            cont=self.query_one("#cont", Input).value.strip(),
            progress=self._progress,
        )
        try:
            await doctor.run(long_tests=long_tests)
        finally:
            self.running = False
            for bar in self.query("#progress"):  # none once the screen is closing (cancelled)
                bar.display = False
        overall = worst(self.checks)
        self.query_one("#summary", Static).update(
            Text(
                f"Overall: {overall} — c saves a report to paste into a support ticket",
                style=STYLE.get(overall, ""),
            )
        )
        unclean = any(c.id == "container" and c.status == FAIL for c in self.checks)
        fix = self.query_one("#fix", Button)
        fix.display = unclean
        fix.disabled = not unclean or session.readonly
        self.doctor = doctor

    @on(Button.Pressed, "#run")
    def _again(self) -> None:
        self.start(long_tests=False)

    @on(Button.Pressed, "#long")
    def _long(self) -> None:
        if self.host.session.readonly:
            self._note(READONLY_LONG)
            return
        self.start(long_tests=True)

    @on(Button.Pressed, "#fix")
    def _fix(self) -> None:
        session = self.host.session
        pool, cont = self.doctor.pool, self.doctor.cont
        daos = session.daos
        commands = [
            daos.argv_cont_set_prop(pool, cont, {"status": "HEALTHY"}),
            daos.argv_fs_check(pool, cont, flags="evict"),
        ]

        def answered(yes: bool | None) -> None:
            if yes:
                self.host.run_with_dialog(
                    f"Fix UNCLEAN container {cont}",
                    lambda: fix_unclean(session, pool, cont),
                    commands=commands,
                    success=lambda _r: f"{cont} marked HEALTHY and checked.",
                    refresh=("containers",),
                    then=lambda _r: self.start(long_tests=False),
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Fix UNCLEAN container {cont}?",
                "ALCF's recovery: mark the container HEALTHY again, then evict stale handles and check the "
                "namespace. Data lost beyond the redundancy factor is not recovered.",
                commands,
                confirm_label="Run the fix",
            ),
            answered,
        )

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        text = report_text(self.host.session, self.checks)
        self.app.copy_to_clipboard(text)
        try:
            path = save_report(text)
        except OSError as exc:
            message = f"Report sent to the terminal's clipboard (if it supports OSC 52); not saved: {exc}"
        else:
            self.saved_report = path
            message = f"Report sent to the terminal's clipboard (if it supports OSC 52) and saved to {path}"
        self._note(message)  # under the results, in view at any size (a toast would hide the buttons)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
