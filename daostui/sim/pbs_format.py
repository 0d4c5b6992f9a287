"""qstat's output forms, from the printf formats in pbs.md §3 (default, -a/-u, -f, -F json, -Q...).

Job attributes follow the key order and value typing of PBS's pre-2024 JSON writer (numbers raw
unless they start with 0; times as ctime strings); `-f` text wraps long values at 78 columns with
TAB continuation lines, like `prt_attr()`.
"""

from __future__ import annotations

import json
import time
from typing import Any

from daostui.sim.pbs_state import PBS_VERSION, QUEUES, SERVER, SERVER_SHORT, hms, job_id

UAN = "aurora-uan-0009.hostmgmt.cm.aurora.alcf.anl.gov"
HOST = "aurora-uan-0009"


def ctime(stamp: float | None) -> str | None:
    return time.ctime(stamp) if stamp else None


def attributes(job: dict[str, Any], now: float) -> dict[str, Any]:
    """The job's attributes in `qstat -f -F json` order and typing."""
    state = job["state"]
    seq = job["seq"]
    owner = job["owner"]
    workdir = job.get("workdir", f"/home/{owner}")
    name = job["name"]
    attrs: dict[str, Any] = {"Job_Name": name, "Job_Owner": f"{owner}@{UAN}"}
    start, end = job.get("start"), job.get("end")
    if state in ("R", "E", "F") and start:
        used = (end or now) - start
        attrs["resources_used"] = {
            "cpupercent": 0,
            "cput": hms(used * 0.01),
            "mem": "5008kb",
            "ncpus": 208 * job["nodes"],
            "vmem": "196804kb",
            "walltime": hms(used),
        }
    attrs.update(
        {
            "job_state": state,
            "queue": job["queue"],
            "server": SERVER,
            "Account_Name": job["project"],
            "Checkpoint": "u",
            "ctime": ctime(job["submit"]),
        }
    )
    attrs["Error_Path"] = f"{UAN}:{job.get('error_path') or f'{workdir}/{name}.e{seq}'}"
    nodes = job.get("exec_nodes") or []
    if nodes and state in ("R", "E", "F"):
        attrs["exec_host"] = "+".join(f"{n}/0*208" for n in nodes)
        attrs["exec_vnode"] = "+".join(f"({n}:ncpus=208)" for n in nodes)
    attrs.update(
        {
            "Hold_Types": job.get("hold", "n"),
            "Join_Path": "n",
            "Keep_Files": "doe",
            "Mail_Points": "a",
            "mtime": ctime(end or start or job["submit"]),
        }
    )
    attrs["Output_Path"] = f"{UAN}:{job.get('output_path') or f'{workdir}/{name}.o{seq}'}"
    attrs.update({"Priority": 0, "qtime": ctime(job["submit"]), "Rerunable": "False"})
    resources: dict[str, Any] = {
        "filesystems": job.get("filesystems", "home:flare"),
        "ncpus": 208 * job["nodes"],
        "nodect": job["nodes"],
        "place": job.get("place", "scatter"),
        "select": str(job["nodes"]),
        "walltime": hms(job["walltime"]),
    }
    if job.get("daos"):
        resources["daos"] = job["daos"]
    attrs["Resource_List"] = dict(sorted(resources.items()))
    if start and state in ("R", "E", "F"):
        attrs["stime"] = ctime(start)
        attrs["session_id"] = 100000 + int(seq) % 90000
    attrs.update(
        {"jobdir": f"/home/{owner}", "substate": {"Q": 10, "H": 20, "R": 42, "E": 51, "F": 92}.get(state, 10)}
    )
    attrs["Variable_List"] = {
        "PBS_O_HOME": f"/home/{owner}",
        "PBS_O_LOGNAME": owner,
        "PBS_O_WORKDIR": workdir,
        "PBS_O_SYSTEM": "Linux",
        "PBS_O_QUEUE": job.get("submit_queue", job["queue"]),
        "PBS_O_HOST": UAN,
    }
    if job.get("comment"):
        attrs["comment"] = job["comment"]
    attrs.update(
        {
            "etime": ctime(job["submit"]),
            "run_count": 1 if start else 0,
            "eligible_time": hms(((start or now) - job["submit"]) if state != "H" else 0),
        }
    )
    if state == "F":
        attrs["Exit_status"] = job.get("exit_status", 0)
        attrs["obittime"] = ctime(end)
    attrs.update(
        {
            "Submit_arguments": job.get("submit_args", f"-A {job['project']} {name}"),
            "project": "_pbs_project_default",
            "Submit_Host": UAN,
        }
    )
    return attrs


def json_document(jobs: list[dict[str, Any]], now: float) -> str:
    root: dict[str, Any] = {"timestamp": int(now), "pbs_version": PBS_VERSION, "pbs_server": SERVER}
    if jobs:
        root["Jobs"] = {job_id(job["seq"]): attributes(job, now) for job in jobs}
    return json.dumps(root, indent=4, separators=(",", ":")) + "\n"


def _wrap(name: str, value: str) -> str:
    """One `-f` attribute line, wrapped like prt_attr(): at commas, else mid-token, at 78 columns."""
    line = f"    {name} = "
    if len(line) + len(value) <= 78:
        return line + value + "\n"
    out = [line]
    column = len(line)
    pieces = [p for p in value.split(",") if p]
    for index, piece in enumerate(pieces):
        token = piece + ("," if index < len(pieces) - 1 else "")
        if column + len(token) > 78 and column > 1 and index > 0 and len(token) < 77:
            out.append("\n\t")
            column = 1
        for char in token:
            if column >= 78:
                out.append("\n\t")
                column = 1
            out.append(char)
            column += 1
    return "".join(out) + "\n"


def _flat(attrs: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for key, value in attrs.items():
        if key == "Variable_List":
            rows.append((key, ",".join(f"{k}={v}" for k, v in value.items())))
        elif isinstance(value, dict):
            rows.extend((f"{key}.{k}", str(v)) for k, v in value.items())
        else:
            rows.append((key, str(value)))
    return rows


def full_text(jobs: list[dict[str, Any]], now: float, *, one_line: bool = False) -> str:
    blocks = []
    for job in jobs:
        lines = [f"Job Id: {job_id(job['seq'])}\n"]
        for name, value in _flat(attributes(job, now)):
            lines.append(f"    {name} = {value}\n" if one_line else _wrap(name, value))
        blocks.append("".join(lines))
    return "\n".join(blocks) + ("\n" if blocks else "")


def short_id(job: dict[str, Any]) -> str:
    return f"{job['seq']}.{SERVER_SHORT}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "*"


def default_table(jobs: list[dict[str, Any]], now: float) -> str:
    if not jobs:
        return ""
    lines = [
        "Job id                 Name             User              Time Use S Queue\n",
        "---------------------  ---------------- ----------------  -------- - -----\n",
    ]
    for job in jobs:
        attrs = attributes(job, now)
        cput = attrs.get("resources_used", {}).get("cput", "0")
        lines.append(
            f"{_cut(short_id(job), 22):<22} {_cut(job['name'], 16):<16} "
            f"{_cut(job['owner'], 16):<16}  {cput:>8} {job['state']:1} {_cut(job['queue'], 16):<16}\n"
        )
    return "".join(lines)


def alt_table(jobs: list[dict[str, Any]], now: float) -> str:
    if not jobs:
        return ""
    lines = [
        f"\n{SERVER}: \n",
        " " * 65 + "Req'd  Req'd   Elap\n",
        "Job ID               Username Queue    Jobname    SessID NDS TSK Memory Time  S Time\n",
        "-------------------- -------- -------- ---------- ------ --- --- ------ ----- - -----\n",
    ]
    for job in jobs:
        attrs = attributes(job, now)
        sess = str(attrs.get("session_id", " -- "))
        elapsed = attrs.get("resources_used", {}).get("walltime")
        lines.append(
            f"{_cut(short_id(job), 20):<20} {_cut(job['owner'], 8):<8} {_cut(job['queue'], 8):<8} "
            f"{_cut(job['name'], 10):<10} {sess:>6.6} {job['nodes']:>3} {208 * job['nodes'] if job['nodes'] < 5 else '*':>3.3} "
            f"{' -- ':>6} {hms(job['walltime'])[:5]:>5} {job['state']:1} {(elapsed[:5] if elapsed else ' -- '):>5}\n"
        )
    return "".join(lines)


def queue_attrs(name: str, counts: dict[str, int]) -> dict[str, Any]:
    spec = {q[0]: q for q in QUEUES}[name]
    _name, kind, nmin, nmax, wmin, wmax, per_user = spec
    attrs: dict[str, Any] = {"queue_type": kind}
    if per_user:
        attrs["max_queued"] = f"[u:PBS_GENERIC={per_user}]"
        attrs["max_run"] = f"[u:PBS_GENERIC={per_user}]"
    attrs.update(
        {
            "total_jobs": sum(counts.values()),
            "state_count": " ".join(
                f"{s}:{counts.get(s, 0)}"
                for s in ("Transit", "Queued", "Held", "Waiting", "Running", "Exiting", "Begun")
            ),
            "resources_max.nodect": nmax,
            "resources_max.walltime": hms(wmax),
            "resources_min.nodect": nmin,
            "resources_min.walltime": hms(wmin),
        }
    )
    if kind == "Route":
        attrs["route_destinations"] = ",".join(
            ("small", "medium", "large", "backfill-small", "backfill-medium", "backfill-large")
        )
    attrs.update({"enabled": "True", "started": "True"})
    return attrs


def queue_counts(jobs: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    names = {"Q": "Queued", "H": "Held", "R": "Running", "E": "Exiting", "W": "Waiting", "T": "Transit"}
    counts: dict[str, dict[str, int]] = {q[0]: {} for q in QUEUES}
    for job in jobs:
        state = names.get(job["state"])
        if state and job["queue"] in counts:
            counts[job["queue"]][state] = counts[job["queue"]].get(state, 0) + 1
    return counts


def queues_full(jobs: list[dict[str, Any]], names: list[str], as_json: bool, now: float) -> str:
    counts = queue_counts(jobs)
    selected = [q[0] for q in QUEUES if not names or q[0] in names]
    if as_json:
        queues = {}
        for name in selected:
            attrs = queue_attrs(name, counts[name])
            nested: dict[str, Any] = {}
            for key, value in attrs.items():
                group, dot, sub = key.partition(".")
                if dot:
                    nested.setdefault(group, {})[sub] = value
                else:
                    nested[key] = value
            queues[name] = nested
        return (
            json.dumps(
                {"timestamp": int(now), "pbs_version": PBS_VERSION, "pbs_server": SERVER, "Queue": queues},
                indent=4,
                separators=(",", ":"),
            )
            + "\n"
        )
    blocks = []
    for name in selected:
        lines = [f"Queue: {name}\n"] + [
            f"    {k} = {v}\n" for k, v in queue_attrs(name, counts[name]).items()
        ]
        blocks.append("".join(lines))
    return "\n".join(blocks) + "\n"


def queues_table(jobs: list[dict[str, Any]]) -> str:
    counts = queue_counts(jobs)
    lines = [
        "Queue              Max   Tot Ena Str   Que   Run   Hld   Wat   Trn   Ext Type\n",
        "---------------- ----- ----- --- --- ----- ----- ----- ----- ----- ----- ----\n",
    ]
    for name, kind, *_ in QUEUES:
        c = counts[name]
        lines.append(
            f"{name:<16} {0:>5} {sum(c.values()):>5} {'yes':>3} {'yes':>3} {c.get('Queued', 0):>5} "
            f"{c.get('Running', 0):>5} {c.get('Held', 0):>5} {0:>5} {0:>5} {0:>5} {kind[:3] + '*':<4}\n"
        )
    return "".join(lines)


def server_full(server: dict[str, Any], jobs: list[dict[str, Any]], as_json: bool, now: float) -> str:
    attrs: dict[str, Any] = {
        "server_state": "Active",
        "server_host": SERVER,
        "scheduling": "True",
        "total_jobs": len(jobs),
        "default_queue": "prod",
        "resources_available.valid_filesystems": ",".join(server["valid_filesystems"]),
        "max_job_sequence_id": server.get("max_job_sequence_id", 99999999),
        "pbs_version": PBS_VERSION,
    }
    if as_json:
        nested: dict[str, Any] = {}
        for key, value in attrs.items():
            group, dot, sub = key.partition(".")
            if dot:
                nested.setdefault(group, {})[sub] = value
            else:
                nested[key] = value
        return (
            json.dumps(
                {
                    "timestamp": int(now),
                    "pbs_version": PBS_VERSION,
                    "pbs_server": SERVER,
                    "Server": {SERVER: nested},
                },
                indent=4,
                separators=(",", ":"),
            )
            + "\n"
        )
    return f"Server: {SERVER}\n" + "".join(f"    {k} = {v}\n" for k, v in attrs.items()) + "\n"
