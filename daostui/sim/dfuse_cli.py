"""Simulated dfuse wrappers and fusermount3.

A real FUSE mount is not available here, so a "mount" replaces the (empty) mount point with a
symlink to the container's data directory and records a `/proc/mounts`-format line of type
`fuse.daos` in `<state>/mounts`. Like ALCF's wrappers, `start-dfuse.sh` and `launch-dfuse.sh`
exit 0 even when dfuse fails (daos-cli.md §8.2): the mount simply does not appear.
fusermount3's texts follow libfuse's `fusermount3` (the reference is silent on them).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim import knobs, store


def _escape(path: str) -> str:
    return "".join(f"\\{ord(ch):03o}" if ch in " \t\n\\" else ch for ch in path)


def write_table(directory: Path, mounts: dict[str, Any]) -> None:
    lines = [
        f"dfuse {_escape(path)} fuse.daos rw,nosuid,nodev,noatime,user_id={entry['uid']},group_id={entry['gid']},"
        "default_permissions 0 0\n"
        for path, entry in sorted(mounts.items())
    ]
    tmp = directory / "mounts.tmp"
    tmp.write_text("".join(lines))
    os.replace(tmp, directory / "mounts")


def _user_project(directory: Path) -> str:
    try:
        return json.loads((directory / "site.json").read_text()).get("project", "")
    except (OSError, ValueError):
        return ""


def mount(directory: Path, mountpoint: str, pool_name: str, cont_name: str) -> tuple[int, str]:
    """(dfuse exit status, dfuse output) — the wrappers print the output and exit 0 regardless."""
    path = os.path.normpath(os.path.abspath(mountpoint))
    target = Path(path)
    if not target.is_dir() or target.is_symlink():
        if target.is_symlink():
            return 1, "Stale mount point, run fusermount3 and retry\n"
        return 1, "Mount point does not exist\n"
    # read the knobs before taking the state lock: knobs.active takes it too (flock is not re-entrant)
    unclean_faults = knobs.active(directory, "unclean")
    with store.lock(directory):
        data = store.load(directory, "daos")
        mounts = store.load(directory, "mounts")
        pool = ds.find_pool(data, pool_name)
        project = _user_project(directory)
        if pool is None:
            return 5, "Failed to connect to pool: 2 (No such file or directory)\nExiting -1005 DER_NONEXIST\n"
        if pool.get("project") not in (project, "datascience"):
            return 1, "Failed to connect to pool: 1 (Operation not permitted)\nExiting -1001 DER_NO_PERM\n"
        cont = ds.find_container(data, pool, cont_name)
        if cont is None:
            return (
                5,
                "Failed to connect to container: 2 (No such file or directory)\nExiting -1005 DER_NONEXIST\n",
            )
        unclean = cont.get("props", {}).get("status") == "UNCLEAN" or any(
            f.get("pool") in (pool["label"], pool["uuid"]) and f.get("cont") in (cont["label"], cont["uuid"])
            for f in unclean_faults
        )
        if unclean:
            return 233, (
                "dfuse ERR  src/client/dfuse/dfuse_core.c:873 dfuse_cont_open() daos_cont_open() failed: "
                "DER_RF(-2031): 'Failures exceed RF'\n"
                "Failed to connect to container: 5 (Input/output error)\nExiting -2001 DER_IO\n"
            )
        if path in mounts:
            return 1, "Stale mount point, run fusermount3 and retry\n"
        if any(target.iterdir()):
            return (
                1,
                "fuse: mountpoint is not empty\nfuse: if you are sure this is safe, use the 'nonempty' "
                "mount option\nExiting -1003 DER_INVAL\n",
            )
        target.rmdir()
        target.symlink_to(ds.data_dir(directory, pool, cont))
        mounts[path] = {
            "pool_uuid": pool["uuid"],
            "cont_uuid": cont["uuid"],
            "pool": pool["label"],
            "cont": cont["label"],
            "uid": os.getuid(),
            "gid": os.getgid(),
        }
        store.save(directory, "mounts", mounts)
        write_table(directory, mounts)
    return 0, ""


def _busy(data_dir: Path) -> bool:
    real = os.path.realpath(data_dir)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if cwd == real or cwd.startswith(real + os.sep):
            return True
    return False


def unmount(directory: Path, mountpoint: str) -> tuple[int, str]:
    path = os.path.normpath(os.path.abspath(mountpoint))
    with store.lock(directory):
        mounts = store.load(directory, "mounts")
        if path not in mounts:
            return 1, f"fusermount3: entry for {path} not found in /etc/mtab\n"
        target = Path(path)
        if target.is_symlink() and _busy(target):
            return 1, f"fusermount3: failed to unmount {path}: Device or resource busy\n"
        if target.is_symlink():
            target.unlink()
            target.mkdir(exist_ok=True)
        del mounts[path]
        store.save(directory, "mounts", mounts)
        write_table(directory, mounts)
    return 0, ""


def _pool_cont_pairs(args: list[str]) -> list[tuple[str, str]]:
    return [tuple(a.split(":", 1)) for a in args if ":" in a]  # type: ignore[misc]


def main(program: str, args: list[str]) -> int:
    directory = store.state_dir()
    if program == "fusermount3":
        if len(args) >= 2 and args[0] == "-u":
            status, text = unmount(directory, args[1])
            sys.stderr.write(text)
            return status
        sys.stderr.write(
            "fusermount3: missing mountpoint argument\nusage: fusermount3 [options] mountpoint\n"
        )
        return 1
    if program == "start-dfuse.sh":
        opts: dict[str, str] = {}
        iterator = iter(args)
        for token in iterator:
            name, eq, value = token.partition("=")
            if name in ("-m", "--mountpoint", "--pool", "--cont", "--container"):
                opts[name.lstrip("-")[:4]] = value if eq else next(iterator, "")
        if "m" not in opts and "moun" not in opts:
            sys.stdout.write("Mountpoint is required\n")
            return 0
        status, text = mount(
            directory, opts.get("m") or opts.get("moun", ""), opts.get("pool", ""), opts.get("cont", "")
        )
        sys.stdout.write(text)
        return 0  # ALCF's wrapper exits 0 even when dfuse failed
    if program.startswith("launch-dfuse"):
        root = os.environ.get("DAOSTUI_SIM_COMPUTE_ROOT", "/tmp")
        for pool, cont in _pool_cont_pairs(args):
            mountpoint = os.path.join(root, pool, cont)
            os.makedirs(mountpoint, exist_ok=True)
            status, text = mount(directory, mountpoint, pool, cont)
            host = (os.environ.get("PBS_NODEFILE") and "x4707c0s0b0n0") or "localhost"
            for line in text.splitlines():
                sys.stdout.write(f"{host}: {line}\n")
            sys.stdout.write(
                f"{host}: dfuse {'mounted' if status == 0 else 'FAILED'} {pool}:{cont} at "
                f"{mountpoint} (simulated launch-dfuse.sh output)\n"
            )
        return 0
    if program == "clean-dfuse.sh":
        root = os.environ.get("DAOSTUI_SIM_COMPUTE_ROOT", "/tmp")
        for pool, cont in _pool_cont_pairs(args):
            unmount(directory, os.path.join(root, pool, cont))
        return 0
    sys.stderr.write(f"{program}: unknown simulated dfuse tool\n")
    return 127
