"""Snapshots of the console and its dialogs as a newcomer meets them, at 80x24 and 160x45.

The small size is the one issue 15 was found at (the footer must keep `?` and `q`, every dialog its
buttons); the large one shows the same screens with room. Deterministic as tests/test_snapshots.py
(frozen clock, seed-0 simulator, fixture jobs, workers waited for). Regenerate one baseline after
checking the new SVG by eye:
    python -m pytest tests/test_snapshots_console.py -k NAME --snapshot-update
"""

from __future__ import annotations

from typing import Any

import pytest

from daostui.core.errors import StateCheck
from daostui.mounts.models import Mount
from daostui.screens.detail import CommandDetailScreen
from daostui.transport.base import CommandResult
from tests.conftest import FROZEN_TIME
from tests.pilot_helpers import focused_id, wait_for, wait_screen
from tests.test_console_remote import lost
from tests.test_snapshots import console, fixed_log_entries, press_then_settle, settle, unreachable_pool_list

SIZES = {"80x24": (80, 24), "160x45": (160, 45)}


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return SIZES[request.param]


def test_first_start_offer_and_footer(snap_compare, demo_session, size):
    app = console(demo_session)
    app.data.first_start = True
    assert snap_compare(app, terminal_size=size, run_before=press_then_settle("1"))


def test_jobs_pane_keys_follow_the_job_state(snap_compare, demo_session, size):
    assert snap_compare(console(demo_session), terminal_size=size, run_before=press_then_settle("4"))


def test_refresh_failure_names_the_pane_everywhere(snap_compare, demo_session, demo_dir, size):
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        unreachable_pool_list(demo_dir)
        await pilot.press("4")
        pilot.app.refresh_pane("pools")
        await wait_for(pilot, lambda: pilot.app.main_screen.pane("pools").failed, what="the failure")
        pilot.app._tick_ages()
        await pilot.pause(0.1)

    assert snap_compare(console(demo_session), terminal_size=size, run_before=run_before)


def test_command_log_filtered(snap_compare, demo_session, size):
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        panel = pilot.app.main_screen.query_one("CommandLogPanel")
        panel.set_entries(fixed_log_entries())
        await pilot.press("l")
        await wait_for(pilot, lambda: focused_id(pilot.app) == "log-table", what="the log")
        await pilot.press("slash", *"daos")
        await wait_for(pilot, lambda: len(panel.table.model) == 2, what="the filter")
        await pilot.pause(0.2)

    assert snap_compare(console(demo_session), terminal_size=size, run_before=run_before)


def test_cancel_job_dialog(snap_compare, demo_session, size):
    assert snap_compare(
        console(demo_session),
        terminal_size=size,
        run_before=press_then_settle("4", "d", screen="ConfirmScreen"),
    )


def test_destroy_dialog_keeps_its_buttons(snap_compare, demo_session, size):
    assert snap_compare(
        console(demo_session),
        terminal_size=size,
        run_before=press_then_settle("2", "d", screen="TypeToConfirmScreen"),
    )


def test_quit_with_daostuis_mounts(snap_compare, demo_session, size):
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        app = pilot.app
        app.data.mounts = [
            Mount(f"/tmp/aurora_user/hpc_demo/{name}", "hpc_demo", name, state="ok", owned=True)
            for name in ("checkpoints", "results")
        ]
        app.action_started()  # and one action still running
        await pilot.press("q")
        await wait_screen(pilot, app, "QuitScreen")
        await pilot.pause(0.2)

    assert snap_compare(console(demo_session), terminal_size=size, run_before=run_before)


def test_unknown_outcome_checked(snap_compare, demo_session, size):
    async def run_before(pilot: Any) -> None:
        await settle(pilot)

        async def submit() -> None:
            raise lost(("qsub", "/home/aurora_user/daostui/jobs/train.pbs"))

        async def check() -> StateCheck:
            return StateCheck(
                False,
                "PBS has no new job named train: it was not submitted.",
                "qselect -u aurora_user -N train -x",
            )

        pilot.app.run_with_dialog(
            "Submit train.pbs",
            submit,
            commands=[["qsub", "/home/aurora_user/daostui/jobs/train.pbs"]],
            check=check,
        )
        run = await wait_screen(pilot, pilot.app, "RunScreen")
        await wait_for(pilot, lambda: run.finished, what="the check")
        await pilot.pause(0.2)

    assert snap_compare(console(demo_session), terminal_size=size, run_before=run_before)


def test_command_detail_with_login_noise(snap_compare, demo_session, size):
    result = CommandResult(
        ("daos", "-j", "pool", "list"),
        0,
        '{"response": [], "error": null, "status": 0}\n',
        "",
        0.4,
        FROZEN_TIME,
        "ssh:aurora-uan-0009",
        login_noise="Welcome to Aurora!\nThe following modules were loaded: daos/base\n",
        origin="Create container results in hpc_demo (run 1)",
    )

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.push_screen(CommandDetailScreen(result))
        await wait_screen(pilot, pilot.app, "CommandDetailScreen")
        await pilot.pause(0.2)

    assert snap_compare(console(demo_session), terminal_size=size, run_before=run_before)
