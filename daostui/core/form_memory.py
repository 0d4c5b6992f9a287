"""What the job forms remember between openings and restarts: the values last typed, and their own file.

A user who submits the same kind of job every day should not retype the queue, the walltime, the
program and its arguments, nor collect `daos_job.pbs`, `daos_job-2.pbs`, `daos_job-3.pbs`: each
form (`job`, `interactive`) keeps what it last showed in one small JSON file in the state dir,
private like every state file (it names projects and paths). Reading is lenient: a missing,
damaged or older file gives empty values, never an error that stops a form from opening.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from daostui.core import paths

#: The key under which a form keeps the path of the script it saved last (its own file).
OWN_FILE = "_script"


def load(kind: str, path: Path | None = None) -> dict[str, str]:
    """The values form `kind` showed when it was last closed ({} when it never was)."""
    try:
        data = json.loads((path or paths.form_memory_file()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    values = data.get(kind) if isinstance(data, dict) else None
    if not isinstance(values, dict):
        return {}
    return {str(key): value for key, value in values.items() if isinstance(value, str)}


def remember(kind: str, values: Mapping[str, str], path: Path | None = None) -> None:
    """Keep `values` for form `kind` (the other forms' entries are kept as they are)."""
    target = path or paths.form_memory_file()
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    data[kind] = {str(key): str(value) for key, value in values.items()}
    paths.write_private(target, json.dumps(data, indent=2, sort_keys=True))
