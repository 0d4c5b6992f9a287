"""The guided wizard, driven with keystrokes against the simulated Aurora.

The main test goes from a fresh demo dir to a finished job and checks the real outcome in the
simulator (container properties, dfuse entry, saved script, the file the job wrote into the
container), not just that screens opened.
"""

from __future__ import annotations

import asyncio
import json
import posixpath
import re
from pathlib import Path

import pytest

from daostui.core import paths
from daostui.core.wizard_progress import STEPS, WizardState, load_state, save_state
from daostui.screens.wizard.screen import WizardScreen
from tests.conftest import make_app
from tests.pilot_helpers import focused_id, rendered, wait_for, wait_screen

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def fresh_wizard(compute_root: Path) -> None:
    """No progress left by another test; jobs mount under their own root (conftest.compute_root)."""
    paths.wizard_state_file().unlink(missing_ok=True)


def wizard(app) -> WizardScreen:
    assert isinstance(app.screen, WizardScreen), f"expected the wizard, got {app.screen!r}"
    return app.screen


def outcome(app) -> str:
    return rendered(app.screen.query_one("#outcome"))


async def command_done(pilot, app, done, what: str) -> None:
    """Wait until the step's command has finished and `done()` holds. Never "not busy" alone: a
    key's command may not have started yet when the key press returns (on a loaded machine)."""
    await wait_for(pilot, lambda: not wizard(app).busy and done(), what=what)


async def focused(pilot, app, widget_id: str) -> None:
    """Wait until the step has put the focus where the next key press goes."""
    await wait_for(pilot, lambda: focused_id(app) == widget_id, what=f"focus on #{widget_id}")


async def open_wizard(pilot, app) -> WizardScreen:
    """Press w once the console has refreshed (or failed to) and wait for the environment check."""
    await wait_for(
        pilot,
        lambda: {"pools", "containers"} <= app.data.loaded or app.policies["pools"].failures,
        what="first refresh",
    )
    await pilot.press("w")
    screen = await wait_screen(pilot, app, "WizardScreen")
    # the environment check starts as the wizard opens
    await command_done(pilot, app, lambda: outcome(app).startswith(("✓", "✗")), "the environment check")
    return screen


async def step_is(pilot, app, step_id: str) -> None:
    """Wait until the wizard shows `step_id` (Next is queued: it waits for a running command)."""
    await wait_for(
        pilot, lambda: wizard(app).state.step_id == step_id, what=f"step {step_id}: {outcome(app)}"
    )


async def to_container_step(pilot, app) -> WizardScreen:
    """The container step, its list loaded and focused ("+ Create a new container" highlighted)."""
    screen = await open_wizard(pilot, app)
    assert screen.steps["environment"].ok, outcome(app)
    await pilot.press("ctrl+n")  # environment → pool
    await step_is(pilot, app, "pool")
    assert screen.state.pool == "hpc_demo"  # first pool highlighted
    await pilot.press("ctrl+n")  # pool → container
    await step_is(pilot, app, "container")
    await command_done(pilot, app, lambda: "container(s) in hpc_demo" in outcome(app), "the container list")
    await focused(pilot, app, "containers")
    return screen


async def to_new_label(pilot, app) -> WizardScreen:
    """The container step with the focus in the new label's field (enter on "+ Create")."""
    screen = await to_container_step(pilot, app)
    await pilot.press("enter")
    await focused(pilot, app, "label")
    return screen


async def pick_then_job_step(pilot, app, screen: WizardScreen) -> None:
    """From the container step: pick `checkpoints` in the list, pass the mount step (once it has read
    the mounts table), and wait for the job step's first field."""
    options = screen.query_one("#containers")
    options.focus()
    options.highlighted = options.get_option_index("checkpoints")
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.state.container == "checkpoints", what="the container picked")
    await pilot.press("ctrl+n")
    await step_is(pilot, app, "mount")
    await command_done(pilot, app, lambda: "not mounted here" in outcome(app), "the mounts table read")
    await pilot.press("ctrl+n")  # mount → job
    await step_is(pilot, app, "job")
    await focused(pilot, app, "project")


async def remote_text(session, path: str) -> str:
    """A file as it is where commands run (the login node over ssh), read with `cat` there."""
    result = await session.transport.run(["cat", "--", path])
    assert result.ok, f"cat {path}: {result.stderr or result.error}"
    return result.stdout


async def compute_root_of(session) -> str:
    """Where the simulated compute nodes mount containers, as the site the session reaches has it."""
    result = await session.transport.run(["sh", "-c", 'printf %s "${DAOSTUI_SIM_COMPUTE_ROOT:-/tmp}"'])
    assert result.ok and result.stdout.startswith("/"), result
    return result.stdout


@pytest.mark.parametrize("mode_session", ["demo", "ssh", "realssh"], indirect=True)
async def test_whole_wizard_from_nothing_to_a_finished_job(mode_session, compute_root):
    """From nothing to a finished job, checked where it all happened (the login node over ssh)."""
    session = mode_session
    result_dir = posixpath.join(await compute_root_of(session), "hpc_demo", "wiz_data")
    result_file = posixpath.join(result_dir, "written-by-job.txt")
    app = make_app(session, frozen=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_new_label(pilot, app)
        # 3. container: type a label and press enter (creates it with the default preset, rd_fac:1)
        await pilot.press(*"wiz_data", "enter")
        await command_done(pilot, app, lambda: outcome(app).startswith(("✓ Created", "✗")), "the create")
        assert screen.state.container == "wiz_data", outcome(app)
        assert screen.state.created_container
        # the list shows the new container, chosen; the label field is empty again (no "already exists")
        options = screen.query_one("#containers")
        assert options.get_option_at_index(options.highlighted).id == "wiz_data"
        assert screen.query_one("#label").value == "" and not rendered(screen.query_one("#label-problem"))
        await focused(pilot, app, "next")
        await pilot.press("ctrl+n")
        # 4. mount: enter on the focused Mount button (once the mounts table was read), then the check
        await step_is(pilot, app, "mount")
        await focused(pilot, app, "mount")
        await pilot.press("enter")
        await command_done(pilot, app, lambda: outcome(app).startswith(("✓ Mounted", "✗")), "the mount")
        assert screen.state.mounted_by_wizard, outcome(app)
        await focused(pilot, app, "write-check")
        await pilot.press("enter")
        await command_done(pilot, app, lambda: outcome(app).startswith(("✓ Wrote", "✗")), "the write check")
        assert screen.state.write_checked, outcome(app)
        await pilot.press("ctrl+n")
        # 5. job: go to Program (7 tabs from Project), replace it, give arguments
        await step_is(pilot, app, "job")
        await focused(pilot, app, "project")
        await wait_for(pilot, lambda: screen.query_one("#workdir").value, what="the default directory")
        workdir = screen.query_one("#workdir").value
        await pilot.press(*["tab"] * 7)
        await focused(pilot, app, "program")
        await pilot.press("ctrl+u", *"touch", "tab")
        await pilot.press(*result_file)
        await wait_for(pilot, lambda: screen.query_one("#args").value == result_file, what="the arguments")
        await pilot.press("ctrl+n")  # saves the script where qsub runs, then moves on
        await step_is(pilot, app, "submit")
        script = screen.state.script_path
        # the login node's ~/daostui/jobs is shared by every test of the session: never overwritten,
        # a name already taken gets -2, -3 (ScriptStore)
        assert posixpath.dirname(script) == workdir, script
        assert re.fullmatch(r"daos_job(-\d+)?\.pbs", posixpath.basename(script)), script
        assert f"Script: {script}" in rendered(screen.query_one("#submit-status"))
        # 6. submit with enter on the focused Submit button
        await focused(pilot, app, "submit")
        await pilot.press("enter")
        await command_done(pilot, app, lambda: outcome(app).startswith(("✓ Submitted", "✗")), "qsub")
        assert screen.state.job_id, outcome(app)
        job_id = screen.state.job_id
        summary = rendered(screen.query_one("#summary"))
        assert "wiz_data (created)" in summary and "qsub" in summary and "fusermount3 -u" in summary
        await focused(pilot, app, "finish")
        await pilot.press("enter")  # Finish: follow my job
        await wait_for(pilot, lambda: type(app.screen).__name__ == "OutputScreen", what="job output")

        # the real outcome, on the simulated Aurora the session reaches
        props = await session.daos.cont_get_prop("hpc_demo", "wiz_data")
        assert props.rd_fac == 1
        mount = next(m for m in await session.mounts.list() if m.container == "wiz_data")
        assert await remote_text(session, mount.path + "/hello-from-daostui.txt") == "hello from daostui\n"
        text = await remote_text(session, script)
        assert "#PBS -l filesystems=home:flare:daos_user" in text
        assert "#PBS -l daos=daos_user" in text
        assert "launch-dfuse.sh ${DAOS_POOL}:${DAOS_CONT}" in text and "DAOS_CONT=wiz_data" in text

        async def finished() -> bool:
            status = await session.pbs.status([job_id])
            return bool(status.jobs) and status.jobs[0].is_finished

        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while not await finished():
            assert loop.time() < deadline, "job did not finish"
            await asyncio.sleep(0.3)
        job = (await session.pbs.status([job_id])).jobs[0]
        assert job.exit_status == 0
        assert job.output_path.startswith(workdir + "/"), "the .o file is where qsub ran"
        # the file the job wrote through its own dfuse mount is in the container (seen from the login mount)
        assert (await session.transport.run(["test", "-e", mount.path + "/written-by-job.txt"])).ok
        await session.mounts.unmount(mount.path)
    assert not paths.wizard_state_file().exists(), "a finished wizard leaves nothing to resume"


async def test_bad_and_existing_labels_are_refused_before_anything_runs(demo_session):
    app = make_app(demo_session, frozen=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_new_label(pilot, app)
        ran_before = len(demo_session.log)
        await pilot.press(*"bad label!")
        problem = screen.query_one("#label-problem")
        await wait_for(pilot, lambda: "✗" in rendered(problem), what="the label refused")
        assert screen.query_one("#create").disabled
        await pilot.press("enter")
        await pilot.press(*["backspace"] * 10, *"checkpoints")
        await wait_for(
            pilot, lambda: "already exists" in rendered(problem), what="the existing label refused"
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: "already exists" in outcome(app), what="enter refused")
        assert not any("create" in r.argv for r in demo_session.log.entries()[ran_before:])
        await pilot.press("ctrl+n")
        assert screen.state.step_id == "container"
        assert "Pick an existing container" in outcome(app)


async def test_back_keeps_entries_and_resume_after_leaving(demo_session):
    app = make_app(demo_session, frozen=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_container_step(pilot, app)
        # pick the existing container `checkpoints` from the list
        await pick_then_job_step(pilot, app, screen)
        await pilot.press("tab", "tab", "ctrl+u", *"my_named_job")  # job name field
        await wait_for(pilot, lambda: screen.query_one("#name").value == "my_named_job", what="the name")
        await pilot.press("ctrl+b")  # back to mount: the entries are remembered
        assert screen.state.job["name"] == "my_named_job"
        await command_done(pilot, app, lambda: "not mounted here" in outcome(app), "the mounts table read")
        await pilot.press("ctrl+n")
        await step_is(pilot, app, "job")
        await focused(pilot, app, "project")
        assert screen.query_one("#name").value == "my_named_job"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WizardScreen), what="leaving")
        saved = load_state(paths.wizard_state_file())
        assert saved.step_id == "job" and saved.container == "checkpoints"
        # reopening offers to resume; `y` resumes at the same step with the same entries
        await pilot.press("w")
        await wait_screen(pilot, app, "ResumeScreen")
        await pilot.press("enter")  # Resume has the focus
        resumed = await wait_screen(pilot, app, "WizardScreen")
        await focused(pilot, app, "project")  # the job step restored its fields
        assert resumed.state.step_id == "job" and resumed.state.pool == "hpc_demo"
        assert resumed.query_one("#name").value == "my_named_job"


async def test_queue_limit_breach_is_refused_in_the_job_step(demo_session):
    app = make_app(demo_session, frozen=False)
    async with app.run_test(size=SIZE) as pilot:
        state = WizardState(step=4, pool="hpc_demo", container="checkpoints")
        save_state(paths.wizard_state_file(), state)
        await wait_for(pilot, lambda: "jobs" in app.data.loaded and app.data.queues, what="queues")
        app.push_screen(WizardScreen(resume=True))
        screen = await wait_screen(pilot, app, "WizardScreen")
        assert screen.state.step_id == "job"
        await focused(pilot, app, "project")
        await pilot.press("tab", "tab", "tab", "ctrl+u", *"64")  # nodes: debug allows 1–2
        problems = screen.query_one("#problems")
        await wait_for(pilot, lambda: "debug" in rendered(problems).lower(), what="the limit named")
        assert "node" in rendered(problems).lower()
        await pilot.press("ctrl+n")
        assert screen.state.step_id == "job"
        assert not screen.state.script_path


async def test_qsub_error_then_retry_without_reentering(demo_session, demo_dir):
    app = make_app(demo_session, frozen=False)
    async with app.run_test(size=SIZE) as pilot:
        from daostui.sim import knobs

        state = WizardState(step=4, pool="hpc_demo", container="checkpoints")
        save_state(paths.wizard_state_file(), state)
        await wait_for(pilot, lambda: {"pools", "jobs"} <= app.data.loaded, what="refresh")
        app.push_screen(WizardScreen(resume=True))
        screen = await wait_screen(pilot, app, "WizardScreen")
        await focused(pilot, app, "project")  # the job step restored its fields
        await pilot.press("ctrl+n")
        await step_is(pilot, app, "submit")
        knobs.add_fault(
            demo_dir,
            "exit",
            match="qsub*",
            remaining=1,
            exit=1,
            stderr="qsub: No active allocation found for project hpc_demo\n",
        )
        await focused(pilot, app, "submit")
        await pilot.press("enter")
        await command_done(pilot, app, lambda: outcome(app).startswith("✗"), "qsub to fail")
        text = outcome(app)
        assert "✗" in text and "qsub" in text and "No active allocation" in text
        assert "what to do" in text
        assert not screen.state.job_id
        assert not screen.query_one("#submit").disabled
        await pilot.click("#submit")  # retry: the fault is spent, same script
        await command_done(pilot, app, lambda: outcome(app).startswith(("✓ Submitted", "✗")), "qsub again")
        assert screen.state.job_id, outcome(app)


def test_every_step_is_a_widget_of_its_own_module():
    """One module per step, in the order of the saved state's steps, each saying what it shows."""
    from daostui.core.wizard_progress import STEP_IDS
    from daostui.screens.wizard.screen import STEP_TYPES
    from daostui.screens.wizard.step import WizardStep

    assert tuple(kind.STEP_ID for kind in STEP_TYPES) == STEP_IDS
    for kind in STEP_TYPES:
        assert kind.__module__ == f"daostui.screens.wizard.{kind.STEP_ID}"
        assert kind.enter is not WizardStep.enter, kind.__name__


def test_state_file_is_lenient(tmp_path: Path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"step": 99, "pool": 3, "job": {"nodes": 2}, "unknown": True}))
    state = load_state(path)
    assert state.step == len(STEPS) - 1 and state.pool == "" and state.job == {"nodes": "2"}
    path.write_text("{not json")
    assert load_state(path) == WizardState()


async def test_missing_daos_is_explained_and_the_module_prelude_offered(demo_session):
    """No `daos` on PATH: the step says where it comes from and can run the module lines first."""
    demo_session.daos.program = "daos-not-installed"
    app = make_app(demo_session, frozen=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, app)
        status = rendered(screen.query_one("#env-status"))
        assert "module load daos/base" in status and not screen.steps["environment"].ok
        assert screen.query_one("#env-prelude").display
        ran_before = len(demo_session.log)
        await pilot.click("#env-prelude")
        await command_done(
            pilot, app, lambda: len(demo_session.log) > ran_before, "the check again, through the prelude"
        )
        assert demo_session.uses_prelude and demo_session.transport.prelude is not None
        ran = [r for r in demo_session.log.entries() if r.wrapped_argv]
        assert ran and "module load daos/base" in " ".join(ran[-1].wrapped_argv), (
            "the prelude now wraps commands"
        )


# ---------------------------------------------------------------------- resume, leave, start over
async def open_resumable(pilot, app, state: WizardState):
    save_state(paths.wizard_state_file(), state)
    await wait_for(pilot, lambda: {"pools", "containers", "jobs"} <= app.data.loaded, what="first refresh")
    await pilot.press("w")
    return await wait_screen(pilot, app, "ResumeScreen")


async def test_esc_on_the_resume_question_leaves_with_the_progress_kept_and_the_panes_alive(demo_session):
    app = make_app(demo_session, frozen=False)
    state = WizardState(step=3, pool="hpc_demo", container="checkpoints")
    async with app.run_test(size=SIZE) as pilot:
        question = await open_resumable(pilot, app, state)
        buttons = [str(button.label) for button in question.query("Button")]
        assert buttons == ["Start over", "Resume"]
        assert "Resume there, or start over?" in " ".join(rendered(s) for s in question.query("Static"))
        await pilot.press("escape")
        await wait_screen(pilot, app, "ConsoleScreen")
        assert load_state(paths.wizard_state_file()) == state, "esc touches nothing"
        # the console's keys work again: 2 focuses the containers pane, n opens its create form
        await pilot.press("2")
        await wait_for(
            pilot, lambda: app.main_screen.focused_pane().pane_id == "containers", what="containers focused"
        )
        await pilot.press("n")
        await wait_screen(pilot, app, "CreateContainerScreen")


async def test_start_over_resets_the_progress_and_resume_keeps_it(demo_session):
    app = make_app(demo_session, frozen=False)
    state = WizardState(step=3, pool="hpc_demo", container="checkpoints")
    async with app.run_test(size=SIZE) as pilot:
        await open_resumable(pilot, app, state)
        await pilot.press("s")
        screen = await wait_screen(pilot, app, "WizardScreen")
        assert screen.state.step_id == "environment" and not screen.state.container
        await command_done(pilot, app, lambda: outcome(app).startswith(("✓", "✗")), "the environment check")
        await pilot.press("escape")
        await wait_screen(pilot, app, "ConsoleScreen")
        assert load_state(paths.wizard_state_file()).step == 0
        # resumed with r: where it was left
        save_state(paths.wizard_state_file(), state)
        await pilot.press("w")
        await wait_screen(pilot, app, "ResumeScreen")
        await pilot.press("r")
        screen = await wait_screen(pilot, app, "WizardScreen")
        assert screen.state.step_id == "mount" and screen.state.container == "checkpoints"


# ---------------------------------------------------------------------- the mount step checks again
async def test_a_resumed_mount_step_sees_the_mount_is_gone_and_the_check_refuses(demo_session):
    """Mounted by the wizard, unmounted since: the step says so, and the write check refuses
    (a file written into the bare directory would prove nothing)."""
    path = demo_session.mounts.default_mount_point("hpc_demo", "checkpoints")
    await demo_session.mounts.mount("hpc_demo", "checkpoints", path)
    await demo_session.mounts.unmount(path)
    state = WizardState(
        step=3, pool="hpc_demo", container="checkpoints", mount_path=path, mounted_by_wizard=True
    )
    save_state(paths.wizard_state_file(), state)
    app = make_app(demo_session, frozen=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "mounts" in app.data.loaded, what="first refresh")
        app.push_screen(WizardScreen(resume=True))
        screen = await wait_screen(pilot, app, "WizardScreen")
        await command_done(pilot, app, lambda: "not mounted here" in outcome(app), "the mounts table read")
        status = rendered(screen.query_one("#mount-status"))
        assert f"{path} is no longer a dfuse mount" in status
        assert screen.query_one("#write-check").disabled and not screen.query_one("#mount").disabled
        assert not screen.state.mounted_by_wizard
        await focused(pilot, app, "mount")
        # pressed anyway (e.g. from an old screen): the client refuses and says why
        screen.steps["mount"]._write_check()
        await command_done(pilot, app, lambda: outcome(app).startswith(("✓", "✗")), "the write check")
        assert "is not a dfuse mount" in outcome(app) and "The mount works" not in outcome(app)
        assert not screen.state.write_checked
    assert not Path(path, "hello-from-daostui.txt").exists(), "nothing written into the bare directory"


# ---------------------------------------------------------------------- what is in view
def in_view(screen, widget) -> bool:
    """The widget is on screen, whole, and not scrolled out of its container."""
    region = widget.region
    return bool(region) and screen.region.contains_region(region)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_steps_open_at_their_top_with_the_explanation_in_view(demo_session, size):
    app = make_app(demo_session, frozen=False)
    async with app.run_test(size=size) as pilot:
        save_state(paths.wizard_state_file(), WizardState(step=2, pool="hpc_demo"))
        await wait_for(
            pilot, lambda: {"pools", "jobs"} <= app.data.loaded and app.data.queues, what="refresh"
        )
        app.push_screen(WizardScreen(resume=True))
        screen = await wait_screen(pilot, app, "WizardScreen")
        await command_done(pilot, app, lambda: "container(s) in" in outcome(app), "the container list")
        await focused(pilot, app, "containers")
        await pilot.pause(0.1)
        body = screen.query_one("#body")
        assert body.scroll_y == 0 and in_view(screen, screen.query_one("#why"))
        await pick_then_job_step(pilot, app, screen)
        await pilot.pause(0.1)
        assert body.scroll_y == 0 and in_view(screen, screen.query_one("#why"))
        # the sidebar folds away when narrow: the explanation gets the width
        steps = screen.query_one("#steps")
        assert steps.display is (size[0] >= 100)
        sidebar = steps.outer_size.width if steps.display else 0
        assert screen.query_one("#why").region.width >= size[0] - sidebar - 6
        # Save: what was saved is said where it can be seen, at any size
        screen.query_one("#save-script").press()
        await command_done(pilot, app, lambda: outcome(app).startswith(("✓ Saved", "✗")), "the save")
        assert "daos_job.pbs" in outcome(app) and in_view(screen, screen.query_one("#outcome"))
        for button in ("back", "next", "leave"):
            assert in_view(screen, screen.query_one(f"#{button}")), button


# ---------------------------------------------------------------------- unknown outcomes
@pytest.mark.parametrize("went_through", [True, False])
async def test_a_submit_whose_outcome_is_unknown_is_checked_before_any_retry(demo_session, went_through):
    """The connection dropped after qsub was sent: the wizard looks for the job (qselect -N) and
    takes it when PBS has it; otherwise it says nothing was submitted, and Submit may be pressed again."""
    from daostui.core.errors import outcome_unknown
    from daostui.transport.base import CommandResult

    real_submit = demo_session.pbs.submit

    async def dropped(script: str, *, cwd: str | None = None, extra_args=()) -> str:
        if went_through:
            await real_submit(script, cwd=cwd)
        argv = tuple(demo_session.pbs.argv_submit(script))
        raise outcome_unknown(CommandResult(argv, -1, "", "", 1.0, 0.0, "ssh:login", outcome_unknown=True))

    demo_session.pbs.submit = dropped
    state = WizardState(step=4, pool="hpc_demo", container="checkpoints")
    save_state(paths.wizard_state_file(), state)
    app = make_app(demo_session, frozen=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: {"pools", "jobs"} <= app.data.loaded, what="refresh")
        app.push_screen(WizardScreen(resume=True))
        screen = await wait_screen(pilot, app, "WizardScreen")
        await focused(pilot, app, "project")
        await pilot.press("ctrl+n")
        await step_is(pilot, app, "submit")
        await focused(pilot, app, "submit")
        await pilot.press("enter")
        await command_done(
            pilot, app, lambda: outcome(app).startswith(("✓ Submitted", "✓ Checked")), "the check"
        )
        ran = [r.argv for r in demo_session.log.entries()]
        assert ["qselect", "-u", demo_session.user, "-N", "daos_job", "-x"] in [list(a) for a in ran]
        if went_through:
            assert screen.state.job_id and outcome(app).startswith("✓ Submitted job")
            assert screen.query_one("#submit").disabled
        else:
            assert not screen.state.job_id
            assert "it was not submitted" in outcome(app) and "safe to try again" in outcome(app)
            assert not screen.query_one("#submit").disabled
    submitted = [a for a in ran if a and a[0] == "qsub"]
    assert len(submitted) == (1 if went_through else 0), "never a second qsub"
