"""Every console action, driven by keys against the simulated Aurora, checked by the state it leaves.

A screen opening proves little; these tests ask the simulator afterwards (the container exists,
the dfuse entry is in the mounts table, the job is held) the way a user would check by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from daostui.core import paths
from daostui.core.actions import ACTIONS, BY_ID
from daostui.handlers import HANDLERS
from tests.conftest import make_app
from tests.pilot_helpers import (
    finish_run,
    focused_id,
    footer_keys,
    rendered,
    wait_for,
    wait_loaded,
    wait_screen,
)

SIZE = (120, 35)
#: The scenarios that also run against the real OpenSSH login node (tests/realssh.py; root only).
ALL_MODES = pytest.mark.parametrize("mode_session", ["demo", "ssh", "realssh"], indirect=True)


@pytest.fixture
def slow_queue(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Jobs stay queued long enough to hold, release and cancel them (on the real login node too)."""
    monkeypatch.setenv("DAOSTUI_SIM_QUEUE_WAIT", "120")
    callspec = getattr(request.node, "callspec", None)
    if callspec is None or callspec.params.get("mode_session") != "realssh":
        yield
        return
    server = request.getfixturevalue("realssh_server")
    server.set_env(DAOSTUI_SIM_QUEUE_WAIT="120")
    yield
    server.set_env()


async def labels(session, pool: str = "hpc_demo") -> set[str]:
    return {ref.label for ref in await session.daos.cont_list(pool)}


def test_every_registered_action_has_a_handler():
    assert set(BY_ID) == set(HANDLERS), "the registry and the handlers must list the same actions"


@ALL_MODES
async def test_create_container_from_the_containers_pane(mode_session):
    app = make_app(mode_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2", "n")
        form = await wait_screen(pilot, app, "CreateContainerScreen")
        await pilot.press(*"bad/label")
        await wait_for(pilot, lambda: rendered(form.query_one("#label-problem")), what="the label refused")
        assert form.query_one("#create").disabled
        await pilot.press(*["backspace"] * 9, *"results_2026")
        await wait_for(
            pilot,
            lambda: (
                "daos container create --type POSIX hpc_demo results_2026"
                in rendered(form.query_one("#preview"))
            ),
            what="the preview of the create",
        )
        assert not form.query_one("#create").disabled
        await pilot.press("enter")
        run = await finish_run(pilot, app)
        assert run.succeeded, str(run.query_one("#outcome").render())
        await pilot.press("escape")
        assert "results_2026" in await labels(mode_session)
        await wait_for(
            pilot,
            lambda: (
                app.data.container(
                    "hpc_demo", app.main_screen.pane("containers").table.cursor_key or ""
                ).label
                == "results_2026"
            ),
            what="cursor on the new container",
        )


@ALL_MODES
async def test_destroy_container_needs_the_label_typed(mode_session):
    app = make_app(mode_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        app.jump("containers", "checkpoints")
        ran = len(mode_session.log)
        await pilot.press("d")
        dialog = await wait_screen(pilot, app, "TypeToConfirmScreen")
        await pilot.press(*"checkpoint", "enter")  # incomplete: nothing happens
        assert app.screen is dialog
        assert not any("destroy" in r.argv for r in mode_session.log.entries()[ran:])
        await pilot.press("s", "enter")
        run = await finish_run(pilot, app)
        assert run.succeeded
        await pilot.press("escape")
        assert "checkpoints" not in await labels(mode_session)


@ALL_MODES
async def test_mount_then_unmount_from_the_containers_pane(mode_session):
    app = make_app(mode_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        app.jump("containers", "checkpoints")
        await pilot.press("m")
        run = await finish_run(pilot, app)
        assert run.succeeded, str(run.query_one("#outcome").render())
        await pilot.press("escape")
        mounts = await mode_session.mounts.list()
        mount = next(m for m in mounts if m.container == "checkpoints")
        assert mount.owned
        # the mount point is the user's where the mount happened (the login node's account over ssh)
        assert f"/{mode_session.user}/hpc_demo/checkpoints" in mount.path
        await wait_for(pilot, lambda: app.data.mount(mount.path) is not None, what="mounts pane refresh")
        await wait_loaded(pilot, app)
        await pilot.press("u")
        await wait_screen(pilot, app, "ConfirmScreen")
        await pilot.press("y")
        run = await finish_run(pilot, app)
        assert run.succeeded
        await pilot.press("escape")
        assert not [m for m in await mode_session.mounts.list() if m.container == "checkpoints"]


async def test_unmount_from_the_mounts_pane_and_refusal_is_the_default(demo_session):
    path = demo_session.mounts.default_mount_point("hpc_demo", "checkpoints")
    await demo_session.mounts.mount("hpc_demo", "checkpoints", path)
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("3")
        assert app.main_screen.pane("mounts").table.move_cursor_to_key(path)
        await pilot.press("d")
        await wait_screen(pilot, app, "ConfirmScreen")
        await pilot.press("escape")  # no
        assert [m for m in await demo_session.mounts.list() if m.path == path]
        await pilot.press("d")
        await wait_screen(pilot, app, "ConfirmScreen")
        await pilot.press("y")
        run = await finish_run(pilot, app)
        assert run.succeeded
        assert not [m for m in await demo_session.mounts.list() if m.path == path]


async def submit_job_via_form(pilot, app, program_args: str = "") -> str:
    await pilot.press("4", "n")
    form = await wait_screen(pilot, app, "JobFormScreen")
    await wait_for(pilot, lambda: form.form.default_dir, what="the default directory")
    if program_args:
        form.query_one("#args").value = program_args
    form.query_one("#submit").press()
    run = await finish_run(pilot, app)
    assert run.succeeded, str(run.query_one("#outcome").render())
    job_id = str(run.result)
    await pilot.press("escape")
    return job_id


async def remote_text(session, path: str) -> str:
    """A file as it is where commands run (the login node over ssh): read there with `cat`."""
    result = await session.transport.run(["cat", "--", path])
    assert result.ok, f"cat {path}: {result.stderr or result.error}"
    return result.stdout


@ALL_MODES
async def test_new_job_is_saved_then_submitted_and_selected(mode_session, slow_queue):
    app = make_app(mode_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        job_id = await submit_job_via_form(pilot, app)
        workdir = await mode_session.scripts.workdir()
        if mode_session.mode == "ssh":
            assert workdir == (await mode_session.transport.home()) + "/daostui/jobs"
        assert "#PBS -A hpc_demo" in await remote_text(mode_session, workdir + "/daos_job.pbs")
        status = await mode_session.pbs.status([job_id])
        assert status.jobs and status.jobs[0].state == "Q"
        assert status.jobs[0].output_path.startswith(workdir + "/"), "qsub ran in the script's directory"
        await wait_for(
            pilot,
            lambda: app.main_screen.pane("jobs").table.cursor_key == job_id,
            what="cursor on the new job",
        )


@ALL_MODES
async def test_hold_release_and_cancel_a_job(mode_session, slow_queue):
    app = make_app(mode_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        job_id = await submit_job_via_form(pilot, app)
        await wait_for(pilot, lambda: app.main_screen.pane("jobs").table.cursor_key == job_id, what="job row")

        async def state() -> str:
            return (await mode_session.pbs.status([job_id])).jobs[0].state

        await pilot.press("h")
        assert (await finish_run(pilot, app)).succeeded
        await pilot.press("escape")
        assert await state() == "H"
        # `x` applies to the row as the console shows it: wait for the refreshed row (held)
        await wait_for(pilot, lambda: footer_keys(app).get("x") is True, what="release offered (held row)")
        await pilot.press("x")
        assert (await finish_run(pilot, app)).succeeded
        await pilot.press("escape")
        assert await state() == "Q"
        await wait_for(pilot, lambda: footer_keys(app).get("x") is False, what="the row queued again")
        await pilot.press("d")
        await wait_screen(pilot, app, "ConfirmScreen")
        await pilot.press("y")
        assert (await finish_run(pilot, app)).succeeded
        await pilot.press("escape")
        assert await state() in ("F", "E")


@ALL_MODES
async def test_follow_job_output(mode_session):
    app = make_app(mode_session, frozen=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        job_id = await submit_job_via_form(pilot, app, program_args="-c 'print(\"hello from the job\")'")
        await wait_for(pilot, lambda: app.main_screen.pane("jobs").table.cursor_key == job_id, what="job row")
        await pilot.press("o")
        screen = await wait_screen(pilot, app, "OutputScreen")

        def shown() -> str:
            return "\n".join(str(line) for log in screen.query("RichLog, Log") for line in log.lines)

        await wait_for(pilot, lambda: "hello from the job" in shown(), timeout=30, what="job output")


@ALL_MODES
async def test_copy_a_container_to_flare_from_the_containers_pane(mode_session):
    """`c` on a container: the default destination in the project's flare directory, copied there."""
    mode_session.project = "hpc_demo"
    app = make_app(mode_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        app.jump("containers", "checkpoints")
        await pilot.press("c")
        form = await wait_screen(pilot, app, "CopyDataScreen")
        destination = form.query_one("#flare-path").value
        assert destination == f"{mode_session.site.flare_projects_root}/hpc_demo/checkpoints"
        await wait_for(pilot, lambda: not form.query_one("#copy").disabled, what="the copy offered")
        form.query_one("#copy").press()
        run = await finish_run(pilot, app)
        outcome = str(run.query_one("#outcome").render())
        assert run.succeeded and "Copied" in outcome and destination in outcome, outcome
        await pilot.press("escape")
    assert (await mode_session.transport.run(["test", "-d", destination])).ok, "the copy is on flare there"


@ALL_MODES
async def test_share_and_unshare_a_container_from_the_containers_pane(mode_session):
    """`A` on a container: an entry added with update-acl, then removed after confirmation."""

    async def acl() -> list[str]:
        return (await mode_session.daos.cont_get_prop("hpc_demo", "checkpoints")).acl

    app = make_app(mode_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        app.jump("containers", "checkpoints")
        await pilot.press("A")
        screen = await wait_screen(pilot, app, "AclScreen")
        await wait_for(pilot, lambda: screen.loaded, what="the ACL")
        screen.query_one("#name").value = "alice"
        await wait_for(pilot, lambda: not screen.query_one("#add").disabled, what="the entry accepted")
        screen.query_one("#add").press()
        run = await finish_run(pilot, app)
        assert run.succeeded, str(run.query_one("#outcome").render())
        await pilot.press("escape")
        assert "A::alice@:rt" in await acl()
        await wait_for(pilot, lambda: any(a.principal == "alice@" for a in screen.entries), what="reload")
        table = screen.query_one("#acl")
        table.move_cursor(row=next(i for i, a in enumerate(screen.entries) if a.principal == "alice@"))
        await wait_for(pilot, lambda: not screen.query_one("#remove").disabled, what="alice selected")
        screen.query_one("#remove").press()
        await wait_screen(pilot, app, "ConfirmScreen")
        await pilot.press("y")
        run = await finish_run(pilot, app)
        assert run.succeeded, str(run.query_one("#outcome").render())
        await pilot.press("escape")
    assert not [entry for entry in await acl() if "alice@" in entry]


async def test_pool_request_is_saved_as_text(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("a")
        form = await wait_screen(pilot, app, "PoolRequestScreen")
        form.query_one("#f-space").value = "50 TB"
        form.query_one("#save").press()
        # missing fields are named
        await wait_for(pilot, lambda: "Justification" in rendered(form.query_one("#problem")), what="problem")
        form.query_one("#f-justification").text = "Checkpoints of a 1T-parameter model."
        form.query_one("#save").press()
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConsoleScreen", what="request saved")
        saved = list(paths.requests_dir().glob("daos-pool-request-*.txt"))
        assert len(saved) == 1
        text = saved[0].read_text()
        assert "Total space requested: 50 TB" in text and "Project Name: hpc_demo" in text


async def test_readonly_hides_and_refuses_every_mutating_action(demo_session):
    demo_session.readonly = True
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        mutating = [a for a in ACTIONS if a.mutates]
        assert mutating, "the registry marks mutating actions"
        for action in mutating:
            assert app.check_action("do", (action.id,)) is False, action.id
            ran = len(demo_session.log)
            await app.action_do(action.id)
            await pilot.pause(0.05)
            assert type(app.screen).__name__ == "ConsoleScreen", action.id
            assert not [
                r for r in demo_session.log.entries()[ran:] if r.argv[0] in ("qsub", "qdel", "fusermount3")
            ]
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert not {a.title for a in mutating} & titles


async def test_destructive_actions_ask_before_running(demo_session, slow_queue):
    """From the registry, not a hand-kept list: each destructive action must stop at a dialog."""
    await demo_session.mounts.mount("hpc_demo", "checkpoints")
    script = Path(demo_session.workdir) / "j.sh"
    script.write_text(
        "#!/bin/bash\n#PBS -A hpc_demo\n#PBS -q debug\n#PBS -l select=1,walltime=00:10:00\n"
        "#PBS -l filesystems=home:flare\nsleep 1\n"
    )
    job_id = await demo_session.pbs.submit(str(script), cwd=str(demo_session.workdir))
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.jump("containers", "checkpoints")
        app.main_screen.pane("jobs").table.move_cursor_to_key(job_id)
        mount_key = app.main_screen.pane("mounts").table.model.key_at(0)
        assert mount_key
        for action in [a for a in ACTIONS if a.destructive]:
            app.main_screen.focus_pane(action.pane)
            await pilot.pause(0.05)
            ran = len(demo_session.log)
            await app.action_do(action.id)
            await wait_for(
                pilot,
                lambda: type(app.screen).__name__ in ("ConfirmScreen", "TypeToConfirmScreen"),
                what=f"{action.id} to ask first",
            )
            assert len(demo_session.log) == ran, f"{action.id} ran a command before confirmation"
            await pilot.press("escape")
            await wait_screen(pilot, app, "ConsoleScreen")


async def test_quit_asks_while_an_action_runs(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.action_started()
        await app.action_do("quit")
        dialog = await wait_screen(pilot, app, "QuitScreen")
        assert "1 action still running" in rendered(dialog.query_one("#running"))
        assert focused_id(app) == "stay", "the safe choice has the focus"
        await pilot.press("escape")
        assert app.is_running
        app.action_finished()


async def test_a_failing_worker_is_shown_and_never_ends_the_app(demo_session, monkeypatch):
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)

        async def broken() -> None:
            raise RuntimeError("simulated bug in a loader")

        monkeypatch.setattr(app.data, "load_pools", broken)
        app.refresh_pane("pools")
        await wait_for(
            pilot,
            lambda: "simulated bug" in str(app.main_screen.query_one("#pools-error").render()),
            what="error shown in the pools pane",
        )
        assert app.is_running
        await pilot.press("2")
        assert app.main_screen.focused_pane().pane_id == "containers"
        # a bug, not a command failure: the traceback is kept for a report
        assert "simulated bug in a loader" in paths.error_log_file().read_text()


async def test_global_views_open_and_close(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("question_mark")
        await wait_screen(pilot, app, "HelpScreen")
        await pilot.press("escape")
        await pilot.press("1", "enter")
        await wait_screen(pilot, app, "DetailScreen")
        await pilot.press("escape")
        await pilot.press("z")
        assert app.main_screen.maximized is not None
        await pilot.press("z")
        assert app.main_screen.maximized is None
        await pilot.press("slash", *"data", "enter")
        rows = app.main_screen.pane("pools").table.model
        await wait_for(
            pilot, lambda: [rows.key_at(i) for i in range(len(rows))] == ["datascience"], what="the filter"
        )
        await pilot.press("l")
        await wait_for(pilot, lambda: app.main_screen.query_one("CommandLogPanel").display, what="the log")
