"""A newcomer's first hour in the console (issue 15): what must never lose work or say something false.

Each test drives the console by keys against the simulated Aurora and checks what the user would
see (the rendered table line, the header, the footer's keys, the dialog's buttons) or what the
site holds afterwards (the mount is gone, no qrls ran).
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from rich.console import Console

from daostui.core import first_start, paths
from daostui.screens.wizard.screen import WizardScreen
from daostui.transport.base import CommandResult
from daostui.widgets.footer import ConsoleFooter
from tests.conftest import FROZEN_TIME, make_app
from tests.pilot_helpers import (
    finish_run,
    focused_id,
    footer_keys,
    rendered,
    wait_for,
    wait_loaded,
    wait_screen,
)
from tests.test_snapshots import unreachable_pool_list

SIZE = (120, 35)
SMALL = (80, 24)


def table_text(app: Any, pane: str, line: int = 1) -> str:
    """What a pane's table shows on `line` (0 is the header), as the user reads it."""
    table = app.main_screen.pane(pane).table
    return table.render_line(line).text.strip()


def notes_of(app: Any) -> list[str]:
    """Record the app's notifications (run_test turns toasts off, so capture what is said)."""
    said: list[str] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(str(message))
        original(message, *args, **kwargs)

    app.notify = notify
    return said


@pytest.fixture
def slow_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAOSTUI_SIM_QUEUE_WAIT", "120")


async def submit_queued(session: Any) -> str:
    """A job of the user's that stays queued (with the `slow_queue` fixture)."""
    script = session.workdir / "j.sh"
    script.write_text(
        "#!/bin/bash\n#PBS -A hpc_demo\n#PBS -q debug\n#PBS -l select=1,walltime=00:10:00\n"
        "#PBS -l filesystems=home:flare\nsleep 1\n"
    )
    return await session.pbs.submit(str(script), cwd=str(session.workdir))


@pytest.fixture
def fresh_user():
    """No wizard progress and an unanswered offer (the state dir is shared by the whole run)."""
    for path in (paths.wizard_state_file(), first_start.answered_file()):
        path.unlink(missing_ok=True)
    yield
    for path in (paths.wizard_state_file(), first_start.answered_file()):
        path.unlink(missing_ok=True)


# ---------------------------------------------------------------------- 1, 2: filter the log, quit safely
async def test_slash_filters_the_command_log_and_typing_q_there_never_quits(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot, app)
        log = app.main_screen.query_one("CommandLogPanel")
        total = len(demo_session.log)
        assert any(r.argv[0] == "qstat" for r in demo_session.log.entries())
        await pilot.press("l")
        await wait_for(pilot, lambda: focused_id(app) == "log-table", what="the log")
        await pilot.press("slash")
        await wait_for(pilot, lambda: type(app.focused).__name__ == "FilterBox", what="the log's filter")
        await wait_for(pilot, lambda: app.focused.region.height == 3, what="the filter box on screen")
        await pilot.press(*"qstat")
        await wait_for(pilot, lambda: log.filter_text == "qstat", what="qstat typed into the filter")
        assert app.is_running, "typing qstat in the filter must not quit"
        shown = [log.table.model.row(i) for i in range(len(log.table.model))]
        assert shown and all("qstat" in r.command_line for r in shown)
        title = rendered(log.query_one("LogTitle"))
        assert f"{len(shown)} of {total}" in title and "/qstat" in title
        await pilot.press("enter")  # keeps the filter, back to the table
        assert focused_id(app) == "log-table" and log.filter_text == "qstat"
        await pilot.press("escape")  # clears it
        await wait_for(pilot, lambda: len(log.table.model) == total, what="the filter cleared")
        await pilot.press("q")
        dialog = await wait_screen(pilot, app, "QuitScreen")  # never at once, even with nothing at stake
        assert [str(b.label) for b in dialog.query("Button")] == ["Stay (esc)", "Quit (q)"]
        assert focused_id(app) == "stay"
        await pilot.press("escape")
        await wait_screen(pilot, app, "ConsoleScreen")
        assert app.is_running
        await pilot.press("q", "q")  # a deliberate q q stays quick
        await wait_for(pilot, lambda: not app.is_running, what="q q to quit")


async def test_q_never_quits_from_the_wizard_and_ctrl_q_asks_the_same_questions(demo_session):
    await demo_session.mounts.mount("hpc_demo", "checkpoints")
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("w")
        wizard = await wait_screen(pilot, app, "WizardScreen")
        await wait_for(pilot, lambda: not wizard.busy, what="the wizard's first step")
        await pilot.press("q")
        await pilot.pause(0.1)
        assert app.is_running and isinstance(app.screen, WizardScreen), "q in the wizard must not quit"
        await pilot.press("ctrl+q")
        dialog = await wait_screen(pilot, app, "QuitScreen")
        assert "checkpoints" in rendered(dialog.query_one("#mounts"))
        await pilot.press("escape")
        await wait_screen(pilot, app, "WizardScreen")
        assert app.is_running


@pytest.mark.parametrize(("answer", "kept"), [("u", False), ("k", True)], ids=["unmount", "keep"])
async def test_quit_names_daostuis_mounts_then_unmounts_or_keeps_them(demo_session, answer, kept):
    mount = await demo_session.mounts.mount("hpc_demo", "checkpoints")
    app = make_app(demo_session)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("q")
        dialog = await wait_screen(pilot, app, "QuitScreen")
        assert "You have 1 mount made by daostui" in rendered(dialog.query_one("#mounts"))
        assert f"$ fusermount3 -u {mount.path}" in rendered(dialog.query_one("#commands"))
        assert focused_id(app) == "stay", "the choice that changes nothing has the focus"
        buttons = [str(b.label) for b in dialog.query("Button")]
        assert buttons == ["Stay (esc)", "Keep them and quit (k)", "Unmount and quit (u)"]
        for button in dialog.query("Button"):
            assert button.region.bottom <= app.screen.region.bottom, "buttons visible at 80x24"
        await pilot.press("q")  # with mounts at stake, only the buttons decide
        assert app.screen is dialog
        await pilot.press(answer)
        await wait_for(pilot, lambda: not app.is_running, what=f"quit after {answer}")
    still = [m for m in await demo_session.mounts.list() if m.path == mount.path]
    assert bool(still) == kept


# ---------------------------------------------------------------------- 6: loading is not empty
async def test_a_pane_says_loading_until_its_first_answer_and_empty_only_after_it(demo_session):
    app = make_app(demo_session)
    release = asyncio.Event()
    real = app.data.load_pools

    async def held() -> None:
        await release.wait()
        app.data.pools = []

    app.data.load_pools = held
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.policies["pools"].running, what="the first pools refresh")
        await wait_for(pilot, lambda: table_text(app, "pools") == "Loading pools…", what="loading")
        assert "mounts" in app.data.loaded or table_text(app, "mounts") == "Loading dfuse mounts…"
        release.set()
        await wait_for(pilot, lambda: "pools" in app.data.loaded, what="the pools answer")
        empty = "No pools visible. Press a to write an allocation request."
        await wait_for(pilot, lambda: table_text(app, "pools") == empty, what="empty after the answer")
        app.data.load_pools = real


async def test_a_new_pool_under_the_cursor_shows_loading_not_the_old_pools_containers(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert "checkpoints" in table_text(app, "containers")
        await pilot.press("1", "down")  # datascience: its containers were never listed
        await wait_for(pilot, lambda: app.data.selected_pool == "datascience", what="the new pool")
        assert table_text(app, "containers").startswith("Loading containers of datascience")


# ---------------------------------------------------------------------- 7: failures say why
async def test_a_failed_refresh_says_why_and_the_header_does_not_vouch_for_it(demo_session, demo_dir):
    app = make_app(demo_session)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot, app)
        header = app.main_screen.query_one("#header")
        assert "refreshed" in rendered(header) and "failed" not in rendered(header)
        unreachable_pool_list(demo_dir)
        await pilot.press("4")  # another pane in front: the tab strip and the header must say it
        app.refresh_pane("pools")
        await wait_for(pilot, lambda: app.main_screen.pane("pools").failed, what="the failure")
        # the header follows on its once-a-second tick
        await wait_for(pilot, lambda: "✗ pools" in rendered(header), what="the header to say it")
        text = rendered(header)
        assert "✗ pools: refresh failed" in text and "others refreshed" in text
        assert " refreshed " not in text.replace("others refreshed", "")
        assert "✗" in rendered(app.main_screen.query_one("#tabs")).split("1 Pools")[1].split("2 ")[0]
        error = rendered(app.main_screen.query_one("#pools-error"))
        assert error.startswith("DER_UNREACH(-1006)") and "command: daos -j pool list" in error


# ---------------------------------------------------------------------- 10: what the row allows
async def test_job_keys_follow_the_jobs_state_in_the_footer_and_when_pressed(demo_session, slow_queue):
    job_id = await submit_queued(demo_session)
    app = make_app(demo_session)
    said = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("4")
        assert app.main_screen.pane("jobs").table.move_cursor_to_key(job_id)
        await wait_for(pilot, lambda: footer_keys(app).get("x") is False, what="release greyed (queued)")
        assert footer_keys(app)["h"] and footer_keys(app)["d"]
        ran = len(demo_session.log)
        await pilot.press("x")
        await wait_for(pilot, lambda: said, what="the refusal")
        assert "is queued: only a held job can be released" in said[-1]
        assert not [r for r in demo_session.log.entries()[ran:] if r.argv[0] == "qrls"]
        assert type(app.screen).__name__ == "ConsoleScreen"
        await pilot.press("h")
        assert (await finish_run(pilot, app)).succeeded
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.data.tracker.get(job_id).state == "H", what="held in the pane")
        await wait_for(pilot, lambda: footer_keys(app).get("h") is False, what="hold greyed (held)")
        assert footer_keys(app)["x"]


async def test_unmount_is_offered_only_for_a_mounted_container(demo_session):
    app = make_app(demo_session)
    said = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        await wait_for(pilot, lambda: footer_keys(app).get("u") is False, what="unmount greyed")
        assert footer_keys(app)["m"]
        assert app.check_action("do", ("cont.unmount",)) is None
        await pilot.press("u")
        await wait_for(pilot, lambda: said, what="the refusal")
        assert said[-1] == "checkpoints is not mounted here."
        assert type(app.screen).__name__ == "ConsoleScreen"


# ---------------------------------------------------------------------- 13: the first-start offer
async def test_the_first_start_offer_stays_until_dismissed_even_with_containers(demo_session, fresh_user):
    assert first_start.is_first_start(demo_session.config), "the tests start with no config or progress"
    app = make_app(demo_session, first_start=True)
    async with app.run_test(size=SMALL) as pilot:
        hint = app.main_screen.query_one("#hint")
        await wait_for(pilot, lambda: hint.display, what="the offer at once")
        await wait_loaded(pilot, app)
        assert app.data.containers["hpc_demo"], "the user's project has containers"
        await pilot.pause(0.3)
        assert hint.display and "Press w for the guided setup" in rendered(hint)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not hint.display, what="esc hides the offer")
        app.refresh_pane("containers")
        await wait_loaded(pilot, app)
        assert not hint.display
    assert not first_start.is_first_start(demo_session.config), "answered: later starts behave as before"
    later = make_app(demo_session, first_start=None)
    async with later.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot, later)
        assert not later.main_screen.query_one("#hint").display


async def test_using_the_offer_answers_it(demo_session, fresh_user):
    app = make_app(demo_session, first_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("w")
        await wait_screen(pilot, app, "WizardScreen")
        assert not app.main_screen.query_one("#hint").display
    assert first_start.answered_file().read_text() == "used\n"


# ---------------------------------------------------------------------- 15: the log opens on the newest
def log_entry(n: int) -> CommandResult:
    return CommandResult(("echo", str(n)), 0, "", "", 0.01, FROZEN_TIME + n, "local")


async def test_the_command_log_opens_on_the_newest_entry(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot, app)
        log = app.main_screen.query_one("CommandLogPanel")
        log.set_entries([log_entry(n) for n in range(40)])
        await pilot.press("l")
        await wait_for(pilot, lambda: focused_id(app) == "log-table", what="the log")
        await pilot.press("end")  # reads the oldest entry, then closes
        assert log.selected().argv == ("echo", "0")
        await pilot.press("l")
        for n in range(40, 45):
            log.add(log_entry(n))
        await pilot.press("l")
        await wait_for(pilot, lambda: focused_id(app) == "log-table", what="the log again")
        assert log.selected().argv == ("echo", "44") and log.table.scroll_offset.y == 0
        log.add(log_entry(45))  # while open, on the newest: stays on the newest
        assert log.selected().argv == ("echo", "45")
        await pilot.press("down")
        log.add(log_entry(46))  # reading an older one: it stays under the cursor
        assert log.selected().argv == ("echo", "44")


# ---------------------------------------------------------------------- 17, 18, 19: keys, verbs, titles
@pytest.mark.parametrize("pane", ["1", "2", "3", "4", "l"])
async def test_the_footer_keeps_help_and_quit_at_80x24(demo_session, pane):
    app = make_app(demo_session)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot, app)
        footer = app.main_screen.query_one(ConsoleFooter)
        await pilot.press(pane)
        own = {"1": "s", "2": "m", "3": "n", "4": "h", "l": "c"}[pane]  # a key of that pane's own
        await wait_for(pilot, lambda: own in footer_keys(app), what="the footer to follow the focus")
        keys = {key.key: key for key in footer.query("FooterKey")}
        assert {"question_mark", "q"} <= set(keys)
        for key in ("question_mark", "q"):
            assert keys[key].region.right <= footer.region.right - 14, f"{key} visible, left of ^p"


async def test_cancel_job_and_unmount_dialogs_use_verbs_and_focus_the_safe_choice(demo_session, slow_queue):
    await demo_session.mounts.mount("hpc_demo", "checkpoints")
    job_id = await submit_queued(demo_session)
    app = make_app(demo_session)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("4")
        app.main_screen.pane("jobs").table.move_cursor_to_key(job_id)
        await pilot.press("d")
        dialog = await wait_screen(pilot, app, "ConfirmScreen")
        assert [str(b.label) for b in dialog.query("Button")] == ["Keep job (n)", "Cancel job (y)"]
        assert focused_id(app) == "no"
        await pilot.press("enter")  # Enter on the focused "Keep job": nothing is cancelled
        await wait_screen(pilot, app, "ConsoleScreen")
        assert (await demo_session.pbs.status([job_id])).jobs[0].state == "Q"
        await pilot.press("2", "u")
        dialog = await wait_screen(pilot, app, "ConfirmScreen")
        assert [str(b.label) for b in dialog.query("Button")] == ["Keep mounted (n)", "Unmount (y)"]
        assert focused_id(app) == "no"
        for button in dialog.query("Button"):
            assert button.region.bottom <= app.screen.region.bottom, "buttons visible at 80x24"
        await pilot.press("n")
        await wait_screen(pilot, app, "ConsoleScreen")
        assert [m for m in await demo_session.mounts.list() if m.container == "checkpoints"]


async def test_destroy_says_when_the_typed_label_is_wrong(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2", "d")
        dialog = await wait_screen(pilot, app, "TypeToConfirmScreen")
        assert [str(b.label) for b in dialog.query("Button")] == ["Keep container (esc)", "Destroy container"]
        await pilot.press(*"checkpoint", "enter")
        await wait_for(
            pilot,
            lambda: "type it exactly" in rendered(dialog.query_one("#typed-problem")),
            what="the reason",
        )
        assert app.screen is dialog


async def test_help_lists_sort_and_the_filter_title_counts_matches(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("question_mark")
        help_screen = await wait_screen(pilot, app, "HelpScreen")
        out = Console(width=160, file=io.StringIO())
        out.print(help_screen.keys_table())
        keys = out.file.getvalue()
        assert "Sort the focused table by its next column" in keys
        assert "ctrl+r" not in keys, "reconnect exists over ssh only"
        await pilot.press("escape", "1", "slash", *"data")
        title = app.main_screen.query_one("#pools-title")
        await wait_for(pilot, lambda: "1 of 2" in rendered(title), what="the matches in the title")


async def test_a_cursor_event_while_the_console_shuts_down_is_harmless(demo_session):
    """The jobs table's cursor can move (a refresh lands) after the last screen left at quit."""
    from daostui.widgets.resource_table import RowHighlighted

    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        table = app.main_screen.pane("jobs").table
    assert not app.screen_stack
    app._highlighted(RowHighlighted(table, ""))
