"""Property tests: every parser either returns a result or raises the project's own error.

Tool output reaching the parsers can be anything: a truncated read, a libdaos log line on the
wrong stream, non-UTF-8 bytes decoded with errors='replace', a JSON value of an unexpected type.
The screens catch `DaostuiError` (mainly `ParseError`); any other exception (KeyError, TypeError,
ValueError, IndexError, OverflowError, RecursionError, ...) would crash the console. Inputs are
arbitrary text, the real-format fixtures mutated (cut, spliced with odd characters such as `²`,
`--5`, huge digit runs, random bytes), and the fixtures' JSON with random values swapped in.

Normal run: 200 examples per test (the whole module stays well under 30 s). Long run:

    HYPOTHESIS_PROFILE=slow python -m pytest tests/test_parse_properties.py

(`DAOSTUI_SLOW=1` selects the same 10,000-example profile.)
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daostui.core.errors import DaostuiError
from daostui.daos import labels
from daostui.daos import parse as daos
from daostui.mounts import parse as mounts
from daostui.pbs import jsonrepair
from daostui.pbs import parse as pbs
from daostui.pbs.exitstatus import decode_exit_status
from daostui.pbs.models import Job
from daostui.pbs.walltime import format_walltime, parse_walltime, parse_walltime_value

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    "print_blob": True,
}
settings.register_profile("parsers", max_examples=200, **_COMMON)
settings.register_profile("slow", max_examples=10_000, **_COMMON)
_SLOW = os.environ.get("HYPOTHESIS_PROFILE") == "slow" or os.environ.get("DAOSTUI_SLOW") == "1"
#: Applied per test (not loaded globally) so other test modules keep their own settings.
PROFILE = settings.get_profile("slow" if _SLOW else "parsers")

FIXTURES = Path(__file__).parent / "fixtures"


def _read(path: Path) -> str:
    if path.suffix == ".bin":
        return path.read_bytes().decode("utf-8", errors="replace")
    with open(path, newline="") as fh:
        return fh.read()


SAMPLES: dict[str, str] = {
    str(p.relative_to(FIXTURES)): _read(p)
    for p in sorted(FIXTURES.rglob("*"))
    if p.is_file() and p.suffix != ".md"
}
SAMPLE_TEXTS = sorted(SAMPLES.values())
JSON_SAMPLES = [text for name, text in sorted(SAMPLES.items()) if name.endswith((".json", ".bin"))]


def allowed(call: Callable[[], Any]) -> Any:
    """Run a parser; the project's own errors are an acceptable outcome, anything else fails the test."""
    try:
        return call()
    except DaostuiError:
        return None


# ---------------------------------------------------------------------- strategies
#: Characters that break naive parsers: non-ASCII digits, signs, separators, escapes, control chars.
TRICKY = st.sampled_from(
    [
        "²",
        "٣",
        "½",
        "-",
        "--5",
        "-1",
        "%",
        "/",
        ":",
        ",",
        "=",
        " = ",
        "\t",
        "\n",
        "\r",
        "\x00",
        "\x1b",
        "\\",
        "\\q",
        "\\u12",
        '"',
        "{",
        "}",
        "[",
        "]",
        "inf",
        "nan",
        "+5",
        "1e400",
        "9" * 400,
        "0x1f",
        "\ufffd",
        "é",
        " TB",
        " MiB",
        "(",
        ")",
        "DER_X(-",
        "Job Id: ",
        "Queue: ",
        "Server: ",
        "    a = b",
        "Pool ",
        ", ntarget=",
        "- Storage tier 0 (SCM):",
        "Total size: ",
        "Free: ",
        "checked: ",
        "PASS",
        "----",
    ]
)
SPLICE = st.one_of(st.text(max_size=12), TRICKY, st.lists(TRICKY, max_size=4).map("".join))
#: What a number in tool output can turn into: the conversions (int(), float()) are where parsers crash.
NUMBERISH = st.one_of(
    st.sampled_from(["²", "--5", "9" * 400, ".", "1e400", "", "-", "1.2.3"]),
    st.sampled_from(
        ["٣", "½", "-0", "+5", "..", "0x1f", " ", "1_000", "nan", "inf", "-1", "4294967296", "1."]
    ),
)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@st.composite
def mutated_sample(draw: st.DrawFn, pool: list[str] | None = None) -> str:
    """A fixture text cut at a random point, spliced with tricky text, or hit by random bytes."""
    text = draw(st.sampled_from(pool or SAMPLE_TEXTS))
    kind = draw(st.sampled_from(["cut", "splice", "bytes", "lines", "number", "number"]))
    if kind == "number":
        numbers = list(_NUMBER.finditer(text))
        for _ in range(draw(st.integers(1, 3))):
            if numbers:
                match = draw(st.sampled_from(numbers))
                text = text[: match.start()] + draw(NUMBERISH) + text[match.end() :]
                numbers = list(_NUMBER.finditer(text))
        return text
    if kind == "cut":
        return text[: draw(st.integers(0, len(text)))]
    if kind == "splice":
        for _ in range(draw(st.integers(1, 4))):
            start = draw(st.integers(0, len(text)))
            end = draw(st.integers(start, min(len(text), start + 12)))
            text = text[:start] + draw(SPLICE) + text[end:]
        return text
    if kind == "lines":
        lines = text.splitlines(keepends=True)
        if lines:
            index = draw(st.integers(0, len(lines) - 1))
            action = draw(st.sampled_from(["drop", "dup", "replace", "swap"]))
            if action == "drop":
                del lines[index]
            elif action == "dup":
                lines.insert(index, lines[index])
            elif action == "replace":
                lines[index] = draw(SPLICE) + "\n"
            else:
                other = draw(st.integers(0, len(lines) - 1))
                lines[index], lines[other] = lines[other], lines[index]
        return "".join(lines)
    data = bytearray(text.encode())
    for _ in range(draw(st.integers(1, 6))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return data.decode("utf-8", errors="replace")


ANY_TEXT = st.one_of(st.text(), mutated_sample())
JSON_TEXT = st.one_of(st.text(), mutated_sample(JSON_SAMPLES))


def text_for(*names: str) -> st.SearchStrategy[str]:
    """Mostly mutations of the parser's own samples, some of any sample, some arbitrary text."""
    own = [SAMPLES[name] for name in names]
    return st.one_of(mutated_sample(own), mutated_sample(own), ANY_TEXT)


KEYS = st.sampled_from(
    [
        "response",
        "error",
        "status",
        "pools",
        "label",
        "uuid",
        "state",
        "rebuild",
        "tier_stats",
        "usage",
        "imbalance",
        "total",
        "free",
        "min",
        "max",
        "mean",
        "media_type",
        "total_targets",
        "active_targets",
        "disabled_targets",
        "version",
        "svc_ldr",
        "objects",
        "records",
        "container_uuid",
        "container_label",
        "chunk_size",
        "open_time",
        "latest_snapshot",
        "derived_state",
        "degraded",
        "total_objects",
        "enabled_ranks",
        "disabled_ranks",
        "dead_ranks",
        "pool_layout_ver",
        "upgrade_layout_ver",
        "epoch",
        "num_handles",
        "value",
        "name",
        "description",
        "copy_stats",
        "num_dirs",
        "num_files",
        "dst_cont",
        "Jobs",
        "Queue",
        "Server",
        "job_state",
        "Resource_List",
        "resources_used",
        "nodect",
        "select",
        "walltime",
        "Exit_status",
        "Variable_List",
        "stime",
        "obittime",
        "ctime",
        "resources_max",
        "resources_min",
        "route_destinations",
        "state_count",
        "enabled",
        "max_run",
        "resources_available",
        "valid_filesystems",
        "Job_Name",
        "Output_Path",
        "PBS_O_LOGNAME",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    TRICKY,
    st.sampled_from(["01:00:00", "12", "-29", "271", "Sun Sep 27 22:44:36 2026", "--5", "1:2:3:4", "²"]),
    NUMBERISH,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(KEYS, st.text(max_size=8)), children, max_size=5),
    ),
    max_leaves=20,
)


def _json_sample(name: str) -> Any:
    return pbs.load_json(SAMPLES[name], name)


def _response(name: str) -> Any:
    return daos.parse_envelope(SAMPLES[name])[0]


JSON_BASES = [_json_sample(name) for name in sorted(SAMPLES) if name.endswith(".json")]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths.extend(_paths(child, (*prefix, index)))
    return paths


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@st.composite
def mutated_json(draw: st.DrawFn, bases: list[Any] | None = None) -> Any:
    """A fixture's JSON document with a few leaves or subtrees replaced by random JSON values."""
    value = copy.deepcopy(draw(st.sampled_from(bases or JSON_BASES)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(value)
        numeric = [path for path in paths if path and _is_number(_get(value, path))]
        if numeric and draw(st.booleans()):
            path, replacement = draw(st.sampled_from(numeric)), draw(st.one_of(NUMBERISH, SCALARS))
        else:
            path, replacement = draw(st.sampled_from(paths)), draw(st.one_of(SCALARS, JSON_VALUES))
        if not path:
            value = replacement
            continue
        parent = value
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = replacement
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this path
    return value


ANY_JSON = st.one_of(JSON_VALUES, mutated_json())


def json_for(*bases: Any) -> st.SearchStrategy[Any]:
    """Mostly mutations of the converter's own sample documents, some of any sample, some random."""
    return st.one_of(mutated_json(list(bases)), mutated_json(list(bases)), ANY_JSON)


def _dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=True)


# ---------------------------------------------------------------------- daos
#: Each parser with the samples of its own command (mutations of these find the real bugs).
DAOS_TEXT_PARSERS: list[tuple[Callable[[str], Any], tuple[str, ...]]] = [
    (daos.parse_size, ("daos/pool_list.txt",)),
    (daos.parse_der, ("daos/stderr_log_line.txt", "daos/envelope_error.json")),
    (daos.parse_envelope, ("daos/pool_query.json", "daos/envelope_error.json", "daos/get_prop.json")),
    (daos.pools_from_text, ("daos/pool_list.txt", "daos/pool_list_two.txt", "daos/pool_list_tutorial.txt")),
    (
        daos.pool_from_text,
        (
            "daos/pool_query_degraded.txt",
            "daos/pool_query_old.txt",
            "daos/pool_query_26_dead_ranks.txt",
            "daos/pool_query_28_failing.txt",
            "daos/pool_query_28_mdonssd.txt",
        ),
    ),
    (daos.containers_from_text, ("daos/cont_list.txt", "daos/cont_list_tutorial.txt")),
    (
        daos.container_info_from_text,
        (
            "daos/cont_query.txt",
            "daos/cont_create.txt",
            "daos/cont_query_snapshot.txt",
            "daos/cont_query_28.txt",
        ),
    ),
    (daos.snapshots_from_text, ("daos/list_snap.txt", "daos/list_snap_none.txt")),
    (daos.properties_from_text, ("daos/get_prop.txt", "daos/get_prop_unclean.txt")),
    (daos.autotest_from_text, ("daos/autotest.txt",)),
    (daos.container_check_from_text, ("daos/cont_check.txt",)),
    (daos.fs_check_from_text, ("daos/fs_check.txt",)),
    (daos.fs_copy_from_text, ("daos/fs_copy.txt",)),
    (daos.version_from_text, ("daos/version.txt",)),
]
_POOL = _response("daos/pool_query.json")
_COPY = {
    "src_pool": "p",
    "src_cont": "c",
    "dst_pool": "p",
    "dst_cont": "c2",
    "copy_stats": {"num_dirs": 3, "num_files": 120, "num_links": 0},
}
DAOS_JSON_CONVERTERS: list[tuple[Callable[[Any], Any], tuple[Any, ...]]] = [
    (daos.pool_from_json, (_POOL,)),
    (daos.pools_from_json, ({"pools": [_POOL, {**_POOL, "label": "hacc"}]},)),
    (daos.pool_from_json, (_response("daos/pool_query_28_failed.json"),)),
    (daos.pool_from_json, (_response("daos/pool_query_rebuild_failed.json"),)),
    (daos.containers_from_json, (_response("daos/cont_list.json"),)),
    (daos.container_info_from_json, (_response("daos/cont_query_28.json"),)),
    (daos.snapshots_from_json, (_response("daos/list_snap.json"),)),
    (daos.container_info_from_json, (_response("daos/cont_query.json"),)),
    (daos.properties_from_json, (_response("daos/get_prop.json"),)),
    (daos.fs_copy_from_json, (_COPY,)),
]


def _touch_daos(result: Any) -> None:
    """Read the computed properties too: a model that crashes when shown is as bad as a parser crash.

    (`ContainerProperties.rd_fac` is left out: it crashes on `rd_fac²`, a daos/models.py bug pinned by
    test_daos_model_known_crash_rd_fac.)
    """
    items = result if isinstance(result, list) else [result]
    for item in items:
        for name in (
            "size",
            "free",
            "used_pct",
            "min_free_per_target",
            "degraded",
            "rebuilding",
            "nearly_full",
            "servers",
            "name",
            "health",
            "unclean",
            "acl",
            "layout",
            "label",
            "owner",
            "opened_at",
            "modified_at",
            "latest_snapshot_at",
            "taken_at",
            "rebuild_failed",
            "redundancy_degraded",
            "layout_out_of_date",
        ):
            if hasattr(type(item), name):
                getattr(item, name)
        rebuild = getattr(item, "rebuild", None)
        if rebuild is not None:
            shown = (rebuild.summary, rebuild.progress, rebuild.failed, rebuild.running)
            assert isinstance(shown[0], str) and (shown[1] is None or 0 <= shown[1] <= 1)


@pytest.mark.parametrize(
    ("parser", "names"), DAOS_TEXT_PARSERS, ids=[p.__name__ for p, _ in DAOS_TEXT_PARSERS]
)
def test_daos_text_parsers_raise_only_parse_errors(
    parser: Callable[[str], Any], names: tuple[str, ...]
) -> None:
    """Any text: a model or ParseError, never a stray built-in exception."""

    @PROFILE
    @given(text=text_for(*names))
    def check(text: str) -> None:
        result = allowed(lambda: parser(text))
        if result is not None:
            _touch_daos(result)

    check()


@pytest.mark.parametrize(
    ("converter", "bases"), DAOS_JSON_CONVERTERS, ids=[c.__name__ for c, _ in DAOS_JSON_CONVERTERS]
)
def test_daos_json_converters_raise_only_parse_errors(
    converter: Callable[[Any], Any], bases: tuple[Any, ...]
) -> None:
    """Any JSON value (wrong types, nulls, huge ints, NaN) in any field: a model or ParseError."""

    @PROFILE
    @given(value=json_for(*bases))
    def check(value: Any) -> None:
        result = allowed(lambda: converter(value))
        if result is not None:
            _touch_daos(result)

    check()


@PROFILE
@given(text=st.one_of(JSON_TEXT, ANY_JSON.map(_dumps)))
def test_daos_envelope_then_converters(text: str) -> None:
    """The client's path: envelope first, then each converter on whatever `response` holds."""
    envelope = allowed(lambda: daos.parse_envelope(text))
    if envelope is None:
        return
    response, error, status = envelope
    assert error is None or isinstance(error, str)
    assert isinstance(status, int)
    for converter, _ in DAOS_JSON_CONVERTERS:
        allowed(lambda converter=converter: converter(response))


@PROFILE
@given(
    label=st.one_of(
        st.text(),
        st.text(alphabet="abcXYZ019._:-", max_size=140),
        st.uuids().map(str),
        st.tuples(
            st.text(alphabet="abc19._:-", min_size=1, max_size=10),
            st.sampled_from(["\n", " ", "/", "é", "\t"]),
        ).map("".join),
    )
)
def test_labels_agree_with_each_other(label: str) -> None:
    """label_problem, is_valid_label and validate_label give one answer; validation errors only."""
    problem = labels.label_problem(label)
    assert labels.is_valid_label(label) is (problem is None)
    try:
        labels.validate_label(label)
    except DaostuiError as exc:
        assert problem is not None
        assert getattr(exc, "rule", "") in ("length", "allowed characters", "not a UUID")
    else:
        assert problem is None
    if problem is None:
        assert 1 <= len(label) <= labels.MAX_LABEL
        assert all(ch.isascii() and (ch.isalnum() or ch in "._:-") for ch in label)
        assert not labels.looks_like_uuid(label)


# ---------------------------------------------------------------------- pbs
def _load_json(text: str) -> Any:
    return pbs.load_json(text, "test")


_JOBS_JSON = (
    "pbs/qstat_f.json",
    "pbs/qstat_f_json_invalid_escapes.json",
    "pbs/qstat_f_json_bare_values.json",
    "pbs/qstat_f_json_non_utf8.bin",
)
PBS_TEXT_PARSERS: list[tuple[Callable[[str], Any], tuple[str, ...]]] = [
    (pbs.parse_qselect, ("pbs/qselect.txt",)),
    (pbs.parse_qsub_output, ("pbs/qsub_output.txt", "pbs/qsub_interactive.txt")),
    (pbs.unknown_job_ids, ("pbs/qstat_unknown_stderr.txt",)),
    (jsonrepair.repair_json, _JOBS_JSON),
    (_load_json, _JOBS_JSON),
    (pbs.parse_jobs_json, _JOBS_JSON),
    (pbs.parse_jobs_text, ("pbs/qstat_f_wrapped.txt", "pbs/qstat_f_wrapped_clean.txt")),
    (pbs.parse_queues_json, ("pbs/qstat_Qf_duplicate_keys.json",)),
    (pbs.parse_queues_text, ("pbs/qstat_Qf.txt",)),
    (pbs.parse_server_json, ("pbs/qstat_Bf.json",)),
    (pbs.parse_server_text, ("pbs/qstat_Bf.txt",)),
]
JOB_FIELDS = [
    "seq",
    "short_id",
    "name",
    "owner",
    "user",
    "state",
    "state_name",
    "is_finished",
    "queue",
    "account",
    "comment",
    "resource_list",
    "resources_used",
    "filesystems",
    "exec_host",
    "output_path",
    "error_path",
    "workdir",
    "ctime",
    "qtime",
    "stime",
    "obittime",
    # these once crashed on values like '²' or '--5' (`str.isdigit()` then `int()`)
    "nodes",
    "exit_status",
    "exit_text",
    "walltime_requested",
    "walltime_used",
    "walltime_requested_text",
    "walltime_used_text",
]


def _touch_pbs(result: Any) -> None:
    items = result if isinstance(result, list) else [result]
    for item in items:
        if isinstance(item, Job):
            for name in JOB_FIELDS:
                getattr(item, name)
            repr(item)
        elif hasattr(item, "limits"):
            item.limits  # noqa: B018 - computed property under test


@pytest.mark.parametrize(("parser", "names"), PBS_TEXT_PARSERS, ids=[p.__name__ for p, _ in PBS_TEXT_PARSERS])
def test_pbs_text_parsers_raise_only_parse_errors(
    parser: Callable[[str], Any], names: tuple[str, ...]
) -> None:
    """Any qsub/qselect/qstat output: ids, jobs, queues, a server, or ParseError."""

    @PROFILE
    @given(text=text_for(*names))
    def check(text: str) -> None:
        result = allowed(lambda: parser(text))
        if result is not None:
            _touch_pbs(result)

    check()


@pytest.mark.parametrize(
    ("parser", "name"),
    [
        (pbs.parse_jobs_json, "pbs/qstat_f.json"),
        (pbs.parse_queues_json, "pbs/qstat_Qf_duplicate_keys.json"),
        (pbs.parse_server_json, "pbs/qstat_Bf.json"),
    ],
    ids=["parse_jobs_json", "parse_queues_json", "parse_server_json"],
)
def test_pbs_json_parsers_with_random_values(parser: Callable[[str], Any], name: str) -> None:
    """qstat JSON whose values have any type (the cJSON writer embeds whatever parses as JSON)."""

    @PROFILE
    @given(value=json_for(_json_sample(name)))
    def check(value: Any) -> None:
        result = allowed(lambda: parser(_dumps(value)))
        if result is not None:
            _touch_pbs(result)

    check()


@PROFILE
@given(text=st.one_of(JSON_TEXT, ANY_JSON.map(_dumps)))
def test_repair_json_keeps_valid_json(text: str) -> None:
    """load_json never changes a document json.loads already accepts, and never raises a built-in."""
    try:
        direct = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        allowed(lambda: pbs.load_json(text, "test"))
        return
    loaded = pbs.load_json(text, "test")
    assert _dumps(loaded) == _dumps(direct)


@PROFILE
@given(text=st.one_of(st.text(max_size=20), st.from_regex(r"\A[0-9]{1,4}(:[0-9]{1,3}){0,3}\Z")))
def test_walltime_parse_raises_only_validation_errors(text: str) -> None:
    """Walltime text from a form or from qstat: seconds, or the project's error."""
    seconds = allowed(lambda: parse_walltime(text))
    allowed(lambda: parse_walltime_value(text))
    if seconds is not None:
        assert seconds >= 0
        assert parse_walltime(format_walltime(seconds)) == seconds


@PROFILE
@given(
    seconds=st.one_of(
        st.none(),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.floats(min_value=-1e12, max_value=1e12),
    )
)
def test_format_walltime_total(seconds: int | float | None) -> None:
    """Any finite duration formats as HH:MM:SS (or empty for None)."""
    text = format_walltime(seconds)
    assert text == "" if seconds is None else text.count(":") == 2


@PROFILE
@given(code=st.one_of(st.none(), st.integers(), st.integers(min_value=-40, max_value=300)))
def test_decode_exit_status_total(code: int | None) -> None:
    """Every Exit_status value has a description starting with the number itself."""
    text = decode_exit_status(code)
    assert isinstance(text, str)
    if code is not None:
        assert text.startswith(str(code))


# ---------------------------------------------------------------------- mounts
@PROFILE
@given(text=st.one_of(ANY_TEXT, mutated_sample([SAMPLES["mounts/proc_mounts.txt"]])))
def test_parse_mounts_raises_only_parse_errors(text: str) -> None:
    """A mounts table read mid-change or garbled: entries or ParseError; dfuse entries are fuse.daos."""
    entries = allowed(lambda: mounts.parse_mounts(text))
    if entries is not None:
        assert all(entry.fstype == "fuse.daos" for entry in mounts.dfuse_mounts(entries))
        for entry in entries:
            entry.option("user_id")


@PROFILE
@given(field=st.text())
def test_unescape_total(field: str) -> None:
    """Octal unescaping accepts any field."""
    assert isinstance(mounts.unescape(field), str)


# ---------------------------------------------------------------------- model crashes fixed (regressions)
def test_job_model_known_crash_nodes() -> None:
    """Job.nodes on a non-ASCII digit (str.isdigit() is true for '²', int() refuses it)."""
    job = Job("1.x", {"Resource_List": {"nodect": "²"}})
    allowed(lambda: job.nodes)


def test_job_model_known_crash_exit_status() -> None:
    """Job.exit_status on `--5` (lstrip('-') hides the second sign from isdigit())."""
    job = Job("1.x", {"Exit_status": "--5"})
    allowed(lambda: job.exit_text)


def test_job_model_known_crash_walltime() -> None:
    """Job.walltime_requested on `01:²:00` (and so walltime_*_text and elapsed())."""
    job = Job("1.x", {"Resource_List": {"walltime": "01:²:00"}})
    allowed(lambda: job.walltime_requested_text)


def test_daos_model_known_crash_rd_fac() -> None:
    """`rd_fac²` in a get-prop table parses, then ContainerProperties.rd_fac crashes."""
    text = (
        "Name                       Value   \n"
        "----                       -----   \n"
        "Redundancy Factor (rd_fac) rd_fac² \n"
    )
    props = daos.properties_from_text(text)
    allowed(lambda: props.rd_fac)
