"""The interactive-job form: the batch form's PBS fields, the `qsub -I` line it runs, and the mount choice.

Starting hands the terminal to the job (the console suspends and resumes where it was); the form
only describes the request, the App runs it.
"""

from __future__ import annotations

import shlex

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from daostui.pbs.interactive_session import InteractiveRequest, interactive_argv
from daostui.screens.base import DialogScreen
from daostui.widgets.job_form import JobDefaults, JobForm


class InteractiveScreen(DialogScreen[InteractiveRequest | None]):
    """Dismissed with the request to run (the App suspends and hands the terminal to it), or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, defaults: JobDefaults) -> None:
        super().__init__()
        self.defaults = defaults

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide -taller -panel"):
            yield Label("Interactive job (qsub -I): a shell on the job's first compute node")
            with VerticalScroll():
                yield JobForm(self.defaults, interactive=True, id="form")
                yield Checkbox(
                    "Mount the container on the job's nodes (launch-dfuse.sh pool:cont)", True, id="mount"
                )
                yield Static("", id="preview")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(
                    "Start (the console resumes when the shell exits)", id="start", variant="primary"
                )

    def on_mount(self) -> None:
        self._refresh()
        self.call_after_refresh(self.query_one("#project", Input).focus)

    def request(self) -> tuple[InteractiveRequest | None, str]:
        form = self.query_one(JobForm)
        request, problem = form.checked()
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
        )
        mount = self.query_one("#mount", Checkbox).value and bool(request.pool and request.container)
        return (
            InteractiveRequest(
                argv,
                pool=request.pool if mount else "",
                container=request.container if mount else "",
                launch_dfuse=site.launch_dfuse,
                clean_dfuse=site.clean_dfuse,
            ),
            "",
        )

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _refresh(self) -> None:
        self.query_one(JobForm).show_status()
        request, _problem = self.request()
        lines = []
        if request is not None:
            lines.append("$ " + shlex.join(request.argv))
            if request.mounts:
                lines.append("then in the job's shell: " + request.mount_line())
        self.query_one("#preview", Static).update(escape("\n".join(lines)))
        self.query_one("#start", Button).disabled = request is None

    @on(Input.Submitted)
    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        request, _problem = self.request()
        if request is not None:
            self.dismiss(request)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
