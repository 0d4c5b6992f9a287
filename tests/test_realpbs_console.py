"""The console itself against a real OpenPBS 23.06.06 server (see tests/realpbs.py).

`daostui --local` with the site's commands first on PATH, as on a login node: the jobs pane shows
a job array as `N[]` with its progress, opens it to list its subjobs (`qstat -t`), counts the one
that failed, and decodes exit statuses in the pane and in the detail. DAOS is absent here: its
panes fail and say so; the jobs pane is unaffected. Other helpers may use the same site, so
nothing here counts the test user's jobs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from daostui.core.config import Config
from daostui.core.session import build_clients
from daostui.transport.local import LocalTransport
from daostui.transport.log import CommandLog
from tests.conftest import make_app
from tests.pilot_helpers import wait_for, wait_loaded, wait_screen
from tests.realpbs import Site, connection, pbs, site
from tests.realpbs import wait_for as wait_for_job

__all__ = ["connection", "pbs", "site"]  # fixtures used by the tests below

pytestmark = pytest.mark.realpbs

SIZE = (160, 45)
#: Subjob 2 fails with the script's own status 3.
SCRIPT = """#!/bin/sh
echo "subjob $PBS_ARRAY_INDEX"
if [ "$PBS_ARRAY_INDEX" = 2 ]; then exit 3; fi
"""


def console_session(site: Site, tmp_path: Path) -> Any:
    """A local-mode session whose PATH has the real site's commands first."""
    config = Config()
    transport = LocalTransport(env={"PATH": os.pathsep.join([str(site.bin), os.environ["PATH"]])})
    session = build_clients(
        mode="local",
        transport=transport,
        config=config,
        site=config.site_profile(),
        user=site.user,
        host="pbshost",
        project="",
        readonly=False,
        uses_prelude=False,
        log=CommandLog(tmp_path / "commands.jsonl"),
    )
    session.workdir = tmp_path
    return session


def cell(app: Any, job_id: str, column: str) -> str:
    model = app.main_screen.pane("jobs").table.model
    job = app.data.tracker.get(job_id)
    return model.cell(job, next(c for c in model.columns if c.key == column))


async def test_console_shows_a_real_array_its_subjobs_and_exit_statuses(site: Site, pbs, tmp_path) -> None:
    directory = site.job_dir("console-array")
    script = site.write(directory, "arr.sh", SCRIPT)
    array_id = await pbs.submit(
        str(script), cwd=str(directory), extra_args=["-J", "1-3", "-k", "doe", "-l", "walltime=00:05:00"]
    )
    await wait_for_job(pbs, array_id, "F", deadline=300)
    number = array_id.split("[", 1)[0]

    session = console_session(site, tmp_path)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app, "jobs")
        assert app.data.tracker.get(array_id) is not None
        assert cell(app, array_id, "id") == f"{number}[]"
        assert cell(app, array_id, "exit") == "3/3 done"  # a finished array's counts read 0: all done
        await pilot.press("4")
        app.jump("jobs", array_id)
        await pilot.press("space")
        subjob = array_id.replace("[]", "[2]")
        await wait_for(pilot, lambda: app.data.tracker.get(subjob) is not None, timeout=60, what="subjobs")
        assert [cell(app, array_id.replace("[]", f"[{i}]"), "id") for i in (1, 2, 3)] == [
            " └[1]",
            " └[2]",
            " └[3]",
        ]
        assert cell(app, subjob, "exit") == "3"
        assert cell(app, array_id.replace("[]", "[1]"), "exit") == "0 ok"
        assert cell(app, array_id, "exit") == "3/3 done, 1 failed"

        assert app.main_screen.pane("jobs").table.move_cursor_to_key(subjob)
        await pilot.press("enter")
        screen = await wait_screen(pilot, app, "DetailScreen")
        await wait_for(pilot, lambda: not screen.query_one("#loading").display, timeout=60, what="detail")
        shown = _plain(screen.query_one("#body").content)
        assert "3 (script exited 3)" in shown
        assert f"subjob 2 of array {number}[]" in shown
        await pilot.press("escape")

        assert app.main_screen.pane("jobs").table.move_cursor_to_key(array_id)
        await pilot.press("enter")
        screen = await wait_screen(pilot, app, "DetailScreen")
        await wait_for(pilot, lambda: not screen.query_one("#loading").display, timeout=60, what="detail")
        shown = _plain(screen.query_one("#body").content)
        assert "1-3 (3 subjobs)" in shown and "(1 of 3 subjobs failed)" in shown
        assert f"{number}[2]" in shown


def _plain(renderable: Any) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()
