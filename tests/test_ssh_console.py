"""The console in ssh mode: the one-time passcode and an unknown host key are asked in the console.

Against a real asyncssh server on 127.0.0.1 whose commands find the simulator on PATH. The passcode
goes only to the server (never to the command log); trusting the host adds it to known_hosts.
"""

from __future__ import annotations

from pathlib import Path

from daostui import sim
from tests.conftest import make_app, ssh_session_for
from tests.pilot_helpers import wait_for, wait_loaded, wait_screen
from tests.sshserver import SshTestServer

PASSCODE = "314159"


async def test_passcode_and_unknown_host_are_asked_in_the_console(
    demo_session, demo_dir: Path, tmp_path: Path
):
    server = SshTestServer(tmp_path / "ssh", passcode=PASSCODE, env=sim.environment(demo_dir))
    await server.start()
    session = ssh_session_for(server, demo_session, tmp_path, trusted=False)  # the host is unknown
    known = server.tmp / "known_hosts"
    log = session.log
    app = make_app(session)
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            trust = await wait_screen(pilot, app, "TrustHostScreen")
            assert "Trust" in str(trust.query_one("#yes").label)
            # press() rather than a click: under load a click can land before the dialog is laid out
            trust.query_one("#yes").press()
            prompt = await wait_screen(pilot, app, "PromptScreen")
            assert "passcode" in " ".join(str(w.render()) for w in prompt.query("Static, Label")).lower()
            await pilot.press(*PASSCODE, "enter")
            await wait_loaded(pilot, app)
            assert [p.name for p in app.data.pools] == ["hpc_demo", "datascience"]
            header = app.main_screen.query_one("#header")
            await wait_for(pilot, lambda: header.connection == "connected", what="the header's link state")
    finally:
        await session.close()
        await server.stop()
    assert server.known_hosts_line.split()[1] in known.read_text(), "trusted host recorded"
    assert PASSCODE not in (tmp_path / "ssh-commands.jsonl").read_text()
    assert all(PASSCODE not in " ".join(r.argv) for r in log.entries())
