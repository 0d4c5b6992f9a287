"""New job: the job-script generator as a form, with a live preview, save, and submit.

The queue list and its limits come from the server (`qstat -Qf`); the DAOS filesystem name from
`qstat -Bf`'s valid filesystems. Bad input (walltime, node counts beyond the queue's limits, empty
program, labels) is refused with the rule it broke before anything runs, and the script is always
saved to a file (name shown) before `qsub` sees it: nothing is lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from daostui.pbs.jobscript import JobRequest, save_script, script_filename
from daostui.screens.base import DialogScreen
from daostui.widgets.job_form import JobDefaults, JobForm


class JobFormScreen(DialogScreen[str | None]):
    """Dismissed with the id of the submitted job (None when cancelled)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save script")]

    def __init__(self, defaults: JobDefaults) -> None:
        super().__init__()
        self.defaults = defaults
        self.saved_path: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -widest -taller -panel -flush"):
            yield Label(
                " New job script (live preview) — ctrl+s saves, Submit saves then runs qsub", id="title"
            )
            with VerticalScroll(id="body"):
                yield JobForm(self.defaults, id="form")
                yield TextArea("", read_only=True, id="preview", language=None)
            yield Static("", id="saved")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save")
                yield Button("Save and submit", id="submit", variant="primary")

    def on_mount(self) -> None:
        self._refresh()
        self.query_one("#project", Input).focus()

    @property
    def form(self) -> JobForm:
        return self.query_one(JobForm)

    @on(Input.Changed)
    @on(Select.Changed)
    def _refresh(self) -> None:
        request, text = self.form.show_status()
        if request is not None:
            self.query_one("#preview", TextArea).text = text
        self.query_one("#submit", Button).disabled = request is None
        self.query_one("#save", Button).disabled = request is None

    def _save(self) -> tuple[JobRequest, Path] | None:
        request, text = self.form.show_status()
        if request is None:
            return None
        path = save_script(text, self.host.session.workdir, script_filename(request))
        self.saved_path = path
        self.query_one("#saved", Static).update(escape(f"✓ saved {path}"))
        return request, path

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self._save() is not None:
            self.notify(f"Saved {self.saved_path}", timeout=4)

    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        saved = self._save()
        if saved is None:
            return
        _request, path = saved
        session = self.host.session
        pbs = session.pbs
        workdir = str(session.workdir)

        def closed(job_id: Any) -> None:
            # the form goes away with the result dialog; on failure it stays, entries kept, to fix and retry
            if job_id:
                self.dismiss(str(job_id))

        self.host.run_with_dialog(
            f"Submit {path.name}",
            lambda: pbs.submit(str(path), cwd=workdir),
            commands=[pbs.argv_submit(str(path))],
            success=lambda job_id: f"Submitted job {job_id}.",
            refresh=("jobs",),
            closed=closed,
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
