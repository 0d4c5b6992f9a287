"""The fields of a DAOS job (project, queue, nodes, walltime, pool, container, program), checked as typed.

One widget for the three places that describe a job: the new-job form, the interactive-job form
and the wizard's job step. Bad input (walltime, node counts beyond the queue's limits, empty
program, labels) is refused with the rule it broke before anything runs; the owner reads
`checked()` (the request and its script) and decides what to do with it.
"""

from __future__ import annotations

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
from daostui.pbs.walltime import parse_walltime

INTERCEPTION = [
    ("none (dfuse only)", "none"),
    ("libioil: data only", "ioil"),
    ("libpil4dfs: data + metadata (ALCF preferred)", "pil4dfs"),
]


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
    """The fields of a DAOS job; posts nothing, the owner reads `request()` and `limits()`."""

    DEFAULT_CSS = """
    JobForm { height: auto; }
    JobForm .row { height: auto; }
    JobForm .row > Vertical { width: 1fr; height: auto; padding-right: 1; }
    JobForm #problems { color: $error; height: auto; }
    JobForm #limits { color: $text-muted; height: auto; }
    JobForm.-interactive .batch-only { display: none; }
    """

    def __init__(self, defaults: JobDefaults, *, id: str | None = None, interactive: bool = False) -> None:
        super().__init__(id=id, classes="-interactive" if interactive else "")
        self.project = defaults.project
        self.queues = defaults.queues or dict(AURORA_DEFAULTS)
        self.queue = defaults.queue if defaults.queue in self.queues else next(iter(self.queues))
        self.pool = defaults.pool
        self.container = defaults.container
        self.site = defaults.site

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
