"""The simulated DAOS system: pools, containers, properties, ACLs, health and space.

State is `daos.json` in the state directory; each container's data is a real directory
`containers/<pool_uuid>/<cont_uuid>/`, so pool space follows the bytes users write.
"""

from __future__ import annotations

import os
import uuid as uuidlib
from pathlib import Path
from typing import Any

from daostui.sim import store

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


def pool_info(directory: Path, pool: dict[str, Any]) -> dict[str, Any]:
    """The PoolInfo object `daos -j pool query` prints (key order as DAOS's struct)."""
    written = pool_written(directory, pool)
    active = pool["total_targets"] - pool["disabled_targets"]
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
    return {
        "query_mask": "rebuild,space",
        "state": "Degraded" if pool["disabled_targets"] else "Ready",
        "uuid": pool["uuid"],
        "total_targets": pool["total_targets"],
        "active_targets": active,
        "total_engines": pool["total_targets"] // 32,
        "disabled_targets": pool["disabled_targets"],
        "version": pool["version"],
        "svc_ldr": pool["leader"],
        "rebuild": {
            "status": 0,
            "state": pool["rebuild"],
            "objects": pool.get("rebuild_objs", 0),
            "records": 0,
            "total_objects": 0,
        },
        "tier_stats": tiers,
        "pool_layout_ver": 0,
        "upgrade_layout_ver": 0,
        "usage": [
            {"tier_name": "SCM", "size": tiers[0]["total"], "free": tiers[0]["free"], "imbalance": 0},
            {
                "tier_name": "NVME",
                "size": tiers[1]["total"],
                "free": tiers[1]["free"],
                "imbalance": pool.get("imbalance", 1),
            },
        ],
    }


def mounted_paths(directory: Path, cont_uuid: str) -> list[str]:
    mounts = store.load(directory, "mounts")
    return [path for path, entry in mounts.items() if entry.get("cont_uuid") == cont_uuid]
