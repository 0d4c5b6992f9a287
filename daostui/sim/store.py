"""The simulator's persistent state: JSON documents in one directory, under one file lock.

Every simulated command (a separate process) opens the state with `locked(state_dir, name)`,
which takes an exclusive `flock` on `<state_dir>/state.lock`, loads `<name>.json`, yields the
dict to mutate, and writes it back atomically (temp file + rename) when the block exits without
an exception. Concurrent commands are therefore serialised and never corrupt the state.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ENV_DIR = "DAOSTUI_SIM_DIR"


def state_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The simulator's state directory: explicit, else $DAOSTUI_SIM_DIR."""
    value = explicit if explicit is not None else os.environ.get(ENV_DIR)
    if not value:
        raise SystemExit(f"daostui simulator: {ENV_DIR} is not set (run through `daostui --demo`)")
    return Path(value)


@contextlib.contextmanager
def lock(directory: Path) -> Iterator[None]:
    """Hold the exclusive state lock for the duration of the block."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "state.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load(directory: Path, name: str) -> dict[str, Any]:
    """Read `<name>.json` (empty dict if absent). Call with the lock held for a consistent view."""
    path = directory / f"{name}.json"
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return {}
    return data if isinstance(data, dict) else {}


def save(directory: Path, name: str, data: dict[str, Any]) -> None:
    """Write `<name>.json` atomically. Call with the lock held."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(tmp, directory / f"{name}.json")
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(directory: Path, name: str) -> Iterator[dict[str, Any]]:
    """Lock, load `<name>.json`, yield it for mutation, save it if the block succeeded."""
    with lock(directory):
        data = load(directory, name)
        yield data
        save(directory, name, data)
