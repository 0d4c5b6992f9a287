"""The forms a newcomer fills in: the job form (its own file, its directory, what it remembers), the
doctor (its buttons, its report), the pool request (a real size, a free pool name, a private file).

Each test drives the screen as a user would and checks what it left behind: files where commands
run, the form's memory in the state dir, the report and the request on disk with their modes.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from daostui.core import form_memory, paths
from daostui.pbs.script_store import ScriptStore, directory_problem
from daostui.screens.pool_request import PoolRequestScreen
from daostui.transport.fake import FakeTransport
from tests.conftest import make_app
from tests.pilot_helpers import rendered, wait_for, wait_loaded, wait_screen

SIZE = (120, 35)


# ---------------------------------------------------------------------- the script store's own file
async def test_a_form_rewrites_its_own_file_and_never_another(tmp_path: Path):
    fake = FakeTransport(home="/home/alice")
    store = ScriptStore(fake, local_dir=None)
    theirs = await store.save("mine by hand\n", "job.pbs")  # a file the form did not write
    first = await store.save("v1\n", "job.pbs")
    assert first.path == "/home/alice/daostui/jobs/job-2.pbs"
    again = await store.save("v2\n", "job.pbs", replace=first.path)
    assert again.path == first.path and fake.files[first.path][0] == b"v2\n"
    assert fake.files[theirs.path][0] == b"mine by hand\n"
    # `replace` names another form's file, another name or another directory: never overwritten
    for other in (theirs.path.replace("job.pbs", "other.pbs"), "/home/alice/elsewhere/job-2.pbs"):
        saved = await store.save("v3\n", "job.pbs", replace=other)
        assert saved.path not in (theirs.path, first.path)
    renamed = await store.save("v4\n", "renamed.pbs", replace=first.path)
    assert renamed.path == "/home/alice/daostui/jobs/renamed.pbs" and fake.files[first.path][0] == b"v2\n"


def test_directory_problems_are_said_as_typed():
    assert (
        directory_problem("") == ""
        and directory_problem("~/runs") == ""
        and directory_problem("/lus/x") == ""
    )
    assert "absolute" in directory_problem("runs/today")
    assert "one line" in directory_problem("/a\nb")


def test_form_memory_is_private_and_lenient(tmp_path: Path):
    path = tmp_path / "state" / "forms.json"
    assert form_memory.load("job", path) == {}
    form_memory.remember("job", {"queue": "prod", "nodes": "4"}, path)
    form_memory.remember("interactive", {"walltime": "00:30:00"}, path)
    assert form_memory.load("job", path) == {"queue": "prod", "nodes": "4"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    path.write_text('{"job": {"queue": 3, "nodes": "2"}, "interactive": []}')
    assert form_memory.load("job", path) == {"nodes": "2"} and form_memory.load("interactive", path) == {}
    path.write_text("not json")
    assert form_memory.load("job", path) == {}


# ---------------------------------------------------------------------- the job form
async def open_job_form(pilot, app):
    await pilot.press("4", "n")
    form = await wait_screen(pilot, app, "JobFormScreen")
    await wait_for(pilot, lambda: form.form.default_dir, what="the default directory")
    return form


async def save(pilot, form) -> str:
    before = form.saved
    form.query_one("#save").press()
    await wait_for(pilot, lambda: form.saved is not before and not form.saving, what="the save")
    return form.saved.path


async def test_save_rewrites_the_form_s_own_file_and_the_title_matches_the_buttons(demo_session):
    workdir = Path(demo_session.workdir)
    (workdir / "daos_job.pbs").write_text("a script of the user's own\n")
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        form = await open_job_form(pilot, app)
        title = rendered(form.query_one("#title"))
        assert "Save and submit" in title and "Save writes" in title
        first = await save(pilot, form)
        assert first == str(workdir / "daos_job-2.pbs"), "a file the form did not write is left alone"
        assert f"✓ saved {first}" in rendered(form.query_one("#saved"))
        form.query_one("#nodes").value = "2"
        second = await save(pilot, form)
        assert second == first and "this form's file, rewritten" in rendered(form.query_one("#saved"))
        assert "#PBS -l select=2" in Path(second).read_text()
        await pilot.press("escape")
        await wait_screen(pilot, app, "ConsoleScreen")
        # reopened: still its own file
        form = await open_job_form(pilot, app)
        assert await save(pilot, form) == first
    assert sorted(p.name for p in workdir.glob("*.pbs")) == ["daos_job-2.pbs", "daos_job.pbs"]
    assert (workdir / "daos_job.pbs").read_text() == "a script of the user's own\n"


async def test_the_form_remembers_its_values_across_restarts(demo_session, tmp_path: Path):
    entries = {"walltime": "00:30:00", "program": "./train", "args": "--epochs 3", "nodes": "2"}
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        form = await open_job_form(pilot, app)
        for field_id, value in entries.items():
            form.query_one(f"#{field_id}").value = value
        form.query_one("#queue").value = "debug-scaling"
        form.query_one("#workdir").value = str(tmp_path / "runs")
        await pilot.press("escape")
        await wait_screen(pilot, app, "ConsoleScreen")
    # a new console (a restart): the form opens with what it showed last
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        form = await open_job_form(pilot, app)
        for field_id, value in entries.items():
            assert form.query_one(f"#{field_id}").value == value, field_id
        assert form.query_one("#queue").value == "debug-scaling"
        assert form.query_one("#workdir").value == str(tmp_path / "runs")
        saved = await save(pilot, form)
    assert saved == str(tmp_path / "runs" / "daos_job.pbs"), "saved in the remembered directory"
    assert stat.S_IMODE((tmp_path / "runs").stat().st_mode) == 0o700


async def test_a_relative_directory_is_refused_before_anything_is_saved(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        form = await open_job_form(pilot, app)
        form.query_one("#workdir").value = "runs/today"
        problems = form.query_one("#problems")
        await wait_for(pilot, lambda: "must be absolute" in rendered(problems), what="the refusal")
        assert form.query_one("#save").disabled and form.query_one("#submit").disabled


# ---------------------------------------------------------------------- the doctor
async def run_doctor(pilot, app):
    await pilot.press("D")
    screen = await wait_screen(pilot, app, "DoctorScreen")
    await wait_for(pilot, lambda: not screen.running and len(screen.checks) >= 8, what="doctor checks")
    return screen


async def test_the_doctor_offers_no_fix_when_nothing_is_unclean_and_saves_its_report(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        screen = await run_doctor(pilot, app)
        assert not screen.query_one("#fix").display, "no UNCLEAN container: no Fix UNCLEAN button"
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.saved_report is not None, what="the report saved")
        note = rendered(screen.query_one("#note"))
        assert "if it supports OSC 52" in note and str(screen.saved_report) in note
        assert "copied" not in note.lower()
    report = screen.saved_report
    assert report.parent == paths.reports_dir() and report.read_text().startswith("daostui doctor report")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o700


async def test_read_only_disables_the_long_tests_and_says_why(demo_session):
    demo_session.readonly = True
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        screen = await run_doctor(pilot, app)
        long = screen.query_one("#long")
        assert long.disabled and "read-only" in str(long.tooltip)
        assert "Long tests are off in read-only mode" in rendered(screen.query_one("#note"))


# ---------------------------------------------------------------------- the pool request
@pytest.mark.parametrize("space", ["lots", "500", "500 bananas", "0 TB", "-3 TB"])
async def test_the_pool_request_wants_a_size(demo_session, space: str):
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("a")
        form = await wait_screen(pilot, app, "PoolRequestScreen")
        form.query_one("#f-space").value = space
        form.query_one("#f-justification").text = "Checkpoints."
        form.query_one("#save").press()
        problem = form.query_one("#problem")
        await wait_for(pilot, lambda: "total space" in rendered(problem), what="the size refused")
        assert app.screen is form


async def test_the_pool_request_never_proposes_an_existing_pool_and_is_private(demo_session):
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        existing = {pool.name for pool in app.data.pools}
        assert demo_session.project in existing, "the seeded site has a pool named like the project"
        results: list = []
        app.push_screen(PoolRequestScreen(), results.append)
        form = await wait_screen(pilot, app, "PoolRequestScreen")
        proposed = form.query_one("#f-pool_name").value
        assert proposed and proposed not in existing
        form.query_one("#f-space").value = "500 TB"
        form.query_one("#f-justification").text = "Checkpoints of a 1T-parameter model."
        form.query_one("#f-pool_name").value = "datascience"
        form.query_one("#save").press()
        problem = form.query_one("#problem")
        await wait_for(pilot, lambda: "already exists" in rendered(problem), what="the taken name refused")
        form.query_one("#f-pool_name").value = proposed
        form.query_one("#save").press()
        await wait_for(pilot, lambda: results, what="the request saved")
    saved = results[0]
    assert saved.parent == paths.requests_dir()
    assert "Total space requested: 500 TB" in saved.read_text()
    assert f"Preferred pool name: {proposed}" in saved.read_text()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700


# ---------------------------------------------------------------------- 80x24: every button in view
def in_view(screen, widget) -> bool:
    region = widget.region
    return bool(region) and screen.region.contains_region(region)


#: (keys that open it, its screen, a check that it is ready, the buttons that must be in view)
SMALL_SCREENS = {
    "job form": (("4", "n"), "JobFormScreen", lambda s: s.form.default_dir, ("cancel", "save", "submit")),
    "interactive": (("4", "i"), "InteractiveScreen", lambda s: s.form.default_dir, ("cancel", "start")),
    "doctor": (
        ("D",),
        "DoctorScreen",
        lambda s: not s.running and s.checks,
        ("run", "long", "copy", "close"),
    ),
    "share": (("2", "A"), "AclScreen", lambda s: s.loaded, ("close", "remove", "add")),
    "pool request": (("a",), "PoolRequestScreen", lambda s: True, ("cancel", "save")),
}


@pytest.mark.parametrize("name", list(SMALL_SCREENS))
async def test_at_80x24_every_button_is_in_view(demo_session, demo_dir, name):
    from daostui.sim import knobs

    keys, screen_name, ready, buttons = SMALL_SCREENS[name]
    if name == "doctor":  # all five buttons: the fix is offered too
        knobs.add_fault(demo_dir, "unclean", pool="hpc_demo", cont="checkpoints")
        buttons = (*buttons, "fix")
    app = make_app(demo_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        app.jump("containers", "checkpoints")
        await pilot.press(*keys)
        screen = await wait_screen(pilot, app, screen_name)
        await wait_for(pilot, lambda: ready(screen), what=f"{name} ready")
        await pilot.pause(0.1)
        for button in buttons:
            widget = screen.query_one(f"#{button}")
            assert widget.display and in_view(screen, widget), f"{name}: #{button} at {widget.region}"
