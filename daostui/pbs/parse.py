"""Pure parsers for PBS command output (pbs.md §2–§4, checked against real OpenPBS 23.06.06 and master).

`qstat -f -F json` is preferred: one `json.loads` when the document is valid, the repairs of
`jsonrepair` only when it is not. `qstat -f` text is the fallback: `Job Id:` blocks, 4-space
`name = value` lines, TAB continuation lines joined with no separator (qstat's `prt_attr()`
breaks long values after a comma, or mid-token). Queues and the server keep repeated attributes
(one `max_run` line or duplicate JSON key per limit entry) as lists.
"""

from __future__ import annotations

import re
from typing import Any

from daostui.core.errors import ParseError
from daostui.pbs.jsonrepair import load_json
from daostui.pbs.models import Job
from daostui.pbs.queues import Queue, ServerInfo, queue_from_attrs, server_from_attrs

JOB_ID = re.compile(r"^\d+(\[\d*\])?\.[A-Za-z0-9._-]+$")
WAITING = re.compile(r"^qsub: waiting for job (\S+) to start")
READY = re.compile(r"^qsub: job (\S+) ready")
COMPLETED = re.compile(r"^qsub: job (\S+) completed")
UNKNOWN_JOB = re.compile(r"Unknown Job Id (\S+)")
#: qstat (without -x) on a finished job: `qstat: 12.pbshost Job has finished, use -x or -H …`.
FINISHED_JOB = re.compile(r"^qstat: (\S+) Job has finished", re.MULTILINE)


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


def finished_job_ids(stderr: str) -> list[str]:
    """Ids qstat refused because they finished and `-x` was not given."""
    return FINISHED_JOB.findall(stderr or "")


def keep_repeated(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook` that keeps every value of a repeated key, in order, as a list."""
    result: dict[str, Any] = {}
    repeated: set[str] = set()
    for key, value in pairs:
        if key not in result:
            result[key] = value
        elif key in repeated:
            result[key].append(value)
        else:
            result[key] = [result[key], value]
            repeated.add(key)
    return result


def _json_root(text: str, source: str, *, keep_duplicates: bool = False) -> dict[str, Any]:
    start = text.find("{")
    if start < 0:
        if not text.strip():
            return {}
        raise ParseError("no JSON object in the output", excerpt=text, source=source)
    hook = keep_repeated if keep_duplicates else None
    data = load_json(text[start:] if start else text, source, object_pairs_hook=hook)  # no 20 MB copy
    if not isinstance(data, dict):
        raise ParseError("JSON root is not an object", excerpt=text, source=source)
    return data


def parse_jobs_json(text: str) -> list[Job]:
    """Jobs of `qstat -f -F json [-x] [-t] [ids]` (no `Jobs` key means no jobs)."""
    data = _json_root(text, "qstat -f -F json")
    jobs = data.get("Jobs") or {}
    if not isinstance(jobs, dict):
        raise ParseError("'Jobs' is not an object", excerpt=text[:400], source="qstat -f -F json")
    result = [Job(job_id, raw) for job_id, raw in jobs.items() if type(raw) is dict]
    if len(result) != len(jobs):
        job_id = next(job_id for job_id, raw in jobs.items() if type(raw) is not dict)
        raise ParseError(f"job {job_id!r} is not an object", excerpt=text[:400], source="qstat -f -F json")
    return result


# ---------------------------------------------------------------------- qstat -f text
def attribute_blocks(text: str, header: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(name, [(attribute, value), …]) per `Header: name` block, continuation lines joined.

    Pairs, not a dict: `qstat -Qf` repeats `max_run = …` once per limit entry.
    """
    blocks: list[tuple[str, list[tuple[str, str]]]] = []
    current: list[tuple[str, str]] | None = None
    for line in text.splitlines():
        if line.startswith(header):
            current = []
            blocks.append((line[len(header) :].strip(), current))
        elif current is None or not line.strip():
            continue
        elif line.startswith("\t") and current:
            key, value = current[-1]
            current[-1] = (key, value + line[1:])
        elif line.startswith("    ") and " = " in line:
            key, _, value = line[4:].partition(" = ")
            current.append((key, value))
        elif current:
            # qstat passes a raw newline inside a value (e.g. a multi-line comment) through unescaped
            key, value = current[-1]
            current[-1] = (key, value + "\n" + line)
        else:
            raise ParseError(f"unexpected line {line!r}", excerpt=text[:400], source=header.strip(": "))
    if not blocks and text.strip():
        raise ParseError(f"no '{header}' blocks", excerpt=text[:400], source=header.strip(": "))
    return blocks


def parse_variable_list(value: str) -> dict[str, str]:
    """Text `Variable_List`: `A=1,B=x\\,y` → {A: 1, B: x,y}.

    qstat escapes a comma inside a value as `\\,` (the JSON writer splits on the same rule); a
    variable without `=` has no value and is left out, as the JSON writer does.
    """
    variables = {}
    for item in re.split(r"(?<!\\),", value):
        name, sep, content = item.partition("=")
        if sep:
            variables[name] = content.replace("\\,", ",")
    return variables


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Flat text attributes shaped like the JSON form (`Resource_List.x` → nested), repeats as lists."""
    nested: dict[str, Any] = {}

    def put(target: dict[str, Any], key: str, value: Any) -> None:
        if key not in target:
            target[key] = value
        elif isinstance(target[key], list):
            target[key].append(value)
        else:
            target[key] = [target[key], value]

    for key, value in pairs:
        if key == "Variable_List":
            nested[key] = parse_variable_list(value)
        elif "." in key:
            group, _, name = key.partition(".")
            target = nested.setdefault(group, {})
            if isinstance(target, dict):
                put(target, name, value)
        else:
            put(nested, key, value)
    return nested


def parse_jobs_text(text: str) -> list[Job]:
    """Jobs of `qstat -f [-w] [-x] [-t] ids` text, shaped like the JSON form.

    Cut-off output is refused rather than shown as a job with missing attributes: qstat ends its
    output with a newline, and every job record carries `job_state`.
    """
    if text.strip() and not text.endswith("\n"):
        raise ParseError("qstat -f output ends mid-line (truncated)", excerpt=text[-400:], source="qstat -f")
    jobs = []
    for job_id, pairs in attribute_blocks(text, "Job Id:"):
        if not pairs:
            continue  # a bare header (the reference's elided "<next job>", or output cut right after it)
        attrs = _nest(pairs)
        if "job_state" not in attrs:
            raise ParseError(
                f"job {job_id!r} has no job_state (truncated output?)", excerpt=text[-400:], source="qstat -f"
            )
        jobs.append(Job(job_id, attrs))
    return jobs


# ---------------------------------------------------------------------- queues and server
def parse_queues_text(text: str) -> list[Queue]:
    return [queue_from_attrs(name, _nest(pairs)) for name, pairs in attribute_blocks(text, "Queue:")]


def parse_queues_json(text: str) -> list[Queue]:
    """`qstat -Qf -F json`: duplicate keys (one per limit entry, OpenPBS issue 2677) all kept."""
    data = _json_root(text, "qstat -Qf -F json", keep_duplicates=True)
    queues = data.get("Queue", {} if "pbs_server" in data else None)  # no queue matched: no key
    if not isinstance(queues, dict):
        raise ParseError("no 'Queue' object", excerpt=text[:400], source="qstat -Qf -F json")
    return [
        queue_from_attrs(name, attrs if isinstance(attrs, dict) else {}) for name, attrs in queues.items()
    ]


def parse_server_text(text: str) -> ServerInfo:
    blocks = attribute_blocks(text, "Server:")
    if not blocks:
        raise ParseError("no 'Server:' block", excerpt=text, source="qstat -Bf")
    name, pairs = blocks[0]
    return server_from_attrs(name, _nest(pairs))


def parse_server_json(text: str) -> ServerInfo:
    data = _json_root(text, "qstat -Bf -F json", keep_duplicates=True)
    servers = data.get("Server")
    if not isinstance(servers, dict) or not servers:
        raise ParseError("no 'Server' object", excerpt=text[:400], source="qstat -Bf -F json")
    name, attrs = next(iter(servers.items()))
    return server_from_attrs(name, attrs if isinstance(attrs, dict) else {})
