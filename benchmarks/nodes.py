"""A running job's compute nodes probed with clush (issue 19): 8, 128, 1,024 and 4,096 nodes.

Each size is a job on the simulated Aurora holding that many nodes (real node names, each with its
own dfuse mount made as launch-dfuse.sh makes it, one node's mount lost), opened in the console's
job nodes view. The probe is the product's own code path: one `clush -b` fan-out (ClusterShell's
exec worker and the simulator's per-node shell shim in place of ssh), parsed and folded into
NodeSet groups. Printed per size: the wall time of the full probe (clush plus parsing and
grouping) and its ratio to the 8-node probe, the console's worst frame while the probe ran
(event-loop stall, sampled every 5 ms as in `frames`), and the result's size on screen (group
rows; the nodes agreeing on everything but one are two rows whatever the size). The simulated
clush and node shells run at the lowest priority (`daostui.sim.bindir`): with a busy core they
get what the console and the other process leave.

From the largest two sizes comes the measured cost of one node in one fan-out slot; Aurora's
10,624 nodes at the site's fanout (ALCF's launch-dfuse.sh uses 208) follow from it. Targets on a
2-core machine: 1,024 nodes in at most 10 s, no frame over 33 ms, a handful of groups.
"""

from __future__ import annotations

import asyncio
import math
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import report

SIZES = (8, 128, 1024, 4096)
AURORA_NODES = 10_624
SITE_FANOUT = 208
#: Seconds the console is sampled idle before each probe: the machine's own noise, for comparison.
IDLE_SAMPLE = 3.0
CORES = os.cpu_count() or 1
JOB = "{index}.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"
SCRIPT = "#!/bin/bash\nDAOS_POOL=hpc_demo\nDAOS_CONT=checkpoints\nlaunch-dfuse.sh ${DAOS_POOL}:${DAOS_CONT}\n"


def _job(demo: Path, workdir: Path, index: int, count: int) -> tuple[Any, str]:
    """A running job of `count` simulated nodes with the container mounted on all but one of them."""
    from daostui.pbs.models import Job
    from daostui.sim import compute_nodes, knobs, node_mounts

    job_id = JOB.format(index=8_875_000 + index)
    nodes = compute_nodes.allocate(demo, job_id, count, seed=index)
    node_mounts.launch(demo, [("hpc_demo", "checkpoints")], nodes)
    lost = nodes[count // 2]
    knobs.add_fault(demo, "node_unmounted", lost)
    script = workdir / f"bench{count}.pbs"
    script.write_text(SCRIPT)
    job = Job(
        job_id,
        {
            "Job_Name": script.name,
            "job_state": "R",
            "exec_host": "+".join(f"{node}/0*208" for node in nodes),
            "Submit_arguments": script.name,
            "Variable_List": {"PBS_O_WORKDIR": str(workdir)},
        },
    )
    return job, lost


def _cpu() -> tuple[float, float]:
    """CPU seconds so far: of the finished children (clush and every node's shell), and our own."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime, own.ru_utime + own.ru_stime


async def _worst_stall(done: Any, seconds: float) -> float:
    """The longest the event loop was late (a frame cannot be drawn meanwhile), sampled every 5 ms
    for `seconds` or until `done()`."""
    worst = 0.0
    deadline = time.perf_counter() + seconds
    while not done() and time.perf_counter() < deadline:
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        worst = max(worst, time.perf_counter() - before - 0.005)
    return worst


async def _probe_in_console(session: Any, job: Any) -> dict[str, Any]:
    """Open the job nodes view on `job` and sample the event loop until its first probe is shown."""
    from textual.widgets import Collapsible

    from daostui.app import DaosTui
    from daostui.pbs.models import StatusResult
    from daostui.screens.job_nodes import JobNodesScreen

    async def status(ids: Any, history: bool = True) -> StatusResult:
        return StatusResult([job])

    session.pbs.status = status
    app = DaosTui(session, auto_refresh=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause(0.5)
        idle = await _worst_stall(lambda: False, IDLE_SAMPLE)
        screen = JobNodesScreen(job.id, job.name)
        started = time.perf_counter()
        cpu = _cpu()
        app.push_screen(screen)
        worst = await _worst_stall(lambda: screen.shown >= 1, 600)
        if screen.shown < 1:
            raise RuntimeError(f"no probe of {len(job.hosts)} nodes shown within 600 s")
        shown_after = time.perf_counter() - started
        children, own = (after - before for after, before in zip(_cpu(), cpu, strict=True))
        await pilot.pause(0.1)
        view = screen.watch.view if screen.watch else None
        if view is None or view.result is None:
            raise RuntimeError(f"the probe of {len(job.hosts)} nodes failed: {view.note if view else '?'}")
        rows = [c for c in screen.query(Collapsible).results() if c.has_class("group")]
        return {
            "probe": view.result.duration,
            "shown": shown_after,
            "worst": worst,
            "idle": idle,
            "cpu_children": children,
            "cpu_own": own,
            "rows": len(rows),
            "headline": view.result.headline,
        }


async def _run() -> list[tuple[int, dict[str, Any]]]:
    from daostui.core.session import demo_session
    from daostui.sim import bindir, seed

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        seed.reset(demo, seed=0)
        bindir.prepare(demo, seed=0)
        os.environ["DAOSTUI_STATE_DIR"] = str(Path(tmp) / "state")
        os.environ.setdefault("DAOSTUI_SIM_FUSE", "0")  # the login node's mounts are not measured here
        os.environ["DAOSTUI_SIM_COMPUTE_ROOT"] = str(Path(tmp) / "compute")
        workdir = Path(tmp) / "work"
        workdir.mkdir()
        session = demo_session(demo)
        session.site = session.site.with_overrides(compute_mount_root=os.environ["DAOSTUI_SIM_COMPUTE_ROOT"])
        session.nodes.site = session.site
        try:
            for index, count in enumerate(SIZES):
                job, _lost = _job(demo, workdir, index, count)
                results.append((count, await _probe_in_console(session, job)))
        finally:
            seed.release_mounts(demo)
    return results


def main() -> None:
    from daostui.core.config import NodesSettings

    fanout = NodesSettings().fanout
    print(f"  clush fanout {fanout} (config default), per-node timeout {NodesSettings().timeout:g}s")
    results = asyncio.run(_run())
    base = results[0][1]["probe"]
    for count, figures in results:
        target = "target: 1,024 nodes in <= 10 s" if count == 1024 else ""
        report(
            f"probe of {count:,} nodes (clush, parse, group)",
            figures["probe"],
            "s",
            baseline=base if count != SIZES[0] else None,
            base_name=f"{SIZES[0]} nodes",
            target=target,
            key=f"nodes.probe.{count}",
        )
        report(
            f"  worst frame while probing {count:,} nodes",
            figures["worst"] * 1000,
            "ms",
            target="target: <= 33 ms",
            key=f"nodes.frame.{count}",
        )
        report(f"  group rows on screen, {count:,} nodes", figures["rows"], "rows", key=f"nodes.rows.{count}")
        cpu = figures["cpu_children"] + figures["cpu_own"]
        print(
            f"    until shown {figures['shown']:.2f} s (console idle just before: worst frame "
            f"{figures['idle'] * 1000:.1f} ms); on screen: {figures['headline']}"
        )
        print(
            f"    CPU {cpu:.2f} s = {cpu / count * 1000:.1f} ms per node (clush and the nodes' shells "
            f"{figures['cpu_children']:.2f} s, console {figures['cpu_own']:.2f} s): on {CORES} idle "
            f"cores at least {cpu / CORES:.2f} s"
        )
    (small, a), (large, b) = results[-2], results[-1]
    per_node = max((b["probe"] - a["probe"]) / (large - small), 0.0)
    slot = per_node * fanout  # one node's cost in one of the `fanout` slots
    fixed = max(base - SIZES[0] * per_node, 0.0)
    waves = math.ceil(AURORA_NODES / SITE_FANOUT)
    console = b["cpu_own"] / large
    report(
        f"Aurora estimate: {AURORA_NODES:,} nodes at fanout {SITE_FANOUT}",
        fixed + waves * slot,
        "s",
        key="nodes.aurora",
    )
    print(
        f"  measured per-node cost {per_node * 1000:.2f} ms at fanout {fanout} (from {small:,} to "
        f"{large:,} nodes; one node in one slot: {slot * 1000:.0f} ms; fixed cost {fixed:.2f} s)"
    )
    print(
        f"  Aurora, {AURORA_NODES:,} nodes at the site's fanout {SITE_FANOUT}: {waves} waves x "
        f"{slot * 1000:.0f} ms + {fixed:.2f} s = {fixed + waves * slot:.1f} s where a slot waits on its "
        f"node (a login node: the nodes' shells run on the nodes); at this machine's CPU-bound rate "
        f"{fixed + AURORA_NODES * per_node:.1f} s whatever the fanout; the console's own share "
        f"{console * 1000:.2f} ms per node = {AURORA_NODES * console:.1f} s CPU. Real ssh adds its "
        "connection setup per node, absent in the simulator."
    )


if __name__ == "__main__":
    main()
