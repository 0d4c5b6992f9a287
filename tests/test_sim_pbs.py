"""The simulated PBS (qsub/qstat/qselect/qdel/qhold/qrls) through real subprocesses and PbsClient.

Messages are copied from pbs.md (§2.4 message table, §3, §4); DAOSTUI_SIM_QUEUE_WAIT is 0.5 s
in the tests (conftest), so a job leaves the queue quickly.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from daostui.core.errors import PbsError
from daostui.pbs.client import PbsClient
from daostui.pbs.jobscript import JobRequest, generate_script
from daostui.sim import environment, knobs

HEADER = """#!/bin/bash -l
#PBS -A {project}
#PBS -q {queue}
#PBS -l select={nodes}
#PBS -l walltime=00:10:00
#PBS -l filesystems={filesystems}
#PBS -k doe
"""


def write_script(directory: Path, body: str, name: str = "job.sh", **fields: object) -> Path:
    values = {"project": "hpc_demo", "queue": "debug", "nodes": 1, "filesystems": "home:flare:daos_user"}
    values.update(fields)
    header = "".join(
        line + "\n"
        for line in HEADER.format(**values).splitlines()
        if not line.endswith(("-A None", "=None"))
    )
    path = directory / name
    path.write_text(header + body)
    return path


def run(demo_dir: Path, *argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv),
        env={**os.environ, **environment(demo_dir)},
        capture_output=True,
        text=True,
        timeout=20,
        cwd=cwd,
        check=False,
        errors="surrogateescape",  # qstat's show_nonprint_chars() can print raw bytes
    )


@pytest.fixture(autouse=True)
def _no_leftover_jobs(request: pytest.FixtureRequest) -> Iterator[None]:
    """Delete the test's unfinished jobs so no job runner outlives its test."""
    if "demo_dir" not in request.fixturenames:
        yield
        return
    demo_dir = request.getfixturevalue("demo_dir")
    yield
    user = json.loads((demo_dir / "site.json").read_text())["user"]
    ids = run(demo_dir, "qselect", "-u", user).stdout.split()
    if ids:
        run(demo_dir, "qdel", *ids)


async def wait_for(client: PbsClient, job_id: str, states: str, timeout: float = 8.0):
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        result = await client.status([job_id])
        job = next((j for j in result.jobs if j.seq == job_id.split(".")[0]), None)
        if job is not None:
            if not seen or seen[-1] != job.state:
                seen.append(job.state)
            if job.state in states:
                return job, seen
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached {states}; saw {seen}")


# ---------------------------------------------------------------------- qsub site checks
REJECTIONS = [
    ({"project": None}, "qsub: Account_Name is required to be set.", "-A <project>"),
    ({"filesystems": None}, "qsub: Resource: filesystems is required to be set.", "filesystems=home:flare"),
    ({"filesystems": "home:gila"}, "qsub: Invalid filesystem identifiers gila", "qstat -Bf"),
    ({"nodes": 3}, "qsub: Job violates queue and/or server resource limits", "debug 1–2 nodes"),
    ({"queue": "prod", "nodes": 4}, "qsub: Job rejected by all possible destinations", "256"),
    ({"queue": "nosuch"}, "qsub: Unknown queue", "qstat -Q"),
    ({"project": "other_proj"},
     "qsub: Request rejected. Reason: No active allocation found for project other_proj and resource aurora.",
     "allocation"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "message", "hint"), REJECTIONS, ids=[r[1][6:40] for r in REJECTIONS])
async def test_qsub_rejections(demo_session, fields: dict, message: str, hint: str) -> None:
    script = write_script(demo_session.workdir, "echo never\n", **fields)
    with pytest.raises(PbsError) as rejected:
        await demo_session.pbs.submit(str(script), cwd=str(demo_session.workdir))
    assert str(rejected.value) == message
    assert rejected.value.stderr.strip() == message
    assert rejected.value.result.exit_status != 0
    assert hint in rejected.value.hint


async def test_per_user_limit_in_debug(demo_session) -> None:
    script = write_script(demo_session.workdir, "sleep 5\n")
    first = await demo_session.pbs.submit(str(script), cwd=str(demo_session.workdir))
    assert first.endswith(".aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov")
    with pytest.raises(PbsError) as second:
        await demo_session.pbs.submit(str(script), cwd=str(demo_session.workdir))
    assert str(second.value) == "qsub: would exceed queue generic's per-user limit"
    assert "debug: 1" in second.value.hint


def test_qsub_missing_script(demo_dir: Path, tmp_path: Path) -> None:
    result = run(demo_dir, "qsub", str(tmp_path / "nope.sh"))
    assert result.returncode != 0
    assert result.stderr == "qsub: script file:: No such file or directory\n"


def test_command_line_overrides_directives(demo_dir: Path, tmp_path: Path) -> None:
    script = write_script(tmp_path, "true\n", queue="nosuch")
    result = run(demo_dir, "qsub", "-q", "capacity", str(script), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(".aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov")


# ---------------------------------------------------------------------- a job's life
async def test_job_moves_q_r_f_with_live_output(demo_session) -> None:
    pbs = demo_session.pbs
    body = "echo started on $(wc -l < $PBS_NODEFILE) node\nsleep 1.5\necho finished\nexit 3\n"
    script = write_script(demo_session.workdir, body, name="life.sh")
    job_id = await pbs.submit(str(script), cwd=str(demo_session.workdir))
    assert job_id in pbs.submitted_ids()

    queued = (await pbs.status([job_id])).jobs[0]
    assert queued.state == "Q"
    assert queued.account == "hpc_demo" and queued.queue == "debug" and queued.nodes == 1
    assert queued.filesystems == "home:flare:daos_user"

    running, _ = await wait_for(pbs, job_id, "R")
    output = Path(running.output_path)
    assert output.parent == demo_session.workdir
    assert output.name == f"life.sh.o{running.seq}"
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and "started" not in (output.read_text() if output.exists() else ""):
        await asyncio.sleep(0.05)
    assert output.read_text() == "started on 1 node\n"  # -k doe: the .o file grows while it runs

    finished, seen = await wait_for(pbs, job_id, "F")
    assert seen[-1] == "F" and "R" in seen
    assert output.read_text() == "started on 1 node\nfinished\n"
    assert finished.exit_status == 3
    assert finished.exit_text == "3 (script exited 3)"
    # what a real 23.06.06 server records (tests/test_realpbs_vs_sim.py runs the same on both)
    assert finished.comment.endswith(" and failed") and finished.raw["substate"] == 93
    assert finished.history_timestamp is not None and finished.history_timestamp >= finished.stime
    assert job_id in await pbs.my_job_ids()
    assert job_id not in await pbs.my_job_ids(history=False)


async def test_qdel_qhold_qrls(demo_session) -> None:
    """What a real OpenPBS 23.06.06 server did with the same requests (tests/test_realpbs.py): holding
    a held or a running job and releasing one that is not held succeed silently; qdel of a running
    job is Exit_status 271 and `… and terminated by USER@HOST`, of a queued one no Exit_status."""
    pbs = demo_session.pbs
    script = write_script(demo_session.workdir, "sleep 30\n", queue="capacity")
    held_id = await pbs.submit(str(script), cwd=str(demo_session.workdir))
    await pbs.hold(held_id)
    held = (await pbs.status([held_id])).jobs[0]
    assert held.state == "H" and held.comment.startswith(f"Job held by {demo_session.user} on ")
    await asyncio.sleep(0.8)  # longer than the queue wait: a held job does not start
    assert (await pbs.status([held_id])).jobs[0].state == "H"
    await pbs.hold(held_id)  # already held: silent, as on the real server
    await pbs.release(held_id)
    await wait_for(pbs, held_id, "R")
    await pbs.hold(held_id)  # a running job can be held: it keeps running
    running = (await pbs.status([held_id])).jobs[0]
    assert (running.state, running.raw["Hold_Types"]) == ("R", "u")
    await pbs.release(held_id)
    await pbs.delete(held_id)
    deleted, _ = await wait_for(pbs, held_id, "F")
    assert deleted.exit_status == 271
    assert "SIGTERM" in deleted.exit_text
    assert deleted.comment.endswith(
        f" and terminated by {demo_session.user}@aurora-uan-0009.hostmgmt.cm.aurora.alcf.anl.gov"
    )
    assert deleted.history_timestamp is not None

    queued_id = await pbs.submit(str(script), cwd=str(demo_session.workdir))
    await pbs.delete(queued_id)
    gone = (await pbs.status([queued_id])).jobs[0]
    assert gone.state == "F" and gone.exit_status is None
    with pytest.raises(PbsError) as finished:
        await pbs.delete(queued_id)
    assert str(finished.value).startswith("qdel: Job has finished")
    assert finished.value.result.exit_status == 35
    with pytest.raises(PbsError) as finished_hold:
        await pbs.hold(queued_id)
    assert str(finished_hold.value) == "qhold: Job has finished"
    with pytest.raises(PbsError) as unknown:
        await pbs.delete("1.aurora-pbs-0001")
    assert str(unknown.value) == "qdel: Unknown Job Id 1.aurora-pbs-0001"
    assert unknown.value.result.exit_status == 153
    assert "no longer knows" in unknown.value.hint


async def test_job_array_life_cycle(demo_session) -> None:
    """`qsub -J`: the parent `N[]` (B while subjobs run, counts), subjobs `N[i]` with their own
    output files (`NAME.oN.i`), one deleted while running; qselect lists only the parent."""
    from daostui.pbs.tracker import JobTracker

    pbs = demo_session.pbs
    body = 'echo "index $PBS_ARRAY_INDEX of $PBS_ARRAY_ID"\nsleep 2\n'
    script = write_script(demo_session.workdir, body, name="arr.sh", queue="capacity")
    array_id = await pbs.submit(str(script), cwd=str(demo_session.workdir), extra_args=["-J", "1-3"])
    number = array_id.split("[", 1)[0]
    assert array_id == f"{number}[].aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"
    listed = await pbs.my_job_ids()
    assert array_id in listed and f"{number}.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov" not in listed
    begun, _ = await wait_for(pbs, array_id, "B")
    assert begun.seq == f"{number}[]" and begun.array_indices_submitted == "1-3"
    assert begun.comment.startswith("Job Array Began at ")
    assert sum(begun.array_state_count.values()) == 3
    tracker = JobTracker(pbs)
    await tracker.refresh()
    subjobs = await tracker.expand(array_id)
    rows = [job.seq for job in tracker.rows() if job.seq.startswith(number)]
    assert rows == [f"{number}[]", *(f"{number}[{i}]" for i in (1, 2, 3))]
    assert all(job.state == "R" for job in subjobs)
    await pbs.delete_subjob(array_id, 2)
    finished, _ = await wait_for(pbs, array_id, "F", timeout=15)
    assert finished.comment.endswith(" and terminated")  # a running subjob was deleted
    assert finished.array_state_count == {"Queued": 0, "Running": 0, "Exiting": 0, "Expired": 0}
    done = {job.array_index: job for job in await pbs.subjobs(array_id)}
    assert done[2].exit_status == 271 and "terminated by" in done[2].comment
    for index in (1, 3):
        assert done[index].exit_status == 0 and done[index].comment.endswith(" and finished")
        output = Path(done[index].output_path)
        assert output == demo_session.workdir / f"arr.sh.o{number}.{index}"
        assert output == Path(finished.output_path_for(index))
        assert output.read_text() == f"index {index} of {array_id}\n"


async def test_the_demo_history_shows_what_the_real_server_prints(demo_session, demo_dir: Path) -> None:
    """A fresh demo's history: a job with `-v` values the 23.06 writer prints bare (read through the
    repair, no text qstat), a finished array with a failed subjob, a walltime kill, a qdel."""
    from daostui.pbs.tracker import JobTracker
    from daostui.sim import seed

    seed.reset(demo_dir, seed=0, showcase=True)  # what `daostui --demo` starts with
    commands: list[list[str]] = []
    demo_session.transport.add_listener(lambda result: commands.append(list(result.argv)))
    tracker = JobTracker(demo_session.pbs)
    jobs = {job.name: job for job in await tracker.refresh()}
    assert {"train_lr", "sweep.pbs", "ior_long", "daos_job"} <= set(jobs)
    assert all(argv[0] != "qstat" or "json" in argv for argv in commands)
    (train,) = (await demo_session.pbs.status([jobs["train_lr"].id])).jobs  # the detail view's full record
    assert (train.variables["LR"], train.variables["SEED"]) == (".001", "+42")
    assert train.comment.endswith(" and finished") and re.fullmatch(
        r"x4\d{3}c[0-7]s\[\d-\d\]b0n0", train.nodes_folded
    )
    sweep = jobs["sweep.pbs"]
    assert sweep.seq.endswith("[]") and sweep.array_progress == "4/4 done"
    subjobs = await tracker.expand(sweep.id)
    assert [job.exit_status for job in subjobs] == [0, 0, 1, 0]
    assert subjobs[2].comment.endswith(" and failed")
    assert Path(subjobs[2].output_path).read_text() == "sweep point 3\n"
    walltime = jobs["ior_long"]
    assert walltime.exit_status == -29 and walltime.comment.endswith(" and exceeded resource walltime")
    assert "walltime 3605 exceeded limit 3600" in Path(walltime.error_path).read_text()
    assert jobs["daos_job"].exit_status == 271


def test_qstat_json_and_qselect(demo_dir: Path, tmp_path: Path) -> None:
    script = write_script(tmp_path, "sleep 5\n", queue="capacity")
    job_id = run(demo_dir, "qsub", str(script), cwd=tmp_path).stdout.strip()
    user = json.loads((demo_dir / "site.json").read_text())["user"]

    selected = run(demo_dir, "qselect", "-u", user)
    assert selected.returncode == 0
    assert selected.stdout == job_id + "\n"

    status = run(demo_dir, "qstat", "-f", "-F", "json", "-x", job_id)
    assert status.returncode == 0, status.stderr
    document = json.loads(status.stdout)
    assert document["pbs_server"] == "aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"
    job = document["Jobs"][job_id]
    assert job["Account_Name"] == "hpc_demo"
    assert job["Resource_List"]["filesystems"] == "home:flare:daos_user"
    assert job["Keep_Files"] == "doe"

    unknown = run(demo_dir, "qstat", "-f", "-F", "json", "12.aurora-pbs-0001")
    assert unknown.returncode == 153
    assert unknown.stderr == "qstat: Unknown Job Id 12.aurora-pbs-0001\n"

    # every job of the site, other users' included
    everybody = run(demo_dir, "qselect").stdout.split()
    assert job_id in everybody and len(everybody) > 1


async def test_status_of_many_jobs_parses(demo_session) -> None:
    pbs = demo_session.pbs
    queues = {q.name: q for q in await pbs.queues()}
    assert queues["debug"].max_nodes == 2 and queues["prod"].type.lower().startswith("route")
    server = await pbs.server()
    assert "daos_user" in server.valid_filesystems


async def test_lost_job(demo_session, demo_dir: Path) -> None:
    knobs.add_fault(demo_dir, "lost_job", remaining=1)
    pbs = PbsClient(demo_session.transport, user=demo_session.user, lost_after=0.4)
    script = write_script(demo_session.workdir, "echo hi\n", queue="capacity")
    job_id = await pbs.submit(str(script), cwd=str(demo_session.workdir))
    early = await pbs.status([job_id])
    assert early.jobs == [] and early.unknown_ids == [job_id]
    await asyncio.sleep(0.5)
    later = await pbs.status([job_id])
    assert [job.state for job in later.jobs] == ["L"]
    assert later.jobs[0].id == job_id
    assert "no longer knows" in later.jobs[0].comment
    # the next submission is not lost
    other = await pbs.submit(str(script), cwd=str(demo_session.workdir))
    assert (await pbs.status([other])).jobs[0].state in "QRF"


# ---------------------------------------------------------------------- a DAOS job end to end
async def test_daos_job_writes_into_container(
    demo_session, demo_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    compute_root = tmp_path / "compute"
    compute_root.mkdir()
    monkeypatch.setenv("DAOSTUI_SIM_COMPUTE_ROOT", str(compute_root))
    target = compute_root / "hpc_demo" / "checkpoints"
    request = JobRequest(
        project="hpc_demo",
        queue="debug",
        nodes=1,
        walltime="00:10:00",
        program="bash",
        args=("-c", f"echo rank $PMI_RANK of $PMI_SIZE > {target}/rank_$PMI_RANK.txt"),
        pool="hpc_demo",
        container="checkpoints",
        ranks_per_node=2,
        job_name="daosjob",
    )
    script = demo_session.workdir / "daosjob.pbs"
    script.write_text(generate_script(request, demo_session.site))
    pbs = demo_session.pbs
    job_id = await pbs.submit(str(script), cwd=str(demo_session.workdir))
    finished, _ = await wait_for(pbs, job_id, "F")
    output = Path(finished.output_path).read_text()
    error = Path(finished.error_path).read_text()
    assert finished.exit_status == 0, output + error
    assert "daostui: program exited with status 0" in output
    assert "NA_HOSTUNREACH" not in error  # the generated script uses --no-vni

    # the files landed in the container itself, and clean-dfuse.sh unmounted it
    conts = run(demo_dir, "daos", "-j", "cont", "list", "hpc_demo")
    uuid = next(c["uuid"] for c in json.loads(conts.stdout)["response"] if c["label"] == "checkpoints")
    stored = sorted(p.name for p in demo_dir.glob(f"containers/*/{uuid}/*"))
    assert stored == ["rank_0.txt", "rank_1.txt"]
    assert next(demo_dir.glob(f"containers/*/{uuid}/rank_1.txt")).read_text() == "rank 1 of 2\n"
    assert "fuse.daos" not in (demo_dir / "mounts").read_text()
    assert not target.is_symlink()
