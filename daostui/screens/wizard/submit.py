"""Step 6, submit and monitor: `qsub` the saved script, show the job id and a summary of what the
setup did (and how to do it again by hand); Finish follows the job in the console."""

from __future__ import annotations

import posixpath

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from daostui.core.errors import DaostuiError, OutcomeUnknownError
from daostui.core.wizard_progress import summary
from daostui.daos.presets import PRESETS
from daostui.screens.wizard.step import WizardStep


class SubmitStep(WizardStep):
    STEP_ID = "submit"

    def compose(self) -> ComposeResult:
        yield Static("", id="submit-status")
        with Horizontal(classes="row"):
            yield Button("Submit with qsub", id="submit", variant="primary")
            yield Button("Finish: follow my job", id="finish", variant="success")
        yield Static("", id="summary")

    def enter(self) -> None:
        pbs = self.host.session.pbs
        script = self.state.script_path
        lines = [f"Script: {script}"] + ([f"qsub runs in {posixpath.dirname(script)}"] if script else [])
        if self.state.job_id:
            lines.append(f"✓ Submitted as job {self.state.job_id}.")
        self.query_one("#submit-status", Static).update(escape("\n".join(lines)))
        self.query_one("#submit", Button).disabled = bool(self.state.job_id)
        self.query_one("#finish", Button).disabled = not self.state.job_id
        self.wizard.set_commands([pbs.argv_submit(script)])
        self._show_summary()
        self.focus_later(self.query_one("#finish" if self.state.job_id else "#submit", Button))

    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        session = self.host.session
        pbs = session.pbs
        script = self.state.script_path
        if not script or self.state.script_stale:
            self.wizard.set_outcome("✗ The script is not saved: go Back and save it.", "error")
            return
        # qsub runs in the script's directory (where commands run): PBS_O_WORKDIR and the .o/.e are there
        workdir = posixpath.dirname(script)

        # the jobs known before: after an unknown outcome, a new job of this name is this submission
        known = [job.id for job in self.host.data.tracker.jobs()]
        name = self.state.job.get("name") or "daos_job"

        def done(job_id: str) -> str:
            self.state.job_id = str(job_id)
            self.query_one("#submit", Button).disabled = True
            self.query_one("#finish", Button).disabled = False
            self.query_one("#finish").focus()
            self.host.refresh_pane("jobs")
            self._show_summary()
            return f"Submitted job {job_id}. Press Finish to follow it in the jobs pane."

        def failed(exc: BaseException) -> None:
            if isinstance(exc, OutcomeUnknownError):
                # never submitted twice: look for the job before the user may press Submit again
                self.wizard.verify(
                    f"Checking whether job {name} was submitted",
                    [pbs.argv_jobs_named(name)],
                    lambda: pbs.check_submitted(name, known=known),
                    lambda check: done(check.found[0]),
                )
                return
            if isinstance(exc, DaostuiError):
                self.query_one("#submit-status", Static).update(
                    escape(
                        f"Script: {script}\nqsub refused the job. Fix it with Back (your entries are kept), "
                        "then Next and Submit again."
                    )
                )

        self.wizard.run(
            "Submitting",
            [pbs.argv_submit(script)],
            lambda: pbs.submit(script, cwd=workdir),
            done,
            failed,
        )

    def _show_summary(self) -> None:
        session = self.host.session
        state = self.state
        create_argv = None
        if state.created_container:
            request = PRESETS.get(state.preset, PRESETS["simple"]).request(state.pool, state.container)
            create_argv = request.argv()
        mounts = session.mounts
        items, commands = summary(
            state,
            prelude=[]
            if session.mode == "demo" and not session.uses_prelude
            else list(session.site.module_prelude),
            create_argv=create_argv,
            mount_argvs=mounts.argv_mount(state.pool, state.container, state.mount_path)
            if state.mount_path
            else [],
            unmount_argv=mounts.argv_unmount(state.mount_path) if state.mount_path else None,
            submit_argv=session.pbs.argv_submit(state.script_path) if state.script_path else None,
            status_argv=["qstat", "-f", state.job_id] if state.job_id else None,
        )
        text = ["Summary — what the guided setup created or used:"]
        text += [f"  {item.what:<11} {item.detail}" for item in items]
        text += ["", "To do it again by hand:"] + [f"  $ {line}" for line in commands]
        self.query_one("#summary", Static).update(escape("\n".join(text)))

    @on(Button.Pressed, "#finish")
    def _finish(self) -> None:
        if self.state.job_id:
            self.wizard.finish(self.state.job_id)
