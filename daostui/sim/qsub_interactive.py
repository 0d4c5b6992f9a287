"""`qsub -I` in the simulator: wait for the job to start, then an interactive shell in this terminal.

Prints PBS's lines (`qsub: waiting for job ID to start`, `qsub: job ID ready`, and
`qsub: job ID completed` when the shell exits) and records the job's life cycle.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from daostui.sim import compute_nodes, jobrunner, pbs_state


def run_interactive(directory: Path, seq: int) -> int:
    key = str(seq)
    full = pbs_state.job_id(seq)
    print(f"qsub: waiting for job {full} to start", flush=True)
    try:
        job = jobrunner.wait_in_queue(directory, key)
    except KeyboardInterrupt:
        now = time.time()
        jobrunner._update(directory, key, state="F", end=now, history=now, deleted=True)
        print(f"qsub: job {full} canceled", flush=True)
        return 1
    if job is None:
        print(f"qsub: job {full} was deleted", flush=True)
        return 1
    nodefile, nodes = jobrunner.write_nodefile(directory, job)
    start = time.time()
    jobrunner._update(
        directory,
        key,
        state="R",
        start=start,
        exec_nodes=nodes,
        comment=jobrunner.run_comment(start, nodes[:8]),
    )
    print(f"qsub: job {full} ready\n", flush=True)
    env = jobrunner.job_environment(directory, job, nodefile)
    env["PS1"] = f"{nodes[0]}:\\w> "
    shell = [os.environ.get("DAOSTUI_SIM_SHELL", "bash"), "--norc", "--noprofile", "-i"]
    try:
        subprocess.call(shell, cwd=job["workdir"], env=env)
    except OSError as exc:
        sys.stderr.write(f"qsub: cannot start the job shell: {exc}\n")
    compute_nodes.release(directory, nodes)  # the epilogue: dfuse unmounted, nodes freed
    now = time.time()
    # a real server records 0 for an interactive job whatever the shell's status (tests/test_realpbs.py)
    jobrunner._update(directory, key, state="F", end=now, history=now, exit_status=0, finish="finished")
    print(f"qsub: job {full} completed", flush=True)
    return 0
