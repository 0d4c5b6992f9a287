"""The simulated site's mounts tables, in `/proc/mounts` format.

`<state>/mounts` is the login node's table, the one the console reads in demo mode: a real FUSE
mount appears there with the kernel's own line (so the console reads what `/proc/mounts` says), a
table-file mount with the line dfuse's options would give (daos-cli.md §7.3). Real mounts the kernel
no longer has (unmounted behind the simulator's back) are dropped from the registry on the way.

`<state>/nodes/<node>/mounts` is each job node's table (mounts made by a job's `launch-dfuse.sh`),
kept apart from the login node's: compute nodes are not the login node.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from daostui.sim import kernel_mounts


def escape(path: str) -> str:
    return "".join(f"\\{ord(ch):03o}" if ch in " \t\n\\" else ch for ch in path)


def dfuse_line(path: str, entry: dict[str, Any]) -> str:
    return (
        f"dfuse {escape(path)} fuse.daos rw,nosuid,nodev,noatime,user_id={entry['uid']},"
        f"group_id={entry['gid']},default_permissions 0 0\n"
    )


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, target)


def sync_login_table(directory: Path, mounts: dict[str, Any]) -> bool:
    """Rewrite `<state>/mounts` from the registry; drops vanished real mounts. True if `mounts` changed."""
    kernel = kernel_mounts.dfuse_lines() if any(e.get("real") for e in mounts.values()) else {}
    gone = [path for path, entry in mounts.items() if entry.get("real") and path not in kernel]
    for path in gone:
        del mounts[path]
    lines = [
        kernel[path] if entry.get("real") else dfuse_line(path, entry)
        for path, entry in sorted(mounts.items())
    ]
    _write(directory / "mounts", "".join(lines))
    return bool(gone)


def write_node_tables(
    directory: Path, nodes: dict[str, dict[str, Any]], changed: list[str] | None = None
) -> None:
    """One table per job node, rewritten for the `changed` nodes (all when None); a node without
    mounts has no table directory left."""
    root = directory / "nodes"
    for node in nodes if changed is None else changed:
        mounts = nodes.get(node)
        if mounts:
            _write(root / node / "mounts", "".join(dfuse_line(p, e) for p, e in sorted(mounts.items())))
        else:
            shutil.rmtree(root / node, ignore_errors=True)
    if changed is None and root.is_dir():
        for stale in root.iterdir():
            if stale.name not in nodes:
                shutil.rmtree(stale, ignore_errors=True)
