"""Simulated `qsub` with ALCF's site checks (pbs.md §2) and its real messages.

Options on the command line win over `#PBS` directives in the script (read until the first
executable line). Exit statuses: ALCF's hook rejections exit 1 (as an ALCF user observed over
ssh); server rejections exit with `pbs_errno & 0xFF` (pbs.md §2.4).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from daostui.sim import knobs, pbs_state, store
from daostui.sim.pbs_state import QUEUES, ROUTED

QUEUE_SPECS = {q[0]: q for q in QUEUES}


class Rejected(Exception):
    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def parse_walltime(text: str) -> int:
    parts = text.split(":")
    if not all(p.isdigit() for p in parts) or not 1 <= len(parts) <= 3:
        raise Rejected("qsub: illegal -l value", 2)
    total = 0
    for part in parts:
        total = total * 60 + int(part)
    return total


def directives(script: str) -> list[str]:
    """Tokens of the `#PBS` lines before the first executable line."""
    tokens: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or (stripped.startswith("#") and not stripped.startswith("#PBS")):
            continue
        if stripped.startswith("#PBS"):
            try:
                tokens += shlex.split(stripped[4:])
            except ValueError:
                raise Rejected(f"qsub: directive error: {stripped[4:].strip()}", 1) from None
            continue
        break
    return tokens


def parse_options(tokens: list[str], options: dict[str, Any]) -> list[str]:
    """Fill `options` (later tokens win); return the operands (script, or the command after --)."""
    operands: list[str] = []
    iterator = iter(tokens)
    for token in iterator:
        if token == "--":
            operands = ["--", *iterator]
            break
        if token in ("-I", "-V", "-h", "-z"):
            options[token] = True
        elif token in (
            "-A",
            "-q",
            "-N",
            "-k",
            "-o",
            "-e",
            "-j",
            "-v",
            "-W",
            "-l",
            "-m",
            "-M",
            "-P",
            "-J",
            "-r",
        ):
            value = next(iterator, None)
            if value is None:
                raise Rejected(f"qsub: option requires an argument -- '{token[1:]}'", 2)
            if token == "-l":
                for item in value.split(","):
                    key, sep, val = item.partition("=")
                    if not sep:
                        raise Rejected("qsub: illegal -l value", 2)
                    options.setdefault("resources", {})[key] = val
            else:
                options[token] = value
        elif token.startswith("-"):
            raise Rejected(f"qsub: invalid option -- '{token.lstrip('-')}'", 2)
        else:
            operands.append(token)
    return operands


def check(options: dict[str, Any], data: dict[str, Any], user: str, project: str) -> dict[str, Any]:
    resources = options.get("resources", {})
    if not options.get("-A"):
        raise Rejected("qsub: Account_Name is required to be set.")
    if "filesystems" not in resources:
        raise Rejected("qsub: Resource: filesystems is required to be set.")
    valid = set(data["server"]["valid_filesystems"])
    names = [n for n in resources["filesystems"].split(":") if n]
    invalid = [n for n in names if n not in valid]
    if invalid or not names:
        raise Rejected(
            f"qsub: Invalid filesystem identifiers {','.join(invalid) or resources['filesystems']}"
        )
    if options["-A"] != project:
        raise Rejected(
            f"qsub: Request rejected. Reason: No active allocation found for project {options['-A']} "
            "and resource aurora."
        )
    if options.get("-k", "doe") != "doe":
        # ALCF: "if you try and change it, you will get an error" (exact text not public: simulated)
        raise Rejected("qsub: -k doe is enforced on Aurora; other Keep_Files values are not allowed")
    queue = options.get("-q", "prod")
    if queue not in QUEUE_SPECS or queue in ROUTED or queue.startswith("backfill"):
        raise Rejected(
            "qsub: Unknown queue" if queue not in QUEUE_SPECS else "qsub: Access to queue is denied",
            170 if queue not in QUEUE_SPECS else 159,
        )
    select = resources.get("select", "1").split(":", 1)[0]
    if not select.isdigit() or int(select) < 1:
        raise Rejected("qsub: Illegal attribute or resource value", 166)
    nodes = int(select)
    walltime = parse_walltime(resources.get("walltime", "01:00:00"))
    _name, kind, nmin, nmax, wmin, wmax, per_user = QUEUE_SPECS[queue]
    if kind == "Route":
        if not any(
            QUEUE_SPECS[d][2] <= nodes <= QUEUE_SPECS[d][3] and walltime <= QUEUE_SPECS[d][5] for d in ROUTED
        ):
            raise Rejected("qsub: Job rejected by all possible destinations", 191)
    elif not (nmin <= nodes <= nmax and wmin <= walltime <= wmax):
        raise Rejected("qsub: Job violates queue and/or server resource limits", 188)
    if per_user:
        # max_queued = [u:PBS_GENERIC=N] counts every queued or running job, each subjob of an array
        mine = sum(
            len(pbs_state.array_indices(j["array"])) if j.get("array") else 1
            for j in data["jobs"].values()
            if j["owner"] == user and j["queue"] == queue and j["state"] in ("Q", "H", "R", "E", "B")
        )
        size = len(pbs_state.array_indices(options["-J"])) if options.get("-J") else 1
        if mine + size > per_user:
            raise Rejected("qsub: would exceed queue generic's per-user limit")
    return {
        "queue": queue,
        "nodes": nodes,
        "walltime": walltime,
        "filesystems": resources["filesystems"],
        "place": resources.get("place", "scatter"),
        "daos": resources.get("daos", ""),
    }


def variables(value: str) -> list[list[str]]:
    """`-v A=1,B=x\\,y,HOME`: pairs in order; a name alone takes qsub's own value; quotes are dropped."""
    pairs = []
    for item in re.split(r"(?<!\\),", value):
        name, sep, content = item.partition("=")
        if not name:
            continue
        content = content.replace("\\,", ",") if sep else os.environ.get(name, "")
        if len(content) >= 2 and content[0] == content[-1] and content[0] in "\"'":
            content = content[1:-1]
        pairs.append([name, content])
    return pairs


def array_spec(value: str) -> str:
    """`-J X-Y[:Z][%N]` as qsub accepts it."""
    if not re.fullmatch(r"\d+-\d+(:\d+)?(%\d+)?", value):
        raise Rejected("qsub: illegal -J value", 2)
    first, last = (int(n) for n in value.split("%")[0].split(":")[0].split("-"))
    if last <= first:
        raise Rejected("qsub: illegal -J value", 2)
    return value


def main(args: list[str]) -> int:
    directory = store.state_dir()
    cwd = os.getcwd()
    options: dict[str, Any] = {}
    try:
        operands = parse_options(args, dict(options))
        script_text = ""
        command: list[str] = []
        if operands and operands[0] == "--":
            command = operands[1:]
            name = "STDIN"
        elif operands:
            path = Path(operands[0])
            if not path.exists():
                raise Rejected("qsub: script file:: No such file or directory", 1)
            if not path.is_file():
                raise Rejected("qsub: script not a file", 1)
            script_text = path.read_text(errors="replace")
            name = path.name
        elif "-I" in args:
            name = "STDIN"
        else:
            script_text = sys.stdin.read()
            name = "STDIN"
        parse_options(directives(script_text), options)
        parse_options(args, options)
        interactive = bool(options.get("-I"))
        if interactive and not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise Rejected(
                "qsub:\tstandard input and output must be a terminal for\n\tinteractive job submission"
            )
        array = array_spec(options["-J"]) if options.get("-J") else ""
        # knobs.take takes the state lock itself (flock is not re-entrant): ask before locking
        lost = knobs.take(directory, "lost_job", "qsub " + " ".join(args)) is not None
        with store.locked(directory, "pbs") as data:
            user, project = data["user"], pbs_state.user_project(directory) or data.get("project", "")
            accepted = check(options, data, user, project)
            seq = data["next_seq"]
            data["next_seq"] = seq + 1
            job_name = options.get("-N") or name
            now = time.time()
            job = {
                "seq": seq,
                "name": job_name[:236],
                "owner": user,
                "project": options["-A"],
                **accepted,
                "submit_queue": accepted["queue"],
                "state": "H" if options.get("-h") else "Q",
                "submit": now,
                "start_after": now + pbs_state.queue_wait(),
                "workdir": cwd,
                "interactive": interactive,
                "script": script_text,
                "command": command,
                "hold": "u" if options.get("-h") else "n",
                "submit_args": " ".join(args),
                "comment": "",
                "output_path": os.path.join(cwd, f"{job_name}.o{seq}" + (".^array_index^" if array else "")),
                "error_path": os.path.join(cwd, f"{job_name}.e{seq}" + (".^array_index^" if array else "")),
                "variables": variables(options.get("-v", "")),
                "array": array,
                "subjobs": {},
            }
            if job["state"] == "Q":
                job["estimated"] = job["start_after"]
            if accepted["queue"] == "prod":
                job["queue"] = next(
                    d for d in ROUTED if QUEUE_SPECS[d][2] <= accepted["nodes"] <= QUEUE_SPECS[d][3]
                )
            job["lost"] = lost
            data["jobs"][str(seq)] = job
    except Rejected as exc:
        sys.stderr.write(str(exc) + "\n")
        return exc.status
    full_id = pbs_state.job_id(f"{seq}[]" if array else seq)
    if interactive:
        from daostui.sim.qsub_interactive import run_interactive

        return run_interactive(directory, seq)
    if not lost:
        _jobs_dir(directory)
        # the runner is detached (it outlives qsub, like a real job); the child keeps its own copy of the fd
        with open(directory / "jobs" / "runner.log", "a") as runner_log:
            subprocess.Popen(
                [sys.executable, "-m", "daostui.sim.jobrunner", str(directory), str(seq)],
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=runner_log,
                cwd=cwd,
                env=os.environ.copy(),
            )
    if not options.get("-z"):
        sys.stdout.write(full_id + "\n")
    return 0


def _jobs_dir(directory: Path) -> bool:
    (directory / "jobs").mkdir(parents=True, exist_ok=True)
    return True
