"""The fields of a DAOS job (project, queue, nodes, walltime, pool, container, program, directory), checked as typed.

One widget for the three places that describe a job: the new-job form, the interactive-job form
and the wizard's job step. Bad input (walltime, node counts beyond the queue's limits, empty
program, labels, a relative directory) is refused with the rule it broke before anything runs;
the owner reads `checked()` (the request and its script) and `directory()` and decides what to do
with them. The directory is where the script is saved and `qsub` runs — on the login node over
ssh — so its default comes from the session's script store (`~/daostui/jobs` there), asked once
the widget is mounted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from daostui.core.errors import DaostuiError, ValidationError
from daostui.pbs.jobscript import JobRequest, generate_script, validate
from daostui.pbs.limits import AURORA_DEFAULTS, QueueLimits
from daostui.pbs.script_store import directory_problem
from daostui.pbs.walltime import parse_walltime

INTERCEPTION = [
    ("none (dfuse only)", "none"),
    ("libioil: data only", "ioil"),
    ("libpil4dfs: data + metadata (ALCF preferred)", "pil4dfs"),
]
#: The fields a form keeps between openings (pool and container follow the console's selection).
REMEMBERED = (
    "project",
    "queue",
    "name",
    "nodes",
    "walltime",
    "ranks",
    "interception",
    "program",
    "args",
    "workdir",
)
#: What the inputs hold before anything is typed or remembered.
INITIAL = {"name": "daos_job", "nodes": "1", "walltime": "00:10:00", "ranks": "12", "program": "python3"}


@dataclass(frozen=True)
class JobDefaults:
    """What the form starts with: the project, the server's queues and their limits, the pool and
    container the job uses, and the site profile (with the DAOS filesystem the server lists)."""

    project: str
    queues: dict[str, QueueLimits]
    queue: str
    pool: str
    container: str
    site: Any


class JobForm(Widget):
    """The fields of a DAOS job; posts nothing, the owner reads `checked()`, `directory()`, `values()`.

    `remembered` are the values the form showed last time (core/form_memory); they win over the
    defaults, except pool and container, which follow what the user selected in the console.
    `default_dir` gives the directory shown when none is remembered (the session's script store's
    `workdir`: asked once mounted, since over ssh it is the login node's home)."""

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
        defaults: JobDefaults,
        *,
        id: str | None = None,
        interactive: bool = False,
        remembered: Mapping[str, str] | None = None,
        default_dir: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        super().__init__(id=id, classes="-interactive" if interactive else "")
        self.interactive = interactive
        self._default_dir = default_dir
        self.queues = defaults.queues or dict(AURORA_DEFAULTS)
        self.site = defaults.site
        remembered = {k: v for k, v in (remembered or {}).items() if k in REMEMBERED}
        self.initial = {**INITIAL, "project": defaults.project, "queue": defaults.queue, **remembered}
        self.initial.update(pool=defaults.pool, container=defaults.container)
        if self.initial["queue"] not in self.queues:
            self.initial["queue"] = (
                defaults.queue if defaults.queue in self.queues else next(iter(self.queues))
            )
        if self.initial.get("interception") not in dict((v, k) for k, v in INTERCEPTION):
            self.initial["interception"] = "none"
        #: The session's default directory once known ("" until then).
        self.default_dir = ""

    def _field(self, label: str, widget: Widget, classes: str = "") -> Vertical:
        return Vertical(Label(label), widget, classes=classes)

    def _input(self, field_id: str, **options: Any) -> Input:
        return Input(self.initial.get(field_id, ""), id=field_id, **options)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield self._field("Project (-A)", self._input("project"))
            yield self._field(
                "Queue (-q)",
                Select(
                    [(q, q) for q in self.queues], value=self.initial["queue"], allow_blank=False, id="queue"
                ),
            )
            yield self._field("Job name (-N)", self._input("name"))
        yield Static("", id="limits")
        with Horizontal(classes="row"):
            yield self._field("Nodes", self._input("nodes", type="integer"))
            yield self._field("Walltime HH:MM:SS", self._input("walltime"))
            yield self._field("Ranks per node", self._input("ranks", type="integer"), "batch-only")
        with Horizontal(classes="row"):
            yield self._field("Pool", self._input("pool"))
            yield self._field("Container", self._input("container"))
            yield self._field(
                "Interception library",
                Select(
                    INTERCEPTION, value=self.initial["interception"], allow_blank=False, id="interception"
                ),
                "batch-only",
            )
        with Horizontal(classes="row"):
            yield self._field("Program", self._input("program"), "batch-only")
            yield self._field(
                "Arguments",
                self._input("args", placeholder="e.g. train.py --data /tmp/$DAOS_POOL/..."),
                "batch-only",
            )
            # where the script is saved and qsub runs (~ is the home where commands run)
            yield self._field(
                "Directory (qsub runs here)", self._input("workdir", placeholder="~/daostui/jobs")
            )
        yield Static("", id="problems")

    def on_mount(self) -> None:
        ask = self._default_dir
        if ask is None:
            return

        async def default_dir() -> None:
            try:
                directory = await ask()
            except DaostuiError:
                return  # not connected yet: empty still means "the default" when saving
            self.default_dir = directory
            field = self.query_one("#workdir", Input)
            field.placeholder = directory
            if not field.value.strip():
                field.value = directory

        self.run_worker(default_dir, group="job-form-dir", exit_on_error=False)

    def value(self, field_id: str) -> str:
        widget = self.query_one(f"#{field_id}")
        if isinstance(widget, Select):
            return str(widget.value)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def values(self) -> dict[str, str]:
        """What a later opening restores (see REMEMBERED)."""
        return {field_id: self.value(field_id) for field_id in REMEMBERED}

    def directory(self) -> str:
        """The directory as typed ("" means the session's default)."""
        return self.value("workdir")

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
            problem = directory_problem(self.directory())
            if problem:
                raise ValidationError(problem, field="workdir", rule="working directory")
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
