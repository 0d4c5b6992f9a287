"""Pure parsers for PBS command output (pbs.md §2–§4).

`qstat -f -F json` is preferred: a fast `json.loads(strict=False)` first, and the repairs real
servers need (invalid backslash escapes, raw control characters, bare `inf`/`nan`/`+5` values,
missing commas between jobs, trailing commas) only when that fails. `qstat -f` text is the
fallback: `Job Id:` blocks, 4-space `name = value` lines, TAB continuation lines joined with no
separator.
"""

from __future__ import annotations

import json
import re
from typing import Any

from daostui.core.errors import DaostuiError, ParseError
from daostui.pbs.models import Job, Queue, ServerInfo
from daostui.pbs.walltime import parse_walltime

JOB_ID = re.compile(r"^\d+(\[\d*\])?\.[A-Za-z0-9._-]+$")
WAITING = re.compile(r"^qsub: waiting for job (\S+) to start")
READY = re.compile(r"^qsub: job (\S+) ready")
COMPLETED = re.compile(r"^qsub: job (\S+) completed")
UNKNOWN_JOB = re.compile(r"Unknown Job Id (\S+)")


def parse_qselect(stdout: str) -> list[str]:
    ids = []
    for line in stdout.splitlines():
        line = line.strip()
        if not line:
            continue
        if not JOB_ID.match(line):
            raise ParseError(f"qselect printed {line!r}, not a job id", excerpt=stdout, source="qselect")
        ids.append(line)
    return ids


def parse_qsub_output(stdout: str) -> str:
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    if len(lines) != 1 or not JOB_ID.match(lines[0]):
        raise ParseError("qsub did not print one job id", excerpt=stdout, source="qsub")
    return lines[0]


def unknown_job_ids(stderr: str) -> list[str]:
    return UNKNOWN_JOB.findall(stderr or "")


# ---------------------------------------------------------------------- JSON repair
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.?)", re.DOTALL)
_VALID_ESCAPES = set('"\\/bfnrt')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A JSON string literal (skipped by the repairs below, so values are never rewritten).
_STRING = r'("[^"\\]*(?:\\.[^"\\]*)*")'
_BARE = re.compile(
    _STRING + r"|(:\s*)([+]?\d[\d.eE+-]*|[+-]?(?:infinity|inf|nan))(?=\s*[,}\]\n])",
    re.IGNORECASE | re.DOTALL,
)
_MISSING_COMMA = re.compile(r"}(\s*)\"(\d+(?:\[\d*\])?\.[^\"]+)\"\s*:")
_TRAILING_COMMA = re.compile(_STRING + r"|,(\s*[}\]])", re.DOTALL)


def _fix_escape(match: re.Match[str]) -> str:
    """Valid escapes stay; any other backslash becomes a literal one (pairs are consumed left to right)."""
    escaped = match.group(1)
    if len(escaped) == 5 or escaped in _VALID_ESCAPES:
        return match.group(0)
    return "\\\\" + escaped


def _quote_bare(match: re.Match[str]) -> str:
    """Bare values the old PBS JSON writer emits (`inf`, `nan`, `+5`) become strings; numbers stay."""
    if match.group(1) is not None:
        return match.group(1)
    value = match.group(3)
    try:
        json.loads(value)
    except ValueError:
        return f'{match.group(2)}"{value}"'
    return match.group(0)


def _repair_escapes(text: str) -> str:
    text = text.replace("\\\r\n", " ").replace("\\\n", " ")
    return _CONTROL.sub(" ", _ESCAPE.sub(_fix_escape, text))


def _repair_structure(text: str) -> str:
    text = _BARE.sub(_quote_bare, text)
    text = _MISSING_COMMA.sub(r'},\1"\2":', text)
    return _TRAILING_COMMA.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)


#: Cheapest first: invalid escapes and control characters are what real servers emit most; the
#: structural repairs visit every string literal in Python and only run when still needed.
_REPAIRS = (_repair_escapes, _repair_structure)


def repair_json(text: str) -> str:
    """The repairs ALCF's own tools apply to qstat JSON (pbs.md §3.4), all of them."""
    for repair in _REPAIRS:
        text = repair(text)
    return text


def load_json(text: str, source: str) -> Any:
    """Parse, repairing only as much as the document needs (a clean document costs one `json.loads`)."""
    error: Exception | None = None
    repaired = text
    for repair in (None, *_REPAIRS):
        if repair is not None:
            repaired = repair(repaired)
        try:
            return json.loads(repaired, strict=False)
        except (ValueError, RecursionError) as exc:
            error = exc
    raise ParseError(f"invalid JSON even after repair: {error}", excerpt=text[:400], source=source) from None


def _json_root(text: str, source: str) -> dict[str, Any]:
    start = text.find("{")
    if start < 0:
        if not text.strip():
            return {}
        raise ParseError("no JSON object in the output", excerpt=text, source=source)
    data = load_json(text[start:] if start else text, source)  # no 20 MB copy in the usual case
    if not isinstance(data, dict):
        raise ParseError("JSON root is not an object", excerpt=text, source=source)
    return data


def parse_jobs_json(text: str) -> list[Job]:
    """Jobs of `qstat -f -F json [-x] [ids]` (no `Jobs` key means no jobs)."""
    data = _json_root(text, "qstat -f -F json")
    jobs = data.get("Jobs") or {}
    if not isinstance(jobs, dict):
        raise ParseError("'Jobs' is not an object", excerpt=text[:400], source="qstat -f -F json")
    result = []
    for job_id, raw in jobs.items():
        if not isinstance(raw, dict):
            raise ParseError(
                f"job {job_id!r} is not an object", excerpt=text[:400], source="qstat -f -F json"
            )
        result.append(Job(str(job_id), raw))
    return result


# ---------------------------------------------------------------------- qstat -f text
def _blocks(text: str, header: str) -> list[tuple[str, dict[str, str]]]:
    """(name, {attribute: value}) per `Header: name` block, continuation lines joined."""
    blocks: list[tuple[str, dict[str, str]]] = []
    current: dict[str, str] | None = None
    last_key = ""
    for line in text.splitlines():
        if line.startswith(header):
            current = {}
            blocks.append((line[len(header) :].strip(), current))
            last_key = ""
        elif current is None or not line.strip():
            continue
        elif line.startswith("\t") and last_key:
            current[last_key] += line[1:]
        elif " = " in line:
            key, _, value = line.strip().partition(" = ")
            current[key] = value
            last_key = key
        elif last_key:
            # qstat passes a raw newline inside a value (e.g. a multi-line comment) through unescaped
            current[last_key] += "\n" + line
        else:
            raise ParseError(f"unexpected line {line!r}", excerpt=text[:400], source=header.strip(": "))
    if not blocks and text.strip():
        raise ParseError(f"no '{header}' blocks", excerpt=text[:400], source=header.strip(": "))
    return blocks


def _nest(attrs: dict[str, str]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in attrs.items():
        if key == "Variable_List":
            nested[key] = dict(item.split("=", 1) for item in re.split(r"(?<!\\),", value) if "=" in item)
        elif "." in key:
            group, _, name = key.partition(".")
            target = nested.setdefault(group, {})
            if isinstance(target, dict):
                target[name] = value
        else:
            nested[key] = value
    return nested


def parse_jobs_text(text: str) -> list[Job]:
    """Jobs of `qstat -f [-w] [-x] ids` text, shaped like the JSON form.

    Cut-off output is refused rather than shown as a job with missing attributes: qstat ends its
    output with a newline, and every job record carries `job_state`.
    """
    if text.strip() and not text.endswith("\n"):
        raise ParseError("qstat -f output ends mid-line (truncated)", excerpt=text[-400:], source="qstat -f")
    jobs = []
    for job_id, attrs in _blocks(text, "Job Id:"):
        if not attrs:
            continue  # a bare header (the reference's elided "<next job>", or output cut right after it)
        if "job_state" not in attrs:
            raise ParseError(
                f"job {job_id!r} has no job_state (truncated output?)", excerpt=text[-400:], source="qstat -f"
            )
        jobs.append(Job(job_id, _nest(attrs)))
    return jobs


# ---------------------------------------------------------------------- queues and server
def _int_or_none(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdecimal() else None


def _wall_or_none(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return parse_walltime(str(value))
    except (DaostuiError, ValueError):  # an odd limit is shown as absent, never fatal
        return None


def _state_count(value: Any) -> dict[str, int]:
    counts = {}
    for item in str(value or "").split():
        name, _, number = item.partition(":")
        if number.isdecimal():
            counts[name] = int(number)
    return counts


def queue_from_attrs(name: str, attrs: dict[str, Any]) -> Queue:
    def get(key: str) -> Any:
        if key in attrs:
            return attrs[key]
        group, _, sub = key.partition(".")
        nested = attrs.get(group)
        return nested.get(sub) if isinstance(nested, dict) else None

    def truthy(value: Any) -> bool:
        return str(value).strip().lower() in ("true", "1", "yes")

    destinations = get("route_destinations")
    return Queue(
        name=name,
        type=str(get("queue_type") or ""),
        enabled=truthy(get("enabled")),
        started=truthy(get("started")),
        total_jobs=_int_or_none(get("total_jobs")) or 0,
        state_count=_state_count(get("state_count")),
        min_nodes=_int_or_none(get("resources_min.nodect")),
        max_nodes=_int_or_none(get("resources_max.nodect")),
        min_walltime=_wall_or_none(get("resources_min.walltime")),
        max_walltime=_wall_or_none(get("resources_max.walltime")),
        route_destinations=[d for d in str(destinations or "").split(",") if d],
        max_run=str(get("max_run") or ""),
        max_queued=str(get("max_queued") or ""),
        raw=dict(attrs),
    )


def parse_queues_text(text: str) -> list[Queue]:
    return [queue_from_attrs(name, attrs) for name, attrs in _blocks(text, "Queue:")]


def parse_queues_json(text: str) -> list[Queue]:
    pairs: list[tuple[str, Any]] = []

    def keep_duplicates(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result and key in ("max_run", "max_queued", "max_run_res", "max_queued_res"):
                result[key] = f"{result[key]} {value}"
            else:
                result[key] = value
        pairs.extend(items)
        return result

    start = text.find("{")
    if start < 0:
        raise ParseError("no JSON object", excerpt=text, source="qstat -Qf -F json")
    try:
        data = json.loads(text[start:], strict=False, object_pairs_hook=keep_duplicates)
    except (ValueError, RecursionError):
        data = load_json(text[start:], "qstat -Qf -F json")
    queues = data.get("Queue") if isinstance(data, dict) else None
    if not isinstance(queues, dict):
        raise ParseError("no 'Queue' object", excerpt=text[:400], source="qstat -Qf -F json")
    return [
        queue_from_attrs(name, attrs if isinstance(attrs, dict) else {}) for name, attrs in queues.items()
    ]


def server_from_attrs(name: str, attrs: dict[str, Any]) -> ServerInfo:
    nested = attrs.get("resources_available")
    valid = attrs.get("resources_available.valid_filesystems")
    if valid is None and isinstance(nested, dict):
        valid = nested.get("valid_filesystems")
    return ServerInfo(
        name=name,
        pbs_version=str(attrs.get("pbs_version") or ""),
        valid_filesystems=[v.strip() for v in re.split(r"[,:]", str(valid or "")) if v.strip()],
        comment=str(attrs.get("comment") or ""),
        raw=dict(attrs),
    )


def parse_server_text(text: str) -> ServerInfo:
    blocks = _blocks(text, "Server:")
    if not blocks:
        raise ParseError("no 'Server:' block", excerpt=text, source="qstat -Bf")
    return server_from_attrs(*blocks[0])


def parse_server_json(text: str) -> ServerInfo:
    data = _json_root(text, "qstat -Bf -F json")
    servers = data.get("Server")
    if not isinstance(servers, dict) or not servers:
        raise ParseError("no 'Server' object", excerpt=text[:400], source="qstat -Bf -F json")
    name, attrs = next(iter(servers.items()))
    return server_from_attrs(name, attrs if isinstance(attrs, dict) else {})
