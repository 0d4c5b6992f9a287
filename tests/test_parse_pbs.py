"""PBS output parsers against the real-format samples of pbs.md (qsub, qselect, qstat -f / -F json,
-Qf, -Bf), plus walltime and Exit_status decoding.

The JSON samples include the breakages ALCF's own tools had to repair (invalid escapes, raw
control characters, bare `inf`/`nan`, non-UTF-8 bytes); the text sample includes TAB continuation
lines that split values mid-token. These are why the tests exist.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from daostui.core.errors import DaostuiError, ParseError, ValidationError
from daostui.pbs import parse
from daostui.pbs.exitstatus import decode_exit_status
from daostui.pbs.walltime import format_walltime, parse_walltime, parse_walltime_value

FIXTURES = Path(__file__).parent / "fixtures" / "pbs"
JOB = "8875194.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"


def fixture(name: str) -> str:
    with open(FIXTURES / name, newline="") as fh:
        return fh.read()


# ---------------------------------------------------------------------- qsub, qselect, errors
def test_qsub_prints_the_full_id() -> None:
    """qsub's one stdout line is the full id, which later commands need."""
    assert parse.parse_qsub_output(fixture("qsub_output.txt")) == JOB


@pytest.mark.parametrize(
    "stdout",
    ["", "\n", "qsub: Unknown queue\n", f"{JOB}\n{JOB}\n", "8875194.aurora-p*\n"],
)
def test_qsub_other_output_is_refused(stdout: str) -> None:
    """No id, two ids or a truncated id are not a submission we can track."""
    with pytest.raises(ParseError):
        parse.parse_qsub_output(stdout)


def test_qsub_interactive_messages_are_not_an_id() -> None:
    """`qsub -I` chatter must not be mistaken for a batch submission's id."""
    with pytest.raises(ParseError):
        parse.parse_qsub_output(fixture("qsub_interactive.txt"))


def test_qselect_ids() -> None:
    """qselect prints one full id per line, arrays with `[]`; nothing at all means no jobs."""
    assert parse.parse_qselect(fixture("qselect.txt")) == [
        JOB,
        "8875200.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov",
        "8875311[].aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov",
    ]
    assert parse.parse_qselect("") == []
    with pytest.raises(ParseError):
        parse.parse_qselect("qselect: cannot connect to server aurora-pbs-0001 (errno=111)\n")


def test_unknown_job_ids_from_stderr() -> None:
    """`Unknown Job Id` marks a job PBS forgot (the lost-after-routing case); other errors do not."""
    assert parse.unknown_job_ids(fixture("qstat_unknown_stderr.txt")) == [
        "8875311.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"
    ]
    assert parse.unknown_job_ids("") == []
    assert parse.unknown_job_ids(f"qdel: Unknown Job Id {JOB}\n") == [JOB]


# ---------------------------------------------------------------------- qstat -f -F json
def test_jobs_json_valid_sample() -> None:
    """The §3.4 job: every lazily computed field the jobs table shows."""
    (job,) = parse.parse_jobs_json(fixture("qstat_f.json"))
    assert job.id == JOB
    assert job.short_id == "8875194.aurora-pbs-0001"
    assert job.seq == "8875194"
    assert job.name == "hpscalesmoke"
    assert (job.state, job.state_name, job.is_finished) == ("R", "Running", False)
    assert job.queue == "debug"
    assert job.account == "MyProj"
    assert job.nodes == 1
    assert job.filesystems == "home:flare"
    assert job.walltime_requested == 3600
    assert job.walltime_used == 46 * 60 + 21
    assert job.walltime_requested_text == "01:00:00"
    assert job.user == "khuss"
    assert job.workdir == "/lus/flare/projects/MyProj"
    assert job.output_path == "/lus/flare/projects/MyProj/job.sh.o8875194"
    assert job.exit_status is None and job.exit_text == ""
    assert job.stime is not None and (job.stime.hour, job.stime.minute) == (22, 44)
    assert job.raw["session_id"] == 189568


def test_jobs_json_invalid_escapes_and_control_chars() -> None:
    """`\\q`, `\\d`, `\\ `, backslash-newline and raw control characters (balsam #324, pu_qstat repairs)."""
    with pytest.raises(ValueError):
        __import__("json").loads(fixture("qstat_f_json_invalid_escapes.json"), strict=False)
    (job,) = parse.parse_jobs_json(fixture("qstat_f_json_invalid_escapes.json"))
    assert job.id == JOB
    assert (job.name, job.state, job.queue, job.nodes) == ("hpscalesmoke", "R", "debug", 1)
    assert job.raw["Submit_arguments"] == "-A MyProj -q debug -v DIR=C:\\q\\data\\ job.sh"
    assert job.workdir == "/lus/flare/projects/MyProj\\d run"
    assert job.comment.startswith("Job run at Sun Sep 27 at 22:44")
    assert "(x4707c0s0b0n0:ncpus=208)" in job.comment


def test_jobs_json_bare_values_and_trailing_comma() -> None:
    """The old writer emits `inf`, `nan`, `+5` raw (strtod typing); they become strings, numbers stay."""
    (job,) = parse.parse_jobs_json(fixture("qstat_f_json_bare_values.json"))
    assert job.name == "inf"
    assert job.raw["project"] == "nan"
    assert job.raw["Priority"] == "+5"
    assert job.raw["session_id"] == 189568
    assert job.raw["Submit_Host"] == "aurora-uan-0009..."


def test_jobs_json_non_utf8_bytes() -> None:
    """Bytes decoded with errors='replace' (as the transports do) still parse; the rest is intact."""
    text = (FIXTURES / "qstat_f_json_non_utf8.bin").read_bytes().decode("utf-8", errors="replace")
    (job,) = parse.parse_jobs_json(text)
    assert job.name == "hpscale\ufffd\ufffdsmoke"
    assert (job.state, job.queue) == ("R", "debug")


def test_jobs_json_finished_job_exit_status() -> None:
    """`qstat -xf -F json`: state F and Exit_status 271 = killed by SIGTERM (walltime)."""
    text = fixture("qstat_f.json").replace('"job_state":"R"', '"job_state":"F","Exit_status":271')
    (job,) = parse.parse_jobs_json(text)
    assert job.is_finished and job.state_name == "Finished"
    assert job.exit_status == 271
    assert "SIGTERM" in job.exit_text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n",
        '{"timestamp":1699630815,"pbs_version":"2022.1.1","pbs_server":"aurora-pbs-0001"}\n',
        'qstat: Unknown Job Id 1.x\n{"timestamp":1,"Jobs":{}}',
    ],
)
def test_jobs_json_no_jobs(text: str) -> None:
    """No output, or a root with no `Jobs` key, means no jobs (pbs.md §3.6)."""
    assert parse.parse_jobs_json(text) == []


@pytest.mark.parametrize(
    "text",
    ["qstat: conflicting options.", '{"Jobs": [1, 2]}', '{"Jobs": {"1.x": "R"}}', "[1]", '{"Jobs": {'],
)
def test_jobs_json_unusable(text: str) -> None:
    """Unrecoverable output is a ParseError (then the client falls back to `qstat -f` text)."""
    with pytest.raises(ParseError):
        parse.parse_jobs_json(text)


def test_repair_json_each_rule() -> None:
    """Each repair of pbs.md §3.4 in isolation, so a regression names the rule it broke."""
    load = parse.load_json
    assert load('{"a":"C:\\q"}', "t") == {"a": "C:\\q"}
    assert load('{"a":"x\\\ny"}', "t") == {"a": "x y"}
    assert load('{"a":"x\x01y\\q"}', "t") == {"a": "x y\\q"}  # control char blanked once repair runs
    # bare non-JSON numbers become their text; a valid JSON float stays a float that reads as its text
    loaded = load('{"a":inf,"b":-nan,"c":+5,"d":1.50}', "t")
    assert loaded == {"a": "inf", "b": "-nan", "c": "+5", "d": 1.5} and str(loaded["d"]) == "1.50"
    assert load('{"Jobs":{"1.x":{"a":1}\n"2.x":{"a":2}}}', "t") == {
        "Jobs": {"1.x": {"a": 1}, "2.x": {"a": 2}}
    }
    assert load('{"a":[1,2,],}', "t") == {"a": [1, 2]}
    # valid escapes are left alone
    assert load('{"a":"\\"q\\" \\\\ \\n \\u00e9"}', "t") == {"a": '"q" \\ \n é'}
    with pytest.raises(ParseError):
        load("{{{", "t")


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        # an escaped backslash before a letter is valid and must survive another repair
        ('{"a":"C:\\q","b":"\\d"}', {"a": "C:\\q", "b": "\\d"}),
        ('{"a":"\\\\x","b":"\\d"}', {"a": "\\x", "b": "\\d"}),
        # `\u` without four hex digits is an invalid escape too
        ('{"a":"\\u12","b":"\\u00e9"}', {"a": "\\u12", "b": "é"}),
        # bare-value and trailing-comma repairs must not rewrite text inside strings
        ('{"a":"\\q","b":"ver:1.2.3, x"}', {"a": "\\q", "b": "ver:1.2.3, x"}),
        ('{"a":"\\q","b":"at 12:08,"}', {"a": "\\q", "b": "at 12:08,"}),
        ('{"a":"\\q","b":"x, }"}', {"a": "\\q", "b": "x, }"}),
        ('{"a":"\\q","b":"say \\"inf\\", ok"}', {"a": "\\q", "b": 'say "inf", ok'}),
    ],
)
def test_repair_json_leaves_valid_strings_alone(broken: str, expected: dict[str, str]) -> None:
    """Once one value forces the repair pass, the other (valid) values must come through unchanged."""
    assert parse.load_json(broken, "t") == expected


# ---------------------------------------------------------------------- qstat -f text
def test_jobs_text_wrapped_lines_joined() -> None:
    """TAB continuation lines join with no separator, even mid-token (`/opt/cray/p` + `als/...`)."""
    jobs = parse.parse_jobs_text(fixture("qstat_f_wrapped_clean.txt"))
    assert [j.id for j in jobs] == [JOB]  # the elided "<next job>" header has no record: skipped
    job = jobs[0]
    assert (job.name, job.state, job.queue, job.nodes) == ("hpscalesmoke", "R", "debug", 1)
    assert job.walltime_requested == 3600
    assert job.walltime_used == 46 * 60 + 21
    assert job.filesystems == "home:flare"
    variables = job.raw["Variable_List"]
    assert (
        variables["PBS_O_PATH"] == "/opt/aurora/24.347.0/oneapi/compiler/latest/bin:/opt/cray/pals/1.4/bin:"
        "/usr/local/bin:/usr/bin:/bin"
    )
    assert variables["PBS_O_WORKDIR"] == "/lus/flare/projects/MyProj/run"
    assert variables["PBS_O_HOST"] == "aurora-uan-0009.hostmgmt.cm.aurora.alcf.anl.gov"
    assert len(variables) == 10
    assert job.raw["exec_vnode"] == (
        "(x4707c0s0b0n0:ncpus=208)+(x4707c0s1b0n0:ncpus=208)+(x4707c0s2b0n0:ncpus=208)+(x4707c0s3b0n0:ncpus=208)"
    )
    assert job.user == "khuss"
    assert job.workdir == "/lus/flare/projects/MyProj/run"


def test_jobs_text_verbatim_sample_with_elisions() -> None:
    """The verbatim sample has `    ...` lines; they must not sink the whole listing."""
    jobs = parse.parse_jobs_text(fixture("qstat_f_wrapped.txt"))
    assert [j.id for j in jobs] == [JOB]  # the elided "<next job>" header has no record: skipped
    assert jobs[0].name == "hpscalesmoke"
    assert jobs[0].state == "R"
    assert jobs[0].nodes == 1


def test_jobs_text_raw_newline_in_a_value() -> None:
    """qstat passes a raw newline inside a value through (pbs.md §3.3); the job must still parse."""
    text = (
        f"Job Id: {JOB}\n"
        "    Job_Name = two\n"
        "    comment = first line of a comment\n"
        "second line of the comment\n"
        "    job_state = H\n"
    )
    (job,) = parse.parse_jobs_text(text)
    assert job.comment == "first line of a comment\nsecond line of the comment"
    assert (job.state, job.state_name) == ("H", "Held")


def test_jobs_text_one_line_form() -> None:
    """`qstat -f -w` prints each attribute on one line; finished jobs carry Exit_status."""
    text = (
        f"Job Id: {JOB}\n"
        "    Job_Name = a_very_long_job_name_indeed\n"
        "    job_state = F\n"
        "    queue = prod\n"
        "    Exit_status = -29\n"
        "    Resource_List.select = 512:system=aurora\n"
        "    Resource_List.walltime = 24:00:00\n"
        "\n"
    )
    (job,) = parse.parse_jobs_text(text)
    assert job.name == "a_very_long_job_name_indeed"
    assert job.exit_status == -29
    assert "walltime" in job.exit_text
    assert job.nodes == 512
    assert job.walltime_requested == 86400


@pytest.mark.parametrize(
    "name", ["qstat_default_polaris.txt", "qstat_default_aurora.txt", "qstat_alt_aurora.txt"]
)
def test_jobs_text_refuses_the_tables(name: str) -> None:
    """The default/alternate tables truncate ids (Parsl #2408): they are not `-f` output."""
    with pytest.raises(ParseError):
        parse.parse_jobs_text(fixture(name))


def test_jobs_text_empty_and_garbage() -> None:
    assert parse.parse_jobs_text("") == []
    with pytest.raises(ParseError):
        parse.parse_jobs_text(f"Job Id: {JOB}\nno equals sign here\n")


# ---------------------------------------------------------------------- queues
def test_queues_text_limits() -> None:
    """Queue limits (nodes, walltime) come live from `qstat -Qf`; wrapped route lists join."""
    debug, prod, capacity = parse.parse_queues_text(fixture("qstat_Qf.txt"))
    assert (debug.name, debug.type, debug.enabled, debug.started) == ("debug", "Execution", True, True)
    assert (debug.min_nodes, debug.max_nodes) == (1, 2)
    assert (debug.min_walltime, debug.max_walltime) == (300, 3600)
    assert debug.total_jobs == 12
    assert debug.state_count["Running"] == 12
    assert [(x.kind, x.scope, x.entity, x.value) for x in debug.limit_entries] == [
        ("max_queued", "u", "PBS_GENERIC", "1"),
        ("max_run", "u", "PBS_GENERIC", "1"),
    ]
    assert (prod.type, prod.min_nodes, prod.max_nodes, prod.max_walltime) == ("Route", 256, 10624, 86400)
    assert prod.route_destinations == [
        "small",
        "medium",
        "large",
        "backfill-small",
        "backfill-medium",
        "backfill-large",
    ]
    assert prod.state_count["Queued"] == 13
    assert capacity.max_walltime == 168 * 3600
    assert capacity.max_nodes == 16
    assert not capacity.enabled
    limits = debug.limits
    assert (limits.min_nodes, limits.max_nodes, limits.max_walltime) == (1, 2, 3600)


def test_queues_json_duplicate_limit_keys() -> None:
    """Duplicate `max_run` keys (OpenPBS #2677) are both kept, not silently dropped."""
    debug, prod = parse.parse_queues_json(fixture("qstat_Qf_duplicate_keys.json"))
    assert [(x.kind, x.scope, x.value) for x in debug.limit_entries if x.kind == "max_run"] == [
        ("max_run", "u", "1"),
        ("max_run", "p", "10"),
    ]
    assert debug.raw["max_run"] == ["[u:PBS_GENERIC=1]", "[p:PBS_GENERIC=10]"]
    assert (debug.min_nodes, debug.max_nodes, debug.min_walltime, debug.max_walltime) == (1, 2, 300, 3600)
    assert debug.enabled and debug.started
    assert (prod.type, prod.min_nodes, prod.max_nodes, prod.max_walltime) == ("Route", 256, 10624, 86400)
    assert prod.route_destinations[-1] == "backfill-large"


def test_queues_odd_limits_are_absent_not_fatal() -> None:
    """An unparseable limit shows as absent instead of failing the whole queue list."""
    (queue,) = parse.parse_queues_text(
        "Queue: odd\n    resources_max.walltime = forever\n    resources_max.nodect = ²\n"
    )
    assert queue.max_walltime is None and queue.max_nodes is None
    with pytest.raises(ParseError):
        parse.parse_queues_json("no json")
    with pytest.raises(ParseError):
        parse.parse_queues_json('{"Server": {}}')


# ---------------------------------------------------------------------- server
def test_server_text_valid_filesystems() -> None:
    """`valid_filesystems` decides which DAOS filesystem name qsub gets (daos_user vs daos_user_fs)."""
    server = parse.parse_server_text(fixture("qstat_Bf.txt"))
    assert server.name == "aurora-pbs-0001"
    assert server.pbs_version == "2022.1.1.20220926110806"
    assert server.valid_filesystems == ["home", "flare", "daos_user", "daos_user_fs", "daos_perf_fs"]
    assert server.comment == "Aurora production"
    assert server.raw["job_sort_formula"].endswith("project_priority * nodes / 10624.0))")


def test_server_json_valid_filesystems() -> None:
    """The JSON form nests `resources_available` one level deeper and is keyed by server name."""
    server = parse.parse_server_json(fixture("qstat_Bf.json"))
    assert server.name == "aurora-pbs-0001"
    assert server.valid_filesystems == ["home", "flare", "daos_user", "daos_user_fs", "daos_perf_fs"]
    with pytest.raises(ParseError):
        parse.parse_server_json('{"Server": {}}')
    with pytest.raises(ParseError):
        parse.parse_server_text("")


# ---------------------------------------------------------------------- walltime
@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("01:00:00", 3600),
        ("0:10:00", 600),
        ("30:00", 1800),
        ("168:00:00", 604800),
        ("24:00:00", 86400),
        ("600", 600),
        (" 00:05:00 ", 300),
    ],
)
def test_parse_walltime(text: str, seconds: int) -> None:
    """qsub's three forms: `30:00` is 30 minutes, `30:00:00` 30 hours (the ALCF doc slip)."""
    assert parse_walltime(text) == seconds


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), "1:x:00", "٣:00", True])
def test_a_walltime_no_integer_holds_reads_as_absent(value: object) -> None:
    """`resources_max.walltime: Infinity` in qstat JSON (Python's decoder takes it): absent, not a crash."""
    queue = parse.parse_queues_json(json.dumps({"Queue": {"q": {"resources_max": {"walltime": value}}}}))
    assert queue[0].max_walltime is None


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "format"),
        ("1h", "format"),
        ("1:2:3:4", "format"),
        ("01:60:00", "range"),
        ("1:00:75", "range"),
        ("5:75", "range"),
    ],
)
def test_parse_walltime_rejects(text: str, rule: str) -> None:
    """Bad walltimes are refused in the form, naming the broken rule."""
    with pytest.raises(ValidationError) as info:
        parse_walltime(text)
    assert info.value.rule == rule
    with pytest.raises(ParseError):
        parse_walltime_value(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, ""),
        (0, "00:00:00"),
        (3600, "01:00:00"),
        (604800, "168:00:00"),
        (61.9, "00:01:01"),
        (-5, "00:00:00"),
    ],
)
def test_format_walltime(seconds: int | float | None, text: str) -> None:
    """qstat's HH:MM:SS with unbounded hours; round-trips through parse_walltime."""
    assert format_walltime(seconds) == text
    if text:
        assert format_walltime(parse_walltime(text)) == text


# ---------------------------------------------------------------------- Exit_status
@pytest.mark.parametrize(
    ("code", "words"),
    [
        (None, ""),
        (0, "success"),
        (1, "script exited 1"),
        (255, "script exited 255"),
        (137, "last command died of SIGKILL"),
        (271, "killed by SIGTERM"),
        (265, "killed by SIGKILL"),
        (256 + 200, "signal 200"),
        (-1, "JOB_EXEC_FAIL1: job exec failed, before files, no retry"),
        (-3, "do retry"),
        (-10, "invalid uid/gid"),
        (-11, "job rerun"),
        (-20, "mother superior connection failed"),
        (-27, "exceeding mem"),
        (-29, "JOB_EXEC_KILL_WALLTIME"),
        (-8, "not a JOB_EXEC_* code"),
        (-99, "PBS failure -99"),
    ],
)
def test_decode_exit_status(code: int | None, words: str) -> None:
    """0..255 script exit (>128 by the shell's signal convention), 256+N killed by signal N, negative =
    OpenPBS's JOB_EXEC_* codes (every one is tested in test_parse_pbs_real.py)."""
    text = decode_exit_status(code)
    assert words in text
    if code is not None:
        assert text.startswith(str(code))


def test_errors_are_project_errors() -> None:
    """Screens catch DaostuiError; the parsers' errors must be inside that hierarchy."""
    assert issubclass(ParseError, DaostuiError) and issubclass(ValidationError, DaostuiError)
