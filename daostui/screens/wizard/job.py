"""Step 5, job script: the job form for the chosen pool and container, a live preview, and a save.

The script is saved where `qsub` will read it — through the session's script store, into the
directory the form shows (`~/daostui/jobs` on the login node over ssh) — before anything is
submitted; Next saves it when the user has not. The first save picks a free name, later saves
rewrite the wizard's own file. Changing the form after a save marks the file out of date (Next
saves it again), so what is submitted is always what the form shows.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import QueryError
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from daostui.core import paths
from daostui.pbs.jobscript import script_filename
from daostui.pbs.script_store import SavedScript
from daostui.screens.wizard.step import WizardStep
from daostui.widgets.job_form import REMEMBERED, JobDefaults, JobForm

#: The form fields kept in the saved state (back, forward and resume restore them).
JOB_FIELDS = REMEMBERED


class JobStep(WizardStep):
    STEP_ID = "job"

    def compose(self) -> ComposeResult:
        yield Static("", id="job-form-slot")
        yield Label("Script preview (saved before anything is submitted):")
        yield TextArea("", read_only=True, id="script-preview")
        with Horizontal(classes="row"):
            yield Button("Save script", id="save-script")
        yield Static("", id="saved", classes="note")

    def _form(self) -> JobForm | None:
        forms = list(self.query(JobForm))
        return forms[0] if forms else None

    def enter(self) -> None:
        existing = self._form()
        if existing is not None:
            # coming back (or forward again): same form, the pool/container may have changed
            existing.query_one("#pool", Input).value = self.state.pool
            existing.query_one("#container", Input).value = self.state.container
            self.call_after_refresh(self._restore_fields)
            return
        # the form is made on first entry: the queues and the project are known only by then
        data, session = self.host.data, self.host.session
        defaults = JobDefaults(
            project=self.state.job.get("project") or session.project or session.config.project,
            queues=data.queue_limits(),
            queue=self.state.job.get("queue") or session.config.default_queue or "debug",
            pool=self.state.pool,
            container=self.state.container,
            site=data.job_site(),
        )
        form = JobForm(defaults, id="wizard-job-form", default_dir=session.scripts.workdir)
        self.mount(form, before=self.query_one("#job-form-slot"))
        self.call_after_refresh(self._restore_fields)

    def problem(self) -> str:
        form = self._form()
        if form is None:
            return "The job form is not ready."
        request, text = form.show_status()
        return "" if request is not None else text

    def ready_to_leave(self, proceed: Callable[[], None]) -> bool:
        if self.state.script_path and not self.state.script_stale:
            return True
        self._save_script(then=proceed)
        return False

    def leave(self) -> None:
        form = self._form()
        if form is not None:
            self.state.job = form.values()

    def _restore_fields(self) -> None:
        form = self._form()
        if form is None:
            return
        for key, value in self.state.job.items():
            if key in ("queue", "interception"):
                continue
            try:
                form.query_one(f"#{key}", Input).value = value
            except QueryError:  # a field from an older version
                continue
        interception = self.state.job.get("interception")
        if interception:
            form.query_one("#interception", Select).value = interception
        for field_id in ("pool", "container"):
            form.query_one(f"#{field_id}", Input).disabled = True
        self._changed()
        self.focus_later(form.query_one("#project", Input))
        if self.state.script_path:
            self._show_saved(self.state.script_path)

    def _show_saved(self, path: str) -> None:
        stale = (
            " — out of date: the form changed since, Next saves it again" if self.state.script_stale else ""
        )
        self.query_one("#saved", Static).update(escape(f"✓ saved {path}{stale}"))

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        form = self._form()
        if form is None or self.state.step_id != "job":
            return
        request, text = form.show_status()
        if request is not None:
            self.query_one("#script-preview", TextArea).text = text
        self.query_one("#save-script", Button).disabled = request is None
        if self.state.script_path and form.values() != self.state.job:
            # the file no longer matches the form: Next saves it again (the same file)
            self.state.script_stale = True
            self._show_saved(self.state.script_path)

    @on(Button.Pressed, "#save-script")
    def _save_pressed(self) -> None:
        self._save_script()

    def _save_script(self, then: Callable[[], None] | None = None) -> None:
        """Save the script where qsub runs (the wizard's own file once it has one); `then()` after."""
        form = self._form()
        if form is None:
            return
        request, text = form.show_status()
        if request is None:
            self.wizard.set_outcome("✗ " + text, "error")
            return
        self.leave()
        session = self.host.session
        if request.project and not session.project:
            session.project = request.project
            self._remember_project(request.project)
        scripts = session.scripts
        directory, own = form.directory(), self.state.script_path or None

        def done(saved: SavedScript) -> str:
            self.state.script_path = saved.path
            self.state.script_stale = False
            self._show_saved(saved.path)
            if then is not None:
                then()
            where = f" on {session.host}" if session.mode == "ssh" else ""
            return f"Saved {saved.path}{where}" + (". Next: submit it." if then is None else ".")

        self.wizard.run(
            "Saving the job script",
            [],
            lambda: scripts.save(text, script_filename(request), directory=directory, replace=own),
            done,
        )

    def _remember_project(self, project: str) -> None:
        """Asked once, remembered: the project goes into the config file for next time."""
        from daostui.core.config import save_project

        session = self.host.session
        if session.mode == "demo":
            return
        try:
            save_project(session.config.path or paths.config_file(), project)
        except OSError as exc:
            self.notify(f"Could not remember the project in the config: {exc}", severity="warning")
