"""Runs one simulated batch job for real: waits in the queue, runs the script, records the end.

Started detached by `qsub`. It honours holds and deletes while queued, runs the script with bash
in its submit directory with PBS's environment (`PBS_JOBID`, `PBS_NODEFILE`, `PBS_O_WORKDIR`, ...)
and the simulator first on PATH, writes stdout/stderr live to `<name>.o<seq>` / `.e<seq>`
(`-k doe`), kills the job at its walltime (Exit_status 271 = 256 + SIGTERM), and records the exit
status and times for `qstat -x`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from daostui.sim import pbs_state, store

POLL = 0.1


def _job(directory: Path, seq: str) -> dict | None:
    with store.lock(directory):
        return store.load(directory, "pbs").get("jobs", {}).get(seq)


def _update(directory: Path, seq: str, **changes: object) -> dict | None:
    with store.locked(directory, "pbs") as data:
        job = data.get("jobs", {}).get(seq)
        if job is None:
            return None
        job.update(changes)
        return dict(job)


def job_environment(directory: Path, job: dict, nodefile: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PBS_JOBID": pbs_state.job_id(job["seq"]),
            "PBS_JOBNAME": job["name"],
            "PBS_NODEFILE": str(nodefile),
            "PBS_O_WORKDIR": job["workdir"],
            "PBS_QUEUE": job["queue"],
            "PBS_O_QUEUE": job.get("submit_queue", ""),
            "PBS_ENVIRONMENT": "PBS_INTERACTIVE" if job.get("interactive") else "PBS_BATCH",
            "PBS_O_HOST": "aurora-uan-0009.hostmgmt.cm.aurora.alcf.anl.gov",
            "PBS_O_LOGNAME": job["owner"],
            "PBS_O_HOME": os.path.expanduser("~"),
            "PBS_O_PATH": env.get("PATH", ""),
            "PBS_O_SYSTEM": "Linux",
            "PBS_NCHUNKS": str(job["nodes"]),
            "TMPDIR": f"/var/tmp/pbs.{job['seq']}.{pbs_state.SERVER}",
            "DAOSTUI_SIM_DIR": str(directory),
            "PATH": str(directory / "bin") + os.pathsep + env.get("PATH", ""),
        }
    )
    return env


def write_nodefile(directory: Path, job: dict) -> tuple[Path, list[str]]:
    nodes = pbs_state.node_names(job["nodes"], int(job["seq"]))
    jobs_dir = directory / "jobs" / str(job["seq"])
    jobs_dir.mkdir(parents=True, exist_ok=True)
    nodefile = jobs_dir / "nodefile"
    nodefile.write_text("".join(pbs_state.NODE_FQDN.format(name=n, rack=n[1:5]) + "\n" for n in nodes))
    return nodefile, nodes


def wait_in_queue(directory: Path, seq: str) -> dict | None:
    """Wait until the job may start; None when it was deleted meanwhile."""
    while True:
        job = _job(directory, seq)
        if job is None or job.get("state") in ("F", "E") or job.get("deleted"):
            return None
        if job.get("state") == "Q" and time.time() >= job.get("start_after", 0):
            return job
        if job.get("state") == "H":
            time.sleep(POLL)
            continue
        time.sleep(POLL)


def run(directory: Path, seq: str) -> int:
    job = wait_in_queue(directory, seq)
    if job is None:
        return 0
    nodefile, nodes = write_nodefile(directory, job)
    start = time.time()
    _update(
        directory,
        seq,
        state="R",
        start=start,
        exec_nodes=nodes[:8],
        comment=f"Job run at {time.strftime('%a %b %d at %H:%M', time.localtime(start))} on "
        f"({nodes[0]}:ncpus=208)",
    )
    out = open(job["output_path"], "ab", buffering=0)  # noqa: SIM115 - handed to the child, closed below
    err = open(job["error_path"], "ab", buffering=0)  # noqa: SIM115
    argv = job["command"] or ["bash", "-c", job["script"], job["name"]]
    try:
        proc = subprocess.Popen(
            argv,
            cwd=job["workdir"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=job_environment(directory, job, nodefile),
            start_new_session=True,
        )
    except OSError as exc:
        err.write(f"{argv[0]}: {exc}\n".encode())
        out.close()
        err.close()
        _update(directory, seq, state="F", end=time.time(), exit_status=-1)
        return 0
    _update(directory, seq, pgid=proc.pid)
    deadline = start + job["walltime"]
    status: int | None = None
    killed_for_walltime = False
    while status is None:
        status = proc.poll()
        if status is not None:
            break
        current = _job(directory, seq)
        if current is None or current.get("deleted"):
            _signal(proc.pid, signal.SIGTERM)
        if time.time() >= deadline and not killed_for_walltime:
            killed_for_walltime = True
            err.write(
                f"=>> PBS: job killed: walltime {int(time.time() - start)} exceeded limit "
                f"{job['walltime']}\n".encode()
            )
            _signal(proc.pid, signal.SIGTERM)
        time.sleep(POLL)
    if status < 0:  # killed by a signal: PBS reports 256 + signal number
        status = 256 - status
    _signal(proc.pid, signal.SIGKILL)  # anything the script left behind in its session
    out.close()
    err.close()
    _update(directory, seq, state="F", end=time.time(), exit_status=status)
    return 0


def _signal(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


if __name__ == "__main__":
    raise SystemExit(run(Path(sys.argv[1]), sys.argv[2]))
