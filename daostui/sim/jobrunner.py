"""Runs one simulated batch job (or job array) for real: waits in the queue, runs, records the end.

Started detached by `qsub`. It honours holds and deletes while queued, runs the script with bash
in its submit directory with PBS's environment (`PBS_JOBID`, `PBS_NODEFILE`, `PBS_O_WORKDIR`,
`PBS_ARRAY_INDEX` …) and the simulator first on PATH, writes stdout/stderr live to
`<name>.o<seq>` / `.e<seq>` (`-k doe`; a subjob's are `<name>.o<seq>.<index>`), and records what a
real OpenPBS 23.06.06 server records: a walltime kill is `Exit_status -29` with
`=>> PBS: job killed: walltime N exceeded limit M` in the `.e` file and a comment ending in
` and exceeded resource walltime`; a `qdel` is 256 + SIGTERM and ` and terminated`; a normal end
` and finished`; `history_timestamp` when the job enters the history. An array's subjobs run
side by side (at most `%N` of them with `-J X-Y%N`), the parent `B` meanwhile.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from daostui.sim import compute_nodes, pbs_state, store
from daostui.sim.pbs_actions import kill_group

POLL = 0.1
KILL_WALLTIME = -29  # JOB_EXEC_KILL_WALLTIME
#: Subjobs that run at once when `-J` gives no `%N` (the simulated machine is large, the host is not).
ARRAY_PARALLEL = 8


def _job(directory: Path, seq: str) -> dict | None:
    with store.lock(directory):
        return store.load(directory, "pbs").get("jobs", {}).get(seq)


def _update(directory: Path, seq: str, index: int | None = None, **changes: object) -> dict | None:
    """Change the job record, or one subjob's when `index` is given; the job record after it."""
    with store.locked(directory, "pbs") as data:
        job = data.get("jobs", {}).get(seq)
        if job is None:
            return None
        target = job if index is None else job.setdefault("subjobs", {}).setdefault(str(index), {})
        target.update(changes)
        return dict(job)


def job_environment(directory: Path, job: dict, nodefile: Path, index: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    head = f"{job['seq']}[{index}]" if index is not None else str(job["seq"])
    env.update(
        {
            "PBS_JOBID": pbs_state.job_id(head),
            "PBS_JOBNAME": job["name"],
            "PBS_NODEFILE": str(nodefile),
            "PBS_O_WORKDIR": job["workdir"],
            "PBS_QUEUE": job["queue"],
            "PBS_O_QUEUE": job.get("submit_queue", ""),
            "PBS_ENVIRONMENT": "PBS_INTERACTIVE" if job.get("interactive") else "PBS_BATCH",
            "PBS_O_HOST": pbs_state.SUBMIT_HOST,
            "PBS_O_LOGNAME": job["owner"],
            "PBS_O_HOME": os.path.expanduser("~"),
            "PBS_O_PATH": env.get("PATH", ""),
            "PBS_O_SYSTEM": "Linux",
            "PBS_NCHUNKS": str(job["nodes"]),
            "TMPDIR": f"/var/tmp/pbs.{head}.{pbs_state.SERVER}",
            "DAOSTUI_SIM_DIR": str(directory),
            "PATH": str(directory / "bin") + os.pathsep + env.get("PATH", ""),
        }
    )
    env.update({name: value for name, value in job.get("variables", [])})
    if index is not None:
        env.update(PBS_ARRAY_INDEX=str(index), PBS_ARRAY_ID=pbs_state.job_id(f"{job['seq']}[]"))
    return env


def write_nodefile(directory: Path, job: dict, index: int | None = None) -> tuple[Path, list[str]]:
    """The job's nodes (free ones, held until `compute_nodes.release`) and its `$PBS_NODEFILE`."""
    head = f"{job['seq']}[{index}]" if index is not None else str(job["seq"])
    nodes = compute_nodes.allocate(
        directory, pbs_state.job_id(head), job["nodes"], int(job["seq"]) + (index or 0)
    )
    jobs_dir = directory / "jobs" / (str(job["seq"]) + (f".{index}" if index is not None else ""))
    jobs_dir.mkdir(parents=True, exist_ok=True)
    nodefile = jobs_dir / "nodefile"
    nodefile.write_text("".join(pbs_state.NODE_FQDN.format(name=n, rack=n[1:5]) + "\n" for n in nodes))
    return nodefile, nodes


def run_comment(start: float, nodes: list[str]) -> str:
    """`Job run at Mon Nov 30 at 01:08 on (x4102c3s0b0n0:ncpus=208)+(…)` (the scheduler's words)."""
    where = "+".join(f"({n}:ncpus=208)" for n in nodes)
    return f"Job run at {time.strftime('%a %b %d at %H:%M', time.localtime(start))} on {where}"


def wait_in_queue(directory: Path, seq: str) -> dict | None:
    """Wait until the job may start; None when it was deleted meanwhile."""
    while True:
        job = _job(directory, seq)
        if job is None or job.get("state") in ("F", "E") or job.get("deleted"):
            return None
        if job.get("state") == "Q" and time.time() >= job.get("start_after", 0):
            return job
        time.sleep(POLL)


@dataclass
class Task:
    """One running job or subjob: its process and where its output goes."""

    index: int | None
    proc: subprocess.Popen[bytes]
    out: IO[bytes]
    err: IO[bytes]
    start: float
    deadline: float
    nodes: list[str]
    walltime_killed: bool = False


def _path(job: dict, key: str, index: int | None) -> str:
    path = job[key]
    return path.replace("^array_index^", str(index)) if index is not None else path


def start_task(directory: Path, job: dict, index: int | None = None) -> Task | None:
    seq = str(job["seq"])
    nodefile, nodes = write_nodefile(directory, job, index)
    start = time.time()
    _update(
        directory,
        seq,
        index,
        state="R",
        start=start,
        exec_nodes=nodes,
        comment=run_comment(start, nodes[:8]),
    )
    out = open(_path(job, "output_path", index), "ab", buffering=0)  # noqa: SIM115 - closed in finish_task
    err = open(_path(job, "error_path", index), "ab", buffering=0)  # noqa: SIM115
    argv = job["command"] or ["bash", "-c", job["script"], job["name"]]
    try:
        proc = subprocess.Popen(
            argv,
            cwd=job["workdir"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=job_environment(directory, job, nodefile, index),
            start_new_session=True,
        )
    except OSError as exc:
        err.write(f"{argv[0]}: {exc}\n".encode())
        out.close()
        err.close()
        compute_nodes.release(directory, nodes)
        now = time.time()
        state = "X" if index is not None else "F"
        _update(directory, seq, index, state=state, end=now, history=now, exit_status=-1, finish="finished")
        return None
    _update(directory, seq, index, pgid=proc.pid)
    return Task(index, proc, out, err, start, start + job["walltime"], nodes)


def poll_task(directory: Path, job: dict, task: Task) -> int | None:
    """The task's exit status once it ended (after a delete or walltime kill if due), else None."""
    status = task.proc.poll()
    if status is not None:
        return status
    seq = str(job["seq"])
    current = _job(directory, seq) or {}
    own = current if task.index is None else current.get("subjobs", {}).get(str(task.index), {})
    if not current or own.get("deleted") or current.get("deleted"):
        kill_group(task.proc.pid, signal.SIGTERM)
    if time.time() >= task.deadline and not task.walltime_killed:
        task.walltime_killed = True
        used = int(time.time() - task.start)
        task.err.write(f"=>> PBS: job killed: walltime {used} exceeded limit {job['walltime']}\n".encode())
        kill_group(task.proc.pid, signal.SIGTERM)
    return None


def finish_task(directory: Path, job: dict, task: Task, status: int) -> bool:
    """Record the end; True when the task was deleted (the array's comment says `terminated`)."""
    if status < 0:  # killed by a signal: PBS reports 256 + signal number
        status = 256 - status
    kill_group(task.proc.pid, signal.SIGKILL)  # anything the script left behind in its session
    task.out.close()
    task.err.close()
    compute_nodes.release(directory, task.nodes)  # the epilogue: dfuse unmounted, nodes freed
    seq = str(job["seq"])
    current = _job(directory, seq) or {}
    own = current if task.index is None else current.get("subjobs", {}).get(str(task.index), {})
    deleted = bool(own.get("deleted") or current.get("deleted"))
    if task.walltime_killed:
        status, finish = KILL_WALLTIME, "exceeded resource walltime"
    elif deleted:
        finish = f"terminated by {job['owner']}@{pbs_state.SUBMIT_HOST}"
    else:
        finish = "finished" if status == 0 else "failed"
    now = time.time()
    state = "F" if task.index is None else "X"
    _update(directory, seq, task.index, state=state, end=now, history=now, exit_status=status, finish=finish)
    return deleted


def run_array(directory: Path, seq: str, job: dict) -> None:
    indices = pbs_state.array_indices(job["array"])
    limit = int(job["array"].split("%", 1)[1]) if "%" in job["array"] else ARRAY_PARALLEL
    began = time.time()
    _update(
        directory,
        seq,
        state="B",
        start=began,
        comment=f"Job Array Began at {time.strftime('%a %b %d at %H:%M', time.localtime(began))}",
    )
    running: list[Task] = []
    deleted_any = False
    while True:
        current = _job(directory, seq) or {}
        subjobs = current.get("subjobs", {})
        waiting = [i for i in indices if subjobs.get(str(i), {}).get("state", "Q") == "Q"]
        while waiting and len(running) < limit and not current.get("deleted"):
            task = start_task(directory, job, waiting.pop(0))
            if task is not None:
                running.append(task)
        for task in list(running):
            status = poll_task(directory, job, task)
            if status is not None:
                running.remove(task)
                deleted_any |= finish_task(directory, job, task, status)
        if not running and not waiting:
            break
        time.sleep(POLL)
    now = time.time()  # " and terminated" only when a running subjob was deleted (a real server's words)
    _update(
        directory,
        seq,
        state="F",
        end=now,
        history=now,
        exit_status=0,
        finish="terminated" if deleted_any else "finished",
    )


def run(directory: Path, seq: str) -> int:
    job = wait_in_queue(directory, seq)
    if job is None:
        return 0
    _update(directory, seq, estimated=None)
    if job.get("array"):
        run_array(directory, seq, job)
        return 0
    task = start_task(directory, job)
    if task is None:
        return 0
    status = poll_task(directory, job, task)
    while status is None:
        time.sleep(POLL)
        status = poll_task(directory, job, task)
    finish_task(directory, job, task, status)
    return 0


if __name__ == "__main__":
    raise SystemExit(run(Path(sys.argv[1]), sys.argv[2]))
