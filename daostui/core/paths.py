"""Where daostui keeps its files (XDG dirs via platformdirs), overridable for tests and users.

Directories are created when something is written, never on import.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_state_dir

APP = "daostui"


def state_dir() -> Path:
    return Path(os.environ.get("DAOSTUI_STATE_DIR") or user_state_dir(APP))


def config_dir() -> Path:
    return Path(user_config_dir(APP))


def config_file() -> Path:
    return Path(os.environ.get("DAOSTUI_CONFIG") or config_dir() / "config.toml")


def command_log_file() -> Path:
    return state_dir() / "commands.jsonl"


def demo_dir() -> Path:
    return state_dir() / "demo"


def wizard_state_file() -> Path:
    return state_dir() / "wizard.json"


def owned_mounts_file() -> Path:
    return state_dir() / "mounts-owned.json"


def requests_dir() -> Path:
    return state_dir() / "requests"


def error_log_file() -> Path:
    """Tracebacks of unexpected errors (bugs): shown to the user, kept here for a bug report."""
    return state_dir() / "errors.log"
