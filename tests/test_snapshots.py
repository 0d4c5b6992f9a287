"""Snapshots of every screen the console and the wizard show (baselines in top-level `snapshots/`).

Deterministic by construction: frozen clock, seed-0 simulator, fixed user and time zone
(conftest), fixed terminal sizes, no animations, workers waited for before the shot. Jobs come
from the real-format `qstat -f -F json` fixture (the simulator's jobs carry wall-clock times), and
the command log drawer is shown with fixed entries for the same reason.

Regenerate one baseline after checking the new SVG by eye:
    python -m pytest tests/test_snapshots.py -k NAME --snapshot-update
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from daostui.core import paths
from daostui.core.wizard_progress import WizardState, save_state
from daostui.pbs.parse import parse_jobs_json
from daostui.transport.base import CommandResult
from tests.conftest import FROZEN_TIME, make_app
from tests.pilot_helpers import focused_id, rendered, wait_for, wait_loaded, wait_screen
from tests.sim_pins import pin_container_times

FIXTURES = Path(__file__).parent / "fixtures"
SIZE = (120, 35)


def fixture_jobs() -> list[Any]:
    return parse_jobs_json((FIXTURES / "pbs" / "qstat_f.json").read_text())


def with_fixture_jobs(app: Any) -> Any:
    """The jobs pane shows the reference's jobs (real format, fixed times) instead of live ones."""

    async def load_jobs() -> None:
        tracker = app.data.tracker
        tracker._jobs = {job.id: job for job in fixture_jobs()}

    app.data.load_jobs = load_jobs
    return app


def fixed_log_entries() -> list[CommandResult]:
    return [
        CommandResult(("daos", "-j", "pool", "list"), 0, "{}", "", 0.21, FROZEN_TIME - 30, "local"),
        CommandResult(("qselect", "-u", "aurora_user", "-x"), 0, "", "", 0.05, FROZEN_TIME - 20, "local"),
        CommandResult(
            ("daos", "-j", "container", "create", "--type", "POSIX", "hpc_demo", "bad label"),
            1,
            "",
            "ERROR: daos: invalid label\n",
            0.12,
            FROZEN_TIME - 10,
            "local",
        ),
    ]


def console(demo_session: Any) -> Any:
    # paths shown on screen must not contain pytest's temporary directories: use the site default
    from daostui.core.site import SiteProfile

    demo_session.site = demo_session.site.with_overrides(
        login_mount_root=SiteProfile().login_mount_root, flare_projects_root=SiteProfile().flare_projects_root
    )
    demo_session.mounts.site = demo_session.site
    demo_session.workdir = Path("/home/aurora_user")  # job forms show it: never a pytest directory
    return with_fixture_jobs(make_app(demo_session))


async def settle(pilot: Any) -> None:
    app = pilot.app
    await wait_loaded(pilot, app)
    await pilot.pause(0.1)


def press_then_settle(*keys: str, screen: str | None = None, ready: Any = None):
    """Press `keys` on the settled console; wait for `screen` and, when given, for `ready(screen)`:
    the exact state the shot shows, never a guessed time (the suite must pass on a loaded machine)."""

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        if screen:
            shown = await wait_screen(pilot, pilot.app, screen)
            if ready is not None:
                await wait_for(pilot, lambda: ready(shown), what=f"{screen} ready")
        await pilot.pause(0.2)

    return run_before


def detail_loaded(screen: Any) -> bool:
    """A detail view has shown what its query returned (its progress bar is gone)."""
    return not screen.query_one("#loading").display


@pytest.mark.parametrize("key", ["1", "2", "3", "4"])
def test_console_pane_focus(snap_compare, demo_session, key):
    assert snap_compare(console(demo_session), terminal_size=SIZE, run_before=press_then_settle(key))


def test_console_narrow_80x24(snap_compare, demo_session):
    assert snap_compare(console(demo_session), terminal_size=(80, 24), run_before=press_then_settle("1"))


def test_console_wide_200x50(snap_compare, demo_session):
    assert snap_compare(console(demo_session), terminal_size=(200, 50), run_before=press_then_settle("1"))


def test_pool_detail_degraded(snap_compare, demo_session):
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.jump("pools", "datascience")
        await pilot.press("enter")
        screen = await wait_screen(pilot, pilot.app, "DetailScreen")
        await wait_for(pilot, lambda: detail_loaded(screen), what="the pool query")
        await pilot.pause(0.2)

    assert snap_compare(console(demo_session), terminal_size=SIZE, run_before=run_before)


def test_container_detail(snap_compare, demo_session, demo_dir):
    pin_container_times(demo_dir)  # the detail shows the HLC times DAOS keeps, as dates

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("2", "enter")
        screen = await wait_screen(pilot, pilot.app, "DetailScreen")
        await wait_for(pilot, lambda: detail_loaded(screen), what="the container query")
        await pilot.pause(0.2)

    assert snap_compare(console(demo_session), terminal_size=SIZE, run_before=run_before)


def test_job_detail(snap_compare, demo_session):
    assert snap_compare(
        console(demo_session),
        terminal_size=SIZE,
        run_before=press_then_settle("4", "enter", screen="DetailScreen", ready=detail_loaded),
    )


def test_create_container_dialog_with_bad_label(snap_compare, demo_session):
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("2", "n")
        form = await wait_screen(pilot, pilot.app, "CreateContainerScreen")
        await pilot.press(*"my data")
        await wait_for(pilot, lambda: rendered(form.query_one("#label-problem")), what="the label refused")
        await pilot.pause(0.1)

    assert snap_compare(console(demo_session), terminal_size=SIZE, run_before=run_before)


def test_destroy_container_dialog(snap_compare, demo_session):
    assert snap_compare(
        console(demo_session),
        terminal_size=SIZE,
        run_before=press_then_settle("2", "d", screen="TypeToConfirmScreen"),
    )


def test_job_form(snap_compare, demo_session):
    assert snap_compare(
        console(demo_session),
        terminal_size=(120, 40),
        run_before=press_then_settle("4", "n", screen="JobFormScreen", ready=lambda s: s.form.default_dir),
    )


def test_pool_request_form(snap_compare, demo_session):
    assert snap_compare(
        console(demo_session),
        terminal_size=SIZE,
        run_before=press_then_settle("a", screen="PoolRequestScreen"),
    )


def test_help(snap_compare, demo_session):
    assert snap_compare(
        console(demo_session),
        terminal_size=SIZE,
        run_before=press_then_settle("question_mark", screen="HelpScreen"),
    )


def test_command_log_drawer(snap_compare, demo_session):
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        panel = pilot.app.main_screen.query_one("CommandLogPanel")
        panel.set_entries(fixed_log_entries())
        await pilot.press("l")
        await wait_for(pilot, lambda: panel.display and focused_id(pilot.app) == "log-table", what="the log")
        await pilot.pause(0.2)

    assert snap_compare(console(demo_session), terminal_size=SIZE, run_before=run_before)


def test_failed_action_shows_command_stderr_and_hint(snap_compare, demo_session, demo_dir):
    from daostui.sim import knobs

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        knobs.add_fault(demo_dir, "agent_down")
        await pilot.press("2", "n")
        await wait_screen(pilot, pilot.app, "CreateContainerScreen")
        await pilot.press(*"new_data", "enter")
        screen = await wait_screen(pilot, pilot.app, "RunScreen")
        await wait_for(pilot, lambda: screen.finished, what="the failing create")
        panel = pilot.app.main_screen.query_one("CommandLogPanel")
        panel.set_entries([])
        await pilot.pause(0.2)

    assert snap_compare(console(demo_session), terminal_size=SIZE, run_before=run_before)


def unreachable_pool_list(demo_dir: Any) -> None:
    """From now on the simulated `daos pool list` fails as it does when an engine is unreachable."""
    from daostui.sim import knobs

    knobs.add_fault(
        demo_dir,
        "exit",
        match="daos*pool list*",
        exit=1,
        stderr="ERROR: daos: DER_UNREACH(-1006): Unreachable node\n",
    )


def test_refresh_failure_in_a_pane(snap_compare, demo_session, demo_dir):
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        unreachable_pool_list(demo_dir)
        pilot.app.refresh_pane("pools")
        await wait_for(
            pilot, lambda: pilot.app.main_screen.pane("pools").has_class("-failed"), what="failure"
        )
        await pilot.pause(0.1)

    assert snap_compare(console(demo_session), terminal_size=SIZE, run_before=run_before)


def test_copy_to_flare_dialog(snap_compare, demo_session):
    assert snap_compare(
        console(demo_session),
        terminal_size=SIZE,
        run_before=press_then_settle("2", "c", screen="CopyDataScreen"),
    )


def test_share_acl_dialog(snap_compare, demo_session):
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("2", "A")
        screen = await wait_screen(pilot, pilot.app, "AclScreen")
        await wait_for(pilot, lambda: screen.loaded, what="the ACL")
        await pilot.pause(0.2)

    assert snap_compare(console(demo_session), terminal_size=(120, 40), run_before=run_before)


def test_interactive_job_form(snap_compare, demo_session):
    assert snap_compare(
        console(demo_session),
        terminal_size=(120, 40),
        run_before=press_then_settle(
            "4",
            "i",
            screen="InteractiveScreen",
            ready=lambda s: focused_id(s.app) == "project" and s.form.default_dir,
        ),
    )


# ---------------------------------------------------------------------- wizard
def wizard_at(
    state: WizardState | None, ready: Any, *, settle_on: str | tuple[str, ...] = "", settled: Any = None
):
    """Open the wizard at `state` and wait until `ready(screen)`: the step's command has finished
    and its focus is set (the exact state the shot shows); then type `settle_on` and wait for
    `settled(screen)`."""

    async def run_before(pilot: Any) -> None:
        from daostui.screens.wizard.screen import WizardScreen

        await settle(pilot)
        if state is not None:
            save_state(paths.wizard_state_file(), state)
        else:
            paths.wizard_state_file().unlink(missing_ok=True)
        pilot.app.push_screen(WizardScreen(resume=state is not None))
        screen = await wait_screen(pilot, pilot.app, "WizardScreen")
        await wait_for(pilot, lambda: not screen.busy and ready(screen), what="the step to settle")
        if settle_on:
            await pilot.press(*settle_on)
            await wait_for(pilot, lambda: settled(screen), what="the typed text checked")
        await pilot.pause(0.3)

    return run_before


def wizard_outcome(screen: Any) -> str:
    return rendered(screen.query_one("#outcome"))


def focus_on(widget_id: str) -> Any:
    return lambda screen: focused_id(screen.app) == widget_id


#: The saved state each step is opened at, and the state its shot shows once settled.
WIZARD_STEPS = {
    "environment": (None, lambda screen: wizard_outcome(screen).startswith("✓")),
    "pool": (WizardState(step=1, pool="datascience"), focus_on("pools")),
    "container": (
        WizardState(step=2, pool="hpc_demo"),
        lambda screen: "container(s) in" in wizard_outcome(screen) and focused_id(screen.app) == "containers",
    ),
    "mount": (WizardState(step=3, pool="hpc_demo", container="checkpoints"), focus_on("mount")),
    "job": (
        WizardState(step=4, pool="hpc_demo", container="checkpoints"),
        lambda screen: focus_on("project")(screen) and screen.query_one("#workdir").value,
    ),
    "submit": (
        WizardState(
            step=5, pool="hpc_demo", container="checkpoints", script_path="/home/aurora_user/daos_job.pbs"
        ),
        focus_on("submit"),
    ),
}


@pytest.mark.parametrize("step", list(WIZARD_STEPS))
def test_wizard_step(snap_compare, demo_session, step):
    size = (120, 45) if step == "job" else (120, 35)
    assert snap_compare(console(demo_session), terminal_size=size, run_before=wizard_at(*WIZARD_STEPS[step]))


def test_wizard_container_step_bad_label(snap_compare, demo_session):
    state, ready = WIZARD_STEPS["container"]
    run_before = wizard_at(
        state,
        ready,
        settle_on=("enter", *"checkpoints"),  # enter on "+ Create a new container", then the label
        settled=lambda screen: "already exists" in rendered(screen.query_one("#label-problem")),
    )
    assert snap_compare(console(demo_session), terminal_size=SIZE, run_before=run_before)
