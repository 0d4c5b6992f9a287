"""What every simulated dfuse start shares: finding the pool and container, and dfuse's refusals.

Messages and exit statuses are dfuse's (daos-cli.md §7.2): `Failed to connect to pool: 2 (No such
file or directory)` then `Exiting -1005 DER_NONEXIST` (status 5), `1 (Operation not permitted)`
(status 1), an UNCLEAN container's DER_RF log line and `5 (Input/output error)` (status 233).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from daostui.sim import daos_state as ds

NO_POOL = (5, "Failed to connect to pool: 2 (No such file or directory)\nExiting -1005 DER_NONEXIST\n")
NO_PERM = (1, "Failed to connect to pool: 1 (Operation not permitted)\nExiting -1001 DER_NO_PERM\n")
NO_CONT = (5, "Failed to connect to container: 2 (No such file or directory)\nExiting -1005 DER_NONEXIST\n")
UNCLEAN = (
    233,
    "dfuse ERR  src/client/dfuse/dfuse_core.c:873 dfuse_cont_open() daos_cont_open() failed: "
    "DER_RF(-2031): 'Failures exceed RF'\n"
    "Failed to connect to container: 5 (Input/output error)\nExiting -2001 DER_IO\n",
)


def user_project(directory: Path) -> str:
    try:
        return json.loads((directory / "site.json").read_text()).get("project", "")
    except (OSError, ValueError):
        return ""


def lookup(
    directory: Path,
    data: dict[str, Any],
    pool_name: str,
    cont_name: str,
    unclean_faults: list[dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, Any]] | tuple[int, str]:
    """(pool, container) to mount, or dfuse's (exit status, output) when it would refuse."""
    pool = ds.find_pool(data, pool_name)
    if pool is None:
        return NO_POOL
    if pool.get("project") not in (user_project(directory), "datascience"):
        return NO_PERM
    cont = ds.find_container(data, pool, cont_name)
    if cont is None:
        return NO_CONT
    unclean = cont.get("props", {}).get("status") == "UNCLEAN" or any(
        f.get("pool") in (pool["label"], pool["uuid"]) and f.get("cont") in (cont["label"], cont["uuid"])
        for f in unclean_faults
    )
    if unclean:
        return UNCLEAN
    return pool, cont


def entry(pool: dict[str, Any], cont: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A mount record: what is mounted, and the uid/gid dfuse's options carry."""
    return {
        "pool_uuid": pool["uuid"],
        "cont_uuid": cont["uuid"],
        "pool": pool["label"],
        "cont": cont["label"],
        "uid": os.getuid(),
        "gid": os.getgid(),
        **extra,
    }


def busy(data_dir: Path) -> bool:
    """Some process has its working directory in the container (what makes an unmount busy)."""
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
