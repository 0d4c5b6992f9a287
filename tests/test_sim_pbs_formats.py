"""The simulated qstat prints what the real one prints: every form of the reference, real headers.

Headers and layouts are compared byte for byte with output captured from a real OpenPBS
23.06.06 (tests/fixtures/pbs/real; the server line differs by name only). The simulated Aurora's
server has `max_job_sequence_id` above 9,999,999, which widens the id columns exactly as the
real qstat does (pbs.md §3.1); set to the default, the narrow real layout comes back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from daostui.pbs import parse
from daostui.sim import store
from tests.test_sim_pbs import run

REAL = Path(__file__).parent / "fixtures" / "pbs" / "real"
USER = "aurora_user"


def submit(demo_dir: Path, tmp_path: Path, *extra: str, body: str = "sleep 30\n") -> str:
    script = tmp_path / "job.sh"
    script.write_text("#!/bin/bash\n" + body)
    flags = [
        "-A",
        "hpc_demo",
        "-q",
        "capacity",
        "-l",
        "select=1,walltime=00:10:00,filesystems=home",
        "-k",
        "doe",
    ]
    result = run(demo_dir, "qsub", *flags, *extra, str(script), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(autouse=True)
def _no_leftover_jobs(demo_dir: Path):
    yield
    ids = run(demo_dir, "qselect", "-u", USER).stdout.split()
    if ids:
        run(demo_dir, "qdel", *ids)


def narrow(demo_dir: Path) -> None:
    """The real test site's setting: max_job_sequence_id at its default, 9,999,999."""
    with store.locked(demo_dir, "pbs") as data:
        data["server"]["max_job_sequence_id"] = 9999999


FORMS = [
    [],
    ["-x"],
    ["-t"],
    ["-w"],
    ["-x", "-t", "-w"],
    ["-f"],
    ["-f", "-w"],
    ["-f", "-F", "json"],
    ["-f", "-F", "JSON", "-x", "-t"],
    ["-a"],
    ["-u", USER],
    ["-a", "-u", USER],
    ["-n"],
    ["-s"],
    ["-n", "-1"],
    ["-s", "-1"],
    ["-w", "-a"],
    ["-was1"],
    ["-wan"],
    ["-wan1"],
    ["-T"],
    ["-T", "-w"],
    ["-i"],
    ["-r"],
    ["-H"],
    ["-G"],
    ["-M"],
    ["-J"],
    ["-Q"],
    ["-Qf"],
    ["-Qf", "-F", "json"],
    ["-q"],
    ["-B"],
    ["-Bf"],
    ["-Bf", "-F", "json"],
]


@pytest.mark.parametrize("form", FORMS, ids=[" ".join(f) or "(none)" for f in FORMS])
def test_every_qstat_form_of_the_reference_works(demo_dir: Path, tmp_path: Path, form: list[str]) -> None:
    """Issue 15 item 23: `qstat -a` and `qstat -u USER` crashed; every documented form must work."""
    submit(demo_dir, tmp_path)
    submit(demo_dir, tmp_path, "-J", "1-2")
    result = run(demo_dir, "qstat", *form)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip() or form == ["-H"]  # -H: history only, maybe none yet


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (["-F", "json"], "qstat: conflicting options.\n"),
        (["-1"], "qstat: conflicting options.\n"),
        (["-a", "-i"], "qstat: conflicting options.\n"),
        (["-Q", "-a"], "qstat: conflicting options.\n"),
        (["-f", "-w", "-F", "json"], "qstat: option w cannot be used with -F\n"),
    ],
)
def test_conflicting_options(demo_dir: Path, form: list[str], message: str) -> None:
    result = run(demo_dir, "qstat", *form)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and "usage: \nqstat [-f]" in result.stderr


def _header(text: str, rows: int) -> list[str]:
    return text.splitlines()[:rows]


def test_tables_match_the_real_layout(demo_dir: Path, tmp_path: Path) -> None:
    narrow(demo_dir)
    job_id = submit(demo_dir, tmp_path)
    default = run(demo_dir, "qstat", job_id).stdout
    real_default = (REAL / "qstat_tx_array.txt").read_text()
    assert _header(default, 2) == _header(real_default, 2)
    row = default.splitlines()[2]
    assert row.startswith(job_id.split(".")[0] + ".aurora-p* job.sh") and row.endswith("capacity        ")

    alt = run(demo_dir, "qstat", "-a", job_id).stdout
    real_alt = (REAL / "qstat_a.txt").read_text()
    assert alt.split("\n", 2)[2].splitlines()[:3] == real_alt.split("\n", 2)[2].splitlines()[:3]
    assert alt.startswith("\naurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov: \n")
    wide = run(demo_dir, "qstat", "-answ1", job_id).stdout
    real_wide = (REAL / "qstat_answ1.txt").read_text()
    assert wide.split("\n", 2)[2].splitlines()[:3] == real_wide.split("\n", 2)[2].splitlines()[:3]
    estimated = run(demo_dir, "qstat", "-T", job_id).stdout
    real_estimated = (REAL / "qstat_T.txt").read_text()
    assert estimated.split("\n", 2)[2].splitlines()[:4] == real_estimated.split("\n", 2)[2].splitlines()[:4]


def test_the_id_column_widens_only_past_seven_digits(demo_dir: Path, tmp_path: Path) -> None:
    """pbs.md §3.1: 17 wide by default, 22 when max_job_sequence_id > 9,999,999 (as on Aurora)."""
    job_id = submit(demo_dir, tmp_path)
    wide = run(demo_dir, "qstat", job_id).stdout.splitlines()
    assert wide[0] == "Job id                 Name             User              Time Use S Queue"
    assert wide[2].startswith(job_id.split(".")[0] + ".aurora-pbs-00* ")
    alt = run(demo_dir, "qstat", "-a", job_id).stdout.splitlines()
    assert alt[3].startswith("Job ID               Username") and alt[5].startswith(
        job_id.split(".")[0] + ".aurora-pbs-* "
    )
    narrow(demo_dir)
    assert run(demo_dir, "qstat", job_id).stdout.splitlines()[0] == (
        "Job id            Name             User              Time Use S Queue"
    )


def test_json_prints_numbers_bare_as_the_real_writer(demo_dir: Path, tmp_path: Path) -> None:
    """The demo exercises the repair path: `-v` values are printed unquoted, as 23.06 does."""
    job_id = submit(demo_dir, tmp_path, "-h", "-v", "LR=.001,SEED=+42,K=a\\,b")
    text = run(demo_dir, "qstat", "-f", "-F", "json", job_id).stdout
    assert '"LR":.001,\n' in text and '"SEED":+42,\n' in text and '"K":"a,b",\n' in text
    with pytest.raises(ValueError):
        json.loads(text)
    (job,) = parse.parse_jobs_json(text)
    assert (job.variables["LR"], job.variables["SEED"], job.variables["K"]) == (".001", "+42", "a,b")
    empty = run(demo_dir, "qstat", "-f", "-F", "json", "99999")
    assert empty.returncode == 153 and empty.stdout.endswith("\n}")  # no newline, as the real one
    assert empty.stderr == "qstat: Unknown Job Id 99999.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov\n"


def test_full_text_wraps_where_qstat_does(demo_dir: Path, tmp_path: Path) -> None:
    job_id = submit(demo_dir, tmp_path, "-h", "-v", "LR=.001,K=a\\,b")
    text = run(demo_dir, "qstat", "-f", job_id).stdout
    lines = text.splitlines()
    assert any(line.startswith("\t") for line in lines)  # continuation lines begin with a TAB
    assert all(len(line.expandtabs(1)) <= 80 for line in lines if not line.startswith("    Submit"))
    assert "K=a\\,b" in text.replace("\n\t", "")
    (job,) = parse.parse_jobs_text(text)
    assert job.variables["K"] == "a,b" and job.variables["LR"] == ".001"
    one_line = run(demo_dir, "qstat", "-f", "-w", job_id).stdout
    assert not any(line.startswith("\t") for line in one_line.splitlines())


def test_queue_limits_repeat(demo_dir: Path) -> None:
    """One `max_run` line (text) or duplicate key (23.06 JSON) per limit entry, as on a real server."""
    text = run(demo_dir, "qstat", "-Qf", "debug").stdout
    assert text.count("    max_run = ") == 2
    assert "    max_run = [o:PBS_ALL=64]\n    max_run = [u:PBS_GENERIC=1]\n" in text
    as_json = run(demo_dir, "qstat", "-Qf", "-F", "json", "debug").stdout
    assert as_json.count('"max_run":') == 2
    (from_text,) = parse.parse_queues_text(text)
    (from_json,) = parse.parse_queues_json(as_json)
    assert from_text.limit_entries == from_json.limit_entries
    mine = [limit.describe() for limit in from_json.user_limits(USER)]
    assert "at most 1 job running per user" in mine and "at most 1 job queued or running per user" in mine


def test_queued_jobs_carry_an_estimated_start(demo_dir: Path) -> None:
    """Other users' queued jobs have `estimated.start_time` (Aurora backfills); `-T` shows it."""
    text = run(demo_dir, "qstat", "-f", "-F", "json").stdout
    jobs = parse.parse_jobs_json(text)
    queued = [job for job in jobs if job.state == "Q"]
    assert queued and all(job.estimated_start is not None for job in queued)
    assert all(job.waiting_reason.startswith("Not Running") for job in queued)
    assert all(job.estimated_nodes for job in queued)
    running = [job for job in jobs if job.state == "R"]
    assert running and all(job.estimated_start is None and job.nodes_folded for job in running)
