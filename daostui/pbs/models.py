"""PBS jobs, queues and the server, as `qstat` reports them.

A `Job` wraps the attribute dict of one job (`qstat -f -F json` shape, nested `Resource_List`,
`resources_used`, `Variable_List`) and computes fields on access: building 10^4 jobs must cost
little more than `json.loads` itself, and most fields are never looked at.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from daostui.pbs.exitstatus import decode_exit_status
from daostui.pbs.limits import AURORA_DEFAULTS, QueueLimits
from daostui.pbs.walltime import format_walltime

STATE_NAMES = {
    "Q": "Queued",
    "R": "Running",
    "H": "Held",
    "W": "Waiting",
    "T": "Transit",
    "E": "Exiting",
    "B": "Begun",
    "S": "Suspended",
    "U": "Suspended (keyboard)",
    "F": "Finished",
    "M": "Moved",
    "X": "Finished (subjob)",
    "L": "Lost",
}
FINISHED_STATES = {"F", "M", "X", "L"}
LOST = "L"


def _seconds(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    parts = str(value).strip().split(":")
    if not all(p.isascii() and p.isdigit() for p in parts) or len(parts) > 3:
        return None
    total = 0
    for part in parts:
        total = total * 60 + int(part)
    return total


def _ctime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.strptime(" ".join(value.split()), "%a %b %d %H:%M:%S %Y")
    except ValueError:
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


_COMPACT_KEYS = (
    # what the jobs pane's columns and filter read (elapsed needs stime/obittime); the rest stays on the server
    "Job_Name",
    "Job_Owner",
    "job_state",
    "queue",
    "Account_Name",
    "comment",
    "Exit_status",
    "Output_Path",
    "Error_Path",
    "stime",
    "obittime",
)
_INTERNED = frozenset(("Job_Owner", "job_state", "queue", "Account_Name"))
_COMPACT_NESTED = {
    "Resource_List": ("nodect", "select", "walltime", "filesystems"),
    "resources_used": ("walltime",),
    "Variable_List": ("PBS_O_WORKDIR",),
}


class Job:
    """One PBS job (attributes computed lazily from `raw`)."""

    __slots__ = ("id", "raw")

    def __init__(self, job_id: str, raw: dict[str, Any]) -> None:
        self.id = job_id
        self.raw = raw

    def __repr__(self) -> str:
        return f"Job({self.id!r}, state={self.state!r}, name={self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Job) and other.id == self.id and other.raw == self.raw

    __hash__ = None  # type: ignore[assignment]

    def compact(self) -> Job:
        """The same job keeping only what the jobs pane and its columns read.

        A user's `qstat -x` history can hold 10^5 jobs; whole records (every attribute, the full
        Variable_List) cost ~5 KB each. The detail view asks `qstat -f` again for the full record.
        Repeated values (queue, state, owner, project) are interned so 10^5 jobs share them.
        """
        raw = self.raw
        kept: dict[str, Any] = {}
        for key in _COMPACT_KEYS:
            value = raw.get(key)
            if value is None:
                continue
            kept[key] = sys.intern(value) if isinstance(value, str) and key in _INTERNED else value
        for key, wanted in _COMPACT_NESTED.items():
            value = raw.get(key)
            if isinstance(value, dict):
                kept[key] = {k: value[k] for k in wanted if k in value}
        return Job(self.id, kept)

    @classmethod
    def lost(cls, job_id: str) -> Job:
        return cls(
            job_id,
            {
                "job_state": LOST,
                "comment": "qsub accepted this job but PBS no longer knows it (lost after routing?)",
            },
        )

    # identity
    @property
    def seq(self) -> str:
        return self.id.split(".", 1)[0].replace("[]", "")

    @property
    def short_id(self) -> str:
        head, _, rest = self.id.partition(".")
        return f"{head}.{rest.split('.', 1)[0]}" if rest else head

    @property
    def name(self) -> str:
        return _text(self.raw.get("Job_Name"))

    @property
    def owner(self) -> str:
        return _text(self.raw.get("Job_Owner"))

    @property
    def user(self) -> str:
        variables = self.raw.get("Variable_List")
        if isinstance(variables, dict) and variables.get("PBS_O_LOGNAME"):
            return _text(variables["PBS_O_LOGNAME"])
        return self.owner.split("@", 1)[0]

    @property
    def state(self) -> str:
        return _text(self.raw.get("job_state")) or "?"

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, self.state)

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def queue(self) -> str:
        return _text(self.raw.get("queue"))

    @property
    def account(self) -> str:
        return _text(self.raw.get("Account_Name"))

    @property
    def comment(self) -> str:
        return _text(self.raw.get("comment"))

    @property
    def resource_list(self) -> dict[str, Any]:
        value = self.raw.get("Resource_List")
        return value if isinstance(value, dict) else {}

    @property
    def resources_used(self) -> dict[str, Any]:
        value = self.raw.get("resources_used")
        return value if isinstance(value, dict) else {}

    @property
    def nodes(self) -> int | None:
        for key in ("nodect", "select"):
            value = self.resource_list.get(key)
            text = str(value).split(":", 1)[0] if value is not None else ""
            if text.isascii() and text.isdigit():
                return int(text)
        return None

    @property
    def filesystems(self) -> str:
        return _text(self.resource_list.get("filesystems"))

    @property
    def walltime_requested(self) -> int | None:
        return _seconds(self.resource_list.get("walltime"))

    @property
    def walltime_used(self) -> int | None:
        return _seconds(self.resources_used.get("walltime"))

    @property
    def walltime_requested_text(self) -> str:
        return format_walltime(self.walltime_requested) or "-"

    @property
    def walltime_used_text(self) -> str:
        return format_walltime(self.walltime_used) or "-"

    @property
    def exit_status(self) -> int | None:
        value = self.raw.get("Exit_status")
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        text = _text(value).strip()
        return int(text) if re.fullmatch(r"-?[0-9]+", text) else None

    @property
    def exit_text(self) -> str:
        return decode_exit_status(self.exit_status)

    @property
    def exec_host(self) -> str:
        return _text(self.raw.get("exec_host"))

    def _path(self, key: str) -> str:
        value = _text(self.raw.get(key))
        return value.split(":", 1)[1] if ":" in value else value

    @property
    def output_path(self) -> str:
        return self._path("Output_Path")

    @property
    def error_path(self) -> str:
        return self._path("Error_Path")

    @property
    def workdir(self) -> str:
        variables = self.raw.get("Variable_List")
        return _text(variables.get("PBS_O_WORKDIR")) if isinstance(variables, dict) else ""

    @property
    def ctime(self) -> datetime | None:
        return _ctime(self.raw.get("ctime"))

    @property
    def qtime(self) -> datetime | None:
        return _ctime(self.raw.get("qtime"))

    @property
    def stime(self) -> datetime | None:
        return _ctime(self.raw.get("stime"))

    @property
    def obittime(self) -> datetime | None:
        return _ctime(self.raw.get("obittime"))

    def elapsed(self, now: datetime | None = None) -> int | None:
        """Seconds run so far (or in total when finished)."""
        used = self.walltime_used
        if used is not None:
            return used
        start = self.stime
        if start is None:
            return None
        end = self.obittime or now or datetime.now()
        return max(0, int((end - start).total_seconds()))


@dataclass(slots=True)
class Queue:
    name: str
    type: str = ""
    enabled: bool = True
    started: bool = True
    total_jobs: int = 0
    state_count: dict[str, int] = field(default_factory=dict)
    min_nodes: int | None = None
    max_nodes: int | None = None
    min_walltime: int | None = None
    max_walltime: int | None = None
    route_destinations: list[str] = field(default_factory=list)
    max_run: str = ""
    max_queued: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def limits(self) -> QueueLimits:
        default = AURORA_DEFAULTS.get(self.name, QueueLimits(self.name))
        return QueueLimits(
            self.name,
            self.min_nodes if self.min_nodes is not None else default.min_nodes,
            self.max_nodes if self.max_nodes is not None else default.max_nodes,
            self.min_walltime if self.min_walltime is not None else default.min_walltime,
            self.max_walltime if self.max_walltime is not None else default.max_walltime,
            default.note,
        )


@dataclass(slots=True)
class ServerInfo:
    name: str
    pbs_version: str = ""
    valid_filesystems: list[str] = field(default_factory=list)
    comment: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class StatusResult:
    jobs: list[Job]
    unknown_ids: list[str] = field(default_factory=list)
