"""Snapshots of what the real PBS and DAOS report, as the console shows it (80x24 and 160x45).

Jobs are those a real OpenPBS 23.06.06 server printed (tests/real_jobs.py: a job array and its
subjobs, bare `-v` values, exit 3, a walltime kill, a qdel, queued jobs with an estimated start);
the pool and container come from the seed-0 simulator, with a failed rebuild (its knob) and a
snapshot whose HLC times are pinned, so every shot is the same on every run.

Regenerate one baseline after checking the new SVG by eye:
    python -m pytest tests/test_snapshots_data.py -k NAME --snapshot-update
"""

from __future__ import annotations

from typing import Any

import pytest

from daostui.sim import knobs
from tests.pilot_helpers import wait_for, wait_screen
from tests.real_jobs import ARRAY_ID, with_real_jobs
from tests.sim_pins import pin_container_times
from tests.test_snapshots import console, detail_loaded, settle

SIZES = {"80x24": (80, 24), "160x45": (160, 45)}


def jobs_console(demo_session: Any) -> Any:
    return with_real_jobs(console(demo_session))


async def open_array(pilot: Any) -> None:
    app = pilot.app
    await settle(pilot)
    await pilot.press("4")
    app.jump("jobs", ARRAY_ID)
    await pilot.press("space")
    table = app.main_screen.pane("jobs").table
    await wait_for(pilot, lambda: table.row_count == 9, what="the array's subjobs listed")
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES)
def test_jobs_pane_array_open(snap_compare, demo_session, size):
    """`8[]` with `3/3 done`, its subjobs `└[1]`…, exit 3, -29 walltime, 271 SIGTERM, estimated starts."""
    assert snap_compare(jobs_console(demo_session), terminal_size=SIZES[size], run_before=open_array)


def open_view(*keys: str, jump: tuple[str, str] | None = None, screen: str = "DetailScreen"):
    """On the settled console: put the cursor on `jump` (pane, key), press `keys`, and wait until
    the view `screen` has shown what its commands returned."""

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        if jump is not None:
            pilot.app.jump(*jump)
        await pilot.press(*keys)
        shown = await wait_screen(pilot, pilot.app, screen)
        await wait_for(pilot, lambda: detail_loaded(shown), what=f"{screen} loaded")
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("job_id", [ARRAY_ID, "10.pbshost", "5.pbshost"], ids=["array", "queued", "bare_v"])
def test_job_detail_real(snap_compare, demo_session, size, job_id):
    """An array's indices and subjobs; a queued job's estimated start and reason; `-v LR=.001`."""
    run_before = open_view("enter", jump=("jobs", job_id))
    assert snap_compare(jobs_console(demo_session), terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_queues_view(snap_compare, demo_session, size):
    run_before = open_view("Q", screen="QueuesScreen")
    assert snap_compare(console(demo_session), terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_pool_detail_rebuild_failed(snap_compare, demo_session, demo_dir, size):
    knobs.add_fault(demo_dir, "rebuild_failed", pool="hpc_demo")
    run_before = open_view("enter", jump=("pools", "hpc_demo"))
    assert snap_compare(console(demo_session), terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_container_detail_times_and_snapshot(snap_compare, demo_session, demo_dir, size):
    """`checkpoints` of hpc_demo (the first pool, selected at start): HLC dates and its snapshot."""
    pin_container_times(demo_dir)
    run_before = open_view("2", "enter")
    assert snap_compare(console(demo_session), terminal_size=SIZES[size], run_before=run_before)
