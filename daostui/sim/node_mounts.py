"""dfuse mounts on a job's compute nodes: `launch-dfuse.sh` and `clean-dfuse.sh` inside a job.

ALCF's `launch-dfuse.sh POOL:CONT` mounts the container at `/tmp/POOL/CONT` on every node of the job
(`$PBS_NODEFILE`) and always exits 0; `clean-dfuse.sh` unmounts them (the PBS epilogue does too).
Compute nodes are not the login node: their mounts are recorded per node name in `<state>/nodes.json`
(and a `/proc/mounts`-format table per node, `<state>/nodes/<node>/mounts`), never in the login
node's table. All simulated nodes share this machine's files, so one symlink at the mount point
serves every node; it is removed when the last node's record is.

Output lines carry the node name the way clush prefixes remote output (`node: line`); what ALCF's
script prints on success is not documented, so the success line says it is simulated.

Run on one node (the compute nodes' shim sets `DAOSTUI_SIM_NODE`, see `compute_nodes`),
`start-dfuse.sh` and `fusermount3` act on that node's mounts (`mount_on_node`, `unmount_on_node`),
and `launch-dfuse.sh` / `clean-dfuse.sh` without a `$PBS_NODEFILE` on that node alone.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim import dfuse_lookup, knobs, mount_table, store


def this_node() -> str:
    """The compute node a command runs on ("" on the login node)."""
    return os.environ.get("DAOSTUI_SIM_NODE", "")


def job_nodes() -> list[str]:
    """Short names of the job's nodes, in `$PBS_NODEFILE` order (the first is the head node); on a
    node reached without the job's environment, that node alone."""
    nodefile = os.environ.get("PBS_NODEFILE", "")
    try:
        lines = Path(nodefile).read_text().split() if nodefile else []
    except OSError:
        return []
    if not lines and this_node():
        return [this_node()]
    nodes: list[str] = []
    for line in lines:
        name = line.split(".", 1)[0]
        if name not in nodes:
            nodes.append(name)
    return nodes


def compute_root() -> str:
    from daostui.sim import compute_root as root

    return root()


def _save(directory: Path, nodes: dict[str, dict[str, Any]], changed: list[str]) -> None:
    """Write the records and the tables of the `changed` nodes (a 4,096-node job has 4,096 tables)."""
    nodes = {node: mounts for node, mounts in nodes.items() if mounts}
    store.save(directory, "nodes", nodes)
    mount_table.write_node_tables(directory, nodes, changed)


def mount_fails(directory: Path, nodes: list[str]) -> list[str]:
    """The nodes where dfuse fails at launch (knob `node_unmounted`, mirrored by knobs)."""
    try:
        text = (directory / "node-faults").read_text()
    except OSError:
        return []
    patterns = [
        p for kind, _, p in (line.partition(" ") for line in text.splitlines()) if kind == "node_unmounted"
    ]
    return [node for node in nodes if any(fnmatch.fnmatchcase(node, p) for p in patterns)]


def _mount(
    directory: Path,
    data: dict[str, Any],
    records: dict[str, dict[str, Any]],
    names: tuple[str, str],
    path: str,
    nodes: list[str],
    unclean: list[dict[str, Any]],
) -> tuple[list[str], str]:
    """Mount pool:cont at `path` on `nodes` (state lock held; `unclean`: the knobs, read before it,
    flock is not re-entrant): (the nodes it mounted on, dfuse's refusal or "")."""
    found = dfuse_lookup.lookup(directory, data, names[0], names[1], unclean)
    if isinstance(found[0], int):
        return [], str(found[1])
    pool, cont = found
    target, source = Path(path), ds.data_dir(directory, pool, cont)
    if target.is_symlink() and os.path.realpath(target) != os.path.realpath(source):
        return [], "Stale mount point, run fusermount3 and retry\n"
    if not target.is_symlink():
        os.makedirs(path, exist_ok=True)
        if any(target.iterdir()):
            return [], "fuse: mountpoint is not empty\n"
        target.rmdir()
        target.symlink_to(source)
    entry = dfuse_lookup.entry(pool, cont, job=os.environ.get("PBS_JOBID", ""))
    for node in nodes:
        records.setdefault(node, {})[path] = entry
    ds.touch(data, cont, opened=True)
    return nodes, ""


def launch(directory: Path, pairs: list[tuple[str, str]], nodes: list[str]) -> list[str]:
    """Mount each pool:cont on every node; the output lines (`node: ...`)."""
    out: list[str] = []
    unclean = knobs.active(directory, "unclean")
    with store.lock(directory):
        data = store.load(directory, "daos")
        records = store.load(directory, "nodes")
        for pool_name, cont_name in pairs:
            path = os.path.normpath(os.path.join(compute_root(), pool_name, cont_name))
            failing = mount_fails(directory, nodes)
            working = [node for node in nodes if node not in failing]
            mounted, refusal = _mount(
                directory, data, records, (pool_name, cont_name), path, working, unclean
            )
            lines = refusal.splitlines() if refusal else []
            out += [f"{node}: {line}" for node in working for line in lines]
            out += [
                f"{node}: dfuse failed to mount {path} (simulated: knob node_unmounted)" for node in failing
            ]
            out += [
                f"{node}: dfuse mounted {pool_name}:{cont_name} at {path} (simulated launch-dfuse.sh output)"
                for node in mounted
            ]
        store.save(directory, "daos", data)
        _save(directory, records, nodes)
    return out


def mount_on_node(
    directory: Path, node: str, mountpoint: str, pool_name: str, cont_name: str
) -> tuple[int, str]:
    """`start-dfuse.sh` on one compute node: (dfuse's status, its output)."""
    path = os.path.normpath(os.path.abspath(mountpoint))
    unclean = knobs.active(directory, "unclean")
    with store.lock(directory):
        data = store.load(directory, "daos")
        records = store.load(directory, "nodes")
        if path in records.get(node, {}):
            return 1, "Stale mount point, run fusermount3 and retry\n"
        mounted, refusal = _mount(directory, data, records, (pool_name, cont_name), path, [node], unclean)
        if mounted:
            store.save(directory, "daos", data)
            _save(directory, records, [node])
    return (0, "") if mounted else (1, refusal)


def unmount_on_node(directory: Path, node: str, mountpoint: str) -> tuple[int, str]:
    """`fusermount3 -u` on one compute node: (status, stderr)."""
    path = os.path.normpath(os.path.abspath(mountpoint))
    with store.lock(directory):
        records = store.load(directory, "nodes")
        if path not in records.get(node, {}):
            return 1, f"fusermount3: entry for {path} not found in /etc/mtab\n"
        if dfuse_lookup.busy(Path(path)) and sum(path in mounts for mounts in records.values()) == 1:
            return 1, f"fusermount3: failed to unmount {path}: Device or resource busy\n"
        records[node].pop(path)
        _drop(directory, records, path)
        _save(directory, records, [node])
    return 0, ""


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
        _save(directory, records, nodes)
    return out


def release_nodes(directory: Path, nodes: list[str]) -> None:
    """The PBS epilogue: every dfuse mount on these nodes goes when the job ends."""
    with store.lock(directory):
        records = store.load(directory, "nodes")
        paths = {path for node in nodes for path in records.pop(node, {})}
        for path in paths:
            _drop(directory, records, path)
        _save(directory, records, nodes)
