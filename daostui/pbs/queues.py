"""PBS queues and the server, as `qstat -Qf` / `qstat -Bf` report them (JSON or text).

Both carry limits that can repeat: 23.06 prints one `max_run = [u:PBS_GENERIC=2]` line (text) or
one duplicate `"max_run"` key (JSON, OpenPBS issue 2677) per entry, newer OpenPBS one
comma-joined value. The parsers keep every entry (a repeated attribute arrives here as a list)
and the models turn them into `Limit`s, so a form can say which of them bind the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from daostui.pbs.limits import (
    AURORA_DEFAULTS,
    Limit,
    QueueLimits,
    effective_limits,
    is_limit_attribute,
    parse_limit_entries,
)
from daostui.pbs.values import parse_state_count, seconds_value, text_value


def _attribute(attrs: dict[str, Any], key: str) -> Any:
    """`resources_max.nodect` from the text form's flat key or the JSON form's nested object."""
    if key in attrs:
        return attrs[key]
    group, _, sub = key.partition(".")
    nested = attrs.get(group)
    return nested.get(sub) if isinstance(nested, dict) else None


def _limit_entries(attrs: dict[str, Any]) -> list[Limit]:
    entries: list[Limit] = []
    for key, value in attrs.items():
        if isinstance(value, dict):
            for sub, item in value.items():
                if is_limit_attribute(f"{key}.{sub}"):
                    entries += parse_limit_entries(f"{key}.{sub}", item)
        elif is_limit_attribute(key):
            entries += parse_limit_entries(key, value)
    return entries


def _single(value: Any) -> Any:
    """A repeated attribute that is not a limit: the last value (what qmgr would show)."""
    return value[-1] if isinstance(value, list) and value else value


def _int_or_none(value: Any) -> int | None:
    text = text_value(_single(value)).strip()
    return int(text) if text.isdecimal() else None


def _truthy(value: Any) -> bool:
    return text_value(_single(value)).strip().lower() in ("true", "1", "yes")


@dataclass(slots=True)
class Queue:
    name: str
    type: str = ""
    enabled: bool = True
    started: bool = True
    total_jobs: int = 0
    #: Jobs per state, every user's (`Queued`, `Running`, `Held`, …).
    state_count: dict[str, int] = field(default_factory=dict)
    min_nodes: int | None = None
    max_nodes: int | None = None
    min_walltime: int | None = None
    max_walltime: int | None = None
    route_destinations: list[str] = field(default_factory=list)
    #: Every limit entry (max_run, max_queued, max_run_res.*, old-style max_user_run …).
    limit_entries: list[Limit] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def is_routing(self) -> bool:
        return self.type.lower().startswith("r")

    @property
    def queued(self) -> int:
        return self.state_count.get("Queued", 0)

    @property
    def running(self) -> int:
        return self.state_count.get("Running", 0)

    @property
    def held(self) -> int:
        return self.state_count.get("Held", 0)

    def user_limits(self, user: str, groups: tuple[str, ...] = (), project: str = "") -> list[Limit]:
        """The limit entries that bind `user` (a user's own entry replaces the generic one)."""
        return effective_limits(self.limit_entries, user, groups, project)

    def limits_for(self, user: str, groups: tuple[str, ...] = (), project: str = "") -> QueueLimits:
        """What the job form checks and shows: node/walltime bounds plus the user's limits."""
        default = AURORA_DEFAULTS.get(self.name, QueueLimits(self.name))
        return QueueLimits(
            self.name,
            self.min_nodes if self.min_nodes is not None else default.min_nodes,
            self.max_nodes if self.max_nodes is not None else default.max_nodes,
            self.min_walltime if self.min_walltime is not None else default.min_walltime,
            self.max_walltime if self.max_walltime is not None else default.max_walltime,
            default.note,
            tuple(self.user_limits(user, groups, project)),
        )

    @property
    def limits(self) -> QueueLimits:
        """`limits_for` a user with no entry of their own (generic and whole-queue limits)."""
        return self.limits_for("")


@dataclass(slots=True)
class ServerInfo:
    name: str
    pbs_version: str = ""
    valid_filesystems: list[str] = field(default_factory=list)
    comment: str = ""
    default_queue: str = ""
    total_jobs: int = 0
    state_count: dict[str, int] = field(default_factory=dict)
    #: Above 9,999,999 qstat widens its job id columns (pbs.md §3.1).
    max_job_sequence_id: int | None = None
    #: Server-wide limit entries (they apply on top of each queue's).
    limit_entries: list[Limit] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def user_limits(self, user: str, groups: tuple[str, ...] = (), project: str = "") -> list[Limit]:
        return effective_limits(self.limit_entries, user, groups, project)


def queue_from_attrs(name: str, attrs: dict[str, Any]) -> Queue:
    def get(key: str) -> Any:
        return _single(_attribute(attrs, key))

    destinations = get("route_destinations")
    return Queue(
        name=name,
        type=text_value(get("queue_type")),
        enabled=_truthy(get("enabled")),
        started=_truthy(get("started")),
        total_jobs=_int_or_none(get("total_jobs")) or 0,
        state_count=parse_state_count(get("state_count")),
        min_nodes=_int_or_none(get("resources_min.nodect")),
        max_nodes=_int_or_none(get("resources_max.nodect")),
        min_walltime=seconds_value(get("resources_min.walltime")),
        max_walltime=seconds_value(get("resources_max.walltime")),
        route_destinations=[d for d in text_value(destinations).split(",") if d],
        limit_entries=_limit_entries(attrs),
        raw=dict(attrs),
    )


def server_from_attrs(name: str, attrs: dict[str, Any]) -> ServerInfo:
    valid = _single(_attribute(attrs, "resources_available.valid_filesystems"))
    return ServerInfo(
        name=name,
        pbs_version=text_value(_single(attrs.get("pbs_version"))),
        valid_filesystems=[v.strip() for v in text_value(valid).replace(":", ",").split(",") if v.strip()],
        comment=text_value(_single(attrs.get("comment"))),
        default_queue=text_value(_single(attrs.get("default_queue"))),
        total_jobs=_int_or_none(attrs.get("total_jobs")) or 0,
        state_count=parse_state_count(_single(attrs.get("state_count"))),
        max_job_sequence_id=_int_or_none(attrs.get("max_job_sequence_id")),
        limit_entries=_limit_entries(attrs),
        raw=dict(attrs),
    )
