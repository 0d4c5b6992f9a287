"""The console against the real OpenSSH login node (tests/realssh.py): the passcode asked in the console,
and a cancelled passcode waiting for a reconnect.

The console's action scenarios run there too, from their own modules, by parametrizing
`mode_session` with "realssh": create, destroy, mount and unmount, submit from the form, follow
output, hold/release/cancel (tests/test_console_actions.py), the wizard from nothing to a finished
job (tests/test_wizard.py), the interactive job's form and shell (tests/test_forms_interactive.py),
copy and ACL (tests/test_copy_acl.py).
"""

from __future__ import annotations

import pytest

from daostui.core.config import Config
from tests.conftest import make_app
from tests.pilot_helpers import wait_for, wait_loaded, wait_screen
from tests.realssh import BANNER

pytestmark = pytest.mark.realssh


def console_session(realssh, tmp_path):
    session = realssh.session(Config(), log_path=tmp_path / "commands.jsonl", workdir=tmp_path)
    session.transport.prompter = None  # the console asks (AppPrompter)
    return session


async def passcode_prompt(pilot, app):
    """The passcode dialog, once its field has the focus (keys typed earlier would go nowhere)."""
    prompt = await wait_screen(pilot, app, "PromptScreen", timeout=30)
    # not composed yet right after the push: no field at all, so ask for any focused one
    await wait_for(
        pilot, lambda: any(w.has_focus for w in prompt.query("#answer-0")), what="the passcode field"
    )
    assert "OATH" in " ".join(str(w.render()) for w in prompt.query("Static, Label"))
    return prompt


async def type_passcode(pilot, app, code: str) -> None:
    await passcode_prompt(pilot, app)
    await pilot.press(*code, "enter")


async def test_the_passcode_is_asked_in_the_console_and_never_logged(realssh, tmp_path):
    session = console_session(realssh, tmp_path)
    app = make_app(session)
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            code = realssh.server.passcodes.next()
            await type_passcode(pilot, app, code)
            await wait_loaded(pilot, app)
            assert [p.name for p in app.data.pools] == ["hpc_demo", "datascience"]
            header = app.main_screen.query_one("#header")
            await wait_for(pilot, lambda: header.connection == "connected", what="the header's link state")
            assert header.user == realssh.server.user
    finally:
        await session.close()
    saved = (tmp_path / "commands.jsonl").read_text()
    assert code not in saved and BANNER in saved  # the banner is login noise in the log, nowhere else
    assert session.transport.connections_made == 1


async def test_a_cancelled_passcode_waits_and_a_reconnect_refreshes_every_pane_at_once(realssh, tmp_path):
    session = console_session(realssh, tmp_path)
    app = make_app(session)  # no automatic refresh: only the login event can refill the panes
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            await passcode_prompt(pilot, app)
            await pilot.press("escape")
            header = app.main_screen.query_one("#header")
            panes = ("pools", "mounts", "jobs")  # the containers pane waits for a pool
            await wait_for(
                pilot,
                lambda: (
                    not any(p.running for p in app.policies.values())
                    and all(app.policies[pane].failures for pane in panes)
                ),
                what="the panes to fail",
            )
            assert header.connection == "disconnected: passcode cancelled — press ctrl+r to reconnect"
            assert type(app.screen).__name__ != "PromptScreen", "no automatic re-prompt"
            assert not set(panes) & app.data.loaded
            reconnect = app.run_worker(session.reconnect(), exit_on_error=False)
            await type_passcode(pilot, app, realssh.server.passcodes.next())
            await reconnect.wait()
            await wait_loaded(pilot, app)
            assert header.connection == "connected"
    finally:
        await session.close()
