"""Regenerate the README's screenshots: one SVG per screen in top-level `screens/`.

    python tools/gallery.py            # all screens
    python tools/gallery.py wizard     # the ones whose name contains "wizard"

Runs the real console in demo mode against a freshly seeded simulated Aurora (seed 0), with a
fixed clock and terminal size, and drives it with the same keys a user would press.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "screens"
SIZE = (120, 36)

Step = Callable[[Any, Any], Awaitable[None]]
#: What a screen's steps started and must undo after the shot (a demo job's runner, ...).
CLEANUPS: list[Callable[[], Awaitable[None]]] = []


async def _settle(pilot: Any, app: Any) -> None:
    from tests.pilot_helpers import wait_loaded

    await wait_loaded(pilot, app)
    await pilot.pause(0.2)


def keys(*pressed: str, screen: str = "", pause: float = 0.4) -> Step:
    async def step(pilot: Any, app: Any) -> None:
        from tests.pilot_helpers import wait_screen

        await pilot.press(*pressed)
        if screen:
            await wait_screen(pilot, app, screen)
        await pilot.pause(pause)

    return step


def wizard_step(step_index: int, **state: Any) -> Step:
    async def step(pilot: Any, app: Any) -> None:
        from daostui.core import paths
        from daostui.core.wizard_progress import WizardState, save_state
        from daostui.screens.wizard.screen import WizardScreen
        from tests.pilot_helpers import wait_for, wait_screen

        save_state(paths.wizard_state_file(), WizardState(step=step_index, **state))
        app.push_screen(WizardScreen(resume=True))
        screen = await wait_screen(pilot, app, "WizardScreen")
        await pilot.pause(0.3)
        await wait_for(pilot, lambda: not screen.busy, what="the wizard step")
        await pilot.pause(0.3)

    return step


async def array_jobs(pilot: Any, app: Any) -> None:
    """The jobs pane on the jobs a real OpenPBS server printed (tests/real_jobs.py), array opened."""
    from tests.pilot_helpers import wait_for
    from tests.real_jobs import ARRAY_ID, with_real_jobs

    with_real_jobs(app)
    app.refresh_pane("jobs")
    await pilot.press("4")
    table = app.main_screen.pane("jobs").table
    await wait_for(pilot, lambda: app.data.tracker.get(ARRAY_ID) is not None, what="the captured jobs")
    app.jump("jobs", ARRAY_ID)
    await pilot.press("space")
    await wait_for(pilot, lambda: table.row_count >= 9, what="the array's subjobs")
    await pilot.pause(0.3)


async def job_nodes(pilot: Any, app: Any) -> None:
    """A running 128-node demo job whose mount was lost on two nodes and hangs on a third: `N`."""
    from daostui.sim import knobs
    from tests.nodes_helpers import submit, use_compute_root, wait_launched
    from tests.pilot_helpers import wait_for, wait_screen

    session = app.session
    compute = os.environ["DAOSTUI_SIM_COMPUTE_ROOT"]
    use_compute_root(session, compute)
    job_id = await submit(session, 128, str(session.workdir), name="train128.pbs")

    async def delete() -> None:
        """qdel, then wait until the job has ended (its runner writes in the demo dir until then)."""
        import asyncio

        await session.pbs.delete(job_id)
        for _ in range(300):
            status = await session.pbs.status([job_id])
            if all(job.is_finished for job in status.jobs):
                return
            await asyncio.sleep(0.1)

    CLEANUPS.append(delete)
    job = await wait_launched(session, job_id, timeout=240)
    demo = Path(os.environ["DAOSTUI_GALLERY_DEMO"])
    for node in job.hosts[17:19]:
        knobs.add_fault(demo, "node_unmounted", node)
    knobs.add_fault(demo, "node_hung", job.hosts[90])
    app.refresh_pane("jobs")
    await wait_for(pilot, lambda: app.data.tracker.get(job_id) is not None, what="the job listed")
    await pilot.press("4")
    app.jump("jobs", job_id)
    await pilot.press("N")
    screen = await wait_screen(pilot, app, "JobNodesScreen")
    await wait_for(pilot, lambda: screen.shown >= 1, timeout=180, what="the first probe")
    await pilot.pause(0.3)


SCREENS: dict[str, list[Step]] = {
    "console": [keys("1")],
    "console-containers": [keys("2")],
    "pool-detail": [keys("1", "down", "enter", screen="DetailScreen", pause=0.8)],
    "container-detail": [keys("2", "enter", screen="DetailScreen", pause=0.8)],
    "create-container": [keys("2", "n", screen="CreateContainerScreen"), keys(*"my_experiment")],
    "destroy-container": [keys("2", "d", screen="TypeToConfirmScreen")],
    "job-form": [keys("4", "n", screen="JobFormScreen")],
    "interactive-job": [keys("4", "i", screen="InteractiveScreen")],
    "copy-to-flare": [keys("2", "c", screen="CopyDataScreen")],
    "share-acl": [keys("2", "A", screen="AclScreen", pause=0.8)],
    "pool-request": [keys("a", screen="PoolRequestScreen")],
    "command-log": [keys("l")],
    "queues": [keys("Q", screen="QueuesScreen", pause=1.0)],
    "jobs-array": [array_jobs],
    "job-nodes": [job_nodes],
    "help": [keys("question_mark", screen="HelpScreen")],
    "doctor": [keys("D", screen="DoctorScreen", pause=3.0)],
    "wizard-1-environment": [wizard_step(0)],
    "wizard-2-pool": [wizard_step(1, pool="datascience")],
    "wizard-3-container": [wizard_step(2, pool="hpc_demo")],
    "wizard-4-mount": [wizard_step(3, pool="hpc_demo", container="checkpoints")],
    "wizard-5-job": [wizard_step(4, pool="hpc_demo", container="checkpoints")],
}


async def shoot(name: str, steps: list[Step], tmp: Path) -> Path:
    from daostui.app import DaosTui
    from daostui.core.session import demo_session
    from daostui.core.site import SiteProfile
    from daostui.sim import bindir, seed

    demo = tmp / name
    os.environ["DAOSTUI_GALLERY_DEMO"] = str(demo)
    os.environ["DAOSTUI_SIM_COMPUTE_ROOT"] = str(tmp / "compute")
    (tmp / "compute").mkdir(exist_ok=True)
    seed.reset(demo, seed=0)
    bindir.prepare(demo, seed=0)
    session = demo_session(demo)
    session.workdir = tmp
    # show the paths a user on Aurora sees (nothing in the gallery writes there)
    session.site = session.site.with_overrides(
        login_mount_root=SiteProfile().login_mount_root, flare_projects_root=SiteProfile().flare_projects_root
    )
    session.mounts.site = session.site
    app = DaosTui(
        session, clock=lambda: 1_795_000_000.0, auto_refresh=False, show_host=False, show_timings=False
    )
    size = (120, 45) if name == "wizard-5-job" else SIZE
    try:
        async with app.run_test(size=size) as pilot:
            await _settle(pilot, app)
            for step in steps:
                await step(pilot, app)
            path = OUT / f"{name}.svg"
            app.save_screenshot(str(path))
    finally:
        while CLEANUPS:
            await CLEANUPS.pop()()
    return path


def main(argv: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    wanted = [n for n in SCREENS if not argv or any(a in n for a in argv)]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(
            DAOSTUI_STATE_DIR=str(Path(tmp) / "state"),
            DAOSTUI_CONFIG=str(Path(tmp) / "none.toml"),
            TEXTUAL_ANIMATIONS="none",
            USER="aurora_user",
            LOGNAME="aurora_user",
            TZ="UTC",
        )
        import time

        time.tzset()
        for name in wanted:
            path = asyncio.run(shoot(name, SCREENS[name], Path(tmp)))
            print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
