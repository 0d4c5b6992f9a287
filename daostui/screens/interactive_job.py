"""The interactive-job form: the batch form's PBS fields, the `qsub -I` line it runs, and the mount choice.

Starting hands the terminal to the job (the console suspends and resumes where it was); the form
describes the request and prepares where it runs: the working directory (on the login node over
ssh) is made if missing, and when the container is to be mounted its mount script — launch-dfuse.sh,
then a check that the mount really appeared, since launch-dfuse.sh exits 0 when dfuse failed — is
saved there through the session's script store, so the job's shell runs `bash <that script>`.
The App runs the request; what the form showed is remembered for the next opening.
"""

from __future__ import annotations

import dataclasses
import shlex

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from daostui.core import form_memory
from daostui.core.failures import report_failure
from daostui.pbs.interactive_session import InteractiveRequest, interactive_argv
from daostui.screens.base import DialogScreen
from daostui.widgets.job_form import JobDefaults, JobForm

#: The form's entry in core/form_memory (plus "mount": "1"/"0", the checkbox).
MEMORY = "interactive"


class InteractiveScreen(DialogScreen[InteractiveRequest | None]):
    """Dismissed with the request to run (the App suspends and hands the terminal to it), or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, defaults: JobDefaults) -> None:
        super().__init__()
        self.defaults = defaults
        self.remembered = form_memory.load(MEMORY)
        #: The mount script this form saved last (rewritten by the next start).
        self.own_path = self.remembered.get(form_memory.OWN_FILE, "")
        #: True while the directory and the mount script are prepared.
        self.preparing = False

    def compose(self) -> ComposeResult:
        session = self.host.session
        with Vertical(classes="dialog -wide -taller -panel"):
            yield Label("Interactive job (qsub -I): a shell on the job's first compute node")
            with VerticalScroll(id="body"):
                yield JobForm(
                    self.defaults,
                    interactive=True,
                    id="form",
                    remembered=self.remembered,
                    default_dir=session.scripts.workdir,
                )
                yield Checkbox(
                    "Mount the container on the job's nodes (launch-dfuse.sh pool:cont)",
                    self.remembered.get("mount", "1") == "1",
                    id="mount",
                )
            # what runs stays in view under the scrolled fields
            yield Static("", id="preview")
            yield Static("", id="status")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(
                    "Start (the console resumes when the shell exits)", id="start", variant="primary"
                )

    def on_mount(self) -> None:
        self._refresh()
        self.call_after_refresh(self.query_one("#project", Input).focus)

    @property
    def form(self) -> JobForm:
        return self.query_one(JobForm)

    def request(self) -> tuple[InteractiveRequest | None, str]:
        request, problem = self.form.checked()
        if request is None:
            return None, problem
        site = self.defaults.site
        argv = interactive_argv(
            self.host.session.pbs,
            project=request.project,
            queue=request.queue,
            nodes=request.nodes,
            walltime=str(request.walltime),
            daos_fs=site.daos_filesystem if request.pool else "",
            daos_resource=site.daos_resource if request.pool and site.add_daos_resource else None,
            job_name=request.job_name,
        )
        mount = self.query_one("#mount", Checkbox).value and bool(request.pool and request.container)
        return (
            InteractiveRequest(
                argv,
                pool=request.pool if mount else "",
                container=request.container if mount else "",
                launch_dfuse=site.launch_dfuse,
                clean_dfuse=site.clean_dfuse,
                mount_root=site.compute_mount_root,
                directory=self.form.directory(),
                job_name=request.job_name,
            ),
            "",
        )

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _refresh(self) -> None:
        self.form.show_status()
        request, _problem = self.request()
        lines = []
        if request is not None:
            where = request.directory or self.form.default_dir or "the default directory"
            lines.append(f"$ {shlex.join(request.argv)}    (in {where})")
            if request.mounts:
                lines.append(
                    f"then in the job's shell: bash {request.setup_name} — saved there first: "
                    f"{request.launch_dfuse} {request.pool}:{request.container}, then a check that "
                    f"{request.mount_point} really is a dfuse mount"
                )
        self.query_one("#preview", Static).update(escape("\n".join(lines)))
        self.query_one("#start", Button).disabled = request is None or self.preparing

    def _remember(self) -> None:
        values = {
            **self.form.values(),
            "mount": "1" if self.query_one("#mount", Checkbox).value else "0",
            form_memory.OWN_FILE: self.own_path,
        }
        try:
            form_memory.remember(MEMORY, values)
        except OSError as exc:
            self.notify(f"Could not remember the form's values: {exc}", severity="warning")

    def _status(self, text: str, css: str = "") -> None:
        status = self.query_one("#status", Static)
        status.set_classes(css)
        status.update(escape(text))

    @on(Input.Submitted)
    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        request, _problem = self.request()
        if request is None or self.preparing:
            return
        session, host = self.host.session, self.host
        scripts, own = session.scripts, self.own_path or None
        self.preparing = True
        self.query_one("#start", Button).disabled = True
        self._status("preparing the working directory…")

        async def prepare() -> None:
            ready: InteractiveRequest | None = None
            problem = ""
            try:
                if request.mounts:
                    saved = await scripts.save(
                        request.setup_script(), request.setup_name, directory=request.directory, replace=own
                    )
                    ready = dataclasses.replace(request, directory=saved.workdir, setup_path=saved.path)
                    self.own_path = saved.path
                else:
                    ready = dataclasses.replace(
                        request, directory=await scripts.prepare_dir(request.directory)
                    )
            except Exception as exc:  # noqa: BLE001 - shown on the form, which stays open to fix it
                failure = report_failure(exc, "prepare the interactive job", timings=host.show_timings)
                problem = failure.text(prefix="✗ ", limit=3)
            finally:
                host.action_finished()
            self.preparing = False
            if not self.is_attached:
                return
            if ready is None:
                self._status(problem, "error")
                self._refresh()
                return
            self._remember()
            self.dismiss(ready)

        host.action_started()
        self.app.run_worker(prepare, group="interactive-prepare", exit_on_error=False, description="prepare")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self._remember()
        self.dismiss(None)
