"""Container parsers: list, create/query (HLC times in every form DAOS prints), snapshots.

Fixtures are DAOS's own printer tests and real captures (provenance in tests/fixtures/README.md).
"""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from daostui.core.errors import ParseError
from daostui.daos import parse
from tests.test_parse_daos import fixture


# ---------------------------------------------------------------------- containers
def test_cont_list_text_and_json() -> None:
    """Container list: text table with trailing spaces, tutorial copy without, and JSON agree."""
    refs = parse.containers_from_text(fixture("cont_list.txt"))
    assert [(r.uuid, r.label) for r in refs] == [
        ("64125a7c-4750-4ef1-bd02-af04c8b246a8", "LLM-GPT-1T"),
        ("22677585-b8f1-4616-b73b-375f91674a94", "ior_1"),
        ("d106b9f3-2f78-4699-8f10-dc285d134da5", "softwares"),
    ]
    assert parse.containers_from_text(fixture("cont_list_tutorial.txt")) == refs[:2]
    response, _, _ = parse.parse_envelope(fixture("cont_list.json"))
    assert parse.containers_from_json(response) == refs[:1]
    assert parse.containers_from_json(None) == []
    assert parse.containers_from_text("No containers.\n") == []


def test_cont_create_text() -> None:
    """Create prints the success line first, then the entity block padded with trailing spaces."""
    for name in ("cont_create.txt", "cont_create_tutorial.txt"):
        info = parse.container_info_from_text(fixture(name))
        assert info.uuid == "6e0f0253-8cb3-494b-81df-439e7ba89b75"
        assert info.label == "test_container"
        assert info.type == "POSIX"


def test_cont_create_success_line_only() -> None:
    """Old clients / `--path`: only the success line carries the UUID."""
    info = parse.container_info_from_text("Successfully created container 6e0f0253-8cb3 type POSIX\n")
    assert info.uuid == "6e0f0253-8cb3"


def test_cont_query_text_and_json_agree() -> None:
    """HLC times exceed 2^53 and must stay exact ints; chunk size `1.0 MiB` is 1048576."""
    text = parse.container_info_from_text(fixture("cont_query.txt"))
    response, _, _ = parse.parse_envelope(fixture("cont_query.json"))
    js = parse.container_info_from_json(response)
    assert text == js
    assert js.uuid == "e7d81524-f777-482b-b585-c1481b18d230"
    assert js.pool_uuid == "ddf007ff-63e5-40e0-9a24-0057fb277599"
    assert (js.label, js.type, js.redundancy_factor, js.num_handles) == ("test", "POSIX", 1, 2)
    assert js.open_time == 0x1B403CD19BE40005 == 1963636308494778373
    assert js.close_modify_time == 1963636315166605315
    assert js.object_class == js.dir_object_class == js.file_object_class == "RP_2GX"
    assert js.chunk_size == 1_048_576


def test_cont_query_hlc_times_decode_to_the_printed_date() -> None:
    """The text sample prints `0x1b403cd19be40005 (2024-11-21 18:54:29.280923648 +0800 CST)`."""
    info = parse.container_info_from_text(fixture("cont_query.txt"))
    opened = info.opened_at
    assert opened is not None
    assert (
        opened.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S") == "2024-11-21 18:54:29"
    )


def test_cont_query_text_without_uuid_is_refused() -> None:
    with pytest.raises(ParseError):
        parse.container_info_from_text("Properties were successfully set\n")


# ---------------------------------------------------------------------- HLC times and snapshots
CST = timezone(timedelta(hours=8))


def test_hlc_decoding_is_daos_own() -> None:
    """gurt/hlc.c: hlc / 16 ns + 2021-01-01, no masking; the sample prints .280923648 exactly."""
    from daostui.daos.hlc import hlc_to_unix_ns, unix_ns_to_hlc

    assert hlc_to_unix_ns(0x1B403CD19BE40005) == 1_732_186_469_280_923_648
    assert hlc_to_unix_ns(0) == 1_609_459_200 * 10**9
    assert unix_ns_to_hlc(1_732_186_469_280_923_648) == 0x1B403CD19BE40000  # the logical bits are gone
    assert unix_ns_to_hlc(0) == 0  # before 2021: DAOS's "impossible" value


def test_cont_query_26_latest_snapshot_and_hints() -> None:
    """`Latest Persistent Snapshot : %#x (%s)` and `Hints` rows of 2.6's printContainerInfo."""
    info = parse.container_info_from_text(fixture("cont_query_snapshot.txt"))
    assert (info.num_snapshots, info.latest_snapshot) == (2, 0x1B403CD28F240000)
    taken = info.latest_snapshot_at
    assert taken is not None
    assert taken.astimezone(CST).isoformat() == "2024-11-21T18:54:29.535989+08:00"
    assert info.hints == "dir:single,file:max"
    assert info.open_time == 0x1B403CD19BE40005


def test_cont_query_28_text_json_agree_with_26() -> None:
    """2.8 prints `%s (%#x)` and its JSON carries Go time strings: the same HLCs come back."""
    text26 = parse.container_info_from_text(fixture("cont_query_snapshot.txt"))
    text28 = parse.container_info_from_text(fixture("cont_query_28.txt"))
    response, _, _ = parse.parse_envelope(fixture("cont_query_28.json"))
    js28 = parse.container_info_from_json(response)
    hlcs = (text26.open_time, text26.close_modify_time, text26.latest_snapshot)
    assert (text28.open_time, text28.close_modify_time, text28.latest_snapshot) == hlcs
    # the string form is exact to the nanosecond: only the sub-ns low 4 bits are gone
    assert (js28.open_time, js28.close_modify_time, js28.latest_snapshot) == tuple(h & ~0xF for h in hlcs)
    assert js28.health == "HEALTHY" and text26.health == ""
    opened = js28.opened_at
    assert opened is not None and opened.astimezone(CST).strftime("%H:%M:%S.%f") == "18:54:29.280923"


def test_cont_query_json_bad_time_is_refused() -> None:
    with pytest.raises(ParseError):
        parse.container_info_from_json({"container_uuid": "u", "open_time": "yesterday"})


def test_cont_query_zero_times_are_never() -> None:
    """DAOS leaves otime at 0 until a non-stat open: shown as "never", not as 2021-01-01."""
    info = parse.container_info_from_json({"container_uuid": "u", "open_time": 0, "latest_snapshot": 0})
    assert (info.opened_at, info.latest_snapshot_at) == (None, None)


def test_list_snap_json_and_text_agree() -> None:
    """`list-snap`: `0x<epoch> <name>` lines (name may be empty) and the JSON list."""
    response, _, _ = parse.parse_envelope(fixture("list_snap.json"))
    from_json = parse.snapshots_from_json(response)
    from_text = parse.snapshots_from_text(fixture("list_snap.txt"))
    assert from_json == from_text
    assert [(s.epoch, s.name) for s in from_text] == [
        (0x1B403CD1F4A40000, "before-run"),
        (0x1B403CD28F240000, ""),
    ]
    taken = from_text[0].taken_at
    assert taken is not None and taken.astimezone(CST).strftime("%H:%M:%S.%f")[:12] == "18:54:29.373"
    assert parse.snapshots_from_text(fixture("list_snap_none.txt")) == []
    assert parse.snapshots_from_json([]) == []
    with pytest.raises(ParseError):
        parse.snapshots_from_text("Properties were successfully set\n")
