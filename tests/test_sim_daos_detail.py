"""The simulated `daos` prints pool and container detail as DAOS does, and the console reads it back.

HLC encoding (gurt/hlc.c), Go's time printing, the imbalance formula (lib/daos/pool.go
calcImbalance), the query flags and the rebuild fault are checked against DAOS's rules, not against
the simulator's own output: a simulator that drifts from DAOS fails here.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from daostui.daos import parse
from daostui.daos.hlc import hlc_to_unix_ns
from daostui.sim import knobs
from tests.test_sim_daos import run

HLC_ROW = re.compile(r"^  (Latest [^:]+?)\s+: (0x[0-9a-f]+) \((.+?)\)\s*$")


def _go_time(unix_ns: int) -> str:
    """Go's time.Time.String() in UTC (the tests' zone): nanoseconds with trailing zeros trimmed."""
    seconds, nanos = divmod(unix_ns, 10**9)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return stamp + ("." + f"{nanos:09d}".rstrip("0") if nanos else "") + " +0000 UTC"


def test_new_container_times_are_now_in_daos_hlc(demo_dir: Path) -> None:
    """A container created now shows today's date (the old simulator's Unix-ns values read as 2024)."""
    before = time.time_ns()
    assert (
        run(demo_dir, "daos", "container", "create", "--type", "POSIX", "hpc_demo", "fresh").returncode == 0
    )
    after = time.time_ns()
    query = run(demo_dir, "daos", "container", "query", "hpc_demo", "fresh")
    rows = {
        m.group(1): (int(m.group(2), 16), m.group(3))
        for m in map(HLC_ROW.match, query.stdout.splitlines())
        if m
    }
    assert set(rows) == {"Latest open time", "Latest close/modify time"}
    for hlc, printed in rows.values():
        unix_ns = hlc_to_unix_ns(hlc)
        assert before - 2**18 // 16 <= unix_ns <= after  # the physical part is cut to 2^18/16 ns
        assert printed == _go_time(unix_ns)  # exactly Go's String() of d_hlc2unixnsec
    assert rows["Latest open time"][0] < rows["Latest close/modify time"][0]  # dfs opened, then closed it
    js = json.loads(run(demo_dir, "daos", "-j", "container", "query", "hpc_demo", "fresh").stdout)["response"]
    info = parse.container_info_from_json(js)
    assert info.opened_at is not None and abs(info.opened_at.timestamp() - before / 1e9) < 5


def test_go_time_trims_trailing_zeros() -> None:
    from daostui.sim import hlc

    whole = hlc.physical(1_795_000_000 * 10**9)
    assert hlc.go_string(whole) == "2026-11-18 11:06:40 +0000 UTC"  # no fraction at all on a whole second
    assert hlc.go_string(whole + 500_000_000 * 16) == "2026-11-18 11:06:40.5 +0000 UTC"
    assert hlc.iso_string(whole + 250_000_000 * 16) == "2026-11-18T11:06:40.250+00:00"


def test_hlc_is_monotonic_with_a_logical_counter() -> None:
    """d_hlc_get: never behind the last value; within one physical tick the logical bits count up."""
    from daostui.sim import hlc

    data: dict[str, int] = {}
    first = hlc.next_hlc(data, unix_ns=1_795_000_000 * 10**9)
    second = hlc.next_hlc(data, unix_ns=1_795_000_000 * 10**9)
    assert second == first + 1 and first & 0x3FFFF == 0
    assert hlc.next_hlc(data, unix_ns=1_700_000_000 * 10**9) == second + 1  # clock went back: still after


def test_imbalance_is_daos_formula_of_the_tier_stats(demo_dir: Path) -> None:
    """usage[].imbalance = uint32((max-min) / (total/active) * 100) of each tier (calcImbalance)."""
    pools = json.loads(run(demo_dir, "daos", "-j", "pool", "list").stdout)["response"]["pools"]
    for info in pools:
        for tier, usage in zip(info["tier_stats"], info["usage"], strict=True):
            expected = int((tier["max"] - tier["min"]) / (tier["total"] / info["active_targets"]) * 100)
            assert usage["imbalance"] == expected
            assert usage["tier_name"] == tier["media_type"].upper()
    listing = run(demo_dir, "daos", "pool", "list").stdout
    row = next(line for line in listing.splitlines() if line.startswith("datascience"))
    worst = max(u["imbalance"] for u in next(p for p in pools if p["label"] == "datascience")["usage"])
    assert f" {worst}% " in row


def test_pool_query_rank_flags(demo_dir: Path) -> None:
    """-e / -b add a rank set, -t is the health-only query (no space), -e with -b is refused."""
    enabled = run(demo_dir, "daos", "pool", "query", "-e", "datascience").stdout
    assert "- Enabled ranks: 0-126\n" in enabled and "Pool space info:" in enabled
    disabled_js = json.loads(
        run(demo_dir, "daos", "-j", "pool", "query", "--show-disabled", "datascience").stdout
    )
    assert disabled_js["response"]["query_mask"] == "disabled_engines,rebuild,space"
    assert disabled_js["response"]["disabled_ranks"] == [127]
    health = run(demo_dir, "daos", "pool", "query", "-t", "datascience").stdout
    assert "- Disabled ranks: 127\n" in health and "Pool space info:" not in health
    health_js = json.loads(run(demo_dir, "daos", "-j", "pool", "query", "-t", "datascience").stdout)[
        "response"
    ]
    assert health_js["tier_stats"] is None and "usage" not in health_js
    assert health_js["query_mask"] == "dead_engines,disabled_engines,rebuild"
    pool = parse.pool_from_json(health_js, "datascience")
    assert pool.disabled_ranks == [127] and pool.tiers == []
    both = run(demo_dir, "daos", "pool", "query", "-e", "-b", "datascience")
    assert both.returncode == 1
    assert both.stderr == "ERROR: daos: show-enabled and show-disabled can't be used at the same time.\n"


def test_rebuild_failed_knob(demo_dir: Path) -> None:
    """The knob (CLI `--fault rebuild_failed --match POOL`) fails the pool's rebuild as 2.6 reports it."""
    knobs.add_fault(demo_dir, "rebuild_failed", "hpc_demo")
    text = run(demo_dir, "daos", "pool", "query", "hpc_demo").stdout
    assert "- Rebuild failed, status=-1007\n" in text
    assert ", disabled=32, " in text and "state=Degraded" in text  # the engine whose loss started it
    pool = parse.pool_from_text(text, "hpc_demo")
    assert pool.rebuild_failed and pool.rebuild is not None and pool.rebuild.status == -1007
    js = json.loads(run(demo_dir, "daos", "-j", "pool", "query", "hpc_demo").stdout)["response"]
    assert js["rebuild"] == {"status": -1007, "state": "idle", "objects": 0, "records": 0, "total_objects": 0}
    assert parse.pool_from_json(js).rebuild_failed
    # another pool is untouched, and clearing the knob ends it
    assert "- Rebuild done, 0 objs, 0 recs" in run(demo_dir, "daos", "pool", "query", "datascience").stdout
    knobs.clear(demo_dir)
    assert "- Rebuild idle" in run(demo_dir, "daos", "pool", "query", "hpc_demo").stdout


def test_snapshots_latest_and_list(demo_dir: Path) -> None:
    """create-snap / list-snap / destroy-snap; cont query shows the newest as its latest snapshot."""
    made = run(demo_dir, "daos", "container", "create-snap", "hpc_demo", "checkpoints", "--snap", "first")
    epoch = int(re.fullmatch(r"snapshot/epoch (0x[0-9a-f]+) has been created\n", made.stdout).group(1), 16)  # type: ignore[union-attr]
    second = json.loads(run(demo_dir, "daos", "-j", "container", "snap", "hpc_demo", "checkpoints").stdout)
    assert second["response"]["epoch"] > epoch and "name" not in second["response"]
    listing = run(demo_dir, "daos", "container", "list-snap", "hpc_demo", "checkpoints").stdout
    snaps = parse.snapshots_from_text(listing)
    assert [(s.epoch, s.name) for s in snaps] == [(epoch, "first"), (second["response"]["epoch"], "")]
    info = parse.container_info_from_text(
        run(demo_dir, "daos", "container", "query", "hpc_demo", "checkpoints").stdout
    )
    assert (info.num_snapshots, info.latest_snapshot) == (2, second["response"]["epoch"])
    assert info.latest_snapshot_at is not None
    assert (
        run(
            demo_dir, "daos", "container", "destroy-snap", "hpc_demo", "checkpoints", "-s", "first"
        ).returncode
        == 0
    )
    js = json.loads(run(demo_dir, "daos", "-j", "container", "list-snap", "hpc_demo", "checkpoints").stdout)
    assert [s["epoch"] for s in js["response"]] == [second["response"]["epoch"]]
    none = run(demo_dir, "daos", "container", "destroy-snap", "hpc_demo", "checkpoints")
    assert none.stderr == "ERROR: daos: must specify one of snapshot name or epoch or epoch range\n"


async def test_client_reads_the_simulators_detail(demo_session, demo_dir: Path) -> None:
    """Through the console's client: ranks, a failed rebuild, snapshots, today's HLC dates."""
    daos = demo_session.daos
    knobs.add_fault(demo_dir, "rebuild_failed", "datascience", status=-2001)
    pool = await daos.pool_query("datascience", ranks="disabled")
    assert pool.rebuild_failed and pool.rebuild is not None and pool.rebuild.status == -2001
    assert pool.disabled_ranks == [127] and pool.total_engines == 128
    run(demo_dir, "daos", "container", "create-snap", "hpc_demo", "checkpoints", "-s", "nightly")
    snaps = await daos.cont_list_snap("hpc_demo", "checkpoints")
    assert [s.name for s in snaps] == ["nightly"]
    info = await daos.cont_query("hpc_demo", "checkpoints")
    assert info.latest_snapshot == snaps[0].epoch
    taken = info.latest_snapshot_at
    assert taken is not None and abs(taken.timestamp() - time.time()) < 60
