"""Quitting is clean: every worker, timer, stream and subprocess is stopped and awaited before the
event loop closes, whatever was in flight.

Two defects this pins down: the job-output view once used Textual's `Log.write_line`, which
measures each new line in a thread worker that could run after the app had exited
(`NoActiveAppError`, seen under load in test_follow_job_output); and a refresh started just before
quitting left its coroutine never awaited (`coroutine 'DaosTui._refresh' was never awaited`,
printed by the start-up benchmark).
"""

from __future__ import annotations

import gc
import os
import warnings
from pathlib import Path

from daostui.app import DaosTui
from daostui.pbs.models import Job
from daostui.sim import knobs
from tests.conftest import make_app
from tests.pilot_helpers import wait_for, wait_loaded, wait_screen

SIZE = (120, 35)


def processes_mentioning(text: str) -> list[str]:
    """Command lines of this machine's processes that contain `text` (e.g. a unique file path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # it ended meanwhile
            continue
        if text in cmdline and str(os.getpid()) != entry.name:
            found.append(cmdline)
    return found


def never_awaited(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "was never awaited" in str(w.message)]


def output_job(tmp_path: Path) -> Job:
    out, err = tmp_path / "busy_job.o123", tmp_path / "busy_job.e123"
    out.write_text("".join(f"line {n}\n" for n in range(200)))
    err.write_text("")
    return Job(
        "123.aurora-pbs-0001",
        {
            "Job_Name": "busy_job",
            "job_state": "R",
            "Output_Path": f"aurora-uan-0009:{out}",
            "Error_Path": f"aurora-uan-0009:{err}",
        },
    )


async def test_quit_while_a_refresh_hangs_and_output_is_followed(demo_session, demo_dir, tmp_path):
    from daostui.screens.output import OutputScreen

    job = output_job(tmp_path)
    app = make_app(demo_session, frozen=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with app.run_test(size=SIZE) as pilot:
            await wait_loaded(pilot, app)
            knobs.add_fault(demo_dir, "hang", match="daos*pool list*")
            app.refresh_pane("pools")
            await wait_for(
                pilot,
                lambda: [p for p in processes_mentioning("pool list") if str(demo_dir) in p],
                what="the hung `daos pool list` to run",
            )
            app.push_screen(OutputScreen(job))
            screen = await wait_screen(pilot, app, "OutputScreen")
            await wait_for(pilot, lambda: screen.lines_seen["out"] == 200, what="the output to be followed")
            assert processes_mentioning(job.output_path), "tail -F follows the file"
            # the output view measures its lines on the event loop: nothing to outlive the app
            assert not [w for w in app.workers if w._thread_worker], "no thread worker may outlive the app"
            with open(job.output_path, "a") as handle:
                handle.write("one more line\n")
            await wait_for(pilot, lambda: screen.lines_seen["out"] == 201, what="the new line")
        # leaving run_test is quitting: it raises if any worker failed while the app shut down
        gc.collect()
    assert not list(app.workers), "every worker finished before the loop closed"
    assert not processes_mentioning(job.output_path), "the tail -F was killed"
    hung = [p for p in processes_mentioning("pool list") if str(demo_dir) in p]
    assert not hung, "the hung refresh's command was killed"
    assert not never_awaited(caught)


def test_quitting_right_after_the_first_frame_leaves_nothing_unawaited(demo_session):
    """What the start-up benchmark does: quit as soon as the console is on screen, while the
    first refreshes are being started."""

    class FirstFrame(DaosTui):
        def console_ready(self) -> None:
            super().console_ready()
            self.call_after_refresh(self.exit)

    app = FirstFrame(demo_session, auto_refresh=False, show_host=False, show_timings=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app.run(headless=True, size=SIZE)
        gc.collect()
    assert not never_awaited(caught)
    assert app.return_code in (0, None)
