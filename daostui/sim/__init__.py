"""The embedded simulated Aurora: fake `daos`, dfuse scripts and PBS tools behind real executables.

The app never imports this package except to start demo mode (`environment`, `site_info`,
`bindir.prepare`); everything else happens through the executables in `<state>/bin`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def environment(directory: Path) -> dict[str, str]:
    """Environment overrides that make subprocesses use the simulator's tools.

    `$USER` and `$LOGNAME` are never empty there (the tutorial's `/tmp/$USER/...` would become
    `/tmp//...`): when unset they are the simulated site's user, else the account's name.
    """
    directory = Path(directory)
    env = {
        "PATH": str(directory / "bin") + os.pathsep + os.environ.get("PATH", ""),
        "DAOSTUI_SIM_DIR": str(directory),
        "DAOS_AGENT_DRPC_DIR": "/run/daos_agent_oneScratch",
    }
    user = (
        os.environ.get("USER") or os.environ.get("LOGNAME") or site_info(directory).get("user") or _account()
    )
    for name in ("USER", "LOGNAME"):
        if not os.environ.get(name):
            env[name] = user
    return env


def compute_root() -> str:
    """Where `launch-dfuse.sh` mounts on the simulated compute nodes (`/tmp`, as on Aurora)."""
    return os.environ.get("DAOSTUI_SIM_COMPUTE_ROOT", "/tmp")


def _account() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid{os.getuid()}"


def site_info(directory: Path) -> dict[str, Any]:
    try:
        data = json.loads((Path(directory) / "site.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
