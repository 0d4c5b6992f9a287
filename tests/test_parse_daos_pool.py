"""`daos pool list` / `daos pool query` parsers: 2.6 (Aurora) and 2.8 layouts, JSON and text.

Fixtures are DAOS's own printer tests and real captures (provenance in tests/fixtures/README.md).
"""

from __future__ import annotations

import pytest

from daostui.core.errors import ParseError
from daostui.daos import parse
from tests.test_parse_daos import fixture


# ---------------------------------------------------------------------- pools
def test_pool_list_text_observed_aurora() -> None:
    """The one captured `daos pool list` from Aurora: degraded, 96 TB, 11% used, 32 of 4096 targets off."""
    (pool,) = parse.pools_from_text(fixture("pool_list.txt"))
    assert pool.label == "datascience"
    assert pool.state == "Degraded"
    assert pool.size == 96_000_000_000_000
    assert pool.used_pct == 11
    assert pool.imbalance_pct == 11
    assert (pool.disabled_targets, pool.total_targets) == (32, 4096)
    assert pool.degraded


def test_pool_list_text_two_pools_trailing_blank_line() -> None:
    """Cells like `200 TB` contain a space, so columns must be cut by offsets, not split on blanks."""
    pools = parse.pools_from_text(fixture("pool_list_two.txt"))
    assert [p.label for p in pools] == ["datascience", "hacc"]
    hacc = pools[1]
    assert hacc.state == "Ready"
    assert hacc.size == 200_000_000_000_000
    assert hacc.used_pct == 3
    assert hacc.imbalance_pct == 1
    assert hacc.disabled_targets == 0
    assert not hacc.degraded


def test_pool_list_text_tutorial_without_trailing_spaces() -> None:
    """The tutorial copy of the table lost its trailing spaces; offsets must still work."""
    assert parse.pools_from_text(fixture("pool_list_tutorial.txt")) == parse.pools_from_text(
        fixture("pool_list.txt")
    )


def test_pool_list_text_empty_and_verbose() -> None:
    """`No pools in system` is an empty list; the `-v` layout (not used by the client) is refused cleanly."""
    assert parse.pools_from_text("No pools in system\n") == []
    with pytest.raises(ParseError):
        parse.pools_from_text(fixture("pool_list_verbose.txt"))


def test_pool_query_text_degraded() -> None:
    """Aurora's degraded pool: per-target min free, rebuild done, 4064 of 4096 targets active."""
    pool = parse.pool_from_text(fixture("pool_query_degraded.txt"), "datascience")
    assert pool.label == "datascience"
    assert pool.uuid == "751f934f-9ab3-4611-b10e-4d2fc9ac0129"
    assert (pool.total_targets, pool.disabled_targets, pool.active_targets) == (4096, 32, 4064)
    assert (pool.leader, pool.version) == (190, 67)
    assert pool.state == "Degraded" and pool.degraded
    assert pool.rebuild is not None and pool.rebuild.state == "done"
    assert not pool.rebuilding
    scm, nvme = pool.tiers
    assert (scm.media_type, scm.total, scm.free) == ("scm", 3_000_000_000_000, 2_600_000_000_000)
    assert (scm.min, scm.max, scm.mean) == (644_000_000, 649_000_000, 649_000_000)
    assert (nvme.media_type, nvme.total, nvme.free) == ("nvme", 96_000_000_000_000, 96_000_000_000_000)
    assert (nvme.min, nvme.max, nvme.mean) == (21_000_000_000, 24_000_000_000, 24_000_000_000)
    assert pool.size == 96_000_000_000_000
    assert pool.min_free_per_target == 21_000_000_000
    assert pool.used_pct == 13  # SCM tier: (3.0 - 2.6) / 3.0
    assert pool.servers == 128
    assert not pool.nearly_full


def test_pool_query_text_old_client_unindented_total() -> None:
    """Older clients: no `state=`, an unindented `Total size`, rebuild line last without `- `."""
    pool = parse.pool_from_text(fixture("pool_query_old.txt"))
    assert pool.uuid == "050b20a3-3fcc-499b-a6cf-07d4b80b04fd"
    assert pool.state == "Ready" and not pool.degraded
    assert (pool.leader, pool.version, pool.active_targets) == (2, 131, 640)
    scm, nvme = pool.tiers
    assert scm.total == 6_000_000_000_000  # the unindented line
    assert (scm.free, scm.min, scm.max, scm.mean) == (
        4_400_000_000_000,
        6_500_000_000,
        7_000_000_000,
        6_900_000_000,
    )
    assert (nvme.total, nvme.free) == (200_000_000_000_000, 194_000_000_000_000)
    assert nvme.min == 244_000_000_000
    assert pool.rebuild is not None
    assert (pool.rebuild.state, pool.rebuild.objects, pool.rebuild.records) == ("done", 4, 0)
    assert pool.used_pct == 26  # SCM: (6.0 - 4.4) / 6.0


def test_pool_query_text_rebuild_busy_and_failed() -> None:
    """`Rebuild busy` is what ALCF says to look for; a failed rebuild carries its errno."""
    head = "Pool 751f934f-9ab3-4611-b10e-4d2fc9ac0129, ntarget=8, disabled=1, leader=0, version=3\n"
    busy = parse.pool_from_text(head + "Pool health info:\n- Rebuild busy, 12 objs, 340 recs\n")
    assert busy.rebuilding and busy.degraded and busy.state == "Degraded"
    assert (busy.rebuild.objects, busy.rebuild.records) == (12, 340)  # type: ignore[union-attr]
    failed = parse.pool_from_text(head + "- Rebuild failed, status=-1011\n")
    assert failed.rebuild is not None and (failed.rebuild.state, failed.rebuild.status) == ("failed", -1011)


def test_pool_query_text_without_header_is_refused() -> None:
    """Output without the `Pool <uuid>, ntarget=` line is not a pool query."""
    with pytest.raises(ParseError):
        parse.pool_from_text(fixture("pool_list.txt"))


def test_pool_query_json() -> None:
    """The JSON form gives the same pool as the text, plus the imbalance from `usage`."""
    response, error, status = parse.parse_envelope(fixture("pool_query.json"))
    assert (error, status) == (None, 0)
    pool = parse.pool_from_json(response, "datascience")
    text_pool = parse.pool_from_text(fixture("pool_query_degraded.txt"), "datascience")
    assert pool.tiers == text_pool.tiers
    assert pool.rebuild == text_pool.rebuild
    assert (pool.uuid, pool.state, pool.active_targets, pool.disabled_targets) == (
        "751f934f-9ab3-4611-b10e-4d2fc9ac0129",
        "Degraded",
        4064,
        32,
    )
    assert (pool.leader, pool.version) == (190, 67)
    assert pool.imbalance_pct == 12
    assert pool.label == "datascience"


def test_pool_list_json() -> None:
    """`daos -j pool list`: labels, a degraded pool, a rebuilding one; `-n` and no pools."""
    response, _, _ = parse.parse_envelope(fixture("pool_list.json"))
    datascience, hacc = parse.pools_from_json(response)
    assert (datascience.label, datascience.state, datascience.disabled_targets) == (
        "datascience",
        "Degraded",
        32,
    )
    assert datascience.degraded and not datascience.rebuilding
    assert datascience.size == 96_000_000_000_000
    assert (hacc.label, hacc.state, hacc.size, hacc.free) == ("hacc", "Ready", 200 * 10**12, 194 * 10**12)
    assert hacc.rebuilding and not hacc.degraded
    assert hacc.min_free_per_target == 244_000_000_000
    assert (datascience.imbalance_pct, hacc.imbalance_pct) == (12, 1)  # max over the `usage` tiers
    (bare,) = parse.pools_from_json(parse.parse_envelope(fixture("pool_list_noquery.json"))[0])
    assert (bare.label, bare.state, bare.tiers, bare.rebuild, bare.size) == (
        "datascience",
        "Ready",
        [],
        None,
        0,
    )
    assert parse.pools_from_json(parse.parse_envelope(fixture("pool_list_empty.json"))[0]) == []


def test_pools_from_json_list_shapes() -> None:
    """`pool list -j`: `pools` may be null; labels come from each entry."""
    assert parse.pools_from_json(None) == []
    assert parse.pools_from_json({"pools": None}) == []
    pools = parse.pools_from_json(
        {"pools": [{"label": "hacc", "uuid": "u", "state": "Ready", "rebuild": {"status": -1011}}]}
    )
    assert pools[0].label == "hacc"
    assert pools[0].rebuild is not None and pools[0].rebuild.state == "failed"
    with pytest.raises(ParseError):
        parse.pools_from_json({"pools": "nope"})
    with pytest.raises(ParseError):
        parse.pool_from_json({"total_targets": "--5"})


# ---------------------------------------------------------------------- pool detail (DAOS's printer tests)
MOCK_UUID = "00000001-0001-0001-0001-000000000001"


def test_pool_query_26_ranks_and_layout_out_of_date() -> None:
    """`-e`, `-b` and `-t` rank lines and the layout line of 2.6's PrintPoolInfo tests."""
    enabled = parse.pool_from_text(fixture("pool_query_26_enabled_ranks.txt"))
    assert enabled.uuid == MOCK_UUID
    assert (enabled.enabled_ranks, enabled.disabled_ranks, enabled.dead_ranks) == ([0, 1, 2], None, None)
    assert (enabled.pool_layout_ver, enabled.upgrade_layout_ver) == (1, 2)
    assert enabled.layout_out_of_date
    assert enabled.rebuild is not None and enabled.rebuild.summary == "busy, 42 objs, 21 recs"
    assert enabled.rebuilding and enabled.rebuild.running and not enabled.rebuild_failed
    assert [t.media_type for t in enabled.tiers] == ["scm", "nvme"] and enabled.active_targets == 1

    disabled = parse.pool_from_text(fixture("pool_query_26_disabled_ranks.txt"))
    assert (disabled.enabled_ranks, disabled.disabled_ranks) == (None, [0, 1, 3])

    health = parse.pool_from_text(fixture("pool_query_26_dead_ranks.txt"))  # `-t`: no space info
    assert (health.disabled_ranks, health.dead_ranks, health.tiers) == ([0, 1, 3], [2], [])


def test_pool_query_26_rebuild_failed_and_no_status() -> None:
    """2.6 prints `- Rebuild failed, status=N` (no state) and `- No rebuild status available.`."""
    failed = parse.pool_from_text(fixture("pool_query_26_rebuild_failed.txt"))
    assert failed.rebuild is not None
    assert (failed.rebuild.state, failed.rebuild.status, failed.rebuild.reported_state) == ("failed", 2, "")
    assert failed.rebuild_failed and not failed.rebuilding
    assert failed.rebuild.summary == "failed (status=2)"
    assert len(failed.tiers) == 2  # the space lines after the rebuild line are still read
    empty = parse.pool_from_text(fixture("pool_query_26_empty.txt"))
    assert (empty.state, empty.rebuild, empty.layout_out_of_date) == ("Creating", None, False)


@pytest.mark.parametrize(
    ("name", "state", "reported", "status", "degraded"),
    [
        ("pool_query_28_failing.txt", "failing", "busy", -2, True),
        ("pool_query_28_failed.txt", "failed", "done", -1, True),
        ("pool_query_28_stopped.txt", "stopped", "done", -2027, True),
        ("pool_query_28_done.txt", "done", "done", 0, False),
    ],
)
def test_pool_query_28_rebuild_lines(
    name: str, state: str, reported: str, status: int, degraded: bool
) -> None:
    """2.8: `- Rebuild <derived> (state=<raw>, status=<n>)` and `- Data redundancy: degraded|normal`."""
    pool = parse.pool_from_text(fixture(name))
    rebuild = pool.rebuild
    assert rebuild is not None
    assert (rebuild.state, rebuild.reported_state, rebuild.status, rebuild.degraded) == (
        state,
        reported,
        status,
        degraded,
    )
    assert pool.redundancy_degraded is degraded
    assert pool.rebuild_failed is (state in ("failed", "failing"))


def test_pool_query_28_targets_excluded_layout() -> None:
    """2.8 says `TargetsExcluded` (2.6 `Degraded`), `- Target count:` and `(NVME)`."""
    pool = parse.pool_from_text(fixture("pool_query_28_failing.txt"))
    assert pool.state == "TargetsExcluded" and pool.degraded
    assert pool.active_targets == 1
    assert [(t.media_type, t.total, t.free) for t in pool.tiers] == [("scm", 2, 1), ("nvme", 2, 1)]
    assert pool.rebuild is not None and pool.rebuild.summary == "failing (state=busy, status=-2)"


def test_pool_query_28_md_on_ssd() -> None:
    """MD-on-SSD: memory-file size, `- Metadata storage:` / `- Data storage:` as tiers 0 and 1."""
    pool = parse.pool_from_text(fixture("pool_query_28_mdonssd.txt"))
    assert pool.md_on_ssd_active and pool.mem_file_bytes == 1_100_000_000
    assert [(t.media_type, t.total, t.free) for t in pool.tiers] == [("scm", 2, 1), ("nvme", 4, 2)]
    assert pool.size == 4


def test_pool_query_json_26_failed_rebuild_with_disabled_ranks() -> None:
    """2.6 JSON of a failed rebuild: raw state left `idle`, status the errno, counters 0; `-b` ranks."""
    response, _, _ = parse.parse_envelope(fixture("pool_query_rebuild_failed.json"))
    pool = parse.pool_from_json(response, "datascience")
    rebuild = pool.rebuild
    assert rebuild is not None
    assert (rebuild.state, rebuild.reported_state, rebuild.status) == ("failed", "idle", -2001)
    assert rebuild.degraded is None  # 2.6 does not report data redundancy
    assert pool.rebuild_failed and pool.disabled_ranks == [17] and pool.enabled_ranks is None
    assert (pool.query_mask, pool.total_engines, pool.version) == ("disabled_engines,rebuild,space", 128, 68)
    assert not pool.layout_out_of_date


def test_pool_query_json_26_rebuild_progress() -> None:
    """`total_objects` gives the rebuild's progress (objects rebuilt of objects to rebuild)."""
    response, _, _ = parse.parse_envelope(fixture("pool_query_rebuild_busy.json"))
    pool = parse.pool_from_json(response)
    assert pool.rebuilding and pool.rebuild is not None
    assert (pool.rebuild.objects, pool.rebuild.records, pool.rebuild.total_objects) == (1830, 52711, 4096)
    assert pool.rebuild.progress == pytest.approx(1830 / 4096)
    assert pool.disabled_ranks is None  # not asked for: unknown, not "none"


def test_pool_query_json_28() -> None:
    """2.8 JSON: derived state, redundancy, label and service ranks from the query, layout versions."""
    response, _, _ = parse.parse_envelope(fixture("pool_query_28_failed.json"))
    pool = parse.pool_from_json(response)
    assert (pool.label, pool.state, pool.degraded) == ("datascience", "TargetsExcluded", True)
    rebuild = pool.rebuild
    assert rebuild is not None
    assert (rebuild.state, rebuild.reported_state, rebuild.status, rebuild.degraded) == (
        "failed",
        "done",
        -2001,
        True,
    )
    assert pool.service_replicas == [190, 191, 192] and pool.disabled_ranks == [17]
    assert (pool.pool_layout_ver, pool.upgrade_layout_ver, pool.layout_out_of_date) == (3, 4, True)
    assert (pool.md_on_ssd_active, pool.mem_file_bytes, pool.self_heal_policy) == (False, 0, "")
    assert pool.imbalance_pct == 12


@pytest.mark.parametrize(
    ("value", "ranks"),
    [([0, 1, 3], [0, 1, 3]), ([], []), ("[0-1,3]", [0, 1, 3]), ("0-2", [0, 1, 2]), ("", []), (None, None)],
)
def test_rank_sets_arrays_and_ranged_strings(value: object, ranks: list[int] | None) -> None:
    """Rank sets are JSON arrays from `daos`; a 2.8 dmg capture shows a ranged string: both are read."""
    assert parse.pool_from_json({"uuid": "u", "disabled_ranks": value}).disabled_ranks == ranks


@pytest.mark.parametrize("value", ["0-x", "5-2", "0-99999999", [1, "a"], {"a": 1}])
def test_rank_sets_garbage_is_refused(value: object) -> None:
    with pytest.raises(ParseError):
        parse.pool_from_json({"uuid": "u", "dead_ranks": value})


def test_pool_list_text_upgrade_needed_column() -> None:
    """`pool list` adds `UpgradeNeeded?` (`1->2` or `None`) when some pool's layout is out of date."""
    text = (
        "Pool Size   State Used Imbalance Disabled UpgradeNeeded? \n"
        "---- ----   ----- ---- --------- -------- -------------- \n"
        "one  6.0 TB Ready 16%  8%        0/16     1->2           \n"
        "two  6.0 TB Ready 16%  8%        0/16     None           \n\n"
    )
    one, two = parse.pools_from_text(text)
    assert (one.pool_layout_ver, one.upgrade_layout_ver, one.layout_out_of_date) == (1, 2, True)
    assert not two.layout_out_of_date


def test_rebuild_state_derivation_follows_daos_28() -> None:
    """2.8's UpdateRebuildStatus: idle/done + error → failed (idle + canceled → stopped), busy → failing/stopping."""
    from daostui.daos.models import derive_rebuild_state

    assert derive_rebuild_state("idle", -1003) == "failed"
    assert derive_rebuild_state("idle", -2027) == "stopped"
    assert derive_rebuild_state("done", -2027) == "failed"
    assert derive_rebuild_state("busy", -1003) == "failing"
    assert derive_rebuild_state("busy", -2027) == "stopping"
    assert derive_rebuild_state("busy", 0) == "busy"


def test_der_status_descriptions() -> None:
    """A rebuild status is a bare number: the table says what DAOS would print for it."""
    from daostui.daos.errno import der_name, describe_status

    assert describe_status(-2001) == "DER_IO(-2001): I / O error"
    assert describe_status(-1005) == "DER_NONEXIST(-1005): The specified entity does not exist"
    assert describe_status(-2027) == "DER_OP_CANCELED(-2027): Operation canceled"
    assert describe_status(-7) == "DER_UNKNOWN(-7): Unknown error code -7"
    assert (der_name(0), der_name(-2031)) == ("DER_SUCCESS", "DER_RF")


def test_format_ranks_as_daos_prints_them() -> None:
    """The UI shows rank sets as DAOS prints them (`0-1,3`), the simulator too."""
    from daostui.daos.models import format_ranks
    from daostui.sim.daos_pool_cmds import format_ranks as sim_format_ranks

    for ranks, text in (
        ([0, 1, 3], "0-1,3"),
        ([0, 1, 2], "0-2"),
        ([2], "2"),
        ([5, 0, 1, 2, 7, 8], "0-2,5,7-8"),
    ):
        assert format_ranks(ranks) == sim_format_ranks(ranks) == text
    assert format_ranks(None) == format_ranks([]) == ""
