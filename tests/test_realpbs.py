"""The PBS client against a real OpenPBS 23.06.06 server (the JSON writer of Aurora's PBS 2022).

A one-node site with Aurora-like queues and the `filesystems`/`daos` resources, reached only
through environment variables (tests/realpbs.py): jobs really run, as a test user, through the
site's qsub/qstat/qdel. Each scenario waits for the state it checks, never for a time.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from daostui.core.errors import PbsError
from daostui.core.site import SiteProfile
from daostui.pbs.jobscript import JobRequest, generate_script
from tests.realpbs import (
    QDEL_EXIT_STATUSES,
    Recorder,
    Site,
    commands,
    connection,
    pbs,
    site,
    wait_for,
    wait_until,
)

__all__ = ["commands", "connection", "pbs", "site"]  # fixtures used by the tests below

pytestmark = pytest.mark.realpbs

SHORT = ["-k", "doe", "-l", "walltime=00:05:00"]  # -k doe: .o/.e written as the job runs (Aurora)


# ---------------------------------------------------------------------- the job form's script
MPIEXEC_SHIM = """#!/bin/sh
# Cray PALS stand-in: run the program once, after mpiexec's own options (ending at -genvall)
while [ $# -gt 0 ] && [ "$1" != "-genvall" ]; do shift; done
shift
exec "$@"
"""


async def test_generated_script_is_accepted_and_its_output_followed(site: Site, pbs) -> None:
    """The form's script with every Aurora flag (-A, -q, select, walltime, filesystems incl. the DAOS
    one, -l daos, place, -k doe) is accepted; .o and .e grow while the job runs (-k doe)."""
    directory = site.job_dir("form")
    shims = directory / "shims"
    shims.mkdir()
    site.write(shims, "mpiexec", MPIEXEC_SHIM)
    site.write(shims, "launch-dfuse.sh", '#!/bin/sh\necho "mounted $1"\n')
    site.write(shims, "clean-dfuse.sh", '#!/bin/sh\necho "unmounted $1"\n')
    request = JobRequest(
        project="hpc_demo",
        queue="debug",
        nodes=1,
        walltime="00:05:00",
        program="bash",
        args=("-c", "for i in 1 2 3 4; do echo line $i; echo warn $i >&2; sleep 1; done"),
        pool="hpc_demo",
        container="checkpoints",
        ranks_per_node=1,
        env={"PATH": f"{shims}:/usr/bin:/bin"},
        job_name="formjob",
    )
    script = site.write(directory, "formjob.pbs", generate_script(request, SiteProfile()))
    job_id = await pbs.submit(str(script), cwd=str(directory))
    assert job_id.endswith(".pbshost")
    running = await wait_for(pbs, job_id, "RF")
    assert running.account == "hpc_demo" and running.queue == "debug"
    assert running.filesystems == "home:flare:daos_user"
    assert running.resource_list["daos"] == "daos_user" and running.raw["Keep_Files"] == "doe"
    assert running.output_path == f"{directory}/formjob.o{running.seq}"

    seen: list[str] = []
    states: list[str] = []

    async def follow(path: str, count: int) -> list[str]:
        lines = []
        async for line in pbs.follow(path):
            lines.append(line)
            if line.startswith(("line 1", "warn 1")):
                states.append((await pbs.status([job_id])).jobs[0].state)
            if sum(1 for line in lines if line.startswith(("line", "warn"))) >= count:
                return lines
        return lines

    seen = await asyncio.wait_for(follow(running.output_path, 4), 120)
    errors = await asyncio.wait_for(follow(running.error_path, 4), 120)
    assert [line for line in seen if line.startswith("line")] == ["line 1", "line 2", "line 3", "line 4"]
    assert "mounted hpc_demo:checkpoints" in seen
    assert [line for line in errors if line.startswith("warn")] == ["warn 1", "warn 2", "warn 3", "warn 4"]
    assert "R" in states  # the first line was read while the job still ran
    finished = await wait_for(pbs, job_id, "F")
    assert finished.exit_status == 0 and finished.comment.endswith(" and finished")
    text = open(finished.output_path).read()  # noqa: SIM115 - a small file, after the job
    assert "daostui: program exited with status 0" in text and "unmounted hpc_demo:checkpoints" in text


# ---------------------------------------------------------------------- hold, release, cancel
async def test_hold_release_cancel(site: Site, pbs) -> None:
    directory = site.job_dir("hold")
    script = site.write(directory, "never.sh", "#!/bin/sh\nsleep 60\n")
    # three CPUs on a two-CPU node: it waits forever, so each state is the one qhold/qrls set
    job_id = await pbs.submit(str(script), cwd=str(directory), extra_args=["-l", "select=1:ncpus=3", *SHORT])
    queued = await wait_for(pbs, job_id, "Q")
    assert queued.waiting_reason == "" or queued.waiting_reason.startswith(("Not Running", "Can Never Run"))
    await pbs.hold(job_id)
    held = await wait_for(pbs, job_id, "H")
    assert held.raw["Hold_Types"] == "u" and held.comment.startswith(f"Job held by {site.user} on ")
    await pbs.hold(job_id)  # already held: PBS says nothing
    await pbs.release(job_id)
    released = await wait_for(pbs, job_id, "Q")
    assert released.raw["Hold_Types"] == "n"
    await pbs.release(job_id)  # not held: PBS says nothing either
    await pbs.delete(job_id)
    gone = await wait_for(pbs, job_id, "F")
    assert gone.exit_status is None and gone.history_timestamp is not None
    with pytest.raises(PbsError) as again:
        await pbs.delete(job_id)
    assert str(again.value) == f"qdel: Job has finished {job_id}"
    assert again.value.result.exit_status == 35
    with pytest.raises(PbsError) as hold_finished:
        await pbs.hold(job_id)
    assert str(hold_finished.value) == "qhold: Job has finished"


# ---------------------------------------------------------------------- -v values the writer leaves bare
async def test_bare_json_values_parse_without_a_text_qstat(site: Site, pbs, commands: Recorder) -> None:
    directory = site.job_dir("bare")
    script = site.write(directory, "true.sh", "#!/bin/sh\ntrue\n")
    values = "LR=.001,SEED=+42,NEG=-.5,DOT=5.,HEX=0x0.8,INF=inf,EXP=1e5,LZ=-05,NOTNUM=0.9e1,K=a\\,b"
    job_id = await pbs.submit(str(script), cwd=str(directory), extra_args=["-h", "-v", values, *SHORT])
    result = await pbs.status([job_id])
    (job,) = result.jobs
    assert {
        k: job.variables[k] for k in ("LR", "SEED", "NEG", "DOT", "HEX", "INF", "EXP", "LZ", "NOTNUM", "K")
    } == {
        "LR": ".001",
        "SEED": "+42",
        "NEG": "-.5",
        "DOT": "5.",
        "HEX": "0x0.8",
        "INF": "inf",
        "EXP": "1e5",
        "LZ": "-05",
        "NOTNUM": "0.9e1",
        "K": "a,b",
    }
    qstats = commands.argvs("qstat")
    assert qstats and all("json" in argv for argv in qstats), qstats  # no text fallback was needed


# ---------------------------------------------------------------------- history and exit status
async def test_finished_jobs_and_their_exit_status(site: Site, pbs) -> None:
    """A script that exits 3, one killed by its walltime, one deleted while running (qstat -x)."""
    directory = site.job_dir("exit")
    fails = site.write(directory, "fails.sh", "#!/bin/sh\necho before\nexit 3\n")
    # `exec`: the script's process is sleep itself (qdel's outcome: QDEL_EXIT_STATUSES)
    sleeps = site.write(directory, "sleeps.sh", "#!/bin/sh\necho started\nexec sleep 100\n")
    failed_id = await pbs.submit(str(fails), cwd=str(directory), extra_args=SHORT)
    killed_id = await pbs.submit(
        str(sleeps), cwd=str(directory), extra_args=["-k", "doe", "-l", "walltime=00:00:03"]
    )
    failed = await wait_for(pbs, failed_id, "F")
    assert failed.exit_status == 3 and failed.exit_text == "3 (script exited 3)"
    assert failed.comment.endswith(" and failed") and failed.raw["substate"] == 93
    killed = await wait_for(pbs, killed_id, "F")
    assert killed.exit_status == -29 and "JOB_EXEC_KILL_WALLTIME" in killed.exit_text
    assert killed.comment.endswith(" and exceeded resource walltime")
    error_text = open(killed.error_path).read()  # noqa: SIM115
    assert "=>> PBS: job killed: walltime" in error_text and "exceeded limit 3" in error_text

    deleted_id = await pbs.submit(str(sleeps), cwd=str(directory), extra_args=SHORT)
    await wait_for(pbs, deleted_id, "R")
    await wait_until(lambda: _has_output(directory, "sleeps.sh.o" + deleted_id.split(".")[0]), "the job ran")
    await pbs.delete(deleted_id)
    deleted = await wait_for(pbs, deleted_id, "F")
    assert deleted.exit_status in QDEL_EXIT_STATUSES and "SIGTERM" in deleted.exit_text
    assert deleted.comment.endswith(f" and terminated by {site.user}@pbshost")
    for job in (failed, killed, deleted):
        assert job.history_timestamp is not None and job.hosts == ["pbshost"]
        assert job.id in await pbs.my_job_ids(history=True)


async def _has_output(directory, name: str) -> bool:
    path = directory / name
    return path.exists() and path.stat().st_size > 0


# ---------------------------------------------------------------------- queues, server, errors
async def test_queues_and_server(site: Site, pbs) -> None:
    queues = {queue.name: queue for queue in await pbs.queues()}
    assert {"workq", "debug", "prod"} <= set(queues)
    debug = queues["debug"]
    assert (debug.min_nodes, debug.max_nodes, debug.max_walltime) == (1, 2, 3600)
    assert debug.enabled and debug.started and debug.type == "Execution"
    assert set(debug.state_count) >= {"Queued", "Running", "Held"}
    server = await pbs.server()
    assert server.name == "pbshost" and server.default_queue == "debug"
    assert server.pbs_version.startswith("23.06")


async def test_repeated_queue_limits(site: Site, pbs) -> None:
    if site.admin is None:
        pytest.skip("DAOSTUI_TEST_PBS_ADMIN not set: cannot set queue limits on the site")
    process = await asyncio.create_subprocess_exec(
        str(site.admin),
        "-c",
        f"set queue prod max_run = '[u:PBS_GENERIC=20], [u:{site.user}=30], [o:PBS_ALL=100]'",
    )
    assert await process.wait() == 0
    queues = {queue.name: queue for queue in await pbs.queues()}
    entries = sorted(
        (x.scope, x.entity, x.value)
        for x in queues["prod"].limit_entries
        if x.kind == "max_run" and not x.resource
    )
    assert entries == [("o", "PBS_ALL", "100"), ("u", "PBS_GENERIC", "20"), ("u", site.user, "30")]
    mine = [
        x.describe() for x in queues["prod"].user_limits(site.user) if x.kind == "max_run" and not x.resource
    ]
    assert sorted(mine) == [
        "at most 100 jobs running, all users together",
        f"at most 30 jobs running for user {site.user}",
    ]


async def test_queue_limit_and_unknown_id_errors(site: Site, pbs) -> None:
    directory = site.job_dir("limits")
    script = site.write(directory, "true.sh", "#!/bin/sh\ntrue\n")
    with pytest.raises(PbsError) as too_big:
        await pbs.submit(
            str(script), cwd=str(directory), extra_args=["-q", "debug", "-l", "select=3", *SHORT]
        )
    assert str(too_big.value) == "qsub: Job violates queue and/or server resource limits"
    assert too_big.value.result.exit_status != 0 and "queue's limits" in too_big.value.hint
    with pytest.raises(PbsError) as too_long:
        await pbs.submit(
            str(script), cwd=str(directory), extra_args=["-q", "debug", "-l", "walltime=02:00:00"]
        )
    assert str(too_long.value) == "qsub: Job violates queue and/or server resource limits"
    with pytest.raises(PbsError) as no_queue:
        await pbs.submit(str(script), cwd=str(directory), extra_args=["-q", "nosuch", *SHORT])
    assert str(no_queue.value) == "qsub: Unknown queue"

    result = await pbs.status(["999999.pbshost"])
    assert result.jobs == [] and result.unknown_ids == ["999999.pbshost"]
    with pytest.raises(PbsError) as unknown:
        await pbs.delete("999999.pbshost")
    assert str(unknown.value) == "qdel: Unknown Job Id 999999.pbshost"
    assert unknown.value.result.exit_status == 153 and "no longer knows" in unknown.value.hint
    with pytest.raises(PbsError) as unknown_hold:
        await pbs.hold("999999")
    assert str(unknown_hold.value) == "qhold: Unknown Job Id 999999.pbshost"


# ---------------------------------------------------------------------- qsub -I
async def test_interactive_job_in_a_pty(site: Site, pbs) -> None:
    import pexpect

    from daostui.pbs.interactive_session import READY, WAITING

    directory = site.job_dir("interactive")
    argv = pbs.argv_interactive(
        project="hpc_demo",
        queue="debug",
        nodes=1,
        walltime="00:05:00",
        filesystems="home:flare:daos_user",
        extra_resources=["daos=daos_user"],
    )
    env = dict(pbs.transport.env_overrides)

    def session() -> tuple[str, str]:
        child = pexpect.spawn(
            str(site.bin / "qsub"), argv[1:], cwd=str(directory), env={**os.environ, **env}, timeout=120
        )
        try:
            child.expect(WAITING)
            child.expect(READY)
            job_id = child.match.group(1).decode()
            child.sendline("echo inside=$PBS_ENVIRONMENT; exit 7")
            child.expect(pexpect.EOF)
            return job_id, child.before.decode(errors="replace")
        finally:
            child.close(force=True)

    job_id, transcript = await asyncio.to_thread(session)
    assert "inside=PBS_INTERACTIVE" in transcript
    assert f"qsub: job {job_id} completed" in transcript
    finished = await wait_for(pbs, job_id, "F")
    # PBS records 0 for an interactive job whatever its shell's exit status (the simulator too)
    assert finished.exit_status == 0 and finished.comment.endswith(" and finished")
    assert finished.raw["interactive"] == "True"
