"""Running a many-node job on the simulated Aurora for the nodes tests (and the benchmark).

A job script like daostui's own (`DAOS_POOL=...`, `launch-dfuse.sh ${DAOS_POOL}:${DAOS_CONT}`),
submitted through the session's PBS client; `wait_launched` waits until the job runs and its
launch-dfuse.sh has finished on every node, reading the job's `.o` file through the session's
transport (so it works where the commands run: this host, or a login node over ssh).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from typing import Any

from daostui.core.config import NodesSettings

SCRIPT = """#!/bin/bash
#PBS -A {project}
#PBS -q {queue}
#PBS -l select={nodes},walltime=00:30:00,filesystems=home:flare:daos_user
DAOS_POOL=hpc_demo
DAOS_CONT=checkpoints
launch-dfuse.sh ${{DAOS_POOL}}:${{DAOS_CONT}} > /dev/null
echo launched
exec sleep 1800
"""


def queue_for(nodes: int) -> str:
    return "prod" if nodes >= 256 else "debug-scaling" if nodes > 2 else "debug"


def use_compute_root(session: Any, root: str, **settings: float) -> None:
    """Point the session's compute mount root where the simulator mounts (and tune `[nodes]`)."""
    session.site = session.site.with_overrides(compute_mount_root=root)
    session.nodes.site = session.site
    if settings:
        session.nodes.settings = dataclasses.replace(NodesSettings(), **settings)


async def submit(session: Any, nodes: int, workdir: str, name: str = "nodes.pbs") -> str:
    text = SCRIPT.format(project=session.project or "hpc_demo", queue=queue_for(nodes), nodes=nodes)
    saved = await session.scripts.save(text, name, directory=workdir)
    return await session.pbs.submit(saved.path, cwd=saved.workdir)


async def wait_launched(session: Any, job_id: str, timeout: float = 120.0) -> Any:
    """The job, once it runs and launch-dfuse.sh is done on all its nodes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = await session.pbs.status([job_id])
        job = next((j for j in status.jobs if j.id == job_id), None)
        if job is not None and job.state == "R" and job.output_path:
            path = job.output_path.split(":", 1)[-1]
            out = await session.transport.run(["cat", "--", path], timeout=30)
            if out.ok and "launched" in out.stdout:
                return job
        await asyncio.sleep(0.2)
    raise AssertionError(f"job {job_id} did not start and launch dfuse within {timeout:g}s")


@contextlib.asynccontextmanager
async def running_job(
    session: Any, nodes: int, workdir: str, *, name: str = "nodes.pbs", timeout: float = 120.0
):
    """A job of `nodes` nodes, running with its container launched; deleted afterwards, whatever happens
    (its runner would otherwise sleep out its walltime)."""
    job_id = await submit(session, nodes, workdir, name)
    try:
        yield await wait_launched(session, job_id, timeout)
    finally:
        with contextlib.suppress(Exception):
            await session.pbs.delete(job_id)
