"""The queues view (`Q`): what `qstat -Qf` and `qstat -Bf` say about where a job can go.

Per queue: whether it takes and runs jobs, every user's jobs per state, its node and walltime
bounds, and the limit entries that bind *this* user — every one of them: OpenPBS prints one
`max_run` line (or one duplicate JSON key) per entry, and a user's own `[u:NAME=3]` replaces the
generic `[u:PBS_GENERIC=2]`. The server's own limits apply on top and are listed below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from daostui.screens.detail_view import DetailScreen

if TYPE_CHECKING:
    from daostui.pbs.queues import Queue, ServerInfo


def _span(low: int | None, high: int | None, show: Callable[[int], str] = str) -> str:
    if low is None and high is None:
        return "-"
    if low is None:
        return f"≤ {show(high)}"  # type: ignore[arg-type]
    if high is None:
        return f"≥ {show(low)}"
    return f"{show(low)}–{show(high)}"


def _walltime(seconds: int) -> str:
    """`1:00` for an hour, `168:00` for a week: bounds read better without their seconds."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _state(queue: Queue) -> Text:
    if queue.enabled and queue.started:
        return Text("open", style="green")
    if not queue.enabled:
        return Text("closed", style="bold red")  # qsub: Queue is not enabled
    return Text("stopped", style="yellow")  # takes jobs, starts none


def _jobs(queue: Queue) -> str:
    counts = [f"{queue.queued} Q", f"{queue.running} R"]
    if queue.held:
        counts.append(f"{queue.held} H")
    return " ".join(counts)


def _name(queue: Queue) -> Text:
    text = Text()
    text.append(queue.name, style="bold")
    if queue.is_routing:
        destinations = ", ".join(queue.route_destinations) or "?"
        text.append(f"\nroutes to {destinations}", style="dim")
    return text


def _limits(queue: Queue, user: str) -> Text:
    limits = queue.limits_for(user).user_limits
    if not limits:
        return Text("none set", style="dim")
    return Text("\n".join(limit.describe() for limit in limits))


#: Below this width the limits go under each queue's name instead of in a column of their own.
WIDE = 100


class QueuesTable:
    """The queues as a table that fits its width: at 80 columns the limits move under the name."""

    def __init__(self, queues: list[Queue], user: str) -> None:
        self.queues = queues
        self.user = user

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = options.max_width >= WIDE
        table = Table(expand=True, box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False)
        table.add_column("Queue" if wide else f"Queue · limits on you ({self.user})", ratio=1)
        table.add_column("State", no_wrap=True, width=7)
        table.add_column("Jobs", no_wrap=True, width=11)
        table.add_column("Nodes", no_wrap=True, width=9)
        table.add_column("Walltime", no_wrap=True, width=11)
        if wide:
            table.add_column(f"Limits on you ({self.user})", ratio=2)
        for queue in self.queues:
            name, limits = _name(queue), _limits(queue, self.user)
            if not wide:
                name.append("\n")
                name.append_text(limits)
            cells: list[RenderableType] = [
                name,
                _state(queue),
                _jobs(queue),
                _span(queue.min_nodes, queue.max_nodes),
                _span(queue.min_walltime, queue.max_walltime, _walltime),
            ]
            table.add_row(*cells, *([limits] if wide else []), end_section=True)
        yield table


def queues_body(queues: list[Queue], server: ServerInfo | None, user: str) -> RenderableType:
    if not queues:
        return Text("PBS lists no queue you can see.", style="yellow")
    parts: list[RenderableType] = [QueuesTable(queues, user)]
    server_limits = server.user_limits(user) if server is not None else []
    if server_limits:
        parts.append(
            Text(f"Server-wide, on top of the queues' ({server.name if server else ''}):", style="bold")
        )
        parts += [Text("  " + limit.describe()) for limit in server_limits]
    parts.append(
        Text(
            "Jobs of all users: Q queued, R running, H held. Closed: qsub refuses jobs; stopped: jobs "
            "wait, none start. Nodes and walltime: the bounds a job must fit. "
            "A routing queue sends each job to the first destination whose bounds fit it.",
            style="dim",
        )
    )
    return Group(*parts)


class QueuesScreen(DetailScreen):
    """PBS's queues, fetched again on open (and `r`): they are what a submission is checked against.

    `commands` are the two it runs (`qstat -Qf -F json`, `qstat -Bf -F json`), shown first."""

    DIALOG_CLASSES = "dialog -widest -tall -panel"

    def __init__(self, commands: Sequence[Sequence[str]]) -> None:
        super().__init__("PBS queues", commands, self._fetch_queues)

    async def _fetch_queues(self) -> RenderableType:
        queues, server = await self.host.data.fetch_queues()
        return queues_body(queues, server, self.host.session.user)
