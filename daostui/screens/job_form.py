"""New job: the job-script generator as a form, with a live preview, save, and submit.

The queue list and its limits come from the server (`qstat -Qf`); the DAOS filesystem name from
`qstat -Bf`'s valid filesystems. Bad input (walltime, node counts beyond the queue's limits, empty
program, labels) is refused with the rule it broke before anything runs, and the script is always
saved to a file (name shown) before `qsub` sees it: nothing is lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from daostui.core.errors import DaostuiError, ValidationError
from daostui.pbs.jobscript import JobRequest, generate_script, save_script, script_filename, validate
from daostui.pbs.limits import AURORA_DEFAULTS, QueueLimits
from daostui.pbs.walltime import parse_walltime

if TYPE_CHECKING:
    from daostui.app import DaosTui

INTERCEPTION = [
    ("none (dfuse only)", "none"),
    ("libioil: data only", "ioil"),
    ("libpil4dfs: data + metadata (ALCF preferred)", "pil4dfs"),
]


class JobForm(Widget):
    """The fields of a DAOS job; posts nothing, the owner reads `request()` and `limits()`."""

    DEFAULT_CSS = """
    JobForm { height: auto; }
    JobForm .row { height: auto; }
    JobForm .row > Vertical { width: 1fr; height: auto; padding-right: 1; }
    JobForm #problems { color: $error; height: auto; }
    JobForm #limits { color: $text-muted; height: auto; }
    JobForm.-interactive .batch-only { display: none; }
    """

    def __init__(
        self,
        *,
        project: str,
        queues: dict[str, QueueLimits],
        queue: str,
        pool: str,
        container: str,
        site: Any,
        id: str | None = None,
        interactive: bool = False,
    ) -> None:
        super().__init__(id=id, classes="-interactive" if interactive else "")
        self.project = project
        self.queues = queues or dict(AURORA_DEFAULTS)
        self.queue = queue if queue in self.queues else next(iter(self.queues))
        self.pool = pool
        self.container = container
        self.site = site

    def _field(self, label: str, widget: Widget, classes: str = "") -> Vertical:
        return Vertical(Label(label), widget, classes=classes)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield self._field("Project (-A)", Input(self.project, id="project"))
            yield self._field(
                "Queue (-q)",
                Select([(q, q) for q in self.queues], value=self.queue, allow_blank=False, id="queue"),
            )
            yield self._field("Job name (-N)", Input("daos_job", id="name"))
        yield Static("", id="limits")
        with Horizontal(classes="row"):
            yield self._field("Nodes", Input("1", id="nodes", type="integer"))
            yield self._field("Walltime HH:MM:SS", Input("00:10:00", id="walltime"))
            yield self._field("Ranks per node", Input("12", id="ranks", type="integer"), "batch-only")
        with Horizontal(classes="row"):
            yield self._field("Pool", Input(self.pool, id="pool"))
            yield self._field("Container", Input(self.container, id="container"))
            yield self._field(
                "Interception library",
                Select(INTERCEPTION, value="none", allow_blank=False, id="interception"),
                "batch-only",
            )
        with Horizontal(classes="row batch-only"):
            yield self._field("Program", Input("python3", id="program"))
            yield self._field(
                "Arguments", Input("", id="args", placeholder="e.g. train.py --data /tmp/$DAOS_POOL/...")
            )
        yield Static("", id="problems")

    def value(self, field_id: str) -> str:
        widget = self.query_one(f"#{field_id}")
        if isinstance(widget, Select):
            return str(widget.value)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def limits(self) -> QueueLimits | None:
        return self.queues.get(self.value("queue"))

    def request(self) -> JobRequest:
        """The request the form describes (not yet validated)."""
        import shlex

        def integer(field_id: str, name: str) -> int:
            text = self.value(field_id)
            if not text.lstrip("-").isdigit():
                raise ValidationError(f"{name} must be a whole number", field=field_id, rule="integer")
            return int(text)

        try:
            args = shlex.split(self.value("args"))
        except ValueError as exc:
            raise ValidationError(f"arguments: {exc}", field="args", rule="shell words") from None
        return JobRequest(
            project=self.value("project"),
            queue=self.value("queue"),
            nodes=integer("nodes", "nodes"),
            walltime=self.value("walltime"),
            ranks_per_node=integer("ranks", "ranks per node"),
            program=self.value("program"),
            args=tuple(args),
            pool=self.value("pool"),
            container=self.value("container"),
            interception=self.value("interception"),
            job_name=self.value("name") or "daos_job",
        )

    def checked(self) -> tuple[JobRequest | None, str]:
        """(request, script) when valid, else (None, the problems naming each rule)."""
        try:
            request = self.request()
            validate(request, self.limits())
            parse_walltime(str(request.walltime))
            return request, generate_script(request, self.site)
        except (ValidationError, DaostuiError) as exc:
            return None, str(exc)

    def show_status(self) -> tuple[JobRequest | None, str]:
        request, script_or_problem = self.checked()
        limits = self.limits()
        self.query_one("#limits", Static).update(
            escape(f"queue limits: {limits.describe()}" if limits else "")
        )
        self.query_one("#problems", Static).update(escape("" if request else "✗ " + script_or_problem))
        return request, script_or_problem


def job_form_for(app: DaosTui, *, interactive: bool = False) -> JobForm:
    """The job form as the console opens it: the project, the server's queues and limits, the
    selected pool (or the configured one) and the container under the cursor."""
    config = app.session.config
    pool = app.data.selected_pool or config.default_pool or ""
    key = app.main_screen.pane("containers").table.cursor_key or ""
    row = app.data.container(pool, key) if key else None
    return JobForm(
        project=app.session.project,
        queues=app.data.queue_limits(),
        queue=config.default_queue or "debug",
        pool=pool,
        container=row.label if row else "",
        site=app.data.job_site(),
        interactive=interactive,
        id="form",
    )


class JobFormScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    JobFormScreen { align: center middle; }
    JobFormScreen > Vertical { width: 120; max-width: 99%; height: 95%; border: thick $accent;
                               background: $surface; }
    JobFormScreen #body { height: 1fr; }
    JobFormScreen #preview { height: 1fr; min-height: 10; }
    JobFormScreen .buttons { height: auto; align-horizontal: right; }
    JobFormScreen .buttons Button { margin-left: 2; }
    JobFormScreen #saved { color: $success; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save script")]

    def __init__(self, app: DaosTui) -> None:
        super().__init__()
        self._app = app
        self.saved_path: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                " New job script (live preview) — ctrl+s saves, Submit saves then runs qsub", id="title"
            )
            with VerticalScroll(id="body"):
                yield job_form_for(self._app)
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
        path = save_script(text, self._app.session.workdir, script_filename(request))
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
        from daostui.handlers import run

        pbs = self._app.session.pbs
        workdir = str(self._app.session.workdir)

        def closed(job_id: Any) -> None:
            # the form goes away with the result dialog; on failure it stays, entries kept, to fix and retry
            if job_id:
                self.dismiss(str(job_id))

        run(
            self._app,
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
