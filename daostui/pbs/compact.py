"""The compact form of a job the jobs pane keeps: its own values in one string, shared ones shared.

A user's `qstat -x` history can hold 10^5 jobs. A whole record (every attribute, the full
`Variable_List`) costs ~5 KB; a dict of the few the pane reads still ~1.1 KB with its nested
dicts, each one more object the garbage collector walks on every full collection; a tuple of
the same values ~700 bytes, most of it the 49-byte header of each string. So a compact job is:

- its own values (`OWN`: name, state, comment, times, paths…) as text, how qstat printed them,
  joined by `SEP` into one string (~250 bytes; strings are never tracked by the collector), split
  on demand (under a microsecond; the pane reads only the rows on screen);
- a tuple of the values its user's jobs share (`SHARED`: owner, queue, project, requested
  resources, working directory) of interned strings, one tuple for every job with the same ones;
- no copy of a path PBS derived itself: the output path `host:workdir/name.oSEQ` (the qsub
  default) and the error path that is the output path with `.e` for `.o` are a marker, checked
  to give back exactly the path qstat printed.

An empty field is an absent attribute; the readers of `daostui.pbs.values` take the text of
the JSON's numbers. A job whose values hold the separator (PBS would have to print a control
character) keeps a tuple of its own values instead, which reads the same. The detail view asks
`qstat -f` again for everything else.
"""

from __future__ import annotations

import sys
from typing import Any

#: A job's own values. `job_state` first: read most (is the job finished?), found without a split.
OWN: tuple[str, ...] = (
    "job_state",
    "Job_Name",
    "comment",
    "Exit_status",
    "Output_Path",
    "Error_Path",
    "stime",
    "obittime",
    "history_timestamp",
    "array",
    "array_id",
    "array_index",
    "array_state_count",
    "array_indices_submitted",
    "array_indices_remaining",
    "resources_used.walltime",
    "estimated.start_time",
)
#: Values a user's jobs have in common.
SHARED: tuple[str, ...] = (
    "Job_Owner",
    "queue",
    "Account_Name",
    "Resource_List.nodect",
    "Resource_List.select",
    "Resource_List.walltime",
    "Resource_List.filesystems",
    "Variable_List.PBS_O_WORKDIR",
)
#: Every kept attribute (`group.name` for nested ones): what the jobs pane's columns and filter,
#: the output view and the array rows read.
KEYS = OWN + SHARED
_WHERE: dict[str, tuple[bool, int]] = {
    **{key: (False, position) for position, key in enumerate(OWN)},
    **{key: (True, position) for position, key in enumerate(SHARED)},
}
#: The nested groups: their members' keys.
GROUPS: dict[str, tuple[str, ...]] = {}
for _key in KEYS:
    if "." in _key:
        _group, _name = _key.split(".", 1)
        GROUPS[_group] = (*GROUPS.get(_group, ()), _key)
SEP = "\x1f"
#: The field of a path PBS derived (see the module's docstring).
DERIVED = "\x1e"
_NAME, _OUTPUT, _ERROR = OWN.index("Job_Name"), OWN.index("Output_Path"), OWN.index("Error_Path")
_OWNER, _WORKDIR = SHARED.index("Job_Owner"), SHARED.index("Variable_List.PBS_O_WORKDIR")
#: One tuple per distinct combination of shared values (a user has a handful).
_PROFILES: dict[tuple[str, ...], tuple[str, ...]] = {}

Own = str | tuple[str, ...]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "True" if value else "False"  # how the JSON writer's booleans read as text
    return str(value)


def _read(raw: dict[str, Any], key: str) -> str:
    group, dot, name = key.partition(".")
    if not dot:
        return _text(raw.get(key))
    nested = raw.get(group)
    return _text(nested.get(name)) if isinstance(nested, dict) else ""


def _default_output(job_id: str, own: tuple[str, ...] | list[str], shared: tuple[str, ...]) -> str:
    """qsub's default output path: the submit host (from `Job_Owner`), the working directory, the
    job name and the sequence number."""
    host = shared[_OWNER].partition("@")[2]
    workdir, name = shared[_WORKDIR], own[_NAME]
    if not (host and workdir and name):
        return ""
    return f"{host}:{workdir}/{name}.o{job_id.partition('.')[0]}"


def _error_from(output: str) -> str:
    head, dot_o, tail = output.rpartition(".o")
    return f"{head}.e{tail}" if dot_o else ""


def pack(job_id: str, raw: dict[str, Any]) -> tuple[Own, tuple[str, ...]]:
    """(own values, shared values) of a job's attribute dict (JSON shape, or text shaped like it)."""
    shared = tuple(sys.intern(_read(raw, key)) for key in SHARED)
    shared = _PROFILES.setdefault(shared, shared)
    own = [_read(raw, key) for key in OWN]
    output = own[_OUTPUT]
    if output and output == _default_output(job_id, own, shared):
        own[_OUTPUT] = DERIVED
    if own[_ERROR] and own[_ERROR] == _error_from(output):
        own[_ERROR] = DERIVED
    if any(SEP in value for value in own):
        return tuple(own), shared
    return SEP.join(own), shared


def _own(attrs: Own) -> tuple[str, ...] | list[str]:
    return attrs.split(SEP) if type(attrs) is str else attrs


def _resolve(job_id: str, own: tuple[str, ...] | list[str], shared: tuple[str, ...], position: int) -> str:
    found = own[position]
    if found != DERIVED:
        return found
    if position == _OUTPUT:
        return _default_output(job_id, own, shared)
    return _error_from(_resolve(job_id, own, shared, _OUTPUT))


def value(job_id: str, attrs: Own, shared: tuple[str, ...], key: str) -> str | None:
    """The attribute `key` (`group.name` for a nested one) of a compact job, None when absent."""
    where = _WHERE.get(key)
    if where is None:
        return None
    is_shared, position = where
    if is_shared:
        return shared[position] or None
    if position == 0 and type(attrs) is str:
        return attrs.partition(SEP)[0] or None
    return _resolve(job_id, _own(attrs), shared, position) or None


def group(job_id: str, attrs: Own, shared: tuple[str, ...], name: str) -> dict[str, str] | None:
    """A nested group (`Resource_List`, …) as the dict the JSON had, with the kept members only."""
    members = GROUPS.get(name)
    if members is None:
        return None
    found = {}
    for key in members:
        member = value(job_id, attrs, shared, key)
        if member is not None:
            found[key.partition(".")[2]] = member
    return found or None


def expand(job_id: str, attrs: Own, shared: tuple[str, ...]) -> dict[str, Any]:
    """The compact job as an attribute dict in the JSON shape (what `Job.raw` returns for it)."""
    raw: dict[str, Any] = {}
    for key in KEYS:
        if "." not in key:
            found = value(job_id, attrs, shared, key)
            if found is not None:
                raw[key] = found
    for name in GROUPS:
        nested = group(job_id, attrs, shared, name)
        if nested is not None:
            raw[name] = nested
    return raw
