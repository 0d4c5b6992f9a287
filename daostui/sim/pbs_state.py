"""The simulated PBS server: queues, the server's attributes, and every job.

Jobs of the user are records in `pbs.json`, moved along by their runner process (queued → running
→ finished on the real clock); a job array's record holds its subjobs. Other users' jobs follow
a seeded schedule computed lazily from the clock on each command (no daemon), so the queue looks
alive; `scale_jobs` adds a bulk of them generated from the seed on demand rather than stored, so
10^5 jobs cost nothing until listed.

The life cycle follows what a real OpenPBS 23.06.06 server did (tests/test_realpbs*.py): a
finished job's comment gains ` and finished`, ` and terminated` (qdel) or ` and exceeded resource
walltime`; a walltime kill is `Exit_status -29` (JOB_EXEC_KILL_WALLTIME); `history_timestamp` is
set when the job enters the history; an array parent is `B` once a subjob ran, its subjobs `X`
once done while the parent is active, `F` with it.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

from daostui.sim import store

SERVER = "aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"
SERVER_SHORT = SERVER.split(".", 1)[0]
#: The login node jobs are submitted from (Job_Owner's host, Output_Path's host part).
SUBMIT_HOST = "aurora-uan-0009.hostmgmt.cm.aurora.alcf.anl.gov"
PBS_VERSION = "2022.1.1.20220926110806"
FIRST_SEQ = 8875194
NODE_FQDN = "{name}.hostmgmt{rack}.cm.aurora.alcf.anl.gov"
#: Aurora: 166 racks of 64 compute nodes (8 chassis of 8 slots, one node a blade) = 10,624 nodes.
RACKS = 166
RACKS_PER_ROW = 17
NODES_PER_RACK = 64
MACHINE_NODES = RACKS * NODES_PER_RACK
OTHER_USERS = ("khuss", "rmaheshwari", "jlee", "apatel", "mgarcia", "tnguyen", "oshah")
COMMENTS_Q = (
    "Not Running: Not enough free nodes available",
    "Not Running: Job would conflict with reservation or top job",
)

#: (name, type, min nodes, max nodes, min walltime s, max walltime s, per-user max queued jobs)
QUEUES: tuple[tuple[str, str, int, int, int, int, int], ...] = (
    ("debug", "Execution", 1, 2, 300, 3600, 1),
    ("debug-scaling", "Execution", 2, 256, 300, 3600, 1),
    ("prod", "Route", 256, 10624, 300, 86400, 0),
    ("small", "Execution", 256, 1024, 300, 43200, 0),
    ("medium", "Execution", 1025, 1999, 300, 64800, 0),
    ("large", "Execution", 2000, 10624, 300, 86400, 0),
    ("backfill-small", "Execution", 256, 1024, 300, 43200, 0),
    ("backfill-medium", "Execution", 1025, 1999, 300, 64800, 0),
    ("backfill-large", "Execution", 2000, 10624, 300, 86400, 0),
    ("capacity", "Execution", 1, 16, 300, 604800, 5),
    ("visualization", "Execution", 1, 32, 300, 28800, 0),
)
#: The queues' limit entries, one string per entry as 23.06 prints them (pbs.md §6.1 in PBS's terms:
#: debug "max 1 job running/queued per user" on 64 shared nodes; capacity "max 5 queued/running, 2
#: running per user, 512 nodes across all jobs"; prod's destinations "10 running, 100 queued per project").
QUEUE_LIMITS: dict[str, dict[str, list[str]]] = {
    "debug": {
        "max_queued": ["[u:PBS_GENERIC=1]"],
        "max_run": ["[o:PBS_ALL=64]", "[u:PBS_GENERIC=1]"],
        "max_run_res.nodect": ["[o:PBS_ALL=64]"],
    },
    "debug-scaling": {"max_queued": ["[u:PBS_GENERIC=1]"], "max_run": ["[u:PBS_GENERIC=1]"]},
    "capacity": {
        "max_queued": ["[u:PBS_GENERIC=5]"],
        "max_run": ["[u:PBS_GENERIC=2]"],
        "max_run_res.nodect": ["[o:PBS_ALL=512]"],
    },
    **{
        name: {"max_queued": ["[p:PBS_GENERIC=100]"], "max_run": ["[p:PBS_GENERIC=10]"]}
        for name in ("small", "medium", "large", "backfill-small", "backfill-medium", "backfill-large")
    },
}
ROUTED = ("small", "medium", "large")


def job_id(seq: int | str) -> str:
    return f"{seq}.{SERVER}"


def hms(seconds: float) -> str:
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def rack_name(index: int) -> str:
    """Aurora's racks: rows x40..x49 of 17 racks each (`x4000` .. `x4016`, `x4100` ..), 166 in all."""
    row, column = divmod(index % RACKS, RACKS_PER_ROW)
    return f"x{40 + row}{column:02d}"


def node_name(index: int) -> str:
    """The `index`-th compute node: `x4102c3s0b0n0` is rack x4102, chassis 3, slot 0, the blade's node."""
    rack, within = divmod(index % MACHINE_NODES, NODES_PER_RACK)
    chassis, slot = divmod(within, 8)
    return f"{rack_name(rack)}c{chassis}s{slot}b0n0"


def node_names(count: int, seed: int) -> list[str]:
    """`count` consecutive nodes from a seeded rack on: each name once, as PBS assigns them."""
    start = random.Random(seed).randrange(RACKS) * NODES_PER_RACK
    return [node_name(start + index) for index in range(min(count, MACHINE_NODES))]


def seed(
    directory: Path, *, seed: int, user: str, project: str, scale_jobs: int = 0, showcase: bool = False
) -> None:
    rng = random.Random(seed * 7919 + 1)
    now = time.time()
    others: list[dict[str, Any]] = []
    seq = FIRST_SEQ + rng.randint(0, 999)
    for index in range(14):
        owner = rng.choice(OTHER_USERS)
        queue = rng.choice(("debug", "debug-scaling", "capacity", "small", "small", "medium", "large"))
        qmin, qmax = {q[0]: (q[2], q[3]) for q in QUEUES}[queue]
        nodes = rng.randint(qmin, min(qmax, qmin * 4))
        start = now + rng.uniform(-7200, 5400)
        run = rng.uniform(600, 14400)
        others.append(
            {
                "seq": seq + index,
                "name": rng.choice(
                    (
                        "hps400m",
                        "ior_easy",
                        "train_llm",
                        "vasp_relax",
                        "lammps_bench",
                        "daos_io",
                        "a_very_long_job_name",
                    )
                ),
                "owner": owner,
                "project": rng.choice(("datascience", "hacc", "Aurora_deployment", "CSC250")),
                "queue": queue,
                "nodes": nodes,
                "walltime": int(run * rng.uniform(1.2, 2.0)) // 60 * 60,
                "submit": start - rng.uniform(60, 3600),
                "start": start,
                "end": start + run,
                "held": index == 3,
                "exit": rng.choice((0, 0, 0, 1, 271)),
            }
        )
    data = {
        "server": {
            "name": SERVER,
            "max_job_sequence_id": 99999999,
            "era": "tutorial",
            "valid_filesystems": ["home", "flare", "daos_user", "daos_perf", "grand", "eagle"],
        },
        "next_seq": seq + 100 + (len(SHOWCASE) if showcase else 0),
        "others": others,
        "scale_jobs": scale_jobs,
        "seed": seed,
        "jobs": history_jobs(directory, seq + 100, user, project, now) if showcase else {},
        "project": project,
        "user": user,
    }
    store.save(directory, "pbs", data)


#: The user's jobs of the last two days, already in the history, so the demo shows at once what the
#: real server prints for them: `-v` values the 23.06 writer leaves bare (the JSON repair), a job
#: array with a failed subjob, a walltime kill (JOB_EXEC_KILL_WALLTIME), a qdel.
SHOWCASE: tuple[dict[str, Any], ...] = (
    {
        "name": "train_lr",
        "variables": [["LR", ".001"], ["SEED", "+42"], ["EPOCHS", "10"]],
        "submit_args": "-v LR=.001,SEED=+42,EPOCHS=10 train_lr.pbs",
        "nodes": 2,
        "ran": 5400,
        "exit_status": 0,
        "finish": "finished",
        "output": "epoch 1 loss 2.31\nepoch 10 loss 0.42\n",
    },
    {
        "name": "sweep.pbs",
        "array": "1-4",
        "submit_args": "-J 1-4 sweep.pbs",
        "nodes": 1,
        "ran": 1200,
        "subjob_exits": {"1": 0, "2": 0, "3": 1, "4": 0},
        "exit_status": 0,
        "finish": "finished",
    },
    {
        "name": "ior_long",
        "nodes": 1,
        "ran": 3600,
        "exit_status": -29,
        "finish": "exceeded resource walltime",
        "error": "=>> PBS: job killed: walltime 3605 exceeded limit 3600\n",
        "output": "IOR-3.3.0: MPI Coordinated Test of Parallel I/O\n",
    },
    {"name": "daos_job", "nodes": 1, "ran": 300, "exit_status": 271, "finish": "terminated by {user}@{host}"},
)


def history_jobs(directory: Path, first_seq: int, user: str, project: str, now: float) -> dict[str, Any]:
    """SHOWCASE as finished job records of `user`, their .o/.e files in the simulated flare."""
    jobs: dict[str, Any] = {}
    work = directory / "lus" / "flare" / "projects" / project / user
    work.mkdir(parents=True, exist_ok=True)
    workdir = str(work)
    for offset, spec in enumerate(SHOWCASE):
        seq = first_seq + offset
        start = now - 86400 - 3 * 3600 * (len(SHOWCASE) - offset)
        end = start + spec["ran"]
        nodes = node_names(spec["nodes"], seq)
        array = spec.get("array", "")
        tag = ".^array_index^" if array else ""
        record: dict[str, Any] = {
            "seq": seq,
            "name": spec["name"],
            "owner": user,
            "project": project,
            "queue": "capacity",
            "submit_queue": "capacity",
            "nodes": spec["nodes"],
            "walltime": 3600,
            "filesystems": "home:flare:daos_user",
            "state": "F",
            "submit": start - 600,
            "start": start,
            "end": end,
            "history": end,
            "workdir": workdir,
            "submit_args": spec.get("submit_args", spec["name"]),
            "output_path": f"{workdir}/{spec['name']}.o{seq}{tag}",
            "error_path": f"{workdir}/{spec['name']}.e{seq}{tag}",
            "variables": spec.get("variables", []),
            "exit_status": spec["exit_status"],
            "finish": spec["finish"].format(user=user, host=SUBMIT_HOST),
            "array": array,
            "subjobs": {},
            "command": [],
            "script": "",
        }
        when = time.strftime("%a %b %d at %H:%M", time.localtime(start))
        if array:
            record["comment"] = f"Job Array Began at {when}"
            for index, status in spec["subjob_exits"].items():
                record["subjobs"][index] = {
                    "state": "X",
                    "start": start,
                    "end": end,
                    "history": end,
                    "exit_status": status,
                    "exec_nodes": nodes,
                    "comment": f"Job run at {when} on ({nodes[0]}:ncpus=208)",
                    "finish": "finished" if status == 0 else "failed",
                }
        else:
            record["exec_nodes"] = nodes
            record["comment"] = "Job run at {} on {}".format(
                when, "+".join(f"({n}:ncpus=208)" for n in nodes)
            )
        jobs[str(seq)] = record
        for index in spec.get("subjob_exits") or [None]:
            suffix = f".{index}" if index else ""
            default = f"sweep point {index}\n" if index else ""
            (work / f"{spec['name']}.o{seq}{suffix}").write_text(spec.get("output", default))
            (work / f"{spec['name']}.e{seq}{suffix}").write_text(spec.get("error", ""))
    return jobs


# ---------------------------------------------------------------------- job views
def other_job(spec: dict[str, Any], now: float) -> dict[str, Any]:
    """A seeded job of another user, in the state the clock puts it in."""
    if spec.get("held") and now < spec["end"]:
        state = "H"
    elif now < spec["start"]:
        state = "Q"
    elif now < spec["end"]:
        state = "R"
    else:
        state = "F"
    record = {
        "seq": spec["seq"],
        "name": spec["name"],
        "owner": spec["owner"],
        "project": spec["project"],
        "queue": spec["queue"],
        "nodes": spec["nodes"],
        "walltime": spec["walltime"],
        "state": state,
        "submit": spec["submit"],
        "filesystems": "home:flare",
        "workdir": f"/lus/flare/projects/{spec['project']}",
        "comment": "",
    }
    if state == "Q":
        record["comment"] = COMMENTS_Q[spec["seq"] % 2]
        record["estimated"] = spec["start"]
        record["estimated_nodes"] = node_names(spec["nodes"], spec["seq"])[:4]
    if state == "H":
        record["comment"] = f"Job held by {spec['owner']} on {time.ctime(spec['submit'] + 30)}"
        record["hold"] = "u"
    if state in ("R", "F"):
        record["start"] = spec["start"]
        record["exec_nodes"] = node_names(spec["nodes"], spec["seq"])[:4]
        record["comment"] = (
            f"Job run at {time.strftime('%a %b %d at %H:%M', time.localtime(spec['start']))} on "
            f"({record['exec_nodes'][0]}:ncpus=208)"
        )
    if state == "F":
        record["end"] = spec["end"]
        record["exit_status"] = spec["exit"]
        record["finish"] = {0: "finished", 271: f"terminated by {spec['owner']}@{SUBMIT_HOST}"}.get(
            spec["exit"], "failed"
        )
        record["history"] = spec["end"]
    return record


def bulk_job(data: dict[str, Any], index: int, now: float) -> dict[str, Any]:
    rng = random.Random(data.get("seed", 0) * 1_000_003 + index)
    start = now - 3600 + rng.uniform(-3600, 7200)
    spec = {
        "seq": data["next_seq"] + 1_000_000 + index,
        "name": f"bulk_{index}",
        "owner": OTHER_USERS[index % 7],
        "project": "Aurora_deployment",
        "queue": "capacity",
        "nodes": 1 + index % 16,
        "walltime": 7200,
        "submit": start - 300,
        "start": start,
        "end": start + 3600,
        "held": False,
        "exit": 0,
    }
    return other_job(spec, now)


def all_jobs(data: dict[str, Any], now: float, *, with_bulk: bool = True) -> list[dict[str, Any]]:
    jobs = [other_job(spec, now) for spec in data.get("others", [])]
    jobs += [job for job in data.get("jobs", {}).values() if not job.get("lost")]
    if with_bulk:
        jobs += [bulk_job(data, i, now) for i in range(int(data.get("scale_jobs", 0)))]
    return sorted(jobs, key=lambda job: int(job["seq"]))


def user_project(directory: Path) -> str:
    import json

    try:
        return json.loads((directory / "site.json").read_text()).get("project", "")
    except (OSError, ValueError):
        return ""


def queue_wait() -> float:
    return float(os.environ.get("DAOSTUI_SIM_QUEUE_WAIT") or 2.0)


# ---------------------------------------------------------------------- job arrays
def array_indices(spec: str) -> list[int]:
    """`qsub -J` ranges: `1-100`, `0-99:2` (step), `1-10%2` (at most 2 at once, ignored here)."""
    text = spec.split("%", 1)[0]
    first, _, rest = text.partition("-")
    last, _, step = rest.partition(":")
    return list(range(int(first), int(last or first) + 1, int(step or 1)))


def indices_text(indices: list[int]) -> str:
    """PBS's compact form of a set of indices (`1-3,5`); `-` when empty (array_indices_remaining)."""
    if not indices:
        return "-"
    parts: list[str] = []
    start = previous = indices[0]
    for index in [*indices[1:], None]:
        if index is not None and index == previous + 1:
            previous = index
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if index is not None:
            start = previous = index
    return ",".join(parts)


def subjob_view(parent: dict[str, Any], index: int) -> dict[str, Any]:
    """One subjob as a job record: the parent's request with the subjob's own life cycle."""
    own = parent.get("subjobs", {}).get(str(index), {})
    view = {key: value for key, value in parent.items() if key not in ("subjobs", "array", "comment")}
    view.update(own)
    view.update(index=index, array_parent=parent["seq"], state=own.get("state", "Q"))
    if view["state"] in ("X", "F") and parent["state"] == "F":
        view["state"] = "F"  # once the array is finished its subjobs show F, not X
        if own.get("comment") == "Subjob finished":
            view["exit_status"] = 0  # a subjob deleted before it ran: 1 while the array runs, then 0
    return view


def array_counts(parent: dict[str, Any]) -> dict[str, int]:
    """array_state_count: Queued, Running, Exiting, Expired (done while the array is active)."""
    names = {"Q": "Queued", "H": "Queued", "R": "Running", "E": "Exiting", "X": "Expired"}
    counts = {"Queued": 0, "Running": 0, "Exiting": 0, "Expired": 0}
    if parent["state"] == "F":
        return counts  # a finished array reports zeros (seen on the real server)
    for index in array_indices(parent["array"]):
        state = parent.get("subjobs", {}).get(str(index), {}).get("state", "Q")
        counts[names.get(state, "Queued")] += 1
    return counts


def array_remaining(parent: dict[str, Any]) -> list[int]:
    subjobs = parent.get("subjobs", {})
    return [i for i in array_indices(parent["array"]) if subjobs.get(str(i), {}).get("state", "Q") == "Q"]


def full_id(wanted: str) -> str:
    """What PBS makes of an operand: a bare number gets the server's name."""
    return wanted if "." in wanted else f"{wanted}.{SERVER}"


def find(jobs: list[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
    """The job, array parent (`N[]`) or subjob view (`N[7]`) an operand names."""
    head = wanted.split(".", 1)[0]
    seq, bracket, rest = head.partition("[")
    job = next((job for job in jobs if str(job["seq"]) == seq), None)
    if job is None or bool(bracket) != bool(job.get("array")):
        return None  # `qstat 1234` of an array is unknown to PBS too
    if not bracket or rest == "]":
        return job
    index = rest.rstrip("]")
    if not index.isdigit() or int(index) not in array_indices(job["array"]):
        return None
    return subjob_view(job, int(index))


def with_subjobs(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`-t`: each array parent followed by its subjobs."""
    listed = []
    for job in jobs:
        listed.append(job)
        if job.get("array") and "index" not in job:
            listed.extend(subjob_view(job, i) for i in array_indices(job["array"]))
    return listed
