"""Queue limits as the console enforces them before `qsub` runs.

Read live from `qstat -Qf` (resources_min/max.nodect and .walltime) rather than hard-coded, since
ALCF changes them often (pbs.md §6.1). The defaults below are the documented Aurora values, used
only when the server does not say.
"""

from __future__ import annotations

from dataclasses import dataclass

from daostui.pbs.walltime import format_walltime


@dataclass(frozen=True, slots=True)
class QueueLimits:
    queue: str
    min_nodes: int | None = None
    max_nodes: int | None = None
    min_walltime: int | None = None  # seconds
    max_walltime: int | None = None  # seconds
    #: Free text about per-user limits (e.g. "max 1 job queued/running per user").
    note: str = ""

    def problems(self, nodes: int, walltime: int) -> list[str]:
        """Every limit the request breaks, each as a sentence naming the rule."""
        found: list[str] = []
        if self.min_nodes is not None and nodes < self.min_nodes:
            found.append(f"queue {self.queue} needs at least {self.min_nodes} nodes (asked {nodes})")
        if self.max_nodes is not None and nodes > self.max_nodes:
            found.append(f"queue {self.queue} allows at most {self.max_nodes} nodes (asked {nodes})")
        if self.min_walltime is not None and walltime < self.min_walltime:
            found.append(
                f"queue {self.queue} needs walltime of at least {format_walltime(self.min_walltime)}"
                f" (asked {format_walltime(walltime)})"
            )
        if self.max_walltime is not None and walltime > self.max_walltime:
            found.append(
                f"queue {self.queue} allows walltime of at most {format_walltime(self.max_walltime)}"
                f" (asked {format_walltime(walltime)})"
            )
        return found

    def describe(self) -> str:
        """One line for forms: `1–2 nodes, 00:05:00–01:00:00`."""
        nodes = f"{self.min_nodes or 1}–{self.max_nodes if self.max_nodes is not None else '∞'} nodes"
        wall = (
            f"{format_walltime(self.min_walltime or 0)}–{format_walltime(self.max_walltime)}"
            if self.max_walltime is not None
            else "any walltime"
        )
        return f"{nodes}, {wall}" + (f"; {self.note}" if self.note else "")


#: Documented Aurora limits (pbs.md §6.1), used when `qstat -Qf` gives none.
AURORA_DEFAULTS: dict[str, QueueLimits] = {
    "debug": QueueLimits("debug", 1, 2, 300, 3600, "max 1 job running/queued per user"),
    "debug-scaling": QueueLimits("debug-scaling", 2, 256, 300, 3600, "max 1 job running/queued per user"),
    "prod": QueueLimits("prod", 256, 10624, 300, 86400, "routes to small/medium/large"),
    "capacity": QueueLimits("capacity", 1, 16, 300, 604800, "max 5 queued/running, 2 running per user"),
    "visualization": QueueLimits("visualization", 1, 32, 300, 28800, "by request only"),
}
