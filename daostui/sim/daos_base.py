"""What every simulated `daos` subcommand shares: output envelope, error chains, pool/container lookup.

Layouts follow daos-cli.md: the JSON envelope (`response`, `error`, `status`, 2-space indent),
`ERROR: daos: ...` on stderr and exit 1, and the exact error chains for missing pools/containers
(pool commands wrap them in `failed to connect to pool X: ...`, container commands do not).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim import knobs, store

NONEXIST = "DER_NONEXIST(-1005): The specified entity does not exist"
NO_PERM = "DER_NO_PERM(-1001): Operation not permitted"
EXIST = "DER_EXIST(-1004): Entity already exists"
BUSY = "DER_BUSY(-1012): Device or resource busy"
UNREACH = "DER_UNREACH(-1006): Unreachable node"
NO_POOL = "failed to connect to pool <no label or uuid set>: no pool UUID or label supplied"
LABEL_OK = re.compile(r"^[A-Za-z0-9._:-]{1,127}$")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class Failure(Exception):
    def __init__(self, message: str, status: int = -1025) -> None:
        super().__init__(message)
        self.status = status


def der_status(message: str) -> int:
    match = re.search(r"DER_[A-Z_]+\((-\d+)\)", message)
    return int(match.group(1)) if match else -1025


class DaosBase:
    """State access and output helpers; the command mixins (pool, container, ...) build on it."""

    def __init__(self, directory: Path, as_json: bool) -> None:
        self.dir = directory
        self.json = as_json
        site = json.loads((directory / "site.json").read_text()) if (directory / "site.json").exists() else {}
        self.user = site.get("user") or os.environ.get("USER", "user")
        self.project = site.get("project", "")

    # ------------------------------------------------------------------ output
    def emit(self, response: Any, text: str) -> int:
        if self.json:
            sys.stdout.write(json.dumps({"response": response, "error": None, "status": 0}, indent=2) + "\n")
        else:
            sys.stdout.write(text)
        return 0

    def fail(self, message: str, status: int | None = None) -> int:
        status = der_status(message) if status is None else status
        if self.json:
            sys.stdout.write(
                json.dumps({"response": None, "error": message, "status": status}, indent=2) + "\n"
            )
        sys.stderr.write(f"ERROR: daos: {message}\n")
        return 1

    # ------------------------------------------------------------------ lookups
    def state(self) -> dict[str, Any]:
        with store.lock(self.dir):
            return store.load(self.dir, "daos")

    def accessible(self, pool: dict[str, Any]) -> bool:
        return pool.get("project") in (self.project, "datascience")

    def pool_for(self, data: dict[str, Any], name: str, *, container_cmd: bool) -> dict[str, Any]:
        if not LABEL_OK.match(name) and not UUID_RE.match(name):
            if container_cmd:
                raise Failure(f'invalid label "{name}"')
            raise Failure(NO_POOL)
        pool = ds.find_pool(data, name)
        if pool is None:
            raise Failure(NONEXIST if container_cmd else f"failed to connect to pool {name}: {NONEXIST}")
        if not self.accessible(pool):
            raise Failure(NO_PERM if container_cmd else f"failed to connect to pool {name}: {NO_PERM}")
        return pool

    def cont_for(self, data: dict[str, Any], pool: dict[str, Any], name: str) -> dict[str, Any]:
        if not LABEL_OK.match(name) and not UUID_RE.match(name):
            raise Failure(f'invalid label "{name}"')
        cont = ds.find_container(data, pool, name)
        if cont is None:
            raise Failure(NONEXIST)
        return cont

    def pool_cont(self, args: list[str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        if len(args) < 2:
            raise Failure(NO_POOL if not args else "no container label or UUID supplied")
        data = self.state()
        pool = self.pool_for(data, args[0], container_cmd=True)
        return data, pool, self.cont_for(data, pool, args[1])

    def handles(self, cont: dict[str, Any]) -> int:
        """Open handles other than the CLI's own: one per dfuse, on the login node and on job nodes."""
        return len(ds.mounted_paths(self.dir, cont["uuid"])) + len(ds.node_mounts(self.dir, cont["uuid"]))

    def unclean(self, pool: dict[str, Any], cont: dict[str, Any]) -> bool:
        if cont.get("props", {}).get("status", "HEALTHY") == "UNCLEAN":
            return True
        return any(
            f.get("pool") in (pool["label"], pool["uuid"]) and f.get("cont") in (cont["label"], cont["uuid"])
            for f in knobs.active(self.dir, "unclean")
        )
