"""The demo shell's tutorial commands and job nodes (issue 15 item 24).

`mount | grep dfuse` and `df` show the simulated dfuse mounts as the real tools would; `$USER` is never
empty; mounts made by a job's `launch-dfuse.sh` are the job nodes', not the login node's, and name
the node the job runs on; `mpiexec` runs every rank at once.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from daostui.sim import environment, store
from daostui.sim.mount_shim import human, render
from tests.test_sim_daos import run
from tests.test_sim_pbs import wait_for

NODES = ("x4102c3s0b0n0", "x4102c3s0b1n0")


def _nodefile(tmp_path: Path) -> Path:
    nodefile = tmp_path / "nodefile"
    nodefile.write_text("".join(f"{n}.hostmgmt4102.cm.aurora.alcf.anl.gov\n" for n in NODES))
    return nodefile


def _in_job(demo_dir: Path, tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **environment(demo_dir),
        "PBS_NODEFILE": str(_nodefile(tmp_path)),
        "PBS_JOBID": "8875194.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov",
        "DAOSTUI_SIM_COMPUTE_ROOT": str(tmp_path / "compute"),
    }
    return subprocess.run(list(argv), env=env, capture_output=True, text=True, timeout=30, check=False)


# ---------------------------------------------------------------------- $USER
def test_user_is_never_empty(demo_dir: Path, monkeypatch) -> None:
    """`/tmp/$USER/pool/cont` must not become `/tmp//pool/cont` in the demo shell or the jobs."""
    monkeypatch.setenv("USER", "")
    monkeypatch.delenv("LOGNAME", raising=False)
    env = {**os.environ, **environment(demo_dir)}
    assert env["USER"] == env["LOGNAME"] == "aurora_user"  # the simulated site's user
    echoed = subprocess.run(
        ["bash", "-c", "echo /tmp/$USER/hpc_demo/c"], env=env, capture_output=True, text=True
    )
    assert echoed.stdout == "/tmp/aurora_user/hpc_demo/c\n"
    monkeypatch.setenv("USER", "someone")
    assert "USER" not in environment(demo_dir)  # a set $USER is left alone


# ---------------------------------------------------------------------- mount and df
def test_mount_grep_dfuse_shows_table_mounts(demo_dir: Path, tmp_path: Path) -> None:
    """Without real FUSE, `mount` adds the simulated mounts in util-linux's format (daos-cli.md §7.3)."""
    path = tmp_path / "mnt" / "hpc_demo" / "checkpoints"
    path.mkdir(parents=True)
    assert (
        run(demo_dir, "start-dfuse.sh", "-m", str(path), "--pool", "hpc_demo", "--cont", "checkpoints").stdout
        == ""
    )
    shown = run(demo_dir, "bash", "-c", "mount | grep dfuse").stdout
    options = f"rw,nosuid,nodev,noatime,user_id={os.getuid()},group_id={os.getgid()},default_permissions"
    assert shown == f"dfuse on {path} type fuse.daos ({options})\n"
    assert run(demo_dir, "mount", "-t", "fuse.daos").stdout.endswith(
        f"dfuse on {path} type fuse.daos ({options})\n"
    )
    real = subprocess.run(["mount"], capture_output=True, text=True, check=False).stdout
    assert run(demo_dir, "mount").stdout.startswith(real)


def test_df_shows_the_pool_like_dfuse(demo_dir: Path, tmp_path: Path) -> None:
    """`df -h PATH`: a `dfuse` row with the pool's SCM + NVMe sizes, as dfuse's statfs reports."""
    path = tmp_path / "mnt" / "hpc_demo" / "checkpoints"
    path.mkdir(parents=True)
    run(demo_dir, "start-dfuse.sh", "-m", str(path), "--pool", "hpc_demo", "--cont", "checkpoints")
    lines = run(demo_dir, "df", "-h", str(path / "sub")).stdout.splitlines()
    assert lines[0].split() == ["Filesystem", "Size", "Used", "Avail", "Use%", "Mounted", "on"]
    fields = lines[1].split()
    assert fields[0] == "dfuse" and fields[-1] == str(path)
    assert fields[1] == "188T"  # 6 TB SCM + 200 TB NVMe = 206e12 bytes = 187.4 TiB, rounded up
    everything = run(demo_dir, "df").stdout
    assert everything.splitlines()[-1].startswith("dfuse ") and everything.splitlines()[-1].endswith(
        str(path)
    )


def test_df_layout_is_gnu_dfs() -> None:
    """The shim's re-alignment reproduces the real df's own output byte for byte."""
    for args in ([], ["-h"], ["-H"]):
        real = subprocess.run(["df", *args], capture_output=True, text=True, check=False).stdout
        rows = [line.split(None, 5) for line in real.splitlines()]
        assert render(rows) == real


def test_human_sizes_round_up_like_df() -> None:
    assert [human(n, 1024) for n in (0, 1023, 4096, 1_077_248, 96 * 10**12, 6 * 10**12)] == [
        "0",
        "1023",
        "4.0K",
        "1.1M",
        "88T",
        "5.5T",
    ]
    assert human(10_240 * 1024 - 1, 1024) == "10M"  # 9.99…M rounds up to 10, not 10.0
    assert human(96 * 10**12, 1000) == "96T"


# ---------------------------------------------------------------------- job nodes
async def test_job_node_mounts_are_not_login_mounts(demo_dir: Path, tmp_path: Path, demo_session) -> None:
    """launch-dfuse.sh mounts on the job's nodes: their own tables, never the login node's."""
    launched = _in_job(demo_dir, tmp_path, "launch-dfuse.sh", "hpc_demo:checkpoints")
    target = tmp_path / "compute" / "hpc_demo" / "checkpoints"
    assert launched.returncode == 0
    assert [line.split(":", 1)[0] for line in launched.stdout.splitlines()] == list(NODES)
    assert (demo_dir / "mounts").read_text() == ""  # the login node has nothing mounted
    assert await demo_session.mounts.list() == []  # so the console's "mounted here" stays dark
    for node in NODES:
        table = (demo_dir / "nodes" / node / "mounts").read_text()
        assert re.fullmatch(rf"dfuse {target} fuse\.daos rw,nosuid,nodev,noatime,\S+ 0 0\n", table)
    records = store.load(demo_dir, "nodes")
    assert sorted(records) == sorted(NODES) and records[NODES[0]][str(target)]["job"].startswith("8875194.")
    in_job = _in_job(demo_dir, tmp_path, "bash", "-c", "mount | grep dfuse").stdout
    assert in_job.startswith(f"dfuse on {target} type fuse.daos (")  # the node's own mounts, in the job
    info = await demo_session.daos.cont_query("hpc_demo", "checkpoints")
    assert info.num_handles == 1 + len(NODES)  # each node's dfuse holds the container open
    busy = run(demo_dir, "daos", "container", "destroy", "hpc_demo", "checkpoints")
    assert "DER_BUSY(-1012)" in busy.stderr
    (target / "out.txt").write_text("from a rank\n")  # the job's ranks write into the container

    cleaned = _in_job(demo_dir, tmp_path, "clean-dfuse.sh", "hpc_demo:checkpoints")
    assert cleaned.returncode == 0
    assert store.load(demo_dir, "nodes") == {} and not any((demo_dir / "nodes").iterdir())
    assert not target.is_symlink() and list(demo_dir.glob("containers/*/*/out.txt"))


def test_launch_outside_a_job_says_so(demo_dir: Path) -> None:
    done = run(demo_dir, "launch-dfuse.sh", "hpc_demo:checkpoints")
    assert done.returncode == 0 and "PBS_NODEFILE" in done.stderr  # ALCF's script never fails
    assert (demo_dir / "mounts").read_text() == ""


def test_epilogue_releases_a_jobs_node_mounts(demo_dir: Path, tmp_path: Path) -> None:
    """The PBS epilogue unmounts dfuse on the job's nodes (node_mounts.release_nodes)."""
    from daostui.sim import node_mounts

    _in_job(demo_dir, tmp_path, "launch-dfuse.sh", "hpc_demo:checkpoints")
    node_mounts.release_nodes(demo_dir, [NODES[0]])
    assert sorted(store.load(demo_dir, "nodes")) == [NODES[1]]
    assert (tmp_path / "compute" / "hpc_demo" / "checkpoints").is_symlink()  # the other node still has it
    node_mounts.release_nodes(demo_dir, [NODES[1]])
    assert not (tmp_path / "compute" / "hpc_demo" / "checkpoints").is_symlink()


async def test_launch_dfuse_names_the_jobs_own_node(
    demo_session, demo_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    """In a real (simulated) job, the node in launch-dfuse.sh's output is the node the job runs on."""
    monkeypatch.setenv("DAOSTUI_SIM_COMPUTE_ROOT", str(tmp_path / "compute"))
    script = demo_session.workdir / "node.pbs"
    script.write_text(
        "#!/bin/bash\n#PBS -A hpc_demo\n#PBS -q debug\n#PBS -l select=2,walltime=00:05:00,filesystems=home:flare:daos_user\n"
        "launch-dfuse.sh hpc_demo:checkpoints\necho HEAD=$(head -1 $PBS_NODEFILE | cut -d. -f1)\n"
        "clean-dfuse.sh hpc_demo:checkpoints\n"
    )
    job_id = await demo_session.pbs.submit(str(script), cwd=str(demo_session.workdir))
    finished, _ = await wait_for(demo_session.pbs, job_id, "F", timeout=30)
    output = Path(finished.output_path).read_text()
    head = re.search(r"^HEAD=(\S+)$", output, re.MULTILINE)
    assert head is not None, output
    launched = [line.split(":", 1)[0] for line in output.splitlines() if "dfuse mounted" in line]
    assert launched[0] == head.group(1) and len(launched) == 2, output


# ---------------------------------------------------------------------- mpiexec
def test_mpiexec_runs_every_rank_at_once(demo_dir: Path, tmp_path: Path) -> None:
    """Each rank waits until all 12 have started: in waves (the old 4 at a time) this never ends."""
    marks = tmp_path / "marks"
    marks.mkdir()
    program = (
        f"touch {marks}/$PMI_RANK; for i in $(seq 600); do [ $(ls {marks} | wc -l) -ge $PMI_SIZE ] && "
        'echo "$PMI_RANK $PALS_LOCAL_RANKID $PALS_NODEID" && exit 0; sleep 0.1; done; exit 1'
    )
    done = run(demo_dir, "mpiexec", "--no-vni", "-n", "12", "-ppn", "6", "bash", "-c", program, timeout=90)
    assert done.returncode == 0, done.stderr
    ranks = sorted(tuple(map(int, line.split())) for line in done.stdout.splitlines())
    assert ranks == [(r, r % 6, r // 6) for r in range(12)]


def test_mpiexec_refuses_more_ranks_than_it_can_run(demo_dir: Path) -> None:
    done = run(demo_dir, "mpiexec", "--no-vni", "-n", "5000", "true")
    assert done.returncode == 1 and "5000 ranks" in done.stderr
