"""Simulated dfuse wrappers and fusermount3: `start-dfuse.sh`, `launch-dfuse.sh`, `clean-dfuse.sh`.

On the login node, `start-dfuse.sh` makes a real FUSE mount of type `fuse.daos` (source `dfuse`)
serving the container's directory where this machine can (see `fuse_mount`); otherwise the mount
point becomes a symlink to that directory. Either way the mount is recorded in the registry
(`mounts.json`) and in the login table `<state>/mounts` (`/proc/mounts` format; real mounts with the
kernel's own line). Mounts made inside jobs, or on a compute node (`DAOSTUI_SIM_NODE`, set by the
nodes' shim), go to the job nodes' records (`node_mounts`), never to the login node's. Like ALCF's wrappers, the scripts exit 0 even when dfuse fails (daos-cli.md
§8.2): the mount simply does not appear. `fusermount3` passes real mounts to the real tool, so its
messages (`Device or resource busy`) are the real ones.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim import dfuse_lookup, fuse_mount, kernel_mounts, knobs, mount_table, node_mounts, store


def _record(directory: Path, mounts: dict[str, Any]) -> None:
    store.save(directory, "mounts", mounts)
    if mount_table.sync_login_table(directory, mounts):
        store.save(directory, "mounts", mounts)


def _touch(directory: Path, entry: dict[str, Any], **moved: bool) -> None:
    """The container's open (mount) or close (unmount) time moves; called with the state lock held."""
    data = store.load(directory, "daos")
    pool = ds.find_pool(data, entry["pool_uuid"])
    cont = ds.find_container(data, pool, entry["cont_uuid"]) if pool else None
    if cont is not None:
        ds.touch(data, cont, **moved)
        store.save(directory, "daos", data)


def mount(directory: Path, mountpoint: str, pool_name: str, cont_name: str) -> tuple[int, str]:
    """(dfuse exit status, dfuse output) — the wrappers print the output and exit 0 regardless."""
    path = os.path.normpath(os.path.abspath(mountpoint))
    target = Path(path)
    if not target.is_dir() or target.is_symlink():
        if target.is_symlink():
            return 1, "Stale mount point, run fusermount3 and retry\n"
        return 1, "Mount point does not exist\n"
    # read the knobs and probe FUSE before taking the state lock (flock is not re-entrant)
    unclean_faults = knobs.active(directory, "unclean")
    why_not_fuse = fuse_mount.problem(directory)
    if why_not_fuse and fuse_mount.mode() == "on":
        return 1, f"dfuse (simulated): cannot make a real FUSE mount: {why_not_fuse}\n"
    with store.lock(directory):
        data = store.load(directory, "daos")
        mounts = store.load(directory, "mounts")
        found = dfuse_lookup.lookup(directory, data, pool_name, cont_name, unclean_faults)
        if isinstance(found[0], int):
            return found  # type: ignore[return-value]
        pool, cont = found
        if path in mounts or kernel_mounts.is_mounted(path):
            return 1, "Stale mount point, run fusermount3 and retry\n"
        if any(target.iterdir()):
            return (
                1,
                "fuse: mountpoint is not empty\nfuse: if you are sure this is safe, use the 'nonempty' "
                "mount option\nExiting -1003 DER_INVAL\n",
            )
        source = ds.data_dir(directory, pool, cont)
        entry = dfuse_lookup.entry(pool, cont)
        pid = None
        if not why_not_fuse:
            pid, failure = fuse_mount.start(directory, path, source, pool["uuid"])
            if pid is None:
                if fuse_mount.mode() == "on":
                    return 1, f"dfuse (simulated): {failure}\n"
                fuse_mount.give_up(directory, failure)
        if pid is not None:
            entry.update(real=True, pid=pid)
        else:
            target.rmdir()
            target.symlink_to(source)
        mounts[path] = entry
        _touch(directory, entry, opened=True)
        _record(directory, mounts)
    return 0, ""


def unmount(directory: Path, mountpoint: str, *, lazy: bool = False) -> tuple[int, str]:
    """fusermount3 -u [-z]: (exit status, stderr)."""
    path = os.path.normpath(os.path.abspath(mountpoint))
    with store.lock(directory):
        mounts = store.load(directory, "mounts")
        entry = mounts.get(path)
        if entry is None:
            if kernel_mounts.is_mounted(path):  # a real mount that is not the simulator's
                return fuse_mount.fusermount(directory, *(["-u", "-z"] if lazy else ["-u"]), path)
            return 1, f"fusermount3: entry for {path} not found in /etc/mtab\n"
        target = Path(path)
        if entry.get("real"):
            status, text = fuse_mount.fusermount(directory, *(["-u", "-z"] if lazy else ["-u"]), path)
            if status != 0 and kernel_mounts.is_mounted(path):
                return status, text
            fuse_mount.stop_daemon(entry.get("pid"))
        else:
            if target.is_symlink() and not lazy and dfuse_lookup.busy(target):
                return 1, f"fusermount3: failed to unmount {path}: Device or resource busy\n"
            if target.is_symlink():
                target.unlink()
                target.mkdir(exist_ok=True)
        del mounts[path]
        _touch(directory, entry, modified=True)
        _record(directory, mounts)
    return 0, ""


def release(directory: Path) -> None:
    """Undo every login-node mount of a state directory (reset, test teardown): nothing left mounted."""
    fuse_mount.release_all(directory)
    if not (directory / "mounts.json").exists():
        return
    with store.lock(directory):
        mounts = store.load(directory, "mounts")
        for path in list(mounts):
            target = Path(path)
            if target.is_symlink():
                target.unlink()
                target.mkdir(exist_ok=True)
            del mounts[path]
        _record(directory, mounts)


def _pool_cont_pairs(args: list[str]) -> list[tuple[str, str]]:
    return [tuple(a.split(":", 1)) for a in args if ":" in a]  # type: ignore[misc]


def _fusermount3(directory: Path, args: list[str]) -> int:
    flags = {ch for a in args if a.startswith("-") for ch in a[1:]}
    paths = [a for a in args if not a.startswith("-")]
    if "u" not in flags or not paths:
        sys.stderr.write(
            "fusermount3: missing mountpoint argument\nusage: fusermount3 [options] mountpoint\n"
        )
        return 1
    node = node_mounts.this_node()
    if node:
        status, text = node_mounts.unmount_on_node(directory, node, paths[0])
    else:
        status, text = unmount(directory, paths[0], lazy="z" in flags)
    if "q" not in flags:
        sys.stderr.write(text)
    return status


def _start_dfuse(directory: Path, args: list[str]) -> int:
    opts: dict[str, str] = {}
    iterator = iter(args)
    for token in iterator:
        name, eq, value = token.partition("=")
        if name in ("-m", "--mountpoint", "--pool", "--cont", "--container"):
            opts[name.lstrip("-")[:4]] = value if eq else next(iterator, "")
    if "m" not in opts and "moun" not in opts:
        sys.stdout.write("Mountpoint is required\n")
        return 0
    where, pool, cont = opts.get("m") or opts.get("moun", ""), opts.get("pool", ""), opts.get("cont", "")
    node = node_mounts.this_node()
    if node:
        _status, text = node_mounts.mount_on_node(directory, node, where, pool, cont)
    else:
        _status, text = mount(directory, where, pool, cont)
    sys.stdout.write(text)
    return 0  # ALCF's wrapper exits 0 even when dfuse failed


def main(program: str, args: list[str]) -> int:
    directory = store.state_dir()
    if program == "fusermount3":
        return _fusermount3(directory, args)
    if program == "start-dfuse.sh":
        return _start_dfuse(directory, args)
    if program.startswith(("launch-dfuse", "clean-dfuse")):
        nodes = node_mounts.job_nodes()
        if not nodes:
            sys.stderr.write(f"{program} (simulated): $PBS_NODEFILE names no nodes: run it inside a job\n")
            return 0
        pairs = _pool_cont_pairs(args)
        run = node_mounts.launch if program.startswith("launch-dfuse") else node_mounts.clean
        for line in run(directory, pairs, nodes):
            sys.stdout.write(line + "\n")
        return 0
    sys.stderr.write(f"{program}: unknown simulated dfuse tool\n")
    return 127
