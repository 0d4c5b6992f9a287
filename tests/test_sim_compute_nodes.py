"""The simulated Aurora's compute nodes, probed through the same ClusterShell path as a real site.

Aurora's node names, each node held by one running job and released (with its dfuse mounts) when
the job ends, the node shim answering like ssh (refused, closed, hung listing), the node knobs,
and whole probes of real simulated jobs: in demo mode (the simulator's `clush`, ClusterShell's exec
worker) and in ssh mode (`clush` run on the login node through the transport) (issue 19).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from daostui.core.errors import PbsError
from daostui.nodes.models import HUNG, OK, UNMOUNTED, UNREACHABLE
from daostui.pbs import hosts
from daostui.sim import compute_nodes, knobs, pbs_state, store
from tests.nodes_helpers import running_job, submit, use_compute_root, wait_launched

AURORA = re.compile(r"x4\d{3}c[0-7]s[0-7]b0n0")


@pytest.fixture
def compute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "compute"
    monkeypatch.setenv("DAOSTUI_SIM_COMPUTE_ROOT", str(root))
    return root


# ---------------------------------------------------------------------- names and holding nodes
def test_the_machine_has_aurora_s_10624_uniquely_named_nodes() -> None:
    every = [pbs_state.node_name(i) for i in range(pbs_state.MACHINE_NODES)]
    assert len(set(every)) == 10_624 and all(AURORA.fullmatch(n) for n in every)
    assert every[:2] == ["x4000c0s0b0n0", "x4000c0s1b0n0"] and every[64] == "x4001c0s0b0n0"
    assert hosts.fold(pbs_state.node_names(512, 3)).count(",") <= 1  # consecutive racks fold


def test_running_jobs_hold_disjoint_nodes_until_released(demo_dir: Path) -> None:
    first = compute_nodes.allocate(demo_dir, "1.pbs", 100, seed=7)
    second = compute_nodes.allocate(demo_dir, "2.pbs", 100, seed=7)
    assert len(set(first) | set(second)) == 200
    assert (demo_dir / "node-jobs" / first[0]).read_text() == "1.pbs\n"
    compute_nodes.release(demo_dir, first)
    assert compute_nodes.allocate(demo_dir, "3.pbs", 100, seed=7) == first


async def test_exec_host_names_every_node_and_the_job_s_end_releases_them(
    demo_session, demo_dir: Path, compute: Path
) -> None:
    use_compute_root(demo_session, str(compute))
    job_id = await submit(demo_session, 16, str(demo_session.workdir))
    try:
        await _released_at_the_end(demo_session, demo_dir, compute, job_id)
    finally:
        with contextlib.suppress(PbsError):  # deleted by the test already, unless it failed first
            await demo_session.pbs.delete(job_id)


async def _released_at_the_end(demo_session, demo_dir: Path, compute: Path, job_id: str) -> None:
    job = await wait_launched(demo_session, job_id)
    nodefile = next(demo_dir.glob("jobs/*/nodefile")).read_text().split()
    assert job.hosts == [line.split(".", 1)[0] for line in nodefile] and len(job.hosts) == 16
    assert sorted(store.load(demo_dir, "nodes")) == sorted(job.hosts)  # launch-dfuse.sh mounted all
    await demo_session.pbs.delete(job_id)
    from tests.test_sim_pbs import wait_for

    await wait_for(demo_session.pbs, job_id, "F", timeout=30)
    assert store.load(demo_dir, "nodes") == {}  # the epilogue unmounted dfuse on every node
    assert not any((demo_dir / "node-jobs").iterdir())
    assert not (compute / "hpc_demo" / "checkpoints").is_symlink()


# ---------------------------------------------------------------------- the node shim
def shim(demo_dir: Path, node: str, command: str) -> subprocess.CompletedProcess[str]:
    from daostui.sim import environment

    env = {**os.environ, **environment(demo_dir)}
    return subprocess.run(
        [str(demo_dir / "bin" / "node-shell"), node, command],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_shim_answers_like_ssh_to_a_node(demo_dir: Path) -> None:
    node = compute_nodes.allocate(demo_dir, "1.pbs", 1, seed=1)[0]
    ran = shim(demo_dir, node, "echo $DAOSTUI_SIM_NODE; cat /dev/null")
    assert (ran.returncode, ran.stdout) == (0, f"{node}\n")
    closed = shim(demo_dir, "x4999c0s0b0n0", "true")  # runs no job of the user
    assert closed.returncode == 255 and re.fullmatch(r"Connection closed by [\d.]+ port 22\n", closed.stderr)
    knobs.add_fault(demo_dir, "node_down", node)
    down = shim(demo_dir, node, "true")
    assert (down.returncode, down.stderr) == (255, f"ssh: connect to host {node} port 22: No route to host\n")
    knobs.clear(demo_dir)
    assert (demo_dir / "node-faults").read_text() == ""
    assert shim(demo_dir, node, "true").returncode == 0


def test_the_simulated_clush_is_clusterShell_with_the_exec_worker(demo_dir: Path) -> None:
    """`clush` typed in the demo shell: ClusterShell's own output, the nodes reached by the shim."""
    from daostui.sim import environment

    nodes = compute_nodes.allocate(demo_dir, "1.pbs", 4, seed=2)
    env = {**os.environ, **environment(demo_dir)}
    done = subprocess.run(
        ["clush", "-b", "-w", hosts.fold(nodes), "echo $DAOSTUI_SIM_NODE | cut -c1-5; echo 100%"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    header = f"---------------\n{hosts.fold(nodes)} (4)\n---------------\n"
    assert done.stdout == header + f"{nodes[0][:5]}\n100%\n"


# ---------------------------------------------------------------------- whole probes
async def probe_scenario(session, demo_dir: Path, compute: Path, workdir: str) -> None:
    """A 128-node job: one node loses its mount, one hangs, one goes down; then remount the one."""
    # the hung node is declared after a third of this; a healthy one answers in milliseconds, but a
    # busy machine may hold a shell for seconds: 15 s (the default) keeps the two apart
    use_compute_root(session, str(compute), timeout=15)
    async with running_job(session, 128, workdir) as job:
        await _scenario(session, demo_dir, job)


async def _scenario(session, demo_dir: Path, job) -> None:
    job_id = job.id
    lost, hung, down = job.hosts[5], job.hosts[70], job.hosts[127]
    knobs.add_fault(demo_dir, "node_unmounted", lost)
    knobs.add_fault(demo_dir, "node_hung", hung)
    knobs.add_fault(demo_dir, "node_down", down)
    container = session.nodes.container("hpc_demo", "checkpoints")
    result = await session.nodes.probe(job_id, job.hosts, [container])
    assert [(g.state, g.count, g.nodes) for g in result.groups[1:]] == [
        (UNMOUNTED, 1, lost),
        (HUNG, 1, hung),
        (UNREACHABLE, 1, down),
    ]
    assert result.groups[0].state == OK and set(hosts.expand(result.groups[0].nodes)) == set(job.hosts) - {
        lost,
        hung,
        down,
    }
    assert result.headline == (
        "125 nodes: mounted, ok · 1 node: not mounted · 1 node: hung: listing did not answer within 5s"
        " · 1 node: unreachable: No route to host"
    )
    assert result.command[0] == "clush" and result.command[2] == hosts.fold(job.hosts)
    done = await session.nodes.remount(lost, container)
    assert done.ok and session.log.entries()[-1].argv[2] == lost  # only the node that lost it
    again = await session.nodes.probe(job_id, job.hosts, None)  # the container read off the nodes
    assert again.discovered and [c.name for c in again.containers] == ["hpc_demo/checkpoints"]
    assert [(g.state, g.count) for g in again.groups] == [(OK, 126), (HUNG, 1), (UNREACHABLE, 1)]


async def test_a_128_node_demo_job_probed_with_clush_and_the_exec_worker(
    demo_session, demo_dir: Path, compute: Path
) -> None:
    await probe_scenario(demo_session, demo_dir, compute, str(demo_session.workdir))


@pytest.mark.parametrize("mode_session", ["ssh"], indirect=True)
async def test_over_ssh_clush_runs_on_the_login_node(
    mode_session, demo_dir: Path, compute: Path, tmp_path: Path
) -> None:
    assert mode_session.mode == "ssh" and mode_session.nodes.program == "clush"
    await probe_scenario(mode_session, demo_dir, compute, str(tmp_path / "work"))
    clush_runs = [e for e in mode_session.log.entries() if e.argv[0] == "clush"]
    assert clush_runs and all(e.where.startswith("ssh") for e in clush_runs)


def test_doctor_job_checks_every_node(demo_session, demo_dir: Path, compute: Path, tmp_path: Path) -> None:
    """`daostui doctor --job J`: FAIL naming the node that lost the container and how to remount."""
    import asyncio

    use_compute_root(demo_session, str(compute))
    job_id = asyncio.run(submit(demo_session, 8, str(demo_session.workdir)))
    try:
        _doctor_names_the_lost_node(demo_session, demo_dir, compute, job_id)
    finally:
        asyncio.run(demo_session.pbs.delete(job_id))


def _doctor_names_the_lost_node(demo_session, demo_dir: Path, compute: Path, job_id: str) -> None:
    import asyncio

    asyncio.run(wait_launched(demo_session, job_id))
    job_nodes = store.load(demo_dir, "nodes")
    lost = sorted(job_nodes)[3]
    knobs.add_fault(demo_dir, "node_unmounted", lost)
    from daostui.sim import environment

    env = {**os.environ, **environment(demo_dir), "DAOSTUI_SIM_COMPUTE_ROOT": str(compute)}
    argv = [
        sys.executable,
        "-m",
        "daostui",
        "doctor",
        "--demo",
        "--demo-dir",
        str(demo_dir),
        "--job",
        job_id.split(".")[0],
    ]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"[FAIL] every node of running job {job_id.split('.')[0]} has the container mounted" in done.stdout
    assert f"1 node: not mounted: {lost}" in done.stdout
    assert f"$ clush -w {shlex.quote(hosts.fold(job_nodes))} -f 64" in done.stdout
    assert f"clush -w {lost} -f 64 -t 10 -u 120 -q -b --color=never -n 'mkdir -p" in done.stdout
