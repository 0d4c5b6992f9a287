"""`daos` output parsers against the real-format samples of daos-cli.md / aurora-daos.md.

Each test pins concrete values (bytes, percentages, flags) read off a sample, so a format
detail the parser gets wrong (trailing spaces, unindented lines, SI vs IEC units) shows up here
and not as a wrong number in the console.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path

import pytest

from daostui.core.errors import ParseError, ValidationError
from daostui.daos import parse
from daostui.daos.labels import MAX_LABEL, is_valid_label, label_problem, validate_label

FIXTURES = Path(__file__).parent / "fixtures" / "daos"


def fixture(name: str) -> str:
    with open(FIXTURES / name, newline="") as fh:
        return fh.read()


# ---------------------------------------------------------------------- sizes, DER codes, envelope
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.0 TB", 3_000_000_000_000),
        ("96 TB", 96_000_000_000_000),
        ("644 MB", 644_000_000),
        ("6.5 GB", 6_500_000_000),
        ("1.0 MiB", 1_048_576),
        ("4.0 KiB", 4096),
        ("128 KiB", 131_072),
        ("32 KiB", 32_768),
        ("2.0 MiB", 2_097_152),
        ("2097152", 2_097_152),
        ("0 B", 0),
        ("  200 TB  ", 200_000_000_000_000),
    ],
)
def test_parse_size_units(text: str, expected: int) -> None:
    """humanize.Bytes is SI (`TB` = 10^12) and IBytes is IEC (`MiB`); mixing them up is a 10% error."""
    assert parse.parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "TB", "1.2.3 GB", "12 XB", "-5 GB", "1e400 TB", "9" * 400 + " PB"])
def test_parse_size_rejects_non_sizes(text: str) -> None:
    """Garbage in a size cell is a ParseError, never a ValueError/OverflowError."""
    with pytest.raises(ParseError):
        parse.parse_size(text)


def test_parse_der_from_error_lines() -> None:
    """The DER name/code drive the hints; they appear inside wrapped error chains and log lines."""
    assert parse.parse_der(fixture("stderr_log_line.txt")) == ("DER_UNREACH", -1006)
    assert parse.parse_der(
        "ERROR: daos: failed to connect to pool nosuch: "
        "DER_NONEXIST(-1005): The specified entity does not exist"
    ) == ("DER_NONEXIST", -1005)
    assert parse.parse_der(
        "ERROR: daos: failed to create container: DER_EXIST(-1004): Entity already exists"
    ) == (
        "DER_EXIST",
        -1004,
    )
    assert parse.parse_der("dfuse_cont_open() failed: DER_RF(-2031): 'Failures exceed RF'") == (
        "DER_RF",
        -2031,
    )
    assert parse.parse_der('ERROR: daos: invalid label "my cont"') == ("", None)
    assert parse.parse_der("") == ("", None)


def test_envelope_error() -> None:
    """A failed `daos -j` still prints the envelope: response null, the message, the DER status."""
    response, error, status = parse.parse_envelope(fixture("envelope_error.json"))
    assert response is None
    assert error == "failed to initialize DAOS API: DER_UNREACH(-1006): Unreachable node"
    assert status == -1006
    assert parse.parse_der(error) == ("DER_UNREACH", -1006)


def test_envelope_null_success() -> None:
    """destroy/set-prop print a null-response envelope with status 0 on success."""
    assert parse.parse_envelope(fixture("envelope_null.json")) == (None, None, 0)


def test_envelope_with_stderr_mixed_in_is_refused() -> None:
    """stdout and stderr interleaved is not JSON: the client must parse stdout alone (daos-cli.md §1.2)."""
    with pytest.raises(ParseError):
        parse.parse_envelope(fixture("envelope_error_with_stderr.txt"))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        '{"response": null}',
        '{"response": 1, "status": "x"}',
        '{"response":1,"error":5,"status":0}',
    ],
)
def test_envelope_malformed(text: str) -> None:
    """Anything but the three-key envelope is a ParseError (the client then tries the text fallback)."""
    with pytest.raises(ParseError):
        parse.parse_envelope(text)


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


# ---------------------------------------------------------------------- properties
def test_get_prop_text_all_keys() -> None:
    """Health, rd_fac and the ACL are what the doctor reads; `(key)` suffixes name the rows."""
    props = parse.properties_from_text(fixture("get_prop.txt"))
    assert len(props.items) == 24
    assert props.health == "HEALTHY" and not props.unclean
    assert props.rd_fac == 3
    assert props.acl == ["A::OWNER@:rwdtTaAo", "A:G:GROUP@:rwtT"]
    assert props.label == "mycont"
    assert props.owner == "jdoe@"
    assert props.layout == "POSIX"
    assert props.get("ec_cell_sz") == "128 KiB"
    assert props.get("rd_lvl") == "node (2)"
    assert props.get("cksum") == "crc32"
    assert props.get("rp_pda") == "4294967295"
    descriptions = {p.name: p.description for p in props.items}
    assert descriptions["ec_pda"] == "Performance domain affinity level of EC"
    assert descriptions["status"] == "Health"


def test_get_prop_text_unclean() -> None:
    """UNCLEAN after a loss of redundancy is the state dfuse then fails with DER_RF."""
    props = parse.properties_from_text(fixture("get_prop_unclean.txt"))
    assert props.health == "UNCLEAN" and props.unclean


def test_get_prop_text_alcf_acl_row() -> None:
    """ALCF's doc row shows three ACEs separated by `, `."""
    text = (
        "Properties for container c\n"
        "Name                      Value                                            \n"
        "----                      -----                                            \n"
        "Access Control List (acl) A::OWNER@:rwdtTaAo, A::pkcoff@:r, A:G:GROUP@:rwtT \n"
        "Health (status)           UNCLEAN                                          \n"
    )
    props = parse.properties_from_text(text)
    assert props.acl == ["A::OWNER@:rwdtTaAo", "A::pkcoff@:r", "A:G:GROUP@:rwtT"]
    assert props.unclean


def test_get_prop_text_bad_name_is_refused() -> None:
    """A Name cell without `(key)` means a layout we do not know (e.g. the stale doc samples)."""
    with pytest.raises(ParseError):
        parse.properties_from_text("Name  Value\n----  -----\nLabel mycont\n")


def test_get_prop_json() -> None:
    """JSON values are numbers for sizes and a list for the ACL."""
    response, _, _ = parse.parse_envelope(fixture("get_prop.json"))
    props = parse.properties_from_json(response)
    assert props.get("ec_cell_sz") == 131_072
    assert props.get("alloc_oid") == 0
    assert props.rd_fac == 3
    assert props.health == "HEALTHY"
    assert props.acl == ["A::OWNER@:rwdtTaAo", "A:G:GROUP@:rwtT"]
    assert parse.properties_from_json(None).items == []
    with pytest.raises(ParseError):
        parse.properties_from_json([{"name": "x", "value": {"a": 1}}])


# ---------------------------------------------------------------------- autotest, checks, copy, version
def test_autotest_all_passed() -> None:
    """Step numbers, timings and the IO/sec comment of the tutorial sample."""
    result = parse.autotest_from_text(fixture("autotest.txt"))
    assert result.passed
    assert result.summary == "All steps passed."
    assert [s.step for s in result.steps] == [0, 1, 2, 20, 99]
    assert result.steps[1].operation == "Connecting to pool"
    assert result.steps[1].seconds == pytest.approx(0.012)
    assert result.steps[3].comment == "60.80K IO/sec"
    assert result.steps[3].seconds == pytest.approx(30.004)


def test_autotest_failure() -> None:
    """A FAIL step makes the result failed and is named in the summary."""
    text = fixture("autotest.txt").replace(
        "Creating containers        PASS", "Creating containers        FAIL"
    )
    text = text.replace("All steps passed.", "")
    result = parse.autotest_from_text(text)
    assert not result.passed
    assert "Creating containers" in result.summary
    with pytest.raises(ParseError):
        parse.autotest_from_text("ERROR: daos: DER_NONEXIST(-1005): The specified entity does not exist\n")


def test_container_check() -> None:
    """`daos container check` counts (real Aurora capture)."""
    result = parse.container_check_from_text(fixture("cont_check.txt"))
    assert (result.checked, result.skipped, result.inconsistent) == (2, 0, 0)
    assert result.run_time == "1 seconds"
    with pytest.raises(ParseError):
        parse.container_check_from_text("checked: ²\n")


def test_fs_check() -> None:
    """Healthy `daos fs check` ends with zero leaked OIDs."""
    result = parse.fs_check_from_text(fixture("fs_check.txt"))
    assert result.leaked_oids == 0
    assert parse.fs_check_from_text("DFS checker: Start (x)\n").leaked_oids is None
    with pytest.raises(ParseError):
        parse.fs_check_from_text("something else")


def test_fs_copy_text_and_json() -> None:
    """`daos fs copy` counts from the text and the JSON `copy_stats`."""
    result = parse.fs_copy_from_text(fixture("fs_copy.txt"))
    assert (result.destination_kind, result.destination) == ("DAOS", "daos://pool/cont/dir")
    assert (result.dirs, result.files, result.links) == (3, 120, 0)
    js = parse.fs_copy_from_json(
        {
            "src_pool": "p",
            "src_cont": "c",
            "dst_pool": "",
            "dst_cont": "",
            "copy_stats": {"num_dirs": 3, "num_files": 120, "num_links": 0},
        },
        "/lus/flare/projects/p/x",
    )
    assert (js.destination_kind, js.destination, js.dirs, js.files, js.links) == (
        "POSIX",
        "/lus/flare/projects/p/x",
        3,
        120,
        0,
    )
    with pytest.raises(ParseError):
        parse.fs_copy_from_text("failed to copy a -> b: DER_NOSPACE(-1007): No space on storage target")


def test_version() -> None:
    """`daos version` runs without an agent; both parts are shown."""
    version = parse.version_from_text(fixture("version.txt"))
    assert (version.version, version.libdaos) == ("2.6.4", "2.7.0")
    assert parse.version_from_text("DAOS CLI version 2.6.4-g1234abc\n").version == "2.6.4-g1234abc"
    with pytest.raises(ParseError):
        parse.version_from_text("")


# ---------------------------------------------------------------------- labels (daos-cli.md §4)
@pytest.mark.parametrize(
    "label", ["this:is_a_valid-label.", "x" * MAX_LABEL, "LLM-GPT-1T", "ior_1", "a", "A.b:c-d_9"]
)
def test_valid_labels(label: str) -> None:
    """The DAOS unit-test examples and real container names are accepted."""
    assert is_valid_label(label)
    assert label_problem(label) is None
    validate_label(label)


@pytest.mark.parametrize(
    ("label", "rule", "words"),
    [
        ("", "length", "empty"),
        ("x" * (MAX_LABEL + 1), "length", "127"),
        ("my cont", "allowed characters", "space"),
        ("bad name!", "allowed characters", "space"),
        ("a/b", "allowed characters", "'/'"),
        ("tab\there", "allowed characters", "tab"),
        ("ok\n", "allowed characters", "newline"),
        ("é", "allowed characters", "letters, digits"),
        ("6e0f0253-8cb3-494b-81df-439e7ba89b75", "not a UUID", "UUID"),
        ("6E0F0253-8CB3-494B-81DF-439E7BA89B75", "not a UUID", "UUID"),
    ],
)
def test_invalid_labels_name_the_rule(label: str, rule: str, words: str) -> None:
    """Each DAOS label rule is refused before a command runs, with a message naming that rule."""
    assert not is_valid_label(label)
    problem = label_problem(label, "pool")
    assert problem is not None and words in problem and "pool" in problem
    with pytest.raises(ValidationError) as info:
        validate_label(label)
    assert info.value.rule == rule
    assert info.value.field == "label"


def test_uuid_like_without_dashes_is_a_label() -> None:
    """Only the dashed 36-char form is a UUID to DAOS; 32 hex digits are a fine label."""
    assert is_valid_label("6e0f02538cb3494b81df439e7ba89b75")
