"""A newcomer's first start: the guided-setup offer stays until the user answers it.

Normally the console offers the wizard only while the user has no container. On a first start —
no user config file (the wizard saves the project there), no wizard progress, the offer never
answered — the offer stays on screen even when the project already has containers (a new member
of a team finds the team's containers), until it is used (`w`) or dismissed. Answering it is
remembered in a private file in the state dir, so a later start behaves as before.
Textual-free: the app asks here and only lays the offer out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from daostui.core import paths

if TYPE_CHECKING:
    from pathlib import Path

    from daostui.core.config import Config

OFFER = "New to DAOS on Aurora? Press w for the guided setup (container → mount → job → submit)."
#: Shown after the offer on a first start: how to make it go away.
DISMISS = "esc hides this"


def answered_file() -> Path:
    return paths.state_dir() / "wizard-offer-answered"


def is_first_start(config: Config) -> bool:
    """No user config file was read, no wizard progress is saved, and the offer was never answered."""
    user_config = any(layer.read for layer in config.layers if layer.layer == "user")
    return not (user_config or paths.wizard_state_file().exists() or answered_file().exists())


def mark_answered(how: str) -> None:
    """The user used (`w`) or dismissed the offer: later starts offer it only as before."""
    paths.write_private(answered_file(), how + "\n")
