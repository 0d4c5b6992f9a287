"""Pool and container details as the console shows them: DAOS 2.6 and 2.8 output, and the demo.

The renderings are checked on DAOS's own layouts (tests/fixtures/daos, from DAOS's printers and
tests: a busy rebuild with its object count, a failed one, 2.8's TargetsExcluded and "Data
redundancy: degraded"); the console is checked against the simulator with the `rebuild_failed`
knob, and the container detail with its latency knob (its commands run concurrently) and a
container created now (its HLC times read as today).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from daostui.core.together import all_of
from daostui.daos import parse
from daostui.daos.errno import describe_status
from daostui.daos.models import Pool, PoolRebuild
from daostui.screens.daos_detail import engines_text, pool_body, rebuild_text
from daostui.sim import knobs
from daostui.widgets.resource_columns import COLUMN_HELP, POOL_COLUMNS
from tests.conftest import make_app
from tests.pilot_helpers import wait_for, wait_loaded, wait_screen

DAOS = Path(__file__).parent / "fixtures" / "daos"
SIZE = (160, 45)


def plain(renderable: Any, width: int = 200) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def fixture_pool(name: str) -> Pool:
    text = (DAOS / name).read_text()
    if name.endswith(".json"):
        return parse.pool_from_json(json.loads(text)["response"], "tank")
    return parse.pool_from_text(text, "tank")


def state_cell(pool: Pool) -> str:
    return next(c for c in POOL_COLUMNS if c.key == "state").text(pool)


def test_busy_rebuild_shows_its_progress() -> None:
    pool = fixture_pool("pool_query_rebuild_busy.json")
    rebuild = pool.rebuild
    assert rebuild is not None and rebuild.total_objects
    shown = plain(rebuild_text(rebuild))
    percent = f"({rebuild.objects / rebuild.total_objects:.0%})"
    assert shown.startswith(f"busy: {rebuild.objects:,} of {rebuild.total_objects:,} objects {percent}")
    assert state_cell(pool).endswith("(rebuild busy)")
    assert "Rebuild busy: I/O may be slower" in plain(pool_body(pool))


def test_failed_rebuild_26_json_decodes_its_status() -> None:
    pool = fixture_pool("pool_query_rebuild_failed.json")
    status = pool.rebuild.status
    body = plain(pool_body(pool))
    assert f"failed: {describe_status(status)}" in body
    assert "DAOS state idle" not in body  # 2.6's zero value says nothing
    assert state_cell(pool) == f"{pool.state} (rebuild failed)"
    style = next(c for c in POOL_COLUMNS if c.key == "state").style(pool)
    assert style == "bold white on red"
    assert engines_text(pool).startswith(f"{pool.total_engines}: disabled ")


def test_daos_28_targets_excluded_failing_rebuild_and_degraded_redundancy() -> None:
    pool = fixture_pool("pool_query_28_failing.txt")
    assert pool.state == "TargetsExcluded" and pool.rebuild.state == "failing"
    body = plain(pool_body(pool))
    assert "TargetsExcluded  (DAOS 2.8's name for Degraded)" in body
    assert f"failing: {describe_status(pool.rebuild.status)}" in body
    assert "Data redundancy" in body and "degraded" in body
    assert "Data redundancy degraded: some objects have fewer copies" in body
    assert "TargetsExcluded: some targets are excluded" in body
    assert state_cell(pool) == "TargetsExcluded (rebuild failing)"


def test_daos_28_failed_json_shows_the_raw_state_and_stopped_says_so() -> None:
    pool = fixture_pool("pool_query_28_failed.json")
    body = plain(pool_body(pool))
    assert pool.rebuild.reported_state and f"(DAOS state {pool.rebuild.reported_state})" in body
    stopped = fixture_pool("pool_query_28_stopped.txt")
    assert "Rebuild stopped: an administrator stopped it" in plain(pool_body(stopped))


def test_ranks_layout_and_service_replicas() -> None:
    pool = Pool(
        "tank",
        total_engines=8,
        enabled_ranks=[0, 1, 2, 3, 4, 6],
        disabled_ranks=[5, 7],
        dead_ranks=[7],
        pool_layout_ver=1,
        upgrade_layout_ver=2,
        service_replicas=[0, 1, 2],
        rebuild=PoolRebuild("idle"),
    )
    assert engines_text(pool) == "8: enabled 0-4,6, disabled 5,7, dead 7"
    body = plain(pool_body(pool))
    assert "out of date (1 < 2)" in body and "dmg pool upgrade" in body
    assert "(service ranks 0-2)" in body


def test_pools_pane_help_names_targets_excluded() -> None:
    state_help = dict(COLUMN_HELP["pools"])["State"]
    assert "TargetsExcluded" in state_help and "rebuild failed" in state_help


async def test_rebuild_failed_knob_marks_the_pool_and_its_detail_says_why(demo_session, demo_dir) -> None:
    knobs.add_fault(demo_dir, "rebuild_failed", pool="hpc_demo")
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        table = app.main_screen.pane("pools").table
        pool = next(p for p in app.data.pools if p.name == "hpc_demo")
        assert table.model.cell(pool, POOL_COLUMNS[4]) == "Degraded (rebuild failed)"
        app.jump("pools", "hpc_demo")
        await pilot.press("enter")
        screen = await wait_screen(pilot, app, "DetailScreen")
        body = screen.query_one("#body")
        await wait_for(pilot, lambda: "Rebuild" in plain(body.content), what="the pool query")
        shown = plain(body.content)
        assert "failed: DER_NOSPACE(-1007): No space on storage target" in shown
        assert "Engines (ranks)" in shown and "enabled 0-126, disabled 127" in shown
        assert "Rebuild failed (DER_NOSPACE)" in shown


async def test_container_detail_runs_its_commands_concurrently(demo_session, demo_dir) -> None:
    """Issue 15 item 21: under latency `query`, `get-prop` and `list-snap` all start before any ends
    (read from the command log's start times and durations, not from a stopwatch)."""
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        knobs.set_latency(demo_dir, 1.0, "daos*container*checkpoints*")
        await pilot.press("2", "enter")
        screen = await wait_screen(pilot, app, "DetailScreen")
        await wait_for(pilot, lambda: not screen.query_one("#loading").display, what="the detail")
        ran = {
            r.argv[3]: r
            for r in demo_session.log.entries()
            if r.argv[:3] == ("daos", "-j", "container") and r.argv[-1] == "checkpoints"
        }
        assert {"query", "get-prop", "list-snap"} <= set(ran)
        results = [ran["query"], ran["get-prop"], ran["list-snap"]]
        assert all(r.duration >= 1.0 for r in results)  # the latency applied to each
        last_start = max(r.started_at for r in results)
        first_end = min(r.started_at + r.duration for r in results)
        assert last_start < first_end


async def test_container_created_now_shows_todays_date(demo_session) -> None:
    """The simulator encodes HLCs as DAOS does (2021 epoch, 1/16 ns): a new container reads as today."""
    before = datetime.now(UTC).date()
    result = await demo_session.transport.run(
        ["daos", "container", "create", "--type", "POSIX", "hpc_demo", "fresh"], timeout=30
    )
    assert result.ok, result.stderr
    after = datetime.now(UTC).date()
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await wait_for(
            pilot, lambda: app.data.container("hpc_demo", "fresh") is not None, what="fresh listed"
        )
        assert app.main_screen.pane("containers").table.move_cursor_to_key(
            app.data.container("hpc_demo", "fresh").uuid
        )
        await pilot.press("2", "enter")
        screen = await wait_screen(pilot, app, "DetailScreen")
        await wait_for(pilot, lambda: not screen.query_one("#loading").display, what="the detail")
        shown = plain(screen.query_one("#body").content)
        opened = next(line for line in shown.splitlines() if "Last opened" in line)
        assert any(str(day) in opened for day in {before, after}), opened


async def test_independent_commands_fail_only_after_all_have_ended() -> None:
    """`all_of`: the first failure is raised once the others are done (no command left running)."""
    ended: list[str] = []

    async def slow() -> int:
        await asyncio.sleep(0.05)
        ended.append("slow")
        return 1

    async def failing() -> int:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await all_of(slow(), failing())
    assert ended == ["slow"]
    assert await all_of(slow(), slow()) == [1, 1]
