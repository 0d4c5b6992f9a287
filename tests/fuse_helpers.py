"""Shared pieces of the real-FUSE tests: the gate, the fixture that cleans up, process lookups.

Real kernel mounts need `/dev/fuse`, Debian's `fuse3` and the `mfusepy` binding (CI installs them in
.ci/setup.d/40-fuse.sh and sets DAOSTUI_TEST_FUSE=1). Without them the tests skip with the reason;
with DAOSTUI_TEST_FUSE=1 an unusable FUSE is a failure, so CI cannot skip them silently.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from daostui.sim import fuse_mount, kernel_mounts, seed


def require_fuse(directory: Path) -> None:
    problem = fuse_mount.problem(directory)
    if problem and os.environ.get("DAOSTUI_TEST_FUSE") == "1":
        pytest.fail(f"DAOSTUI_TEST_FUSE=1 but real FUSE mounts are unusable: {problem}")
    if problem:
        pytest.skip(f"real FUSE mounts unusable here: {problem} (set up by .ci/setup.d/40-fuse.sh)")


def processes(*needles: str) -> list[int]:
    """Pids whose command line contains every needle (NUL-separated argv joined by spaces)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().split(") ", 1)[1][:1]
        except OSError:
            continue
        if state != "Z" and all(n in cmdline for n in needles):
            found.append(int(proc.name))
    return found


def daemon_stopped(path: str) -> bool:
    """The dfuse daemon of this mount point is stopped (SIGSTOP by the hung_mount knob)."""
    for pid in processes("daostui.sim.fuse_fs", path):
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1] == "T":
                return True
        except OSError:
            continue
    return False


def wait_until(predicate, what: str, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def fuse_demo(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The seeded demo with real FUSE mounts on; afterwards nothing mounted and no daemon left."""
    monkeypatch.setenv("DAOSTUI_SIM_FUSE", "1")
    require_fuse(demo_dir)
    yield demo_dir
    seed.release_mounts(demo_dir)
    wait_until(lambda: not processes("daostui.sim.fuse_fs", str(demo_dir)), "the dfuse daemons to exit")
    assert not [p for p in kernel_mounts.dfuse_paths() if p.startswith(str(demo_dir.parent))]
