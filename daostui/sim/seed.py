"""The simulated site's initial state: realistic, seeded, resettable.

Pools: the user's project pool `hpc_demo`, the tutorial's `datascience` (Degraded, 32 of 4096
targets disabled, the reference sample's numbers) and `hacc`, another project's pool the user may
not touch. A few containers, no mounts; PBS queues and other users' jobs come from `pbs_state`.
"""

from __future__ import annotations

import getpass
import json
import os
import random
import shutil
import time
from pathlib import Path
from typing import Any

from daostui.sim import hlc, store
from daostui.sim.daos_state import new_uuid

PROJECT = "hpc_demo"
TB = 10**12


def _pool(
    rng: random.Random,
    label: str,
    project: str,
    *,
    nvme_tb: float,
    scm_tb: float,
    used_pct: float,
    disabled: int = 0,
    total_targets: int = 4096,
    leader: int = 2,
    version: int = 131,
) -> dict[str, Any]:
    pool = {
        "label": label,
        "uuid": new_uuid(rng),
        "project": project,
        "total_targets": total_targets,
        "disabled_targets": disabled,
        "leader": leader,
        "version": version,
        "rebuild": "done" if disabled else "idle",
        "scm_total": int(scm_tb * TB),
        "scm_used": int(scm_tb * TB * used_pct),
        "nvme_total": int(nvme_tb * TB),
        "nvme_used": int(nvme_tb * TB * used_pct * 0.3),
        "min_ratio": round(rng.uniform(0.85, 0.92), 3),
        "max_ratio": round(rng.uniform(1.01, 1.04), 3),
    }
    # imbalance is computed from the tier stats (daos_state.imbalance); this draw stays so that the
    # seed's later UUIDs (shown in snapshots and docs) do not move
    rng.randint(1, 12)
    return pool


def _container(
    rng: random.Random, label: str, owner: str, *, rd_fac: int = 1, created: float
) -> dict[str, Any]:
    return {
        "uuid": new_uuid(rng),
        "label": label,
        "type": "POSIX",
        "owner": f"{owner}@",
        "group": "users@",
        "props": {"rd_fac": f"rd_fac{rd_fac}"},
        "chunk_size": 1048576,
        "oclass": "",
        "file_oclass": "",
        "dir_oclass": "",
        "acl": ["A::OWNER@:rwdtTaAo", "A:G:GROUP@:rwtT"],
        "created": created,
        # HLCs: last opened by a dfuse mount soon after it was made, closed an hour later
        "otime": hlc.physical(int(created * 1e9)),
        "mtime": hlc.physical(int((created + 3600) * 1e9)),
        "snapshots": [],
    }


def reset(
    directory: Path,
    *,
    seed: int = 0,
    user: str | None = None,
    scale_containers: int = 0,
    scale_jobs: int = 0,
    showcase: bool = False,
) -> None:
    """Wipe `directory` and create the initial site (idempotent for a given seed).

    `showcase` gives the user two days of PBS history (pbs_state.SHOWCASE): what the demo shows at
    first start. Tests start without it, from an empty history.
    """
    directory = Path(directory)
    user = user or os.environ.get("USER") or getpass.getuser()
    if directory.exists():
        release_mounts(directory)
        for child in (
            "containers",
            "nodes",
            "nodes.json",
            "node-jobs",
            "node-faults",
            "dfuse-logs",
            "fuse-unusable",
            "jobs",
            "lus",
            "mounts",
            "daos.json",
            "pbs.json",
            "knobs.json",
            "mounts.json",
            "site.json",
        ):
            path = directory / child
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists():
                path.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    now = time.time()
    pools = [
        _pool(rng, PROJECT, PROJECT, nvme_tb=200, scm_tb=6.0, used_pct=0.03, leader=2, version=131),
        _pool(
            rng,
            "datascience",
            "datascience",
            nvme_tb=96,
            scm_tb=3.0,
            used_pct=0.11,
            disabled=32,
            leader=190,
            version=67,
        ),
        _pool(rng, "hacc", "hacc", nvme_tb=500, scm_tb=12.0, used_pct=0.4, leader=7, version=12),
    ]
    by_label = {p["label"]: p for p in pools}
    conts: dict[str, list[dict[str, Any]]] = {p["uuid"]: [] for p in pools}
    conts[by_label[PROJECT]["uuid"]].append(
        _container(rng, "checkpoints", "colleague", rd_fac=2, created=now - 86400 * 12)
    )
    for label in ("LLM-GPT-1T", "ior_1", "softwares"):
        conts[by_label["datascience"]["uuid"]].append(
            _container(rng, label, "datascience_admin", created=now - 86400 * rng.randint(20, 200))
        )
    conts[by_label["hacc"]["uuid"]].append(
        _container(rng, "hacc_runs", "hacc_user", created=now - 86400 * 40)
    )
    for index in range(scale_containers):
        conts[by_label[PROJECT]["uuid"]].append(
            _container(rng, f"bench_{index:05d}", "colleague", created=now - index)
        )
    for pool in pools:
        for cont in conts[pool["uuid"]]:
            (directory / "containers" / pool["uuid"] / cont["uuid"]).mkdir(parents=True, exist_ok=True)
    store.save(directory, "daos", {"pools": pools, "containers": conts})
    store.save(directory, "mounts", {})
    (directory / "mounts").write_text("")
    (directory / "lus" / "flare" / "projects" / PROJECT).mkdir(parents=True, exist_ok=True)
    (directory / "site.json").write_text(
        json.dumps(
            {"user": user, "project": PROJECT, "seed": seed, "era": "tutorial", "created": now}, indent=1
        )
    )
    try:
        from daostui.sim import pbs_state
    except ImportError:
        return
    pbs_state.seed(directory, seed=seed, user=user, project=PROJECT, scale_jobs=scale_jobs, showcase=showcase)


def release_mounts(directory: Path) -> None:
    """Undo every mount of a previous run (real FUSE daemons too), so a reset leaves nothing mounted."""
    from daostui.sim import dfuse_cli, node_mounts

    if (directory / "mounts.json").exists():
        dfuse_cli.release(directory)
    if (directory / "nodes.json").exists():
        node_mounts.release_nodes(directory, list(store.load(directory, "nodes")))
