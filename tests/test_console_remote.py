"""The console's side of remote mode (issue 14) and of honest dialogs (issue 15 item 16).

A dialog lists only its own commands (attributed through `command_origin`, never filtered by name);
an unknown outcome is said as such and checked against the real state before a retry is offered —
with a fake work for the dialog's logic, and with a real dropped ssh connection for the wiring; a
cancelled passcode leaves the header naming ctrl+r, which logs in again and refills every pane; the
command detail keeps the login noise apart.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from rich.console import Console

from daostui import sim
from daostui.core.errors import StateCheck, outcome_unknown
from daostui.core.failures import OUTCOME_UNKNOWN
from daostui.screens.detail import CommandDetailScreen
from daostui.sim import knobs
from daostui.transport.base import CommandResult
from tests.conftest import FROZEN_TIME, make_app, ssh_session_for
from tests.pilot_helpers import finish_run, footer_keys, rendered, wait_for, wait_loaded, wait_screen
from tests.sshserver import SshTestServer

SIZE = (120, 35)
PASSCODE = "271828"


def lost(argv: tuple[str, ...]) -> Exception:
    """The error a client raises when the connection dropped after `argv` was sent."""
    result = CommandResult(
        argv, 255, "", "connection lost", 0.2, FROZEN_TIME, "ssh:aurora-uan-0009", outcome_unknown=True
    )
    return outcome_unknown(result)


# ---------------------------------------------------------------------- a dialog's own commands
async def test_a_dialog_lists_only_its_own_commands(demo_session):
    app = make_app(demo_session)
    gate = asyncio.Event()

    async def work() -> Any:
        await gate.wait()
        return await demo_session.daos.pool_list()

    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.run_with_dialog("List pools", work, refresh=("mounts",))
        run = await wait_screen(pilot, app, "RunScreen")
        before = len(demo_session.log)
        app.refresh_pane("mounts")  # a background refresh finishes while the dialog is open
        await wait_for(pilot, lambda: not app.policies["mounts"].running, what="the background refresh")
        background = demo_session.log.entries()[before:]
        assert background and all(r.origin == "" for r in background)
        mid = len(demo_session.log)
        gate.set()
        await finish_run(pilot, app)
        ran = rendered(run.query_one("#ran"))
        assert "daos -j pool list" in ran
        for result in background:
            assert result.command_line not in ran
        assert [r.origin for r in run._ran] == [run.origin]
        # the refresh the dialog asks for when it ends is the console's own work, not the dialog's
        await wait_for(pilot, lambda: not app.policies["mounts"].running, what="the mounts refresh")
        listing = " ".join(demo_session.mounts.argv_list())
        later = [r for r in demo_session.log.entries()[mid:] if r.origin != run.origin]
        assert any(" ".join(r.argv) == listing for r in later), "the dialog's refresh=('mounts',) ran"
        assert all(r.origin == "" for r in later)


# ---------------------------------------------------------------------- unknown outcomes
async def test_an_unknown_outcome_is_checked_and_retried_only_when_it_did_not_happen(demo_session):
    app = make_app(demo_session)
    attempts: list[int] = []
    looked: list[int] = []

    async def submit() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise lost(("qsub", "/home/u/daostui/jobs/train.pbs"))
        return "8123.aurora-pbs"

    async def check() -> StateCheck:
        looked.append(1)
        return StateCheck(
            False, "PBS has no new job named train: it was not submitted.", "qselect -u u -N train -x"
        )

    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.run_with_dialog("Submit train", submit, check=check, success=lambda job: f"Submitted {job}.")
        run = await finish_run(pilot, app)
        outcome = rendered(run.query_one("#outcome"))
        assert outcome.startswith(f"✗ {OUTCOME_UNKNOWN}") and "it may have run on the login node" in outcome
        assert "the connection to aurora-uan-0009 dropped after the command was sent" in outcome
        checked = rendered(run.query_one("#checked"))
        assert "checked: $ qselect -u u -N train -x" in checked and "it was not submitted" in checked
        assert run.query_one("#retry").display and looked == [1]
        await pilot.press("r")
        await wait_for(pilot, lambda: run.finished and run.succeeded, what="the retry")
        assert "Submitted 8123.aurora-pbs." in rendered(run.query_one("#outcome"))
        assert not run.query_one("#retry").display and len(attempts) == 2


async def test_no_retry_when_the_check_finds_it_happened_or_cannot_look(demo_session):
    app = make_app(demo_session)

    async def work() -> None:
        raise lost(("qsub", "train.pbs"))

    async def found() -> StateCheck:
        return StateCheck(
            True, "PBS has job 8123 named train: it was submitted; do not submit it again.", "qselect"
        )

    async def broken() -> StateCheck:
        raise lost(("qselect", "-u", "u"))

    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.run_with_dialog("Submit train", work, check=found)
        run = await finish_run(pilot, app)
        assert "✓ PBS has job 8123" in rendered(run.query_one("#checked"))
        await pilot.press("r")
        await pilot.pause(0.1)
        assert not run.retry_offered and not run.query_one("#retry").display
        await pilot.press("escape")
        app.run_with_dialog("Submit train", work, check=broken)
        run = await finish_run(pilot, app)
        assert "Could not check what happened" in rendered(run.query_one("#checked"))
        assert not run.retry_offered
        await pilot.press("escape")
        app.run_with_dialog("Hold job", work)  # no check: the unknown outcome is only reported
        run = await finish_run(pilot, app)
        assert OUTCOME_UNKNOWN in rendered(run.query_one("#outcome")) and not run.retry_offered


def fault_taken(demo_dir: Path) -> bool:
    return all(f.get("remaining") == 0 for f in knobs.load(demo_dir).get("faults", []))


async def test_a_mount_cut_off_by_a_dropped_connection_is_checked_then_retried(
    demo_session, demo_dir: Path, tmp_path: Path
):
    server = SshTestServer(tmp_path / "ssh", env=sim.environment(demo_dir))
    await server.start()
    session = ssh_session_for(server, demo_session, tmp_path, trusted=True)
    app = make_app(session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_loaded(pilot, app)
            knobs.add_fault(demo_dir, "hang", match="start-dfuse.sh*", remaining=1)
            await pilot.press("2", "m")
            run = await wait_screen(pilot, app, "RunScreen")
            # the fault is taken when the simulated start-dfuse.sh itself runs (past the login prelude)
            await wait_for(pilot, lambda: fault_taken(demo_dir), what="start-dfuse.sh running remotely")
            for conn in list(server.config.connections):
                conn.abort()  # the login node's side of the link goes away mid-command
            await wait_for(pilot, lambda: run.finished, what="the unknown outcome and its check")
            assert OUTCOME_UNKNOWN in rendered(run.query_one("#outcome"))
            checked = rendered(run.query_one("#checked"))
            assert "is not mounted: the mount did not happen" in checked, checked
            assert run.retry_offered
            await pilot.press("r")
            await wait_for(pilot, lambda: run.finished, timeout=60, what="the retried mount")
            assert run.succeeded, rendered(run.query_one("#outcome"))
            assert run.succeeded, rendered(run.query_one("#outcome")) + rendered(run.query_one("#ran"))
            path = session.mounts.default_mount_point("hpc_demo", "checkpoints")
            assert [m for m in await session.mounts.list() if m.path == path]
            await session.mounts.unmount(path)
    finally:
        await session.close()
        await server.stop()


# ---------------------------------------------------------------------- passcode cancelled: ctrl+r
async def test_a_cancelled_passcode_names_ctrl_r_which_logs_in_and_refills_every_pane(
    demo_session, demo_dir: Path, tmp_path: Path
):
    server = SshTestServer(tmp_path / "ssh", passcode=PASSCODE, env=sim.environment(demo_dir))
    await server.start()
    session = ssh_session_for(server, demo_session, tmp_path, trusted=True)
    app = make_app(session)  # no automatic refresh: only the login can refill the panes
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_screen(pilot, app, "PromptScreen")
            await pilot.press("escape")
            await wait_for(
                pilot,
                lambda: (
                    not any(p.running for p in app.policies.values())
                    and all(app.policies[p].failures for p in ("pools", "mounts", "jobs"))
                ),
                what="the panes to fail",
            )
            header = app.main_screen.query_one("#header")
            assert header.connection == "disconnected: passcode cancelled — press ctrl+r to reconnect"
            await wait_for(pilot, lambda: footer_keys(app).get("ctrl+r") is True, what="the reconnect key")
            assert not {"pools", "mounts", "jobs"} & app.data.loaded
            await pilot.press("ctrl+r")
            await wait_screen(pilot, app, "PromptScreen")
            await pilot.press(*PASSCODE, "enter")
            await wait_for(
                pilot, lambda: {"pools", "containers", "mounts", "jobs"} <= app.data.loaded, what="every pane"
            )
            await wait_for(pilot, lambda: header.connection == "connected", what="the header")
            await wait_for(
                pilot, lambda: "ctrl+r" not in footer_keys(app), what="the key gone once connected"
            )
    finally:
        await session.close()
        await server.stop()


async def test_reconnect_exists_only_over_ssh(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.check_action("do", ("reconnect",)) is False
        assert "ctrl+r" not in footer_keys(app)
        assert "reconnect" not in {c.title.lower() for c in app.get_system_commands(app.screen)}


# ---------------------------------------------------------------------- login noise
async def test_the_command_detail_folds_the_login_noise_away_from_the_output(demo_session):
    result = CommandResult(
        ("daos", "-j", "pool", "list"),
        0,
        '{"response": []}',
        "",
        0.4,
        FROZEN_TIME,
        "ssh:aurora-uan-0009",
        login_noise="Welcome to Aurora!\nThe following modules were loaded: daos/base\n",
        origin="List pools (run 3)",
    )
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.push_screen(CommandDetailScreen(result))
        screen = await wait_screen(pilot, app, "CommandDetailScreen")
        noise = screen.query_one("#login-noise")
        assert noise.title == "login noise (not given to the parser)" and noise.collapsed
        assert "Welcome to Aurora!" not in rendered(screen.query("Static")[2]), "not mixed into stdout"
        noise.collapsed = False
        await pilot.pause(0.05)
        assert "Welcome to Aurora!" in " ".join(rendered(s) for s in noise.query("Static"))
        out = Console(width=160, file=io.StringIO())
        out.print(screen.query("Static")[0].content)
        assert "List pools (run 3)" in out.file.getvalue()
