"""The attributes qstat reports for jobs, queues and the server, in OpenPBS's order and words.

Order and presence follow `master_job_attr_def.xml` / `master_queue_attr_def.xml` (the order a
real server returns them) and what a real OpenPBS 23.06.06 server printed for the same life
cycle: no `stime`/`run_count` before a job ran, `Stageout_status` and `Exit_status` once it did,
`estimated.*` for a queued job the scheduler planned, `history_timestamp` once in the history,
`array*` attributes on an array parent, `array_id`/`array_index` on a subjob that started.
Values are the strings PBS holds (times as epochs): the writers (`pbs_writer`) type and print
them as the real JSON and text writers do, times through `ctime()`.
"""

from __future__ import annotations

import time
from typing import Any

from daostui.sim import pbs_state, pbs_writer
from daostui.sim.pbs_state import PBS_VERSION, QUEUE_LIMITS, QUEUES, SERVER, hms, job_id

UAN = pbs_state.SUBMIT_HOST
ARRAY_INDEX_TAG = "^array_index^"
#: Attributes whose epoch value qstat prints through ctime() (display_statjob's list).
TIME_ATTRIBUTES = ("ctime", "etime", "stime", "obittime", "mtime", "qtime", "estimated.start_time")
SUBSTATES = {"Q": 10, "H": 20, "R": 42, "E": 51, "B": 70}
#: JOB_SUBSTATE_FINISHED, _TERMINATED (qdel), _FAILED (non-zero exit or a limit), by the comment's end.
FINISH_SUBSTATES = {"finished": 92, "terminated": 91, "failed": 93, "exceeded": 93}


def ctime(stamp: float) -> str:
    return time.ctime(stamp)


def record_id(job: dict[str, Any]) -> str:
    """`8875194.server`, `8875194[].server` (array parent), `8875194[7].server` (subjob)."""
    if "index" in job:
        return job_id(f"{job['array_parent']}[{job['index']}]")
    return job_id(f"{job['seq']}[]" if job.get("array") else job["seq"])


def variable_list(job: dict[str, Any]) -> str:
    """Variable_List as PBS stores it: PBS_O_* around the `-v` variables, commas in values as `\\,`."""
    owner, workdir = job["owner"], job.get("workdir", f"/home/{job['owner']}")
    items = [
        ("PBS_O_HOME", f"/home/{owner}"),
        ("PBS_O_LANG", "en_US.UTF-8"),
        ("PBS_O_LOGNAME", owner),
        ("PBS_O_PATH", "/opt/cray/pals/1.4/bin:/usr/local/bin:/usr/bin:/bin"),
        ("PBS_O_SHELL", "/bin/bash"),
        ("PBS_O_WORKDIR", workdir),
        ("PBS_O_SYSTEM", "Linux"),
        *[(name, value) for name, value in job.get("variables", [])],
        ("PBS_O_QUEUE", job.get("submit_queue", job["queue"])),
        ("PBS_O_HOST", UAN),
    ]
    return ",".join(f"{name}={str(value).replace(',', chr(92) + ',')}" for name, value in items)


def _comment(job: dict[str, Any], state: str) -> str:
    comment = job.get("comment", "")
    finish = job.get("finish")
    if state in ("F", "X") and finish and comment and not comment.endswith(finish):
        return f"{comment} and {finish}"
    return comment


def _path(job: dict[str, Any], key: str, letter: str) -> str:
    workdir = job.get("workdir", f"/home/{job['owner']}")
    if job.get("array") or "index" in job:
        default = f"{workdir}/{job['name']}.{letter}{job.get('array_parent', job['seq'])}.{ARRAY_INDEX_TAG}"
        path = job.get(key) or default
        if "index" in job and job.get("start"):
            path = path.replace(ARRAY_INDEX_TAG, str(job["index"]))
        return f"{UAN}:{path}"
    default = f"{workdir}/{job['name']}.{letter}{job['seq']}"
    return f"{UAN}:{job.get(key) or default}"


def attributes(job: dict[str, Any], now: float) -> dict[str, Any]:
    """One job record (plain job, array parent or subjob view) as qstat's attribute dict."""
    state = job["state"]
    owner, nodes = job["owner"], job["nodes"]
    start, end = job.get("start"), job.get("end")
    ran = bool(start) and not job.get("array")
    attrs: dict[str, Any] = {"Job_Name": job["name"], "Job_Owner": f"{owner}@{UAN}"}
    if ran and state in ("R", "E", "F", "X"):
        used = (end or now) - start
        attrs["resources_used"] = {
            "cpupercent": 0,
            "cput": hms(used * 0.01),
            "mem": "5008kb",
            "ncpus": 208 * nodes,
            "vmem": "196804kb",
            "walltime": hms(used),
        }
    attrs.update(job_state=state, queue=job["queue"], server=SERVER, Account_Name=job["project"])
    attrs.update(Checkpoint="u", ctime=job["submit"], Error_Path=_path(job, "error_path", "e"))
    exec_nodes = job.get("exec_nodes") or []
    if ran and exec_nodes:
        attrs["exec_host"] = "+".join(f"{n}/0*208" for n in exec_nodes)
        attrs["exec_vnode"] = "+".join(f"({n}:ncpus=208)" for n in exec_nodes)
    attrs.update(Hold_Types=job.get("hold", "n"), Join_Path="n", Keep_Files="doe", Mail_Points="a")
    attrs.update(mtime=end or start or job["submit"], Output_Path=_path(job, "output_path", "o"))
    attrs.update(Priority=0, qtime=job["submit"], Rerunable="False")
    resources: dict[str, Any] = {
        "filesystems": job.get("filesystems", "home:flare"),
        "ncpus": 208 * nodes,
        "nodect": nodes,
        "place": job.get("place", "scatter"),
        "select": str(nodes),
        "walltime": hms(job["walltime"]),
    }
    if job.get("daos"):
        resources["daos"] = job["daos"]
    attrs["Resource_List"] = dict(sorted(resources.items()))
    if start:
        attrs["stime"] = start
    if end and (ran or job.get("array")):
        attrs["obittime"] = end
    if ran:
        attrs.update(
            session_id=100000 + int(job["seq"]) % 90000 + job.get("index", 0), jobdir=f"/home/{owner}"
        )
    finish = job.get("finish")
    if state in ("F", "X"):
        substate = FINISH_SUBSTATES.get((finish or "finished").split()[0], 92)
    else:
        substate = SUBSTATES.get(state, 10)
    attrs.update(substate=substate, Variable_List=variable_list(job))
    comment = _comment(job, state)
    if comment:
        attrs["comment"] = comment
    attrs["etime"] = job["submit"]
    if ran:
        attrs["run_count"] = 1
    if state not in ("F", "X") or ran:
        attrs["eligible_time"] = hms(((start or now) - job["submit"]) if state != "H" else 0)
    if state in ("F", "X") and ran:
        attrs["Stageout_status"] = 1
    if state in ("F", "X") and "exit_status" in job:
        attrs["Exit_status"] = job["exit_status"]
    attrs["Submit_arguments"] = job.get("submit_args", f"-A {job['project']} {job['name']}")
    if job.get("array"):
        counts = pbs_state.array_counts(job)
        attrs.update(
            array="True",
            array_state_count=" ".join(f"{name}:{count}" for name, count in counts.items()),
            array_indices_submitted=job["array"].split("%", 1)[0],
            array_indices_remaining=pbs_state.indices_text(pbs_state.array_remaining(job)),
        )
    elif "index" in job and start:
        attrs.update(array_id=job_id(f"{job['array_parent']}[]"), array_index=job["index"])
    if state == "Q" and job.get("estimated"):
        planned = job.get("estimated_nodes") or pbs_state.node_names(nodes, int(job["seq"]))[:4]
        attrs["estimated"] = {
            "exec_vnode": "+".join(f"({n}:ncpus=208)" for n in planned),
            "start_time": job["estimated"],
        }
    if state == "F" and job.get("history"):
        attrs["history_timestamp"] = int(job["history"])
    attrs.update(project="_pbs_project_default", Submit_Host=UAN)
    return attrs


def printable(attrs: dict[str, Any]) -> dict[str, Any]:
    """The attributes as qstat prints them: epoch times through ctime() (`estimated` included)."""
    shown: dict[str, Any] = {}
    for key, value in attrs.items():
        if isinstance(value, dict):
            shown[key] = {
                sub: ctime(item) if f"{key}.{sub}" in TIME_ATTRIBUTES else item for sub, item in value.items()
            }
        else:
            shown[key] = ctime(value) if key in TIME_ATTRIBUTES else value
    return shown


def jobs_json(jobs: list[dict[str, Any]], now: float) -> str:
    objects = {record_id(job): printable(attributes(job, now)) for job in jobs}
    return pbs_writer.json_document("Jobs", objects, now=now, version=PBS_VERSION, server=SERVER)


def jobs_full_text(jobs: list[dict[str, Any]], now: float, *, one_line: bool = False) -> str:
    objects = {record_id(job): printable(attributes(job, now)) for job in jobs}
    return pbs_writer.full_text("Job Id: ", objects, one_line=one_line)


# ---------------------------------------------------------------------- queues and the server
def queue_counts(jobs: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    names = {"Q": "Queued", "H": "Held", "R": "Running", "E": "Exiting", "W": "Waiting", "T": "Transit"}
    names["B"] = "Begun"
    counts: dict[str, dict[str, int]] = {q[0]: {} for q in QUEUES}
    for job in jobs:
        state = names.get(job["state"])
        if state and job["queue"] in counts:
            counts[job["queue"]][state] = counts[job["queue"]].get(state, 0) + 1
    return counts


def queue_attrs(name: str, counts: dict[str, int]) -> dict[str, Any]:
    """One queue in `master_queue_attr_def.xml` order; each limit entry a separate value (23.06)."""
    _name, kind, nmin, nmax, wmin, wmax, _per_user = {q[0]: q for q in QUEUES}[name]
    limits = QUEUE_LIMITS.get(name, {})
    attrs: dict[str, Any] = {"queue_type": kind}
    attrs["total_jobs"] = sum(counts.values())
    attrs["state_count"] = (
        " ".join(
            f"{state}:{counts.get(state, 0)}"
            for state in ("Transit", "Queued", "Held", "Waiting", "Running", "Exiting", "Begun")
        )
        + " "
    )
    if "max_queued" in limits:
        attrs["max_queued"] = limits["max_queued"]
    attrs["resources_max"] = {"nodect": nmax, "walltime": hms(wmax)}
    attrs["resources_min"] = {"nodect": nmin, "walltime": hms(wmin)}
    if "max_run" in limits:
        attrs["max_run"] = limits["max_run"]
    if "max_run_res.nodect" in limits:
        attrs["max_run_res"] = {"nodect": limits["max_run_res.nodect"]}
    if kind == "Route":
        attrs["route_destinations"] = ",".join(
            ("small", "medium", "large", "backfill-small", "backfill-medium", "backfill-large")
        )
    attrs.update(enabled="True", started="True")
    return attrs


def queues_full(jobs: list[dict[str, Any]], names: list[str], as_json: bool, now: float) -> str:
    counts = queue_counts(jobs)
    objects = {q[0]: queue_attrs(q[0], counts[q[0]]) for q in QUEUES if not names or q[0] in names}
    if as_json:
        return pbs_writer.json_document("Queue", objects, now=now, version=PBS_VERSION, server=SERVER)
    return pbs_writer.full_text("Queue: ", objects)


def server_attrs(server: dict[str, Any], jobs: list[dict[str, Any]]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for queue_counts_ in queue_counts(jobs).values():
        for state, count in queue_counts_.items():
            counts[state] = counts.get(state, 0) + count
    return {
        "server_state": "Active",
        "server_host": SERVER,
        "scheduling": "True",
        "total_jobs": len(jobs),
        "state_count": " ".join(
            f"{state}:{counts.get(state, 0)}"
            for state in ("Transit", "Queued", "Held", "Waiting", "Running", "Exiting", "Begun")
        )
        + " ",
        "default_queue": "prod",
        "resources_available": {"valid_filesystems": ",".join(server["valid_filesystems"])},
        "max_job_sequence_id": server.get("max_job_sequence_id", 99999999),
        "pbs_version": PBS_VERSION,
        "eligible_time_enable": "True",
        "job_history_enable": "True",
    }


def server_full(server: dict[str, Any], jobs: list[dict[str, Any]], as_json: bool, now: float) -> str:
    objects = {SERVER: server_attrs(server, jobs)}
    if as_json:
        return pbs_writer.json_document("Server", objects, now=now, version=PBS_VERSION, server=SERVER)
    return pbs_writer.full_text("Server: ", objects)
