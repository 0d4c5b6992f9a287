"""The simulated DAOS system: pools, containers, properties, ACLs, health and space.

State is `daos.json` in the state directory; each container's data is a real directory
`containers/<pool_uuid>/<cont_uuid>/`, so pool space follows the bytes users write.
"""

from __future__ import annotations

import fnmatch
import os
import time
import uuid as uuidlib
from pathlib import Path
from typing import Any

from daostui.sim import hlc, knobs, store

DESCRIPTIONS = {
    "alloc_oid": "Highest Allocated OID",
    "cksum": "Checksum",
    "cksum_size": "Checksum Chunk Size",
    "compression": "Compression",
    "dedup": "Deduplication",
    "dedup_threshold": "Dedupe Threshold",
    "ec_cell_sz": "EC Cell Size",
    "ec_pda": "Performance domain affinity level of EC",
    "encryption": "Encryption",
    "global_version": "Global Version",
    "group": "Group",
    "label": "Label",
    "layout_type": "Layout Type",
    "layout_version": "Layout Version",
    "max_snapshot": "Max Snapshot",
    "obj_version": "Object Version",
    "owner": "Owner",
    "perf_domain": "Performance domain level",
    "rd_fac": "Redundancy Factor",
    "rd_lvl": "Redundancy Level",
    "rp_pda": "Performance domain affinity level of RP",
    "srv_cksum": "Server Checksumming",
    "status": "Health",
    "acl": "Access Control List",
}
DEFAULT_PROPS: dict[str, Any] = {
    "alloc_oid": 0,
    "cksum": "off",
    "cksum_size": 32768,
    "compression": "off",
    "dedup": "off",
    "dedup_threshold": 4096,
    "ec_cell_sz": 65536,
    "ec_pda": "1",
    "encryption": "off",
    "global_version": "3",
    "layout_version": 3,
    "max_snapshot": 0,
    "obj_version": "2",
    "perf_domain": "root (255)",
    "rd_fac": "rd_fac0",
    "rd_lvl": "node (2)",
    "rp_pda": "4294967295",
    "srv_cksum": "off",
    "status": "HEALTHY",
}
TYPE_CODES = {
    "POSIX": 1,
    "HDF5": 2,
    "PYTHON": 3,
    "SPARK": 4,
    "DATABASE": 5,
    "ROOT": 6,
    "SEISMIC": 7,
    "METEO": 8,
}


def new_uuid(rng: Any = None) -> str:
    if rng is None:
        return str(uuidlib.uuid4())
    return str(uuidlib.UUID(int=rng.getrandbits(128), version=4))


def load_state(directory: Path) -> dict[str, Any]:
    """The DAOS state without taking the lock (it is replaced atomically): for readers that must not wait."""
    return store.load(directory, "daos")


def find_pool(data: dict[str, Any], name: str) -> dict[str, Any] | None:
    for pool in data.get("pools", []):
        if name in (pool["label"], pool["uuid"]):
            return pool
    return None


def containers(data: dict[str, Any], pool: dict[str, Any]) -> list[dict[str, Any]]:
    return data.setdefault("containers", {}).setdefault(pool["uuid"], [])


def find_container(data: dict[str, Any], pool: dict[str, Any], name: str) -> dict[str, Any] | None:
    for cont in containers(data, pool):
        if name in (cont["label"], cont["uuid"]):
            return cont
    return None


def data_dir(directory: Path, pool: dict[str, Any], cont: dict[str, Any]) -> Path:
    return directory / "containers" / pool["uuid"] / cont["uuid"]


def bytes_written(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def pool_written(directory: Path, pool: dict[str, Any]) -> int:
    return bytes_written(directory / "containers" / pool["uuid"])


TARGETS_PER_ENGINE = 32
#: `-DER_NOSPACE`: what a rebuild that cannot place the lost data fails with (the knob's default status).
REBUILD_FAILED_STATUS = -1007
#: The query masks `daos pool query` prints for its flags (2.6 PoolQueryMask.String(): sorted names).
QUERY_MASKS = {
    "": "rebuild,space",
    "enabled": "enabled_engines,rebuild,space",
    "disabled": "disabled_engines,rebuild,space",
    "health": "dead_engines,disabled_engines,rebuild",
    "health,enabled": "dead_engines,disabled_engines,enabled_engines,rebuild",
    "health,disabled": "dead_engines,disabled_engines,rebuild",
}


def imbalance(tier: dict[str, Any], active_targets: int) -> int:
    """DAOS's `StorageUsageStats.calcImbalance`: spread of per-target free space over the mean target size.

    `uint32((float64(max-min) / (float64(total) / float64(active))) * 100)`; Go's float to uint32 conversion
    truncates, and a zero-size tier (NaN or Inf) converts to 0 on amd64.
    """
    if not tier["total"] or not active_targets:
        return 0
    return int((tier["max"] - tier["min"]) / (tier["total"] / active_targets) * 100)


def rebuild_fault(directory: Path, pool: dict[str, Any]) -> dict[str, Any] | None:
    """The `rebuild_failed` knob in force for this pool (`--match` is a glob on the pool label)."""
    for fault in knobs.active(directory, "rebuild_failed"):
        if fault.get("pool") in (pool["label"], pool["uuid"]) or (
            "pool" not in fault and fnmatch.fnmatchcase(pool["label"], fault.get("match", "*"))
        ):
            return fault
    return None


def disabled_ranks(pool: dict[str, Any], disabled_targets: int) -> list[int]:
    """The excluded engines: chosen at seed time, else the last ones (whole engines of 32 targets)."""
    engines = max(1, pool["total_targets"] // TARGETS_PER_ENGINE)
    wanted = -(-disabled_targets // TARGETS_PER_ENGINE)
    chosen = [r for r in pool.get("disabled_ranks", []) if r < engines][:wanted]
    spare = [r for r in range(engines - 1, -1, -1) if r not in chosen]
    return sorted(chosen + spare[: wanted - len(chosen)])


def pool_info(directory: Path, pool: dict[str, Any], ranks: str = "") -> dict[str, Any]:
    """The PoolInfo object `daos -j pool query` prints (2.6 key order; `ranks`: "", enabled, disabled, health)."""
    fault = rebuild_fault(directory, pool)
    disabled = pool["disabled_targets"]
    version = pool["version"]
    if fault is not None and not disabled:
        disabled, version = TARGETS_PER_ENGINE, version + 1  # the engine whose loss started the rebuild
    written = pool_written(directory, pool)
    active = pool["total_targets"] - disabled
    tiers = []
    for media, total, used in (
        ("scm", pool["scm_total"], pool["scm_used"] + written // 100),
        ("nvme", pool["nvme_total"], pool["nvme_used"] + written),
    ):
        free = max(0, total - used)
        mean = free // active if active else 0
        tiers.append(
            {
                "total": total,
                "free": free,
                "min": int(mean * pool.get("min_ratio", 0.9)),
                "max": int(mean * pool.get("max_ratio", 1.02)),
                "mean": mean,
                "media_type": media,
            }
        )
    if fault is not None:
        status = int(fault.get("status", REBUILD_FAILED_STATUS))
        rebuild = {"status": status, "state": "idle", "objects": 0, "records": 0, "total_objects": 0}
    else:
        rebuild = {
            "status": 0,
            "state": pool["rebuild"],
            "objects": pool.get("rebuild_objs", 0),
            "records": pool.get("rebuild_recs", 0),
            "total_objects": pool.get("rebuild_objs", 0) if pool["rebuild"] != "idle" else 0,
        }
    info: dict[str, Any] = {
        "query_mask": QUERY_MASKS[ranks],
        "state": "Degraded" if disabled else "Ready",
        "uuid": pool["uuid"],
        "total_targets": pool["total_targets"],
        "active_targets": active,
        "total_engines": pool["total_targets"] // TARGETS_PER_ENGINE,
        "disabled_targets": disabled,
        "version": version,
        "svc_ldr": pool["leader"],
        "rebuild": rebuild,
        "tier_stats": None if ranks.startswith("health") else tiers,
    }
    down = disabled_ranks(pool, disabled)
    if "enabled" in ranks:
        info["enabled_ranks"] = [r for r in range(info["total_engines"]) if r not in down]
    if "disabled" in ranks or ranks.startswith("health"):
        info["disabled_ranks"] = down
    info["pool_layout_ver"] = 0
    info["upgrade_layout_ver"] = 0
    if not ranks.startswith("health"):
        info["usage"] = [
            {
                "tier_name": t["media_type"].upper(),
                "size": t["total"],
                "free": t["free"],
                "imbalance": imbalance(t, active),
            }
            for t in tiers
        ]
    return info


def live_entry(entry: dict[str, Any], path: str, kernel: set[str] | None) -> bool:
    """A registry entry still mounted: real FUSE mounts must still be in the kernel's table."""
    return not entry.get("real") or kernel is None or path in kernel


def mounted_paths(directory: Path, cont_uuid: str) -> list[str]:
    """Login-node mount points of a container (real FUSE mounts only while the kernel still has them)."""
    from daostui.sim import kernel_mounts

    mounts = store.load(directory, "mounts")
    kernel = kernel_mounts.dfuse_paths() if any(e.get("real") for e in mounts.values()) else None
    return [
        path
        for path, entry in mounts.items()
        if entry.get("cont_uuid") == cont_uuid and live_entry(entry, path, kernel)
    ]


def node_mounts(directory: Path, cont_uuid: str) -> list[tuple[str, str]]:
    """(node, mount point) of a container's dfuse mounts on job nodes (made by launch-dfuse.sh)."""
    nodes = store.load(directory, "nodes")
    return [
        (node, path)
        for node, mounts in sorted(nodes.items())
        for path, entry in mounts.items()
        if entry.get("cont_uuid") == cont_uuid
    ]


def touch(
    data: dict[str, Any], cont: dict[str, Any], *, opened: bool = False, modified: bool = False
) -> None:
    """Move a container's metadata times as the server does (src/container/srv_container.c).

    An open that is not a read-only stat open (dfuse, writers; `daos` opens with RO_MDSTATS) sets
    the open time; closing such a handle and metadata changes (properties, ACL, snapshots) set the
    close/modify time. Both are HLCs from the server's clock.
    """
    if opened:
        cont["otime"] = hlc.next_hlc(data)
    if modified:
        cont["mtime"] = hlc.next_hlc(data)


def cont_times(cont: dict[str, Any]) -> tuple[int, int]:
    """(open time, close/modify time) as HLCs; state written before HLCs kept Unix ns in `open_time`."""
    if "mtime" in cont:
        return int(cont.get("otime", 0)), int(cont["mtime"])
    legacy = hlc.physical(int(cont.get("open_time") or time.time_ns()))
    return legacy, legacy + (7 << 18)


def latest_snapshot(cont: dict[str, Any]) -> int:
    return max((int(s["epoch"]) for s in cont.get("snapshots", [])), default=0)
