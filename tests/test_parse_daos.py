"""`daos` output parsers against the real-format samples of daos-cli.md / aurora-daos.md.

Each test pins concrete values (bytes, percentages, flags) read off a sample, so a format
detail the parser gets wrong (trailing spaces, unindented lines, SI vs IEC units) shows up here
and not as a wrong number in the console.
"""

from __future__ import annotations

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
