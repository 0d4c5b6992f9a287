"""The console against the simulated PBS: job arrays, exit statuses, queues, and live job state.

The demo's showcase history is what a new user sees at first start: a job array with a failed
subjob, a walltime kill, a qdel and a job submitted with bare `-v` values. These tests drive the
console by its keys and check the rows, details and the simulator's state afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from daostui.core.session import demo_session
from daostui.pbs.parse import parse_queues_json
from daostui.sim import bindir, knobs, seed
from daostui.transport.log import CommandLog
from tests.conftest import make_app
from tests.pilot_helpers import finish_run, rendered, wait_for, wait_loaded, wait_screen

SIZE = (160, 45)
REAL = Path(__file__).parent / "fixtures" / "pbs" / "real"


@pytest.fixture
def showcase(demo_dir: Path, tmp_path: Path) -> Any:
    """The demo as `daostui --demo` starts it: two days of the user's PBS history (sim/pbs_state SHOWCASE)."""
    seed.reset(demo_dir, seed=0, showcase=True)
    bindir.prepare(demo_dir, seed=0)
    session = demo_session(demo_dir, log=CommandLog(tmp_path / "commands.jsonl"))
    session.workdir = tmp_path / "work"
    session.workdir.mkdir()
    return session


@pytest.fixture
def slow_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAOSTUI_SIM_QUEUE_WAIT", "120")


def jobs_table(app: Any) -> Any:
    return app.main_screen.pane("jobs").table


def row(app: Any, name: str = "", *, seq: str = "") -> Any:
    """The job row of the jobs pane named `name` (or whose qstat id head is `seq`)."""
    model = jobs_table(app).model
    for index in range(len(model)):
        job = model.row(index)
        if (seq and job.seq == seq) or (name and job.name == name and not job.is_subjob):
            return job
    raise AssertionError(f"no row {name or seq}")


def text(app: Any, job: Any, column: str) -> str:
    model = jobs_table(app).model
    return model.cell(job, next(c for c in model.columns if c.key == column))


async def test_showcase_array_opens_shows_its_failed_subjob_and_follows_its_output(showcase) -> None:
    app = make_app(showcase)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("4")
        array = row(app, "sweep.pbs")
        assert array.seq.endswith("[]") and text(app, array, "id") == array.seq
        assert text(app, array, "exit") == "4/4 done"  # PBS counts states, not failures
        app.jump("jobs", array.id)
        before = jobs_table(app).row_count
        await pilot.press("space")
        await wait_for(pilot, lambda: jobs_table(app).row_count == before + 4, what="4 subjobs listed")
        number = array.seq.removesuffix("[]")
        assert [text(app, row(app, seq=f"{number}[{i}]"), "id") for i in range(1, 5)] == [
            f" └[{i}]" for i in range(1, 5)
        ]
        failed = row(app, seq=f"{number}[3]")
        assert text(app, failed, "exit") == "1"
        assert text(app, row(app, "sweep.pbs"), "exit") == "4/4 done, 1 failed"

        app.jump("jobs", failed.id)
        await pilot.press("o")
        screen = await wait_screen(pilot, app, "OutputScreen")

        def shown() -> str:
            return "\n".join(str(line) for log in screen.query("Log") for line in log.lines)

        await wait_for(pilot, lambda: "sweep point 3" in shown(), what="subjob 3's .o")
        assert f"sweep.pbs.o{number}.3" in rendered(screen.query_one("#view-out Label"))
        await pilot.press("escape")

        await pilot.press("space")  # on a subjob: closes its array, the cursor back on the parent
        await wait_for(pilot, lambda: jobs_table(app).row_count == before, what="the array closed")
        assert jobs_table(app).cursor_key == array.id


async def test_showcase_exit_statuses_and_bare_v_values(showcase) -> None:
    app = make_app(showcase)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert text(app, row(app, "ior_long"), "exit") == "-29 walltime"
        assert text(app, row(app, "daos_job"), "exit") == "271 SIGTERM"
        assert text(app, row(app, "train_lr"), "exit") == "0 ok"
        shown = await detail_text(pilot, app, row(app, "ior_long").id, "Exit status")
        assert "JOB_EXEC_KILL_WALLTIME: job killed for exceeding walltime" in shown
        await pilot.press("escape")
        lines = (await detail_text(pilot, app, row(app, "train_lr").id, "Variables")).splitlines()
        assert any(" LR " in line and " .001 " in line for line in lines)
        assert any(" SEED " in line and " +42 " in line for line in lines)


async def detail_text(pilot: Any, app: Any, job_id: str, until: str) -> str:
    """Open the detail of `job_id` and return what it shows once it shows `until`."""
    app.jump("jobs", job_id)
    await pilot.press("enter")
    screen = await wait_screen(pilot, app, "DetailScreen")
    body = screen.query_one("#body")
    await wait_for(pilot, lambda: until in _plain(body), what=f"{until} in the detail of {job_id}")
    return _plain(body)


def _plain(widget: Any) -> str:
    """What a Static shows, rendered to plain text at a fixed width."""
    from rich.console import Console

    console = Console(width=200, record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


SCRIPT = "#!/bin/bash\n#PBS -A hpc_demo\n#PBS -q capacity\n#PBS -l select=1,walltime=00:10:00\n"


async def submit(session: Any, body: str, *extra: str) -> str:
    """qsub a script whose last lines are `body` (with `extra` options), as the form's would be."""
    script = Path(session.workdir) / "job.pbs"
    script.write_text(SCRIPT + body)
    args = [*extra, "-l", "filesystems=home:flare"]
    return await session.pbs.submit(str(script), cwd=str(session.workdir), extra_args=args)


async def listed(pilot: Any, app: Any, job_id: str) -> Any:
    """Refresh the jobs pane until it lists `job_id`, and put the cursor on it."""
    app.refresh_pane("jobs")
    await wait_for(pilot, lambda: app.data.tracker.get(job_id) is not None, what=f"{job_id} listed")
    await wait_for(pilot, lambda: not app.policies["jobs"].running, what="the refresh done")
    await pilot.press("4")
    app.jump("jobs", job_id)
    return app.data.tracker.get(job_id)


async def test_cancel_one_subjob_then_the_whole_array(demo_session, slow_queue) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        array_id = await submit(demo_session, "echo $PBS_ARRAY_INDEX\n", "-J", "1-3")
        await listed(pilot, app, array_id)
        await pilot.press("space")
        subjob = array_id.replace("[]", "[2]")
        await wait_for(pilot, lambda: app.data.tracker.get(subjob) is not None, what="subjobs listed")
        assert jobs_table(app).move_cursor_to_key(subjob)
        await pilot.press("d")
        confirm = await wait_screen(pilot, app, "ConfirmScreen")
        assert "Cancel subjob" in rendered(confirm.query_one(".title"))
        assert f"qdel {subjob}" in rendered(confirm.query_one("#commands")).replace("'", "")
        await pilot.press("y")
        assert (await finish_run(pilot, app)).succeeded
        await pilot.press("escape")
        subjobs = {job.array_index: job.state for job in await demo_session.pbs.subjobs(array_id)}
        assert subjobs[2] == "X" and subjobs[1] == subjobs[3] == "Q"  # the others go on

        assert jobs_table(app).move_cursor_to_key(array_id)
        await pilot.press("d")
        confirm = await wait_screen(pilot, app, "ConfirmScreen")
        assert "Cancel the whole array" in rendered(confirm.query_one(".title"))
        await pilot.press("y")
        assert (await finish_run(pilot, app)).succeeded
        await pilot.press("escape")
        parent = (await demo_session.pbs.status([array_id])).jobs[0]
        assert parent.is_finished


async def test_queued_job_shows_its_estimated_start_in_the_pane(demo_session, slow_queue) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        job = await listed(pilot, app, await submit(demo_session, "echo hi\n"))
        assert job.state == "Q" and job.estimated_start is not None
        assert text(app, job, "comment").startswith(f"~{job.estimated_start:%b %d %H:%M}")


async def test_queues_view_lists_every_limit_entry_that_binds_the_user(demo_session) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("Q")
        screen = await wait_screen(pilot, app, "QueuesScreen")
        body = screen.query_one("#body")
        await wait_for(pilot, lambda: "debug-scaling" in _plain(body), what="the queues")
        shown = _plain(body)
        # debug's two max_run entries (one line each in qstat -Qf) are both there
        assert "at most 64 jobs running, all users together" in shown
        assert "at most 1 job running per user" in shown
        commands = [list(r.argv) for r in demo_session.log.entries()]
        assert ["qstat", "-Qf", "-F", "json"] in commands and ["qstat", "-Bf", "-F", "json"] in commands


def test_forms_see_the_users_own_limit_not_the_generic_one(demo_session) -> None:
    """Real 23.06 -Qf: `max_run = [u:PBS_GENERIC=2]` and `[u:pbsuser=3]`: pbsuser's is 3."""
    from daostui.core.console_data import ConsoleData

    data = ConsoleData(demo_session)
    data.queues = parse_queues_json((REAL / "qstat_Qf_json_limits.json").read_text())
    demo_session.user = "pbsuser"
    described = data.queue_limits()["prod"].describe()
    assert "at most 3 jobs running for user pbsuser" in described
    assert "at most 2 jobs running per user" not in described
    demo_session.user = "someone"
    assert "at most 2 jobs running per user" in data.queue_limits()["prod"].describe()


async def test_job_detail_that_timed_out_retries_with_back_off(demo_session, monkeypatch) -> None:
    """qstat -f times out once: the detail says which attempt failed and when the next comes, then
    really asks again and shows the job (issue 15 item 8)."""
    from daostui.screens.detail_view import DetailScreen

    monkeypatch.setattr(DetailScreen, "retry_delays", (3.0, 5.0))
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        job_id = await submit(demo_session, "echo hi\n", "-h")
        await listed(pilot, app, job_id)
        demo_session.pbs.timeout = 2.0
        knobs.add_fault(demo_session.demo_dir, "timeout", match="qstat -f*", remaining=1)
        await pilot.press("enter")
        screen = await wait_screen(pilot, app, "DetailScreen")
        retry = screen.query_one("#retry")
        await wait_for(pilot, lambda: "Attempt 1 of 3 timed out" in rendered(retry), what="the retry plan")
        demo_session.pbs.timeout = 60.0  # the retry must not time out on a loaded machine
        assert "retrying in" in rendered(retry) and "attempt 2" in rendered(retry)
        body = screen.query_one("#body")
        assert "timed out" in _plain(body)
        await wait_for(
            pilot,
            lambda: "Hold_Types" in _plain(body) or "Held" in _plain(body),
            timeout=60,
            what="the second attempt",
        )
        assert screen.attempt == 2 and not retry.display
        asked = [r for r in demo_session.log.entries() if r.argv[:2] == ("qstat", "-f") and job_id in r.argv]
        assert asked[-2].timed_out and not asked[-1].timed_out  # the detail asked twice


async def test_output_title_follows_the_job_while_lines_arrive(demo_session) -> None:
    """The pane never refreshes here (no auto refresh): the title moves off "Held" once the job runs
    because the output screen asks PBS itself when output arrives (issue 15 item 9)."""
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        job_id = await submit(demo_session, "echo hello from the job\n", "-h")  # held: starts when released
        job = await listed(pilot, app, job_id)
        assert job.state == "H"
        await pilot.press("o")
        screen = await wait_screen(pilot, app, "OutputScreen")
        title = screen.query_one("#title")
        assert rendered(title).endswith("Held")
        await demo_session.pbs.release(job_id)

        def shown() -> str:
            return "\n".join(str(line) for log in screen.query("Log") for line in log.lines)

        await wait_for(pilot, lambda: "hello from the job" in shown(), what="the job's output")
        await wait_for(pilot, lambda: not rendered(title).endswith("Held"), what="the title to follow")
        assert "Running" in rendered(title) or "Finished" in rendered(title)
        assert app.data.tracker.get(job_id).state == "H"  # the pane itself did not refresh
