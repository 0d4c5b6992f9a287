"""Simulated qstat, qselect, qdel, qhold, qrls (and qsub, in `pbs_qsub`) with PBS's texts and exit codes.

Options, conflicts, messages and exit statuses follow OpenPBS 23.06.06 (`src/cmds/qstat.c`,
`qselect.c`, `qdel.c`, `qhold.c`, `qrls.c`) and what a real server answered in tests/test_realpbs*.py:
`qhold` of a running job and `qrls` of a job that is not held succeed silently; an unknown id is
named in full by qstat and qhold, as typed by qdel; `qhold` of a finished job says only
`Job has finished`; a subjob can be deleted but not held (`Invalid request`).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from daostui.sim import pbs_actions, pbs_format, pbs_state, pbs_tables, store
from daostui.sim.pbs_actions import EXIT_HISTORY, EXIT_UNKNOWN

CONFLICT = "qstat: conflicting options.\n"
USAGE = (
    "usage: \n"
    "qstat [-f] [-J] [-p] [-t] [-x] [-E] [-F format | -w] [-D delim] [ job_identifier... | destination... ]\n"
    "qstat [-a|-i|-r|-H|-T] [-J] [-t] [-u user] [-n] [-s] [-G|-M] [-1] [-w]\n"
    "\t[ job_identifier... | destination... ]\n"
    "qstat -Q [-f] [-F format] [-D delim] [ destination... ]\n"
    "qstat -q [-G|-M] [ destination... ]\n"
    "qstat -B [-f] [-F format] [-D delim] [ server_name... ]\n"
    "qstat --version\n"
)
#: Options that select the alternate table (altdsp_statjob); -w alone only widens the default one.
ALT = set("aiHTunsGM1")


def _state() -> tuple[Any, dict[str, Any]]:
    directory = store.state_dir()
    with store.lock(directory):
        return directory, store.load(directory, "pbs")


def _parse_qstat(args: list[str]) -> tuple[set[str], str, list[str], list[str]] | None:
    flags: set[str] = set()
    fmt = ""
    users: list[str] = []
    operands: list[str] = []
    iterator = iter(args)
    for arg in iterator:
        if arg == "-F":
            fmt = (next(iterator, "") or "").lower()
        elif arg == "-u":
            users = (next(iterator, "") or "").split(",")
            flags.add("u")
        elif arg.startswith("-") and len(arg) > 1:
            flags.update(arg[1:])
        else:
            operands.append(arg)
    alt = flags & ALT
    if (
        (fmt and "f" not in flags)
        or ({"Q", "B"} & flags and alt)
        or ("1" in flags and not {"n", "s"} & flags)
        or len(flags & set("aiHrq")) > 1
    ):
        sys.stderr.write(CONFLICT + USAGE)
        return None
    if fmt and "w" in flags:
        sys.stderr.write("qstat: option w cannot be used with -F\n" + USAGE)
        return None
    return flags, fmt, users, operands


def qstat(args: list[str]) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="surrogateescape")  # show_nonprint_chars() leaves raw bytes
    parsed = _parse_qstat(args)
    if parsed is None:
        return 2
    flags, fmt, users, operands = parsed
    _directory, data = _state()
    now = time.time()
    jobs = pbs_state.all_jobs(data, now, with_bulk=not operands and not users)
    if "B" in flags:
        sys.stdout.write(pbs_format.server_full(data["server"], jobs, fmt == "json", now))
        return 0
    if "Q" in flags:
        if "f" in flags:
            sys.stdout.write(pbs_format.queues_full(jobs, operands, fmt == "json", now))
        else:
            sys.stdout.write(pbs_tables.queues_table(jobs))
        return 0
    if "q" in flags:
        sys.stdout.write(pbs_tables.queues_alt(jobs))
        return 0
    history = bool({"x", "H"} & flags)
    status = 0
    if operands:
        selected, errors = [], []
        for wanted in operands:
            job = pbs_state.find(jobs, wanted)
            if job is None:
                errors.append((f"qstat: Unknown Job Id {pbs_state.full_id(wanted)}\n", EXIT_UNKNOWN))
            elif job["state"] in ("F", "X") and not history and "index" not in job:
                errors.append(
                    (
                        f"qstat: {pbs_format.record_id(job)} Job has finished, use -x or -H to obtain "
                        "historical job information\n",
                        EXIT_HISTORY,
                    )
                )
            else:
                selected.append(job)
        if "E" in flags:
            # -E asks all ids in one request: ids PBS does not return are left out silently, unless
            # none is found, then the one request's error is printed (a real 23.06.06 server's answer)
            errors = errors[:1] if not selected else []
        for message, code in errors:
            sys.stderr.write(message)
            status = code
    else:
        selected = [job for job in jobs if history or job["state"] != "F"]
    if "t" in flags or "J" in flags:
        selected = (
            pbs_state.with_subjobs(selected) if "t" in flags else [j for j in selected if j.get("array")]
        )
        if not history:
            selected = [job for job in selected if job["state"] != "F"]
    for letter, states in (("H", "FMX"), ("i", "EHQTW"), ("r", "RS")):
        if letter in flags:
            selected = [job for job in selected if job["state"] in states]
    if users:
        selected = [job for job in selected if job["owner"] in users]
    server = data["server"]
    if fmt == "json" and flags & ALT:
        # PBS <= 23.06 prints the alternate table, then a JSON root without Jobs (pbs.md §3.4 item 4)
        sys.stdout.write(pbs_tables.alt_table(selected, now, server=server, flags=flags))
        sys.stdout.write(pbs_format.jobs_json([], now))
    elif fmt == "json":
        sys.stdout.write(pbs_format.jobs_json(selected, now))
    elif flags & ALT:
        sys.stdout.write(pbs_tables.alt_table(selected, now, server=server, flags=flags))
    elif "f" in flags:
        sys.stdout.write(pbs_format.jobs_full_text(selected, now, one_line="w" in flags))
    else:
        sys.stdout.write(pbs_tables.default_table(selected, now, server=server, wide="w" in flags))
    return status


def qselect(args: list[str]) -> int:
    _directory, data = _state()
    now = time.time()
    users: list[str] = []
    states = ""
    queue = name = ""
    history = arrays_only = subjobs = False
    iterator = iter(args)
    for arg in iterator:
        if arg == "-u":
            users = (next(iterator, "") or "").split(",")
        elif arg == "-s":
            states = next(iterator, "") or ""
        elif arg == "-q":
            queue = next(iterator, "") or ""
        elif arg == "-N":
            name = next(iterator, "") or ""
        elif arg == "-x":
            history = True
        elif arg == "-J":
            arrays_only = True
        elif arg == "-T":
            subjobs = True
    jobs = pbs_state.all_jobs(data, now, with_bulk=not users)
    if subjobs:  # -T: jobs and subjobs, no array parents
        jobs = [job for job in pbs_state.with_subjobs(jobs) if not job.get("array")]
    for job in jobs:
        if users and job["owner"] not in users:
            continue
        if arrays_only and not job.get("array"):
            continue
        if job["state"] in ("F", "X") and not history and "F" not in states:
            continue
        if states and job["state"] not in states:
            continue
        if (queue and job["queue"] != queue) or (name and job["name"] != name):
            continue
        sys.stdout.write(pbs_format.record_id(job) + "\n")
    return 0


def _act(program: str, args: list[str]) -> int:
    directory = store.state_dir()
    status = 0
    ids = [a for a in args if not a.startswith("-") and a != "force"]
    if not ids:
        sys.stderr.write(f"usage: {program} job_identifier...\n")
        return 2
    for wanted in ids:
        with store.locked(directory, "pbs") as data:
            message, code = pbs_actions.act(program, data, wanted, time.time())
        if message:
            sys.stderr.write(message + "\n")
            status = code
    return status


def main(program: str, args: list[str]) -> int:
    if program == "qsub":
        from daostui.sim import pbs_qsub

        return pbs_qsub.main(args)
    if program == "qstat":
        return qstat(args)
    if program == "qselect":
        return qselect(args)
    return _act(program, args)
