"""Worst frame under background load: 8 concurrent slow commands (simulator latency 2 s each).

While the console refreshes every pane and runs more queries, all against a simulator that takes 2 s
per command, a probe measures how late the event loop wakes (a frame cannot be drawn while the loop
is blocked) and the cursor is moved every 50 ms. Target (issue 17): no sample over 33 ms (two frames
at 60 Hz), quiet and busy. The baseline is the same probe with the console idle. The simulated
commands run at the lowest priority (`daostui.sim.bindir`): they stand for servers elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from benchmarks.common import repeats, report

LATENCY = 2.0
RUNS = 3
#: A stall longer than two frames at 60 Hz is one a user sees.
LIMIT = 0.033


async def _probe(stalls: list[float], seconds: float) -> None:
    """How late the loop wakes from a 5 ms sleep, for `seconds`: a task of its own, so the stalls
    while a key is handled count as well (a user presses keys while results arrive)."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        stalls.append(time.perf_counter() - before - 0.005)


async def _worst_stall(seconds: float, load: bool) -> tuple[float, int, int]:
    from daostui.app import DaosTui
    from daostui.core.session import demo_session
    from daostui.sim import bindir, knobs, seed

    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        seed.reset(demo, seed=0)
        bindir.prepare(demo, seed=0)
        os.environ["DAOSTUI_STATE_DIR"] = str(Path(tmp) / "state")
        session = demo_session(demo)
        app = DaosTui(session, auto_refresh=False)
        async with app.run_test(size=(120, 35)) as pilot:
            await pilot.pause(1.0)
            await asyncio.sleep(LATENCY + 1)
            if load:
                knobs.set_latency(demo, LATENCY)
                for pane in ("pools", "containers", "mounts", "jobs"):
                    app.refresh_pane(pane)
                for pool in ("hpc_demo", "datascience", "hpc_demo", "datascience"):
                    app.run_worker(session.daos.pool_query(pool), exit_on_error=False)
            stalls: list[float] = []
            probe = asyncio.create_task(_probe(stalls, seconds))
            up = True  # the first press moves down from the first row
            while not probe.done():
                up = not up
                await pilot.press("up" if up else "down")
                await asyncio.sleep(0.05)
            await probe
            if load:
                knobs.clear(demo)
                await app.workers.wait_for_complete()
    return max(stalls, default=0.0), sum(stall > LIMIT for stall in stalls), len(stalls)


def main() -> None:
    """Three runs each (this machine is a VM whose timing wanders): the median of the worst stalls."""
    import statistics

    idle = [asyncio.run(_worst_stall(4.0, load=False)) for _ in range(repeats(RUNS))]
    busy = [asyncio.run(_worst_stall(4.0, load=True)) for _ in range(repeats(RUNS))]
    idle_worst = statistics.median(w for w, _o, _n in idle)
    busy_worst = statistics.median(w for w, _o, _n in busy)
    over = sum(o for _w, o, _n in busy)
    total = sum(n for _w, _o, n in busy)
    runs = len(busy)
    report(
        f"worst event-loop stall, console idle (median of {runs})", idle_worst * 1000, "ms", key="frames.idle"
    )
    report(
        f"worst stall, 8 slow commands in flight (median of {runs})",
        busy_worst * 1000,
        "ms",
        baseline=idle_worst * 1000,
        base_name="idle",
        target="target: no sample over 33 ms",
        key="frames.median_worst",
    )
    report(
        "worst stall of all runs, 8 slow commands in flight",
        max(w for w, _o, _n in busy) * 1000,
        "ms",
        target="target: no sample over 33 ms",
        key="frames.worst",
    )
    report(
        "stalls over 33 ms, 8 slow commands in flight",
        over,
        "samples",
        target="target 0",
        key="frames.over",
    )
    report("samples taken, 8 slow commands in flight", total, "samples", key="frames.samples")


if __name__ == "__main__":
    main()
