"""Cold start to first frame (demo mode, warm disk cache) vs a minimal Textual app.

Each start is a fresh interpreter, as a user's is. Target (issue 17): within 1.25x of the minimal app
(Header, an empty DataTable, Footer).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, repeats, report

RUNS = 9


def _once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _paired(base: list[str], ours: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Median start of each, the two run in turns: a machine whose speed drifts (a VM) slows both
    alike instead of whichever ran second."""
    base_samples, our_samples = [], []
    for _ in range(repeats(RUNS)):
        base_samples.append(_once(base, env))
        our_samples.append(_once(ours, env))
    return statistics.median(base_samples), statistics.median(our_samples)


def main() -> None:
    from daostui.sim import bindir, seed

    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        seed.reset(demo, seed=0)
        bindir.prepare(demo, seed=0)
        env = {
            **os.environ,
            "DAOSTUI_STATE_DIR": str(Path(tmp) / "state"),
            "TEXTUAL_ANIMATIONS": "none",
            "DAOSTUI_CONFIG": str(Path(tmp) / "none.toml"),
        }
        # a user's install has its bytecode (pip writes Textual's; the first start writes daostui's):
        # without it every start compiles daostui's ~80 modules (~80 ms) and Textual's do not
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        probe = [sys.executable, "-m", "benchmarks.startup_probe"]
        _once([*probe, "minimal"], env)  # warm the disk cache and bytecode
        _once([*probe, "daostui", str(demo)], env)
        base, ours = _paired([*probe, "minimal"], [*probe, "daostui", str(demo)], env)
    report("minimal Textual app to first frame", base, "s", key="startup.minimal")
    report(
        "daostui --demo to first frame",
        ours,
        "s",
        baseline=base,
        base_name="minimal",
        target="target <= 1.25x",
        key="startup.daostui",
    )


if __name__ == "__main__":
    main()
