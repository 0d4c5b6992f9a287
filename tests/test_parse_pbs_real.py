"""The PBS parsers and models against output captured from real OpenPBS servers (tests/fixtures/pbs/real).

Captured from OpenPBS 23.06.06 (the JSON writer of Aurora's PBS 2022) and master's qstat (the cJSON
writer) as a client of the same server; see the fixtures README for how. These are the forms the
reference could only describe: bare `-v` values, duplicate limit keys, job arrays, estimated start
times, history records of a failed, a walltime-killed and a deleted job, master's tab layout.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from daostui.pbs import hosts, parse
from daostui.pbs.exitstatus import JOB_EXEC_CODES, decode_exit_status
from daostui.pbs.limits import effective_limits
from daostui.pbs.values import count_indices, expand_indices
from daostui.sim import pbs_writer

REAL = Path(__file__).parent / "fixtures" / "pbs" / "real"


def real(name: str) -> str:
    with open(REAL / name, newline="") as handle:
        return handle.read()


# ---------------------------------------------------------------------- bare numbers
def test_bare_values_from_the_real_writer_parse_as_typed() -> None:
    """`qsub -v LR=.001,SEED=+42,…`: invalid JSON from a real 23.06 server, read back as the user typed."""
    text = real("qstat_f_json_bare_values.json")
    with pytest.raises(ValueError):
        json.loads(text)
    (job,) = parse.parse_jobs_json(text)
    typed = {
        "LR": ".001",
        "SEED": "+42",
        "NEG": "-.5",
        "DOT": "5.",
        "HEX": "0x0.8",
        "INF": "inf",
        "NANS": "nan(abc)",
        "EXP": "1e5",
        "LZ": "-05",
        "ZZ": "00",
        "BIG": "1e999",
        "NOTNUM": "0.9e1",
        "K": "a,b",
    }
    assert {name: job.variables[name] for name in typed} == typed
    assert job.variables["SP"] == "7"  # ` 7` is valid JSON: JSON's reading
    assert job.raw["Priority"] == 0 and job.raw["Resource_List"]["ncpus"] == 1


def test_text_variable_list_matches_json_and_unescapes_commas() -> None:
    """The same job in `qstat -f` text: wrapped lines joined, `K=a\\,b` is `a,b`, every value as JSON had it."""
    (from_text,) = parse.parse_jobs_text(real("qstat_f_bare_values.txt"))
    (from_json,) = parse.parse_jobs_json(real("qstat_f_json_bare_values.json"))
    assert from_text.variables["K"] == "a,b"
    assert from_text.variables["PBS_O_PATH"] == from_json.variables["PBS_O_PATH"]
    for name, value in from_json.variables.items():
        if name != "SP":
            assert from_text.variables[name] == value, name
    assert from_text.raw["Submit_arguments"] == from_json.raw["Submit_arguments"].replace("K=a,b", "K=a\\,b")


def test_the_simulators_writer_prints_the_real_bytes() -> None:
    """The simulator's port of the 23.06 writer, given the real job's attributes, prints the real text."""
    text = real("qstat_f_json_bare_values.json")
    (job,) = parse.parse_jobs_json(text)
    attrs = dict(job.raw)
    attrs["Variable_List"] = ",".join(
        f"{k}={v.replace(',', chr(92) + ',')}" for k, v in real_variables(real("qstat_f_bare_values.txt"))
    )
    stamp = json.loads(text.split('"pbs_version"')[0] + '"x":0}')["timestamp"]
    printed = pbs_writer.json_document(
        "Jobs", {job.id: attrs}, now=stamp, version="23.06.06", server="pbshost"
    )
    assert printed == text


def real_variables(text: str) -> list[tuple[str, str]]:
    """Variable_List of a `qstat -f` text job, in PBS's order."""
    (_job_id, pairs), *_ = parse.attribute_blocks(text, "Job Id:")
    return list(parse.parse_variable_list(dict(pairs)["Variable_List"]).items())


def test_the_simulators_text_wrap_is_qstats() -> None:
    """Every attribute line of a real `qstat -f`, re-printed by the simulator's port of prt_attr()."""
    for name in ("qstat_f_bare_values.txt", "qstat_Qf_limits.txt", "qstat_Bf.txt"):
        text = real(name)
        header = text.split(":", 1)[0] + ": "
        for block_name, pairs in parse.attribute_blocks(text, header):
            lines = [pbs_writer.attribute_line(key, value) for key, value in pairs]
            assert f"{header}{block_name}\n" + "\n".join(lines) + "\n\n" in text, name


# ---------------------------------------------------------------------- master's cJSON writer
def test_master_json_layout_parses() -> None:
    """master prints tabs and `"key":\\tvalue`; it answered only the first of three ids."""
    jobs = parse.parse_jobs_json(real("master_qstat_fx_json_history.json"))
    assert [job.id for job in jobs] == ["5.pbshost"]
    assert jobs[0].variables["LR"] == ".001"  # cJSON quotes what is not JSON
    text_jobs = parse.parse_jobs_text(real("master_qstat_fx_history.txt"))
    assert [job.id for job in text_jobs] == ["5.pbshost", "6.pbshost", "7.pbshost"]


def test_empty_answer_has_no_trailing_newline_and_no_jobs() -> None:
    text = real("qstat_f_json_empty.json")
    assert text.endswith("}") and not text.endswith("\n")
    assert parse.parse_jobs_json(text) == []
    assert parse.unknown_job_ids(real("qstat_unknown_stderr.txt")) == ["999.pbshost"]


# ---------------------------------------------------------------------- history and exit status
def test_history_of_failed_walltime_killed_and_deleted_jobs() -> None:
    failed, walltime, deleted = parse.parse_jobs_json(real("qstat_fx_json_history.json"))
    assert (failed.exit_status, failed.comment.endswith(" and failed")) == (3, True)
    assert failed.exit_text == "3 (script exited 3)"
    assert walltime.exit_status == -29
    assert walltime.comment.endswith(" and exceeded resource walltime")
    assert "JOB_EXEC_KILL_WALLTIME" in walltime.exit_text
    assert deleted.exit_status == 271
    assert deleted.comment.endswith(" and terminated by pbsuser@pbshost")
    assert "SIGTERM" in deleted.exit_text
    for job in (failed, walltime, deleted):
        assert job.is_finished and job.history_timestamp is not None
        assert job.history_timestamp >= job.stime
        assert job.hosts == ["pbshost"] and job.nodes_folded == "pbshost"


@pytest.mark.parametrize("code", sorted(JOB_EXEC_CODES))
def test_every_job_exec_code(code: int) -> None:
    """Every `JOB_EXEC_*` of OpenPBS's job.h, by name and in its own words."""
    name, meaning = JOB_EXEC_CODES[code]
    text = decode_exit_status(code)
    assert text.startswith(str(code))
    if code:
        assert name in text and meaning in text


def test_job_exec_table_is_job_h() -> None:
    """The table is exactly job.h's negative codes (-8, -9 do not exist; 1 is not an exit code)."""
    assert set(JOB_EXEC_CODES) == {0, *range(-7, 0), *range(-30, -9)}


# ---------------------------------------------------------------------- job arrays
def test_array_parent_and_subjobs() -> None:
    parent, *subjobs = parse.parse_jobs_json(real("qstat_tfx_json_array.json"))
    assert parent.id == "8[].pbshost" and parent.seq == "8[]"  # never a bare number
    assert parent.is_array and not parent.is_subjob and parent.sequence_number == 8
    assert parent.array_indices_submitted == "1-3" and parent.array_size == 3
    assert parent.array_indices_remaining == "-"
    assert parent.comment == "Job Array Began at Mon Nov 30 at 01:23 and finished"
    assert parent.output_path == "/tmp/hpbs-site/work/STDIN.o8.^array_index^"
    assert parent.output_path_for(2) == "/tmp/hpbs-site/work/STDIN.o8.2"
    assert parent.error_path_for(3) == "/tmp/hpbs-site/work/STDIN.e8.3"
    assert parent.subjob_id(2) == "8[2].pbshost"
    assert [job.id for job in subjobs] == ["8[1].pbshost", "8[2].pbshost", "8[3].pbshost"]
    for index, job in enumerate(subjobs, start=1):
        assert job.is_subjob and not job.is_array
        assert (job.array_index, job.array_parent_id) == (index, "8[].pbshost")
        assert job.output_path == f"/tmp/hpbs-site/work/STDIN.o8.{index}" == parent.output_path_for(index)


def test_array_counts_while_running() -> None:
    """A running array's parent (real 23.06 text): `B`, counts per state, the indices not started."""
    from daostui.pbs.models import Job

    parent = Job(
        "18[].pbshost",
        {
            "job_state": "B",
            "array": "True",
            "array_state_count": "Queued:1 Running:2 Exiting:0 Expired:2",
            "array_indices_submitted": "1-5",
            "array_indices_remaining": "4",
        },
    )
    assert parent.state_name == "Begun"
    assert parent.array_state_count == {"Queued": 1, "Running": 2, "Exiting": 0, "Expired": 2}
    assert parent.array_progress == "2/5 done, 2 running, 1 queued"
    assert expand_indices(parent.array_indices_remaining) == [4]
    assert expand_indices("0-9:3,12") == [0, 3, 6, 9, 12] and count_indices("0-99:2") == 50
    subjob = Job("18[2].pbshost", {"job_state": "Q", "Output_Path": "h:/w/STDIN.o18.^array_index^"})
    assert subjob.output_path == "/w/STDIN.o18.2"  # a queued subjob's path still holds the tag
    assert subjob.array_parent_id == "18[].pbshost"


# ---------------------------------------------------------------------- when will it start
def test_estimated_start_and_reason() -> None:
    first, second = parse.parse_jobs_json(real("qstat_f_json_estimated.json"))
    assert first.state == "Q"
    assert first.estimated_start == datetime(2026, 11, 30, 1, 25, 21)
    assert second.estimated_start == datetime(2026, 11, 30, 1, 27, 21)
    assert first.waiting_reason == "Not Running: Not enough free nodes available"
    assert first.estimated_nodes == "pbshost"


# ---------------------------------------------------------------------- limits
def _limits(queue) -> list[tuple[str, str, str, str, str]]:
    return sorted((x.kind, x.resource, x.scope, x.entity, x.value) for x in queue.limit_entries)


def test_repeated_limits_in_every_form() -> None:
    """23.06 text (one line each), 23.06 JSON (duplicate keys), master JSON (joined): the same entries."""
    (text,) = parse.parse_queues_text(real("qstat_Qf_limits.txt"))
    (old,) = parse.parse_queues_json(real("qstat_Qf_json_limits.json"))
    (new,) = parse.parse_queues_json(real("master_qstat_Qf_json_limits.json"))
    expected = [
        ("max_queued", "", "p", "PBS_GENERIC", "100"),
        ("max_queued", "", "u", "PBS_GENERIC", "20"),
        ("max_run", "", "o", "PBS_ALL", "10"),
        ("max_run", "", "u", "PBS_GENERIC", "2"),
        ("max_run", "", "u", "pbsuser", "3"),
        ("max_run", "ncpus", "g", "PBS_GENERIC", "8"),
        ("max_run", "ncpus", "u", "PBS_GENERIC", "4"),
    ]
    assert _limits(text) == _limits(old) == _limits(new) == expected
    assert text.state_count == old.state_count == new.state_count
    assert text.max_walltime == 24 * 3600


def test_the_users_limits() -> None:
    """pbsuser's own `max_run` entry replaces the generic one; others get the generic one."""
    (queue,) = parse.parse_queues_json(real("qstat_Qf_json_limits.json"))
    mine = [x.describe() for x in queue.user_limits("pbsuser")]
    assert "at most 3 jobs running for user pbsuser" in mine
    assert "at most 2 jobs running per user" not in mine
    assert "at most 10 jobs running, all users together" in mine
    assert "at most 4 CPUs running per user" in mine
    someone = [x.describe() for x in queue.user_limits("alice", groups=("users",), project="p1")]
    assert "at most 2 jobs running per user" in someone and "at most 8 CPUs running per group" in someone
    assert "at most 100 jobs queued or running per project" in someone
    form = queue.limits_for("pbsuser")
    assert "at most 3 jobs running for user pbsuser" in form.describe()
    assert effective_limits([], "x") == []


def test_server_real() -> None:
    server = parse.parse_server_text(real("qstat_Bf.txt"))
    same = parse.parse_server_json(real("qstat_Bf.json"))
    assert server.name == same.name == "pbshost"
    assert server.pbs_version == same.pbs_version == "23.06.06"
    assert server.default_queue == same.default_queue == "debug"
    assert server.max_job_sequence_id == same.max_job_sequence_id == 9999999
    assert server.state_count == same.state_count


# ---------------------------------------------------------------------- nodes
@pytest.mark.parametrize(
    ("exec_host", "exec_vnode", "hosts_", "folded"),
    [
        (
            "x4102c3s0b0n0/0*208+x4102c3s1b0n0/0*208",
            "",
            ["x4102c3s0b0n0", "x4102c3s1b0n0"],
            "x4102c3s[0-1]b0n0",
        ),
        (
            "+".join(f"x4102c3s{i}b0n0/0*208" for i in range(4)) + "+x4103c0s1b0n0/0*208",
            "",
            [*(f"x4102c3s{i}b0n0" for i in range(4)), "x4103c0s1b0n0"],
            "x4102c3s[0-3]b0n0,x4103c0s1b0n0",
        ),
        (
            "",
            "(pbshost[0]:ncpus=2+pbshost[1]:ncpus=2)+(other:ncpus=4)",
            ["pbshost", "other"],
            "other,pbshost",
        ),
        ("pbshost/0", "(pbshost:ncpus=1)", ["pbshost"], "pbshost"),
        ("", "", [], ""),
    ],
)
def test_nodes_folded(exec_host: str, exec_vnode: str, hosts_: list[str], folded: str) -> None:
    assert hosts.job_hosts(exec_host, exec_vnode) == hosts_
    assert hosts.fold(hosts_) == folded
    assert sorted(hosts.expand(folded)) == sorted(hosts_)
