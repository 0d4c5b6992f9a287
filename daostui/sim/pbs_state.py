"""The simulated PBS server: queues, the server's attributes, and every job.

Jobs of the user are records in `pbs.json`, moved along by their runner process (queued → running
→ finished on the real clock). Other users' jobs follow a seeded schedule computed lazily from
the clock on each command (no daemon), so the queue looks alive; `scale_jobs` adds a bulk of them
generated from the seed on demand rather than stored, so 10^5 jobs cost nothing until listed.
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
PBS_VERSION = "2022.1.1.20220926110806"
FIRST_SEQ = 8875194
NODE_FQDN = "{name}.hostmgmt{rack}.cm.aurora.alcf.anl.gov"
OTHER_USERS = ("khuss", "rmaheshwari", "jlee", "apatel", "mgarcia", "tnguyen", "oshah")
COMMENTS_Q = (
    "Not Running: Not enough free nodes available",
    "Not Running: Job would conflict with reservation or top job",
)

#: (name, type, min nodes, max nodes, min walltime s, max walltime s, note, per-user max jobs)
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
ROUTED = ("small", "medium", "large")


def job_id(seq: int | str) -> str:
    return f"{seq}.{SERVER}"


def hms(seconds: float) -> str:
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def node_names(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    rack = rng.randint(4000, 4900)
    chassis = rng.randint(0, 7)
    names = []
    for index in range(count):
        slot, node = divmod(index, 2)
        names.append(f"x{rack}c{chassis}s{slot % 8}b0n{node}")
    return names


def seed(directory: Path, *, seed: int, user: str, project: str, scale_jobs: int = 0) -> None:
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
        "next_seq": seq + 100,
        "others": others,
        "scale_jobs": scale_jobs,
        "seed": seed,
        "jobs": {},
        "project": project,
        "user": user,
    }
    store.save(directory, "pbs", data)


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
