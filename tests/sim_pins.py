"""Pin what the simulator stamps with the wall clock, so screens showing it look the same every run."""

from __future__ import annotations

from pathlib import Path

from daostui.daos.hlc import unix_ns_to_hlc
from daostui.sim import store
from tests.conftest import FROZEN_TIME


def pin_container_times(demo_dir: Path) -> None:
    """Seeded containers carry HLCs of the seeding moment: pin them (and give `checkpoints` a
    snapshot) so the container detail shows fixed dates."""
    data = store.load(demo_dir, "daos")
    for containers in data["containers"].values():
        for cont in containers:
            cont["otime"] = unix_ns_to_hlc(int((FROZEN_TIME - 7200) * 1e9))
            cont["mtime"] = unix_ns_to_hlc(int((FROZEN_TIME - 3600) * 1e9))
            if cont["label"] == "checkpoints":
                cont["snapshots"] = [
                    {"epoch": unix_ns_to_hlc(int((FROZEN_TIME - 1800) * 1e9)), "name": "before-upgrade"}
                ]
    store.save(demo_dir, "daos", data)
