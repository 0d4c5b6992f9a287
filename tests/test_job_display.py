"""What the jobs pane and the job detail say about a job, cell by cell (no app needed).

Every `JOB_EXEC_*` code of OpenPBS's job.h, the script's own statuses (>128: its last command's
signal, by the shell's convention) and 256+signal (the job shell killed) are checked in both
places: short in the pane, the full meaning in the detail. Arrays, estimated starts and bare `-v`
values come from real OpenPBS 23.06.06 output (tests/real_jobs.py).
"""

from __future__ import annotations

import signal

import pytest
from rich.console import Console

from daostui.pbs.exitstatus import JOB_EXEC_CODES, SHORT_MEANINGS, decode_exit_status, short_exit_status
from daostui.pbs.limits import Limit
from daostui.pbs.models import Job
from daostui.screens.job_detail import job_body
from daostui.widgets.resource_columns import JOB_COLUMNS
from tests.real_jobs import ARRAY_ID, real_jobs, subjobs_of


def cell(job: Job, key: str) -> str:
    column = next(c for c in JOB_COLUMNS if c.key == key)
    return column.text(job)


def rendered(renderable: object, width: int = 400) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def finished(code: int, **extra: object) -> Job:
    return Job("4242.aurora-pbs-0001", {"job_state": "F", "Exit_status": code, "Job_Name": "run", **extra})


STATUSES = [*sorted(JOB_EXEC_CODES), 1, 3, 127, 137, 143, 255, 265, 271]


@pytest.mark.parametrize("code", STATUSES)
def test_every_exit_status_reads_short_in_the_pane_and_in_full_in_the_detail(code: int) -> None:
    job = finished(code)
    short = cell(job, "exit")
    assert short == short_exit_status(code) and short.split(" ", 1)[0] == str(code)
    if code < 0:
        assert short == f"{code} {SHORT_MEANINGS[code]}"
        name, meaning = JOB_EXEC_CODES[code]
        full = decode_exit_status(code)
        assert full.startswith(f"{code} ({name}: {meaning}")
    elif code >= 256:
        assert short == f"{code} {signal.Signals(code - 256).name}"  # the job shell itself was killed
    elif code > 128 and code - 128 in signal.valid_signals():
        assert short == f"{code} {signal.Signals(code - 128).name}?"  # only the shell's convention
    elif code > 0:
        assert short == str(code)  # 255: no signal 127
    detail = rendered(job_body(job))
    assert decode_exit_status(code) in detail


def test_the_pane_marks_failures_and_leaves_running_jobs_blank() -> None:
    style = next(c for c in JOB_COLUMNS if c.key == "exit").style
    assert style(finished(-29)) == "bold red" and style(finished(0)) == ""
    running = Job("1.x", {"job_state": "R"})
    assert cell(running, "exit") == "" and style(running) == ""


def test_real_history_walltime_kill_and_qdel() -> None:
    jobs = real_jobs()
    assert cell(jobs["5.pbshost"], "exit") == "3"
    assert cell(jobs["6.pbshost"], "exit") == "-29 walltime"
    assert cell(jobs["7.pbshost"], "exit") == "271 SIGTERM"
    detail = rendered(job_body(jobs["6.pbshost"]))
    assert (
        "-29 (JOB_EXEC_KILL_WALLTIME: job killed for exceeding walltime; ask for a longer walltime" in detail
    )
    assert "In history since" in detail and "Nodes" in detail and "1: pbshost" in detail


def test_array_parent_subjobs_and_progress() -> None:
    jobs = real_jobs()
    parent = jobs[ARRAY_ID]
    subjobs = subjobs_of(ARRAY_ID)
    assert cell(parent, "id") == "8[]" and [cell(s, "id") for s in subjobs] == [" └[1]", " └[2]", " └[3]"]
    # a finished array's state counts are all 0 in real output: every subjob is done then
    assert parent.array_state_count["Expired"] == 0 and cell(parent, "exit") == "3/3 done"
    assert [cell(s, "exit") for s in subjobs] == ["0 ok"] * 3
    detail = rendered(job_body(parent, subjobs))
    for line in ("Array indices", "1-3 (3 subjobs)", "Not yet started", "none", "Subjobs (qstat -t): 3"):
        assert line in detail
    assert "0 (no subjob failed)" in detail
    for sub in subjobs:
        assert sub.seq in detail


def test_array_progress_counts_running_queued_and_failed() -> None:
    running = Job(
        "77[].aurora-pbs-0001",
        {
            "job_state": "B",
            "array": "True",
            "array_indices_submitted": "1-10",
            "array_indices_remaining": "10",
            "array_state_count": "Queued:1 Running:1 Exiting:0 Expired:8",
        },
    )
    assert running.array_progress == "8/10 done, 1 running, 1 queued"
    known = running.with_failed_subjobs(1)
    assert cell(known, "exit") == "8/10 done, 1 failed, 1 running, 1 queued"
    style = next(c for c in JOB_COLUMNS if c.key == "exit").style
    assert style(known) == "bold red" and style(running) == ""
    detail = rendered(job_body(known))
    assert "Not yet started" in detail and " 10 " in detail  # index 10 still queued


def test_sorting_by_job_keeps_subjobs_under_their_array() -> None:
    jobs = list(real_jobs().values())
    key = next(c for c in JOB_COLUMNS if c.key == "id").sort_key
    ordered = [job.seq for job in sorted(jobs, key=key)]
    assert ordered == ["5", "6", "7", "8[]", "8[1]", "8[2]", "8[3]", "10", "11"]


def test_queued_job_shows_when_it_should_start_and_why() -> None:
    queued = real_jobs()["10.pbshost"]
    assert cell(queued, "comment") == "~Nov 30 01:25 · Not Running: Not enough free nodes available"
    detail = rendered(job_body(queued))
    assert "Estimated start" in detail and "2026-11-30 01:25:21 on pbshost" in detail
    assert "Waiting because" in detail and "Not Running: Not enough free nodes available" in detail
    assert detail.count("Not enough free nodes") == 1  # the comment is not repeated


def test_bare_v_values_show_as_pbs_holds_them() -> None:
    """Parsed from the real writer's invalid JSON (repaired, no text fallback)."""
    detail = rendered(job_body(real_jobs()["5.pbshost"]))
    assert "Variables (qsub -v)" in detail
    for name, value in (("LR", ".001"), ("SEED", "+42"), ("NEG", "-.5"), ("K", "a,b"), ("NANS", "nan(abc)")):
        line = next(line for line in detail.splitlines() if f" {name} " in line)
        assert f" {value} " in line, line
    assert "PBS_O_WORKDIR" not in detail  # PBS's own variables are not the user's -v


def test_eligible_time_and_nodes_folded() -> None:
    job = Job(
        "9.aurora-pbs-0001",
        {
            "job_state": "R",
            "eligible_time": "00:12:30",
            "exec_host": "x4102c3s0b0n0/0*208+x4102c3s1b0n0/0*208+x4102c3s2b0n0/0*208",
        },
    )
    detail = rendered(job_body(job))
    assert "Eligible to run for" in detail and "00:12:30" in detail
    assert "3: x4102c3s[0-2]b0n0" in detail


def test_limit_entries_each_read_as_a_sentence() -> None:
    """The queues view lists entries one per line (checked on the real -Qf in test_console_pbs_views)."""
    limit = Limit("max_run", "max_run", "u", "PBS_GENERIC", "2")
    assert limit.describe() == "at most 2 jobs running per user"
