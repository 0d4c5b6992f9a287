"""dfuse mounts on a job's compute nodes: `launch-dfuse.sh` and `clean-dfuse.sh` inside a job.

ALCF's `launch-dfuse.sh POOL:CONT` mounts the container at `/tmp/POOL/CONT` on every node of the job
(`$PBS_NODEFILE`) and always exits 0; `clean-dfuse.sh` unmounts them (the PBS epilogue does too).
Compute nodes are not the login node: their mounts are recorded per node name in `<state>/nodes.json`
(and a `/proc/mounts`-format table per node, `<state>/nodes/<node>/mounts`), never in the login
node's table. All simulated nodes share this machine's files, so one symlink at the mount point
serves every node; it is removed when the last node's record is.

Output lines carry the node name the way clush prefixes remote output (`node: line`); what ALCF's
script prints on success is not documented, so the success line says it is simulated.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim import dfuse_lookup, knobs, mount_table, store


def job_nodes() -> list[str]:
    """Short names of the job's nodes, in `$PBS_NODEFILE` order (the first is the head node)."""
    nodefile = os.environ.get("PBS_NODEFILE", "")
    try:
        lines = Path(nodefile).read_text().split() if nodefile else []
    except OSError:
        return []
    nodes: list[str] = []
    for line in lines:
        name = line.split(".", 1)[0]
        if name not in nodes:
            nodes.append(name)
    return nodes


def compute_root() -> str:
    return os.environ.get("DAOSTUI_SIM_COMPUTE_ROOT", "/tmp")


def _save(directory: Path, nodes: dict[str, dict[str, Any]]) -> None:
    nodes = {node: mounts for node, mounts in nodes.items() if mounts}
    store.save(directory, "nodes", nodes)
    mount_table.write_node_tables(directory, nodes)


def launch(directory: Path, pairs: list[tuple[str, str]], nodes: list[str]) -> list[str]:
    """Mount each pool:cont on every node; the output lines (`node: ...`)."""
    out: list[str] = []
    unclean_faults = knobs.active(directory, "unclean")
    job = os.environ.get("PBS_JOBID", "")
    with store.lock(directory):
        data = store.load(directory, "daos")
        records = store.load(directory, "nodes")
        for pool_name, cont_name in pairs:
            path = os.path.normpath(os.path.join(compute_root(), pool_name, cont_name))
            found = dfuse_lookup.lookup(directory, data, pool_name, cont_name, unclean_faults)
            if isinstance(found[0], int):
                out += [f"{node}: {line}" for node in nodes for line in str(found[1]).splitlines()]
                continue
            pool, cont = found
            target, source = Path(path), ds.data_dir(directory, pool, cont)
            if target.is_symlink() and os.path.realpath(target) != os.path.realpath(source):
                out += [f"{node}: Stale mount point, run fusermount3 and retry" for node in nodes]
                continue
            if not target.is_symlink():
                os.makedirs(path, exist_ok=True)
                if any(target.iterdir()):
                    out += [f"{node}: fuse: mountpoint is not empty" for node in nodes]
                    continue
                target.rmdir()
                target.symlink_to(source)
            entry = dfuse_lookup.entry(pool, cont, job=job)
            for node in nodes:
                records.setdefault(node, {})[path] = entry
                out.append(
                    f"{node}: dfuse mounted {pool_name}:{cont_name} at {path} (simulated launch-dfuse.sh output)"
                )
            ds.touch(data, cont, opened=True)
        store.save(directory, "daos", data)
        _save(directory, records)
    return out


def _drop(directory: Path, records: dict[str, dict[str, Any]], path: str) -> None:
    """Forget `path` where no node has it any more: the shared symlink goes back to a directory."""
    if any(path in mounts for mounts in records.values()):
        return
    target = Path(path)
    if target.is_symlink():
        target.unlink()
        target.mkdir(exist_ok=True)


def clean(directory: Path, pairs: list[tuple[str, str]], nodes: list[str]) -> list[str]:
    """Unmount each pool:cont on the job's nodes (busy mounts stay, as fusermount3 refuses them)."""
    out: list[str] = []
    with store.lock(directory):
        data = store.load(directory, "daos")
        records = store.load(directory, "nodes")
        for pool_name, cont_name in pairs:
            path = os.path.normpath(os.path.join(compute_root(), pool_name, cont_name))
            holders = [node for node in nodes if path in records.get(node, {})]
            if holders and dfuse_lookup.busy(Path(path)):
                out += [
                    f"{n}: fusermount3: failed to unmount {path}: Device or resource busy" for n in holders
                ]
                continue
            for node in holders:
                entry = records[node].pop(path)
                pool = ds.find_pool(data, entry["pool_uuid"])
                cont = ds.find_container(data, pool, entry["cont_uuid"]) if pool else None
                if cont is not None:
                    ds.touch(data, cont, modified=True)
            _drop(directory, records, path)
        store.save(directory, "daos", data)
        _save(directory, records)
    return out


def release_nodes(directory: Path, nodes: list[str]) -> None:
    """The PBS epilogue: every dfuse mount on these nodes goes when the job ends."""
    with store.lock(directory):
        records = store.load(directory, "nodes")
        paths = {path for node in nodes for path in records.pop(node, {})}
        for path in paths:
            _drop(directory, records, path)
        _save(directory, records)
