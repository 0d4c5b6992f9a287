"""Queue limits: the bounds the console checks before `qsub` runs, and the server's limit entries.

Bounds are read live from `qstat -Qf` (resources_min/max.nodect and .walltime) rather than
hard-coded, since ALCF changes them often (pbs.md §6.1); the defaults below are the documented
Aurora values, used only when the server does not say. The server's own limits (`max_run`,
`max_queued`, `queued_jobs_threshold`, their `_res.RESOURCE` and `_soft` forms, and the old-style
`max_user_run` …) are `Limit` entries `[u|g|p|o:ENTITY=VALUE]`; `effective_limits` picks those
that bind a user, so a form can say "at most 1 job running per user" before the server refuses.
"""

from __future__ import annotations

import re
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
    #: The server's limit entries that bind the user (from `qstat -Qf`), when known.
    user_limits: tuple[Limit, ...] = ()

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
        # the user's own limits (per user, group, project); whole-queue ones are not the user's to act on
        own = [limit.describe() for limit in self.user_limits if limit.scope != "o"]
        note = "; ".join(own) or self.note
        return f"{nodes}, {wall}" + (f"; {note}" if note else "")


#: Documented Aurora limits (pbs.md §6.1), used when `qstat -Qf` gives none.
AURORA_DEFAULTS: dict[str, QueueLimits] = {
    "debug": QueueLimits("debug", 1, 2, 300, 3600, "max 1 job running/queued per user"),
    "debug-scaling": QueueLimits("debug-scaling", 2, 256, 300, 3600, "max 1 job running/queued per user"),
    "prod": QueueLimits("prod", 256, 10624, 300, 86400, "routes to small/medium/large"),
    "capacity": QueueLimits("capacity", 1, 16, 300, 604800, "max 5 queued/running, 2 running per user"),
    "visualization": QueueLimits("visualization", 1, 32, 300, 28800, "by request only"),
}


# ---------------------------------------------------------------------- the server's own limits
#: New-style limit attributes (pbs_ifl.h ATTR_max_run …), each `[scope:entity=value]` per entry,
#: optionally per resource (`max_run_res.ncpus`); what each counts, in a user's words.
LIMIT_KINDS = {
    "max_run": "running",
    "max_run_soft": "running (soft limit: over it, jobs may be preempted)",
    "max_queued": "queued or running",
    "queued_jobs_threshold": "queued (eligible to run)",
}
#: Old-style limits (one number, or one amount per resource): attribute → (scope, kind).
OLD_STYLE_LIMITS = {
    "max_running": ("o", "max_run"),
    "max_queuable": ("o", "max_queued"),
    "max_user_run": ("u", "max_run"),
    "max_user_run_soft": ("u", "max_run_soft"),
    "max_group_run": ("g", "max_run"),
    "max_group_run_soft": ("g", "max_run_soft"),
    "max_user_res": ("u", "max_run"),
    "max_user_res_soft": ("u", "max_run_soft"),
    "max_group_res": ("g", "max_run"),
    "max_group_res_soft": ("g", "max_run_soft"),
}
SCOPES = {"u": "user", "g": "group", "p": "project", "o": "all users together"}
#: Resource names as a sentence says them (others as PBS names them).
RESOURCE_WORDS = {"nodect": "nodes", "ncpus": "CPUs", "ngpus": "GPUs", "mem": "of memory"}
GENERIC = "PBS_GENERIC"
ALL = "PBS_ALL"
_ENTRY = re.compile(r"\[\s*([ugpo])\s*:\s*([^=\]]+?)\s*=\s*([^\]]*?)\s*\]")


@dataclass(frozen=True, slots=True)
class Limit:
    """One entry of a queue's or the server's limits, e.g. `max_run = [u:PBS_GENERIC=2]`.

    `kind` is the new-style attribute it counts like (`max_run`, `max_queued`, …); `resource` is
    empty for job counts, else the resource summed (`ncpus` for `max_run_res.ncpus`); `scope` is
    u/g/p/o; `entity` is a name, `PBS_GENERIC` (each one without its own entry) or `PBS_ALL`.
    """

    attribute: str
    kind: str
    scope: str
    entity: str
    value: str
    resource: str = ""

    @property
    def generic(self) -> bool:
        return self.entity in (GENERIC, ALL)

    def applies_to(self, user: str, groups: tuple[str, ...] = (), project: str = "") -> bool:
        """Whether this entry binds `user` (ignoring overrides: see `effective_limits`)."""
        if self.scope == "o":
            return True
        names = {"u": (user,), "g": groups, "p": (project,)}[self.scope]
        return self.entity == GENERIC or self.entity in names

    def describe(self) -> str:
        """`at most 2 jobs running per user`, `at most 8 ncpus running per group`, …"""
        jobs = "job" if self.value.strip() == "1" else "jobs"
        resource = RESOURCE_WORDS.get(self.resource, self.resource)
        what = f"{self.value} {resource}" if self.resource else f"{self.value} {jobs}"
        kind = LIMIT_KINDS.get(self.kind, self.kind)
        if self.scope == "o":
            return f"at most {what} {kind}, all users together"
        who = SCOPES[self.scope]
        whose = f"per {who}" if self.entity == GENERIC else f"for {who} {self.entity}"
        return f"at most {what} {kind} {whose}"


def parse_limit_entries(attribute: str, value: object) -> list[Limit]:
    """Every entry of one limit attribute as `qstat -Qf`/`-Bf` print it.

    `value` is one entry (23.06 text and JSON print one line or one duplicate key per entry), a
    comma-joined list of entries (newer OpenPBS aggregates them), a list of those (duplicates kept
    by the parser), or an old-style plain number (`max_user_run = 4`).
    """
    name, _, resource = attribute.partition(".")
    values = value if isinstance(value, list) else [value]
    found: list[Limit] = []
    if name in OLD_STYLE_LIMITS:
        scope, kind = OLD_STYLE_LIMITS[name]
        for item in values:
            text = str(item).strip()
            if text:
                entity = ALL if scope == "o" else GENERIC
                found.append(Limit(attribute, kind, scope, entity, text, resource))
        return found
    kind = name.removesuffix("_res_soft").removesuffix("_res")
    if name.endswith("_res_soft"):
        kind = kind + "_soft"
    if kind not in LIMIT_KINDS:
        return found
    for item in values:
        for scope, entity, amount in _ENTRY.findall(str(item)):
            found.append(Limit(attribute, kind, scope, entity, amount, resource))
    return found


def is_limit_attribute(attribute: str) -> bool:
    name = attribute.partition(".")[0]
    return name in OLD_STYLE_LIMITS or name.removesuffix("_res_soft").removesuffix("_res") in LIMIT_KINDS


def effective_limits(
    limits: list[Limit], user: str, groups: tuple[str, ...] = (), project: str = ""
) -> list[Limit]:
    """The entries that bind `user`: a named entry replaces the `PBS_GENERIC` one of the same kind,
    scope and resource (PBS's rule: generic limits apply to every entity without its own)."""
    named = {
        (limit.kind, limit.scope, limit.resource)
        for limit in limits
        if not limit.generic and limit.applies_to(user, groups, project)
    }
    chosen = []
    for limit in limits:
        if not limit.applies_to(user, groups, project):
            continue
        if limit.entity == GENERIC and (limit.kind, limit.scope, limit.resource) in named:
            continue
        chosen.append(limit)
    return chosen
