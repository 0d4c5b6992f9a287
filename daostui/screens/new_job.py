"""New job: the job-script generator as a form, with a live preview, Save, and Save and submit.

The queue list and its limits come from the server (`qstat -Qf`); the DAOS filesystem name from
`qstat -Bf`'s valid filesystems. Bad input (walltime, node counts beyond the queue's limits, empty
program, labels, a relative directory) is refused with the rule it broke before anything runs.

`qsub` reads its script where it runs, so the script is saved through the session's script store
into the directory the form shows (on the login node over ssh; a copy is kept in the state dir)
and submitted from there: `qsub <that path>` with that directory as its working directory, so
`PBS_O_WORKDIR` and the job's .o/.e files are there too. The form's first save picks a free name;
later saves rewrite the same file (the form's own), never anyone else's. What the form showed is
remembered for the next opening, even after a restart (core/form_memory).
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from daostui.core import form_memory
from daostui.core.failures import report_failure
from daostui.pbs.jobscript import script_filename
from daostui.pbs.script_store import SavedScript
from daostui.screens.base import DialogScreen
from daostui.widgets.job_form import JobDefaults, JobForm

#: The form's entry in core/form_memory.
MEMORY = "job"


def saved_line(saved: SavedScript, *, rewritten: bool, where: str) -> str:
    """What the form says after a save: the path where commands run, and on which machine."""
    on_host = f" on {where}" if where else ""
    return f"✓ saved {saved.path}{on_host}" + (" (this form's file, rewritten)" if rewritten else "")


class JobFormScreen(DialogScreen[str | None]):
    """Dismissed with the id of the submitted job (None when cancelled)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, defaults: JobDefaults) -> None:
        super().__init__()
        self.defaults = defaults
        self.remembered = form_memory.load(MEMORY)
        #: The file this form saved last (rewritten by the next save): remembered across openings.
        self.own_path = self.remembered.get(form_memory.OWN_FILE, "")
        self.saved: SavedScript | None = None
        #: True while a save runs (a second Save waits for it).
        self.saving = False

    def compose(self) -> ComposeResult:
        session = self.host.session
        with Vertical(classes="dialog -widest -taller -panel -flush"):
            yield Label(
                " New job script (live preview) — Save writes it, Save and submit then runs qsub; ctrl+s Save",
                id="title",
            )
            with VerticalScroll(id="body"):
                yield JobForm(
                    self.defaults, id="form", remembered=self.remembered, default_dir=session.scripts.workdir
                )
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

    def _remember(self) -> None:
        values = {**self.form.values(), form_memory.OWN_FILE: self.own_path}
        try:
            form_memory.remember(MEMORY, values)
        except OSError as exc:
            self.notify(f"Could not remember the form's values: {exc}", severity="warning")

    def _show_saved(self, text: str, css: str) -> None:
        line = self.query_one("#saved", Static)
        line.set_classes(css)
        line.update(escape(text))

    def _save(self, then: Any = None) -> None:
        """Save the script where qsub runs (a worker); `then(saved)` runs once it is written."""
        request, text = self.form.show_status()
        if request is None or self.saving:
            return
        session = self.host.session
        host = self.host
        directory, own = self.form.directory(), self.own_path or None
        self.saving = True
        self._show_saved("saving…", "")

        async def work() -> None:
            try:
                saved = await session.scripts.save(
                    text, script_filename(request), directory=directory, replace=own
                )
            except Exception as exc:  # noqa: BLE001 - shown on the form, which stays open to fix it
                failure = report_failure(exc, "save the job script", timings=host.show_timings)
                if self.is_attached:
                    self._show_saved(failure.text(prefix="✗ ", limit=3), "error")
                return
            finally:
                self.saving = False
                host.action_finished()
            self.saved = saved
            rewritten = saved.path == own
            self.own_path = saved.path
            if self.is_attached:
                where = session.host if session.mode == "ssh" else ""
                self._show_saved(saved_line(saved, rewritten=rewritten, where=where), "ok")
                self._remember()
            if then is not None and self.is_attached:
                then(saved)

        host.action_started()
        # App-owned: closing the form must not cut a write in half
        self.app.run_worker(work, group="job-form-save", exit_on_error=False, description="save job script")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._save()

    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        self._save(then=self._run_qsub)

    def _run_qsub(self, saved: SavedScript) -> None:
        pbs = self.host.session.pbs

        def closed(job_id: Any) -> None:
            # the form goes away with the result dialog; on failure it stays, entries kept, to fix and retry
            if job_id:
                self._remember()
                self.dismiss(str(job_id))

        self.host.run_with_dialog(
            f"Submit {saved.name} (in {saved.workdir})",
            lambda: pbs.submit(saved.path, cwd=saved.workdir),
            commands=[pbs.argv_submit(saved.path)],
            success=lambda job_id: f"Submitted job {job_id}.",
            refresh=("jobs",),
            closed=closed,
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self._remember()
        self.dismiss(None)
