"""Fault injection and latency for the simulated Aurora (tests, benchmarks, demos).

Settings live in `<state>/knobs.json` (and `DAOSTUI_SIM_LATENCY` for a global latency):

    {"latency": {"<glob on 'program args...'>": seconds},
     "faults": [{"match": "<glob>", "kind": "...", "remaining": N or null, ...}]}

Generic kinds applied to any simulated command before it runs: `timeout`/`hang` (never finishes),
`exit` (print `stderr`, exit `exit`), `malformed` (garbage on stdout), `truncate` (only the first
half of the real output), `invalid_json` (real output with an invalid escape and a raw control
character). Domain kinds read by the simulated tools: `agent_down`, `unclean`, `hung_mount`,
`lost_job`, `rebuild_failed`. A domain kind that describes a state names its target with a field
(`path` for `hung_mount`, `pool` for `rebuild_failed`, `pool` + `cont` for `unclean`) or, when
set from the command line, with `match`, a glob on that target (the mount point, the pool label):

- `hung_mount`: listing the mount blocks forever. A real FUSE mount's daemon is stopped (SIGSTOP)
  until the knob is cleared, so the kernel really holds `ls`/`stat` (see `fuse_fs`).
- `rebuild_failed`: `daos pool query` reports the pool's rebuild failed (`status`, default
  -DER_NOSPACE); a pool with no disabled targets loses one engine (32 targets) for it.
- compute nodes (`match`: a glob on the node name, see `compute_nodes`): `node_down` (ssh to the
  node fails), `node_hung` (listing its dfuse mount never returns), `node_unmounted` (its dfuse
  mounts are lost, and `launch-dfuse.sh` fails there while the knob is set). They are mirrored
  into `<state>/node-faults` (`KIND GLOB` lines), which the nodes' shell shim reads.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Any

from daostui.sim import store

GENERIC = ("timeout", "hang", "exit", "malformed", "truncate", "invalid_json")
NODE = ("node_down", "node_hung", "node_unmounted")
DOMAIN = ("agent_down", "unclean", "hung_mount", "lost_job", "rebuild_failed", *NODE)


def load(directory: Path) -> dict[str, Any]:
    with store.lock(directory):
        return store.load(directory, "knobs")


def set_latency(directory: Path, seconds: float, match: str = "*") -> None:
    with store.locked(directory, "knobs") as data:
        data.setdefault("latency", {})[match] = float(seconds)


def add_fault(directory: Path, kind: str, match: str = "*", **fields: Any) -> None:
    if kind not in GENERIC + DOMAIN:
        raise ValueError(f"unknown fault kind {kind!r}")
    with store.locked(directory, "knobs") as data:
        data.setdefault("faults", []).append({"kind": kind, "match": match, "remaining": None, **fields})
        _mirror_node_faults(directory, data)


def clear(directory: Path) -> None:
    with store.locked(directory, "knobs") as data:
        data.clear()
        _mirror_node_faults(directory, data)


def _mirror_node_faults(directory: Path, data: dict[str, Any]) -> None:
    """`node-faults`: the node knobs as `KIND GLOB` lines, for the nodes' shell shim (no JSON there)."""
    lines = "".join(
        f"{fault['kind']} {fault.get('match', '*')}\n"
        for fault in data.get("faults") or []
        if fault.get("kind") in NODE and " " not in str(fault.get("match", "*"))
    )
    target = directory / "node-faults"
    tmp = target.with_name("node-faults.tmp")
    tmp.write_text(lines)
    os.replace(tmp, target)


def latency_for(data: dict[str, Any], cmdline: str) -> float:
    delay = float(os.environ.get("DAOSTUI_SIM_LATENCY") or 0)
    for pattern, seconds in (data.get("latency") or {}).items():
        if fnmatch.fnmatchcase(cmdline, pattern):
            delay = max(delay, float(seconds))
    return delay


def take(directory: Path, kinds: tuple[str, ...] | str, cmdline: str = "*") -> dict[str, Any] | None:
    """The first matching fault of `kinds` (consuming one of its `remaining` uses), or None."""
    if isinstance(kinds, str):
        kinds = (kinds,)
    if not (directory / "knobs.json").exists():
        return None
    with store.locked(directory, "knobs") as data:
        faults = data.get("faults") or []
        for fault in faults:
            if fault.get("kind") in kinds and fnmatch.fnmatchcase(cmdline, fault.get("match", "*")):
                remaining = fault.get("remaining")
                if remaining is not None:
                    if remaining <= 0:
                        continue
                    fault["remaining"] = remaining - 1
                return dict(fault)
    return None


def active(directory: Path, kind: str) -> list[dict[str, Any]]:
    """Every fault of `kind` still in force (domain faults that describe a state, e.g. hung mounts)."""
    if not (directory / "knobs.json").exists():
        return []
    data = load(directory)
    return [
        f
        for f in data.get("faults") or []
        if f.get("kind") == kind and (f.get("remaining") is None or f.get("remaining", 0) > 0)
    ]


def hung_in(data: dict[str, Any], path: str) -> bool:
    """Whether knobs `data` hang this mount point (`path` field, else the `match` glob on the path)."""
    path = os.path.normpath(path)
    for fault in data.get("faults") or []:
        if fault.get("kind") != "hung_mount" or (
            fault.get("remaining") is not None and fault["remaining"] <= 0
        ):
            continue
        if "path" in fault:
            if os.path.normpath(str(fault["path"])) == path:
                return True
        elif fnmatch.fnmatchcase(path, str(fault.get("match", "*"))):
            return True
    return False


def hung(directory: Path, path: str) -> bool:
    if not (directory / "knobs.json").exists():
        return False
    return hung_in(load(directory), path)
