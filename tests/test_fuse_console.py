"""The console meets a really hung dfuse mount: keys keep working, the probe's `ls` is killed.

The demo's mount is a real FUSE mount whose daemon the `hung_mount` knob stops, so the kernel holds
the probe's `ls` exactly as a hung dfuse does on Aurora. The mounts pane's refresh must not block
the console while the probe waits, must mark the row `hung` when the probe times out, and must leave
no `ls` process behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from daostui.core import console_data
from daostui.sim import knobs
from tests import fuse_helpers
from tests.conftest import make_app
from tests.fuse_helpers import daemon_stopped, processes, wait_until
from tests.pilot_helpers import wait_for, wait_loaded

fuse_demo = fuse_helpers.fuse_demo
#: Long enough that the probe is surely still waiting while the keys are pressed.
PROBE_TIMEOUT = 5.0


async def test_console_stays_responsive_during_a_real_hung_probe(
    fuse_demo: Path, demo_session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console_data, "PROBE_TIMEOUT", PROBE_TIMEOUT)
    mount = await demo_session.mounts.mount("hpc_demo", "checkpoints")
    app = make_app(demo_session)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_loaded(pilot, app)
        policy = app.policies["mounts"]
        assert app.data.mount(mount.path).state == "ok"
        knobs.add_fault(fuse_demo, "hung_mount", path=mount.path)
        await wait_for(pilot, lambda: daemon_stopped(mount.path), what="the dfuse daemon to stop")
        app.refresh_pane("mounts")
        await wait_for(pilot, lambda: processes("ls", "-A", mount.path), what="the probe to start")
        for key, pane in (("2", "containers"), ("1", "pools"), ("2", "containers")):
            await pilot.press(key)
            await wait_for(
                pilot, lambda pane=pane: _focused(app) == pane, timeout=10, what=f"{key} to focus {pane}"
            )
            assert policy.running, "the key was handled while the probe was still held by the kernel"
        await wait_for(
            pilot, lambda: not policy.running, timeout=PROBE_TIMEOUT + 20, what="the probe to time out"
        )
        assert app.data.mount(mount.path).state == "hung"
        wait_until(lambda: not processes("ls", "-A", mount.path), "the killed probe to be gone")
        knobs.clear(fuse_demo)
        await wait_for(pilot, lambda: not daemon_stopped(mount.path), what="the daemon to resume")
        app.refresh_pane("mounts")
        await wait_for(
            pilot,
            lambda: not policy.running and app.data.mount(mount.path).state == "ok",
            timeout=20,
            what="the mount to answer again",
        )


def _focused(app: Any) -> str:
    pane = app.main_screen.focused_pane()
    return pane.pane_id if pane is not None else ""
