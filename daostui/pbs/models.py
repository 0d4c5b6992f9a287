"""PBS jobs as `qstat` reports them (queues and the server are in `queues`).

A `Job` wraps the attribute dict of one job (`qstat -f -F json` shape, nested `Resource_List`,
`resources_used`, `Variable_List`, `estimated`) and computes fields on access: building 10^4 jobs
must cost little more than `json.loads` itself, and most fields are never looked at.

Job arrays (`qsub -J 1-100`, real OpenPBS 23.06 output): the parent is `1234[].server` in state
`B` once a subjob started, with `array = True`, `array_indices_submitted = 1-100`,
`array_indices_remaining`, `array_state_count = Queued:3 Running:1 Exiting:0 Expired:0`, and
output paths holding the `^array_index^` tag; subjobs are `1234[7].server` with `array_id` (the
parent) and `array_index`, listed by `qstat -t`. Their `.o`/`.e` files are the parent's paths
with the tag replaced by the index (`job.sh.o1234.7`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from daostui.pbs import compact, hosts
from daostui.pbs.exitstatus import decode_exit_status, short_exit_status
from daostui.pbs.values import (
    count_indices,
    ctime_value,
    epoch_value,
    id_head,
    parse_state_count,
    seconds_value,
    subjob_id,
    text_value,
)
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
#: States in which a job waits for the scheduler, whose `comment` then says why.
WAITING_STATES = {"Q", "H", "W", "T"}
LOST = "L"
#: `src/include/job.h` PBS_FILE_ARRAY_INDEX_TAG: stands for the subjob index in an array's paths.
ARRAY_INDEX_TAG = "^array_index^"
#: Not a PBS attribute (PBS names never start with `_`): how many of an array's subjobs ended with a
#: non-zero exit status, set by the tracker once it has listed them. PBS itself does not count them:
#: the parent's `Exit_status` follows the last subjob to end (server/array_func.c update_sj_parent).
SUBJOBS_FAILED = "_subjobs_failed"
#: A job id: sequence number, `[]` (array) or `[index]` (subjob), then `.server`.
_ID = re.compile(r"^(\d+)(?:\[(\d*)\])?(\..*)?$")


class Job:
    """One PBS job (attributes computed lazily from `raw`).

    Either a whole record (the dict `qstat -f -F json` printed for it) or, as the jobs pane keeps
    them, its compact form (`daostui.pbs.compact`): the same properties read both.
    """

    __slots__ = ("_attrs", "_shared", "id")

    def __init__(self, job_id: str, raw: dict[str, Any]) -> None:
        self.id = job_id
        #: The whole record, or a compact job's own values (`compact.pack`).
        self._attrs: dict[str, Any] | compact.Own = raw
        #: A compact job's shared values (unused for a whole record).
        self._shared: tuple[str, ...] = ()

    @property
    def raw(self) -> dict[str, Any]:
        """The attributes in the JSON shape (for a compact job, the few it kept)."""
        attrs = self._attrs
        return attrs if type(attrs) is dict else compact.expand(self.id, attrs, self._shared)

    @property
    def is_compact(self) -> bool:
        return type(self._attrs) is not dict

    def _get(self, key: str) -> Any:
        attrs = self._attrs
        if type(attrs) is dict:
            return attrs.get(key)
        return compact.value(self.id, attrs, self._shared, key)

    def _group(self, name: str) -> dict[str, Any]:
        attrs = self._attrs
        if type(attrs) is not dict:
            return compact.group(self.id, attrs, self._shared, name) or {}
        value = attrs.get(name)
        return value if isinstance(value, dict) else {}

    def _member(self, group: str, name: str) -> Any:
        attrs = self._attrs
        if type(attrs) is dict:
            value = attrs.get(group)
            return value.get(name) if isinstance(value, dict) else None
        return compact.value(self.id, attrs, self._shared, f"{group}.{name}")

    def __repr__(self) -> str:
        return f"Job({self.id!r}, state={self.state!r}, name={self.name!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Job)
            and other.id == self.id
            and other._attrs == self._attrs
            and other._shared == self._shared
        )

    __hash__ = None  # type: ignore[assignment]

    def compact(self) -> Job:
        """The same job keeping only what the jobs pane and its columns read (`daostui.pbs.compact`).

        The detail view asks `qstat -f` again for the full record.
        """
        attrs = self._attrs
        if type(attrs) is not dict:
            return self
        small = Job(self.id, attrs)
        small._attrs, small._shared = compact.pack(self.id, attrs)
        return small

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
        """The id before the server name as qstat shows it: `1234`, `1234[]` (array), `1234[7]`."""
        return id_head(self.id)

    @property
    def sequence_number(self) -> int:
        """The job number alone (`1234` for `1234[7]`), for sorting; 0 if the id has none."""
        match = _ID.match(self.id)
        return int(match.group(1)) if match else 0

    @property
    def short_id(self) -> str:
        head, _, rest = self.id.partition(".")
        return f"{head}.{rest.split('.', 1)[0]}" if rest else head

    # arrays
    @property
    def is_array(self) -> bool:
        """The parent of a job array (`1234[]`)."""
        match = _ID.match(self.id)
        return bool(match and match.group(2) == "") or text_value(self._get("array")) == "True"

    @property
    def is_subjob(self) -> bool:
        match = _ID.match(self.id)
        return bool(match and match.group(2))

    @property
    def array_index(self) -> int | None:
        """A subjob's index (`7` for `1234[7]`)."""
        match = _ID.match(self.id)
        return int(match.group(2)) if match and match.group(2) else None

    @property
    def array_parent_id(self) -> str:
        """A subjob's parent (`1234[].server`), from `array_id` or from its own id; "" otherwise."""
        if not self.is_subjob:
            return ""
        return text_value(self._get("array_id")) or subjob_id(self.id, "")

    def subjob_id(self, index: int) -> str:
        """The id of subjob `index` of this array (`1234[7].server`)."""
        return subjob_id(self.id, index)

    @property
    def array_indices_submitted(self) -> str:
        return text_value(self._get("array_indices_submitted"))

    @property
    def array_indices_remaining(self) -> str:
        """Indices not yet started (`2-4`); `-` once every subjob has started."""
        return text_value(self._get("array_indices_remaining"))

    @property
    def array_state_count(self) -> dict[str, int]:
        """Subjobs per state: `Queued`, `Running`, `Exiting`, `Expired` (finished)."""
        return parse_state_count(self._get("array_state_count"))

    @property
    def array_size(self) -> int:
        return count_indices(self.array_indices_submitted)

    @property
    def array_failed(self) -> int | None:
        """Subjobs that ended with a non-zero exit status, once the console listed them (else None)."""
        value = self.raw.get(SUBJOBS_FAILED)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def with_failed_subjobs(self, failed: int) -> Job:
        """This array parent, knowing how many of its subjobs failed (a new object: rows repaint)."""
        return Job(self.id, {**self.raw, SUBJOBS_FAILED: failed})

    @property
    def array_progress(self) -> str:
        """`8/10 done, 1 failed, 1 running` for an array parent (the jobs pane's cell); "" otherwise.

        From `array_state_count` (Queued, Running, Exiting, Expired: the states PBS counts), plus
        the failed subjobs when the console has listed them.
        """
        if not self.is_array:
            return ""
        counts = self.array_state_count
        size = self.array_size or sum(counts.values())
        # a finished array's counts read all 0 (real 23.06 output): every subjob is done then
        done = size if self.is_finished else counts.get("Expired", 0)
        parts = [f"{done}/{size} done"]
        if self.array_failed:  # second: a narrow cell keeps what matters most
            parts.append(f"{self.array_failed} failed")
        for name, word in (("Running", "running"), ("Exiting", "exiting"), ("Queued", "queued")):
            if counts.get(name):
                parts.append(f"{counts[name]} {word}")
        return ", ".join(parts)

    #: The name the array's description had first (kept: callers read it).
    array_summary = array_progress

    @property
    def name(self) -> str:
        return text_value(self._get("Job_Name"))

    @property
    def owner(self) -> str:
        return text_value(self._get("Job_Owner"))

    @property
    def user(self) -> str:
        logname = self._member("Variable_List", "PBS_O_LOGNAME")
        if logname:
            return text_value(logname)
        return self.owner.split("@", 1)[0]

    @property
    def state(self) -> str:
        return text_value(self._get("job_state")) or "?"

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, self.state)

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def queue(self) -> str:
        return text_value(self._get("queue"))

    @property
    def account(self) -> str:
        return text_value(self._get("Account_Name"))

    @property
    def comment(self) -> str:
        return text_value(self._get("comment"))

    def search_text(self) -> str:
        """What `/` matches in the jobs pane: the id as shown (`1234`, `1234[]`), name, queue, state
        (letter and name), project and comment, from the attributes themselves (formatting every
        column of 10^5 jobs took seconds)."""
        get = self._get
        state = self.state
        return "\x1f".join(
            (
                self.seq,
                text_value(get("Job_Name")),
                text_value(get("queue")),
                state,
                STATE_NAMES.get(state, state),
                text_value(get("Account_Name")),
                text_value(get("comment")),
            )
        )

    @property
    def waiting_reason(self) -> str:
        """Why a job that is not running waits: the scheduler's comment (`Not Running: …`)."""
        return self.comment if self.state in WAITING_STATES else ""

    @property
    def estimated(self) -> dict[str, Any]:
        return self._group("estimated")

    @property
    def estimated_start(self) -> datetime | None:
        """When the scheduler expects a queued job to start (`estimated.start_time`), if it said.

        Set by the scheduler for the jobs it plans ahead (strict ordering / backfilling top jobs);
        qstat prints `UNKNOWN` for 0, which reads as None here.
        """
        return ctime_value(self._member("estimated", "start_time"))

    @property
    def estimated_nodes(self) -> str:
        """The nodes the scheduler plans to start a queued job on, folded."""
        return hosts.fold(hosts.job_hosts("", text_value(self._member("estimated", "exec_vnode"))))

    @property
    def eligible_time(self) -> int | None:
        """Seconds the job has been eligible to run (`eligible_time`, set when the server accrues it)."""
        return seconds_value(self._get("eligible_time"))

    @property
    def history_timestamp(self) -> datetime | None:
        """When a finished job entered the server's history (`history_timestamp`, epoch seconds)."""
        return epoch_value(self._get("history_timestamp"))

    @property
    def variables(self) -> dict[str, str]:
        """`Variable_List` (`-v`, `-V` and PBS_O_*) as text, whatever type the JSON gave a value."""
        return {str(key): text_value(item) for key, item in self._group("Variable_List").items()}

    @property
    def resource_list(self) -> dict[str, Any]:
        return self._group("Resource_List")

    @property
    def resources_used(self) -> dict[str, Any]:
        return self._group("resources_used")

    @property
    def nodes(self) -> int | None:
        for key in ("nodect", "select"):
            value = self._member("Resource_List", key)
            text = str(value).split(":", 1)[0] if value is not None else ""
            if text.isascii() and text.isdigit():
                return int(text)
        return None

    @property
    def filesystems(self) -> str:
        return text_value(self._member("Resource_List", "filesystems"))

    @property
    def walltime_requested(self) -> int | None:
        return seconds_value(self._member("Resource_List", "walltime"))

    @property
    def walltime_used(self) -> int | None:
        return seconds_value(self._member("resources_used", "walltime"))

    @property
    def walltime_requested_text(self) -> str:
        return format_walltime(self.walltime_requested) or "-"

    @property
    def walltime_used_text(self) -> str:
        return format_walltime(self.walltime_used) or "-"

    @property
    def exit_status(self) -> int | None:
        value = self._get("Exit_status")
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        text = text_value(value).strip()
        return int(text) if re.fullmatch(r"-?[0-9]+", text) else None

    @property
    def exit_text(self) -> str:
        return decode_exit_status(self.exit_status)

    @property
    def exit_short(self) -> str:
        """The exit status in a few words (`-29 walltime`, `271 SIGTERM`): the jobs pane's cell."""
        return short_exit_status(self.exit_status)

    @property
    def failed(self) -> bool:
        """Finished with a non-zero exit status (a subjob deleted before it ran ends with 0)."""
        return self.is_finished and self.exit_status not in (None, 0)

    @property
    def exec_host(self) -> str:
        return text_value(self._get("exec_host"))

    @property
    def exec_vnode(self) -> str:
        return text_value(self._get("exec_vnode"))

    @property
    def hosts(self) -> list[str]:
        """The compute nodes the job runs (or ran) on, in PBS's order."""
        return hosts.job_hosts(self.exec_host, self.exec_vnode)

    @property
    def nodes_folded(self) -> str:
        """`x4102c3s[0-3]b0n0`: the job's nodes in ClusterShell notation."""
        return hosts.fold(self.hosts)

    def _path(self, key: str, index: int | None = None) -> str:
        value = text_value(self._get(key))
        path = value.split(":", 1)[1] if ":" in value else value
        index = self.array_index if index is None else index
        return path.replace(ARRAY_INDEX_TAG, str(index)) if index is not None else path

    @property
    def output_path(self) -> str:
        """Where `.o` goes; for a subjob with the index filled in (`job.sh.o1234.7`)."""
        return self._path("Output_Path")

    @property
    def error_path(self) -> str:
        return self._path("Error_Path")

    def output_path_for(self, index: int) -> str:
        """Subjob `index`'s `.o` path, from its array parent (PBS replaces `^array_index^`)."""
        return self._path("Output_Path", index)

    def error_path_for(self, index: int) -> str:
        return self._path("Error_Path", index)

    @property
    def workdir(self) -> str:
        return text_value(self._member("Variable_List", "PBS_O_WORKDIR"))

    @property
    def ctime(self) -> datetime | None:
        return ctime_value(self._get("ctime"))

    @property
    def qtime(self) -> datetime | None:
        return ctime_value(self._get("qtime"))

    @property
    def stime(self) -> datetime | None:
        return ctime_value(self._get("stime"))

    @property
    def obittime(self) -> datetime | None:
        return ctime_value(self._get("obittime"))

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
class StatusResult:
    jobs: list[Job]
    unknown_ids: list[str] = field(default_factory=list)
