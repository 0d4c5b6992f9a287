"""The compact jobs the jobs pane keeps read the same as the whole records they came from."""

from __future__ import annotations

import gc
import sys
from datetime import datetime
from pathlib import Path

import pytest

from daostui.pbs import compact
from daostui.pbs.models import Job
from daostui.pbs.parse import parse_jobs_json, parse_jobs_text

FIXTURES = Path(__file__).parent / "fixtures" / "pbs"
JSON = [
    "qstat_f.json",
    "qstat_f_json_bare_values.json",
    "qstat_f_json_invalid_escapes.json",
    "real/qstat_f_json_estimated.json",
    "real/qstat_fx_json_history.json",
    "real/qstat_tfx_json_array.json",
    "real/master_qstat_fx_json_history.json",
    "real/qstat_f_json_bare_values.json",
]
TEXT = ["qstat_f_wrapped.txt", "real/master_qstat_fx_history.txt", "real/qstat_f_bare_values.txt"]
#: Everything the jobs pane, its filter, the output view and the array rows read.
SAME = [
    "seq",
    "short_id",
    "sequence_number",
    "is_array",
    "is_subjob",
    "array_index",
    "array_parent_id",
    "array_indices_submitted",
    "array_indices_remaining",
    "array_state_count",
    "array_size",
    "array_summary",
    "name",
    "owner",
    "state",
    "state_name",
    "is_finished",
    "queue",
    "account",
    "comment",
    "waiting_reason",
    "estimated_start",
    "history_timestamp",
    "nodes",
    "filesystems",
    "walltime_requested",
    "walltime_used",
    "walltime_requested_text",
    "walltime_used_text",
    "exit_status",
    "exit_text",
    "output_path",
    "error_path",
    "workdir",
    "stime",
    "obittime",
]


def _jobs() -> list[Job]:
    jobs = [job for name in JSON for job in parse_jobs_json((FIXTURES / name).read_text())]
    jobs += [job for name in TEXT for job in parse_jobs_text((FIXTURES / name).read_text())]
    assert len(jobs) > 10
    return jobs


@pytest.mark.parametrize("job", _jobs(), ids=lambda job: job.id)
def test_compact_job_reads_like_the_whole_record(job: Job) -> None:
    small = job.compact()
    assert small.is_compact and not job.is_compact
    for name in SAME:
        assert getattr(small, name) == getattr(job, name), name
    now = datetime(2030, 1, 1)
    assert small.elapsed(now) == job.elapsed(now)
    assert (small.output_path_for(7), small.error_path_for(7)) == (
        job.output_path_for(7),
        job.error_path_for(7),
    )
    assert small.compact() is small
    # `raw` keeps the JSON shape for the attributes kept
    for key in ("Job_Name", "job_state", "Output_Path", "Error_Path"):
        assert small.raw.get(key) == job.raw.get(key), key
    assert small.raw.get("Resource_List", {}).get("walltime") == job.resource_list.get("walltime")


def test_compact_job_is_one_string() -> None:
    """No per-job dicts or tuples for the garbage collector to walk, no per-value string headers."""
    job = parse_jobs_json((FIXTURES / "qstat_f.json").read_text())[0].compact()
    assert type(job._attrs) is str and not gc.is_tracked(job._attrs)
    assert sys.getsizeof(job._attrs) < 300
    assert job._attrs.split(compact.SEP)[compact.OWN.index("Error_Path")] == compact.DERIVED
    assert job.error_path.endswith("job.sh.e8875194") and job.output_path.endswith("job.sh.o8875194")


def test_values_jobs_share_are_one_tuple_of_one_copy_each() -> None:
    text = (FIXTURES / "qstat_f.json").read_text()
    first, second = (parse_jobs_json(text)[0].compact() for _ in range(2))
    assert first._shared is second._shared
    gc.collect()
    assert not gc.is_tracked(first._shared)
    assert first.queue is second.queue and first.account is second.account


def test_the_default_output_path_is_not_stored_but_read_back_exactly() -> None:
    record = {
        "Job_Name": "sweep",
        "Job_Owner": "alice@aurora-uan-0010.hostmgmt.cm.aurora.alcf.anl.gov",
        "job_state": "F",
        "Output_Path": "aurora-uan-0010.hostmgmt.cm.aurora.alcf.anl.gov:/lus/flare/p/sweep.o123",
        "Error_Path": "aurora-uan-0010.hostmgmt.cm.aurora.alcf.anl.gov:/lus/flare/p/sweep.e123",
        "Variable_List": {"PBS_O_WORKDIR": "/lus/flare/p"},
    }
    job = Job("123.aurora-pbs-0001", record).compact()
    own = job._attrs.split(compact.SEP)
    assert own[compact.OWN.index("Output_Path")] == own[compact.OWN.index("Error_Path")] == compact.DERIVED
    assert job.raw["Output_Path"] == record["Output_Path"] and job.raw["Error_Path"] == record["Error_Path"]
    assert (job.output_path, job.error_path) == ("/lus/flare/p/sweep.o123", "/lus/flare/p/sweep.e123")
    renamed = Job("124.aurora-pbs-0001", {**record, "Job_Name": "other"}).compact()
    assert renamed.raw["Output_Path"] == record["Output_Path"]  # not the default for its name: kept


def test_an_error_path_of_its_own_is_kept() -> None:
    job = Job("1.x", {"Output_Path": "h:/w/a.out", "Error_Path": "h:/w/b.err", "job_state": "F"}).compact()
    assert (job.output_path, job.error_path) == ("/w/a.out", "/w/b.err")
    bare = Job("2.x", {"Error_Path": "h:/w/x.e2", "job_state": "Q"}).compact()
    assert (bare.output_path, bare.error_path) == ("", "/w/x.e2")


def test_values_holding_the_separator_are_kept_apart() -> None:
    name = f"a{compact.SEP}b"
    job = Job("3.x", {"Job_Name": name, "job_state": "R", "Exit_status": 0}).compact()
    assert job.is_compact and type(job._attrs) is tuple
    assert (job.name, job.state, job.exit_status, job.is_finished) == (name, "R", 0, False)
