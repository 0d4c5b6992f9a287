"""Real kernel mounts in the demo: `start-dfuse.sh` mounts a FUSE filesystem that looks like dfuse.

The kernel, `mount`, `df` and the real `fusermount3` answer, so these tests check what Aurora users
see (daos-cli.md §7.3: source `dfuse`, type `fuse.daos`, dfuse's options; df with the pool's sizes)
and that the console's mounts client reads, probes and unmounts them through its usual code path.
"""

from __future__ import annotations

import math
import os
import subprocess
from pathlib import Path

from daostui.daos.parse import pool_from_json
from daostui.sim import daos_state as ds
from daostui.sim import knobs, seed, store
from tests import fuse_helpers
from tests.fuse_helpers import daemon_stopped, processes, wait_until
from tests.test_sim_daos import run

fuse_demo = fuse_helpers.fuse_demo


def _start(demo_dir: Path, path: Path, cont: str = "checkpoints") -> None:
    path.mkdir(parents=True, exist_ok=True)
    done = run(demo_dir, "start-dfuse.sh", "-m", str(path), "--pool", "hpc_demo", "--cont", cont)
    assert (done.returncode, done.stdout) == (0, ""), done.stdout + done.stderr


def test_real_mount_looks_like_dfuse(fuse_demo: Path, tmp_path: Path) -> None:
    """/proc/mounts, `mount | grep dfuse`, `df -h`, and the demo's table with the kernel's line."""
    path = tmp_path / "mnt" / "aurora_user" / "hpc_demo" / "checkpoints"
    _start(fuse_demo, path)
    uid, gid = os.getuid(), os.getgid()
    options = f"rw,nosuid,nodev,noatime,user_id={uid},group_id={gid},default_permissions"
    proc_line = f"dfuse {path} fuse.daos {options} 0 0\n"
    assert proc_line in Path("/proc/mounts").read_text()
    assert (fuse_demo / "mounts").read_text() == proc_line  # the console reads the kernel's own line
    shown = run(fuse_demo, "bash", "-c", "mount | grep dfuse").stdout
    assert shown == f"dfuse on {path} type fuse.daos ({options})\n"

    pool = next(p for p in store.load(fuse_demo, "daos")["pools"] if p["label"] == "hpc_demo")
    tiers = ds.pool_info(fuse_demo, pool)["tier_stats"]
    size, free = sum(t["total"] for t in tiers), sum(t["free"] for t in tiers)
    df = run(fuse_demo, "df", "-k", str(path)).stdout.splitlines()
    assert df[1].split() == [
        "dfuse",
        str(math.ceil(size / 1024)),
        str(math.ceil((size - free) / 1024)),
        str(math.ceil(free / 1024)),
        f"{math.ceil((size - free) * 100 / size)}%",
        str(path),
    ]

    (path / "hello.txt").write_text("hello\n")
    stored = list(fuse_demo.glob("containers/*/*/hello.txt"))
    assert [p.read_text() for p in stored] == ["hello\n"]  # written through FUSE into the container


def test_unmount_busy_then_clean(fuse_demo: Path, tmp_path: Path) -> None:
    """`fusermount3 -u` with a process inside: the kernel's EBUSY, the real tool's message."""
    path = tmp_path / "mnt" / "aurora_user" / "hpc_demo" / "checkpoints"
    _start(fuse_demo, path)
    assert processes("daostui.sim.fuse_fs", str(path))  # the daemon (and its knob watcher)
    holder = subprocess.Popen(["sleep", "60"], cwd=path)
    try:
        busy = run(fuse_demo, "fusermount3", "-u", str(path))
        assert busy.returncode == 1
        assert busy.stderr == f"fusermount3: failed to unmount {path}: Device or resource busy\n"
        assert str(path) in (fuse_demo / "mounts").read_text()
    finally:
        holder.kill()
        holder.wait()
    done = run(fuse_demo, "fusermount3", "-u", str(path))
    assert (done.returncode, done.stderr) == (0, "")
    assert (fuse_demo / "mounts").read_text() == ""
    assert not path.is_symlink() and path.is_dir()
    wait_until(lambda: not processes("daostui.sim.fuse_fs", str(path)), "the daemon to exit after unmount")
    again = run(fuse_demo, "fusermount3", "-u", str(path))
    assert again.returncode == 1 and str(path) in again.stderr


async def test_console_client_mounts_probes_and_unmounts(fuse_demo: Path, demo_session) -> None:
    """The mounts client on real mounts: same argv, same table reading, real kernel answers."""
    mounts = demo_session.mounts
    mount = await mounts.mount("hpc_demo", "checkpoints")
    assert Path(mount.path).is_dir() and not Path(mount.path).is_symlink()
    assert os.path.ismount(mount.path)
    (listed,) = await mounts.list()
    assert (listed.path, listed.pool, listed.container, listed.owned) == (
        mount.path,
        "hpc_demo",
        "checkpoints",
        True,
    )
    assert "default_permissions" in listed.options and listed.user_id == str(os.getuid())
    assert (await mounts.probe(mount.path)).state == "ok"
    assert await mounts.write_check(mount.path) == "hello from daostui\n"
    info = await demo_session.daos.cont_query("hpc_demo", "checkpoints")
    assert info.num_handles == 2  # dfuse's handle and the query's own
    await mounts.unmount(mount.path)
    assert await mounts.list() == []
    assert not os.path.ismount(mount.path)


async def test_hung_mount_really_hangs_and_the_probe_dies(fuse_demo: Path, demo_session) -> None:
    """The knob stops the daemon: the kernel holds `ls`; the probe's timeout kills it, none is left."""
    mounts = demo_session.mounts
    mount = await mounts.mount("hpc_demo", "checkpoints")
    knobs.add_fault(fuse_demo, "hung_mount", path=mount.path)
    wait_until(lambda: daemon_stopped(mount.path), "the daemon to be stopped")
    health = await mounts.probe(mount.path, timeout=1.0)
    assert health.state == "hung"
    wait_until(lambda: not processes("ls", "-A", mount.path), "the killed probe to be gone", timeout=10)
    knobs.clear(fuse_demo)
    wait_until(lambda: not daemon_stopped(mount.path), "the daemon to resume")
    assert (await mounts.probe(mount.path)).state == "ok"


def test_reset_releases_real_mounts_even_hung(fuse_demo: Path, tmp_path: Path) -> None:
    """`daostui demo --reset` (seed.reset): hung or not, every mount and daemon is gone."""
    path = tmp_path / "mnt" / "aurora_user" / "hpc_demo" / "checkpoints"
    _start(fuse_demo, path)
    knobs.add_fault(fuse_demo, "hung_mount", path=str(path))
    wait_until(lambda: daemon_stopped(str(path)), "the daemon to be stopped")
    seed.reset(fuse_demo, seed=0)
    assert not os.path.ismount(path)
    wait_until(lambda: not processes("daostui.sim.fuse_fs", str(path)), "the daemons to be gone")
    assert (fuse_demo / "mounts").read_text() == ""


def test_cli_fault_hangs_by_mount_point_glob(fuse_demo: Path, tmp_path: Path) -> None:
    """From the CLI the knob names its mount by `--match` (a glob on the mount point)."""
    path = tmp_path / "mnt" / "aurora_user" / "hpc_demo" / "checkpoints"
    _start(fuse_demo, path)
    knobs.add_fault(fuse_demo, "hung_mount", match=str(path.parent) + "/*")
    wait_until(lambda: daemon_stopped(str(path)), "the daemon to be stopped")
    probe = run(fuse_demo, "timeout", "1", "ls", str(path))
    assert probe.returncode == 124  # timed out: the kernel held it


def test_statfs_is_the_pools(fuse_demo: Path, tmp_path: Path) -> None:
    """dfuse answers statfs with the pool's space (SCM + NVMe), so `df` follows what is written."""
    path = tmp_path / "mnt" / "aurora_user" / "hpc_demo" / "checkpoints"
    _start(fuse_demo, path)
    before = os.statvfs(path)
    (path / "blob").write_bytes(b"x" * 4_000_000)
    after = os.statvfs(path)
    assert before.f_frsize == 1 and before.f_namemax == 255
    assert before.f_bfree - after.f_bfree == 4_000_000 + 4_000_000 // 100  # NVMe + the SCM share
    js = run(fuse_demo, "daos", "-j", "pool", "query", "hpc_demo").stdout
    pool = pool_from_json(__import__("json").loads(js)["response"])
    assert after.f_blocks == sum(t.total for t in pool.tiers)
