"""Simulated qstat, qselect, qdel, qhold, qrls (and qsub, in `pbs_qsub`) with PBS's texts and exit codes."""

from __future__ import annotations

import signal
import sys
import time
from typing import Any

from daostui.sim import pbs_format, pbs_state, store

EXIT_UNKNOWN = 153  # PBSE_UNKJOBID & 0xFF
EXIT_HISTORY = 35  # PBSE_HISTJOBID & 0xFF
EXIT_BADSTATE = 156  # PBSE_BADSTATE & 0xFF


def _state() -> tuple[Any, dict[str, Any]]:
    directory = store.state_dir()
    with store.lock(directory):
        return directory, store.load(directory, "pbs")


def _find(jobs: list[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
    seq = wanted.split(".", 1)[0].replace("[]", "")
    return next((job for job in jobs if str(job["seq"]) == seq), None)


def qstat(args: list[str]) -> int:
    _directory, data = _state()
    now = time.time()
    flags = set()
    fmt = ""
    users: list[str] = []
    operands: list[str] = []
    iterator = iter(args)
    for arg in iterator:
        if arg == "-F":
            fmt = (next(iterator, "") or "").lower()
        elif arg == "-u":
            users = (next(iterator, "") or "").split(",")
            flags.add("a")
        elif arg.startswith("-") and len(arg) > 1:
            flags.update(arg[1:])
        else:
            operands.append(arg)
    if fmt and "f" not in flags and "Q" not in flags and "B" not in flags:
        sys.stderr.write("qstat: conflicting options.\nusage: qstat [-f] [-F json|dsv] ...\n")
        return 2
    if fmt and "w" in flags:
        sys.stderr.write("qstat: option w cannot be used with -F\n")
        return 2
    jobs = pbs_state.all_jobs(data, now, with_bulk=not operands and not users)
    if "B" in flags:
        sys.stdout.write(pbs_format.server_full(data["server"], jobs, fmt == "json", now))
        return 0
    if "Q" in flags:
        if "f" in flags:
            sys.stdout.write(pbs_format.queues_full(jobs, operands, fmt == "json", now))
        else:
            sys.stdout.write(pbs_format.queues_table(jobs))
        return 0
    history = "x" in flags or "H" in flags
    status = 0
    if operands:
        selected = []
        for wanted in operands:
            job = _find(jobs, wanted)
            if job is None:
                sys.stderr.write(f"qstat: Unknown Job Id {wanted}\n")
                status = EXIT_UNKNOWN
            elif job["state"] == "F" and not history:
                sys.stderr.write(
                    f"qstat: {pbs_state.job_id(job['seq'])} Job has finished, use -x or -H to obtain "
                    "historical job information\n"
                )
                status = EXIT_HISTORY
            else:
                selected.append(job)
    else:
        selected = [job for job in jobs if history or job["state"] != "F"]
        if "H" in flags:
            selected = [job for job in selected if job["state"] == "F"]
    if users:
        selected = [job for job in selected if job["owner"] in users]
    if fmt == "json" and users:
        # PBS <= 23.06 prints the alternate table, then a JSON root without Jobs (pbs.md §3.4 item 4)
        sys.stdout.write(pbs_format.alt_table(selected, now))
        sys.stdout.write(pbs_format.json_document([], now))
        return status
    if fmt == "json":
        sys.stdout.write(pbs_format.json_document(selected, now))
    elif "f" in flags:
        sys.stdout.write(pbs_format.full_text(selected, now, one_line="w" in flags))
    elif "a" in flags or "s" in flags or "n" in flags:
        sys.stdout.write(pbs_format.alt_table(selected, now))
    else:
        sys.stdout.write(pbs_format.default_table(selected, now))
    return status


def qselect(args: list[str]) -> int:
    _directory, data = _state()
    now = time.time()
    users: list[str] = []
    states = ""
    queue = name = ""
    history = False
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
    for job in pbs_state.all_jobs(data, now, with_bulk=not users):
        if users and job["owner"] not in users:
            continue
        if job["state"] == "F" and not history and "F" not in states:
            continue
        if states and job["state"] not in states:
            continue
        if (queue and job["queue"] != queue) or (name and job["name"] != name):
            continue
        sys.stdout.write(pbs_state.job_id(job["seq"]) + "\n")
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
            now = time.time()
            job = _find(list(data["jobs"].values()), wanted)
            full = pbs_state.job_id(wanted.split(".", 1)[0])
            other = _find(pbs_state.all_jobs(data, now, with_bulk=False), wanted)
            if job is None or job.get("lost"):
                if other is not None:
                    sys.stderr.write(f"{program}: Unauthorized Request  {full}\n")
                    status = 159
                else:
                    sys.stderr.write(f"{program}: Unknown Job Id {wanted}\n")
                    status = EXIT_UNKNOWN
                continue
            state = job["state"]
            if state == "F":
                message = "Job has finished" if program == "qdel" else "Request invalid for state of job"
                sys.stderr.write(f"{program}: {message} {full}\n")
                status = EXIT_HISTORY if program == "qdel" else EXIT_BADSTATE
                continue
            if program == "qdel":
                job["deleted"] = True
                if state in ("Q", "H"):
                    job.update(
                        state="F",
                        end=now,
                        exit_status=271 if job.get("start") else -3,
                        comment="Job deleted by user before it started",
                    )
                    job.pop("start", None)
                else:
                    job["state"] = "E"
                    _kill(job.get("pgid"))
            elif program == "qhold":
                if state != "Q":
                    sys.stderr.write(f"qhold: Request invalid for state of job {full}\n")
                    status = EXIT_BADSTATE
                    continue
                job.update(state="H", hold="u", comment=f"Job held by {job['owner']} on {time.ctime(now)}")
            elif program == "qrls":
                if state != "H":
                    sys.stderr.write(f"qrls: Request invalid for state of job {full}\n")
                    status = EXIT_BADSTATE
                    continue
                job.update(
                    state="Q", hold="n", comment="", start_after=max(job.get("start_after", 0), now + 0.2)
                )
    return status


def _kill(pgid: Any) -> None:
    import os

    if isinstance(pgid, int):
        try:
            os.killpg(pgid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass


def main(program: str, args: list[str]) -> int:
    if program == "qsub":
        from daostui.sim import pbs_qsub

        return pbs_qsub.main(args)
    if program == "qstat":
        return qstat(args)
    if program == "qselect":
        return qselect(args)
    return _act(program, args)
