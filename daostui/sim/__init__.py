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
    """Environment overrides that make subprocesses use the simulator's tools."""
    directory = Path(directory)
    return {
        "PATH": str(directory / "bin") + os.pathsep + os.environ.get("PATH", ""),
        "DAOSTUI_SIM_DIR": str(directory),
        "DAOS_AGENT_DRPC_DIR": "/run/daos_agent_oneScratch",
    }


def site_info(directory: Path) -> dict[str, Any]:
    try:
        data = json.loads((Path(directory) / "site.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
