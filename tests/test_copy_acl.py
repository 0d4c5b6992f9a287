"""Protect and share data: copy to/from flare and container ACLs.

Unit tests of the Textual-free rules (daostui/copying.py, daostui/acl.py), then the real commands
against the simulator (the bytes on flare are compared with the container's, the ACL is read back
with get-prop), then Pilot tests driving both screens. Expected command shapes are copied from the
reference (daos-cli.md §3.8, §5; aurora-daos.md "Sharing", "Data protection").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from daostui.core.errors import DaosError, ValidationError
from daostui.core.site import SiteProfile
from daostui.daos import acl, copying
from tests.conftest import make_app
from tests.pilot_helpers import finish_run, rendered, wait_for, wait_loaded, wait_screen

SIZE = (120, 45)
SITE = SiteProfile()
PROJ = "/lus/flare/projects/hpc_demo"

# ---------------------------------------------------------------------- copying: unit


def test_project_dir_joins_or_expands_the_project():
    assert copying.project_dir(SITE, "hpc_demo") == PROJ
    templated = SITE.with_overrides(flare_projects_root="/lus/flare/projects/{project}/users/{user}")
    assert copying.project_dir(templated, "hpc_demo", "alice") == f"{PROJ}/users/alice"


@pytest.mark.parametrize("project", ["", "   ", "../etc", "a/b"])
def test_project_must_be_set_and_sane(project):
    with pytest.raises(ValidationError) as err:
        copying.project_dir(SITE, project)
    assert err.value.rule in ("project set", "project name")


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("relative/dir", "absolute"),
        (f"{PROJ}/../other_proj/x", "no parent references"),
        ("/lus/flare/projects/other_proj/x", "under the project directory"),
        ("/home/aurora_user/backup", "under the project directory"),
        (f"{PROJ}_evil/x", "under the project directory"),
        (PROJ, "subdirectory of the project directory"),
        (f"{PROJ}/x\ny", "printable characters"),
    ],
)
def test_flare_destination_rules_are_named(path, rule):
    with pytest.raises(ValidationError) as err:
        copying.validate_flare_path(path, SITE, "hpc_demo")
    assert err.value.rule == rule
    assert err.value.field == "flare_path"
    if rule != "printable characters":
        assert PROJ in str(err.value) or "'..'" in str(err.value)


def test_flare_destination_is_normalised():
    assert copying.validate_flare_path(f"{PROJ}//a/./b/", SITE, "hpc_demo") == f"{PROJ}/a/b"
    assert copying.validate_flare_path(PROJ, SITE, "hpc_demo", allow_project_root=True) == PROJ


@pytest.mark.parametrize(
    ("given", "expected"), [("", ""), ("/", ""), ("a/b/", "/a/b"), ("/a//b", "/a/b"), (" /x ", "/x")]
)
def test_container_paths(given, expected):
    assert copying.normalize_container_path(given) == expected


def test_container_path_refuses_parent_references():
    with pytest.raises(ValidationError, match=r"\.\."):
        copying.normalize_container_path("a/../../b")


def test_daos_uri_and_request_both_directions():
    from daostui.daos.client import DaosClient

    daos = DaosClient(transport=None)  # type: ignore[arg-type]  # argv builders only
    assert copying.daos_uri("hpc_demo", "ckpt") == "daos://hpc_demo/ckpt"
    assert copying.daos_uri("hpc_demo", "ckpt", "run/1") == "daos://hpc_demo/ckpt/run/1"
    out = copying.build_request(
        copying.TO_FLARE, "hpc_demo", "ckpt", "run1", f"{PROJ}/ckpt/run1", site=SITE, project="hpc_demo"
    )
    # daos-cli.md §5 / aurora-daos.md "Data protection": daos filesystem copy --src daos://… --dst /lus/…
    assert out.argv(daos) == [
        "daos",
        "filesystem",
        "copy",
        "--src",
        "daos://hpc_demo/ckpt/run1",
        "--dst",
        f"{PROJ}/ckpt/run1",
    ]
    back = copying.build_request(
        copying.FROM_FLARE, "hpc_demo", "ckpt", "/", f"{PROJ}/inputs", site=SITE, project="hpc_demo"
    )
    assert (back.src, back.dst) == (f"{PROJ}/inputs", "daos://hpc_demo/ckpt")
    assert copying.copy_commands(daos, back)[-1] == ["du", "-sb", f"{PROJ}/inputs"]
    with pytest.raises(ValidationError):
        copying.build_request("sideways", "p", "c", "", f"{PROJ}/x", site=SITE, project="hpc_demo")
    with pytest.raises(ValidationError):
        copying.build_request(copying.TO_FLARE, "p", "", "", f"{PROJ}/x", site=SITE, project="hpc_demo")


def test_default_destination_and_du_parsing():
    assert copying.default_flare_path(SITE, "hpc_demo", "ckpt", "a/b") == f"{PROJ}/ckpt/a/b"
    assert copying.parse_du("12345\t/lus/x\n") == 12345
    assert copying.parse_du("du: cannot access") is None


# ---------------------------------------------------------------------- acl: unit


def test_permission_letters_match_the_reference():
    # daos-cli.md §3.8: the owner's default entry A::OWNER@:rwdtTaAo uses all eight letters.
    assert acl.PERMISSION_ORDER == "rwdtTaAo"
    assert set(acl.PERMISSIONS) == set("rwdtTaAo")
    assert acl.describe_permissions("rt").startswith("read data, get properties")
    assert "set the owner" in acl.describe_permissions("o")
    assert "unknown letter 'x'" in acl.describe_permissions("x")
    assert acl.short_permissions("rwtT") == "read write get-prop set-prop"


@pytest.mark.parametrize(
    ("text", "kind", "delete"),
    [
        ("A::OWNER@:rwdtTaAo", "owner", "OWNER@"),
        ("A:G:GROUP@:rwtT", "owner group", "GROUP@"),
        ("A::EVERYONE@:r", "everyone", "EVERYONE@"),
        ("A::pkcoff@:rw", "user", "u:pkcoff@"),
        ("A:G:users@:rwta", "group", "g:users@"),
    ],
)
def test_parse_reference_entries(text, kind, delete):
    ace = acl.parse_ace(text)
    assert str(ace) == text
    assert ace.kind == kind
    assert ace.delete_principal == delete
    assert ace.describe()


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("A::alice@", "4 fields"),
        ("X::alice@:r", "type A|L|U"),
        ("A:Q:alice@:r", "flags G|S|F|P"),
        ("A::alice:r", "name@"),
        ("A::al ice@:r", "name@"),
        ("A::-rf@:r", "name@"),
        ("A::alice@:rx", "letters rwdtTaAo"),
        ("A::alice@:", "non-empty"),
        ("A::GROUP@:r", "G for groups"),
        ("A:G:OWNER@:r", "G only for groups"),
        ("A::everyone@:r", "OWNER@ GROUP@ EVERYONE@"),
    ],
)
def test_invalid_entries_name_the_rule(text, rule):
    with pytest.raises(ValidationError) as err:
        acl.parse_ace(text)
    assert err.value.rule == rule


def test_make_ace_normalises():
    assert str(acl.make_ace("user", "alice", "tr")) == "A::alice@:rt"
    assert str(acl.make_ace("group", "users@", "rwta")) == "A:G:users@:rwta"
    assert str(acl.make_ace("user", "rr@", "rrww")) == "A::rr@:rw"
    assert str(acl.make_ace("user", "everyone@", "r")) == "A::EVERYONE@:r"
    assert str(acl.make_ace("user", "GROUP@", "r")) == "A:G:GROUP@:r"
    with pytest.raises(ValidationError):
        acl.make_ace("robot", "alice", "r")
    with pytest.raises(ValidationError):
        acl.make_ace("user", "", "r")
    with pytest.raises(ValidationError):
        acl.make_ace("user", "a" * 300, "r")


def test_delete_principals_and_advice():
    assert acl.principal_for_delete("alice") == "u:alice@"
    assert acl.principal_for_delete("g:users") == "g:users@"
    assert acl.principal_for_delete("everyone@") == "EVERYONE@"
    with pytest.raises(ValidationError):
        acl.principal_for_delete("x:alice@")
    assert any("t (get-prop)" in n for n in acl.advice(acl.make_ace("user", "alice", "rw")))
    assert acl.advice(acl.make_ace("user", "alice", "rwt")) == []
    assert any("EVERYONE@" in n for n in acl.advice(acl.make_ace("user", "EVERYONE@", "rw")))
    assert "chmod" in acl.POSIX_ADVICE and "g+rwX" in acl.POSIX_ADVICE
    for letters, _why in acl.PRESETS.values():
        assert acl.normalize_permissions(letters) == letters


def test_parse_acl_skips_garbage():
    assert [str(a) for a in acl.parse_acl(["A::OWNER@:rwdtTaAo", "junk", "A:G:GROUP@:rwtT"])] == [
        "A::OWNER@:rwdtTaAo",
        "A:G:GROUP@:rwtT",
    ]


# ---------------------------------------------------------------------- simulator


def container_dir(demo_dir: Path, pool: str, cont: str) -> Path:
    from daostui.sim import daos_state as ds
    from daostui.sim import store

    data = store.load(demo_dir, "daos")
    pool_d = ds.find_pool(data, pool)
    assert pool_d is not None
    cont_d = ds.find_container(data, pool_d, cont)
    assert cont_d is not None
    return ds.data_dir(demo_dir, pool_d, cont_d)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def flare_session(demo_session, tmp_path: Path):
    """Flare lives in tmp_path; the project directory exists like on Aurora."""
    demo_session.site = demo_session.site.with_overrides(flare_projects_root=str(tmp_path / "flare"))
    demo_session.project = "hpc_demo"
    (tmp_path / "flare" / "hpc_demo").mkdir(parents=True)
    return demo_session


def fill(root: Path) -> dict[str, bytes]:
    (root / "run1" / "deep").mkdir(parents=True)
    (root / "run1" / "a.dat").write_bytes(bytes(range(256)) * 40)
    (root / "run1" / "deep" / "b.txt").write_text("checkpoint 42\n")
    (root / "top.txt").write_text("top\n")
    return tree(root)


async def test_copy_container_to_flare_and_back_identical(flare_session, demo_dir, tmp_path):
    session = flare_session
    source = container_dir(demo_dir, "hpc_demo", "checkpoints")
    expected = fill(source)
    base = copying.project_dir(session.site, session.project)
    request = copying.build_request(
        copying.TO_FLARE,
        "hpc_demo",
        "checkpoints",
        "",
        f"{base}/checkpoints",
        site=session.site,
        project=session.project,
    )
    report = await copying.perform_copy(session.daos, request)
    assert tree(Path(base) / "checkpoints") == expected
    assert (report.result.files, report.result.destination_kind) == (3, "POSIX")
    assert report.bytes is not None and report.bytes >= 256 * 40
    assert "Copied 3 files" in report.summary() and f"{base}/checkpoints" in report.summary()

    # Only a sub path.
    sub = copying.build_request(
        copying.TO_FLARE,
        "hpc_demo",
        "checkpoints",
        "run1/deep",
        f"{base}/deep",
        site=session.site,
        project=session.project,
    )
    await copying.perform_copy(session.daos, sub, measure=False)
    assert tree(Path(base) / "deep") == {"b.txt": b"checkpoint 42\n"}

    # Reverse: stage the flare copy into a fresh container.
    from daostui.daos.presets import ContainerCreateRequest

    await session.daos.cont_create(ContainerCreateRequest(pool="hpc_demo", label="staged"))
    back = copying.build_request(
        copying.FROM_FLARE,
        "hpc_demo",
        "staged",
        "/inputs",
        f"{base}/checkpoints",
        site=session.site,
        project=session.project,
    )
    report = await copying.perform_copy(session.daos, back)
    assert report.result.destination_kind == "DAOS"
    assert tree(container_dir(demo_dir, "hpc_demo", "staged") / "inputs") == expected


async def test_copy_failures_carry_the_command(flare_session, demo_dir):
    session = flare_session
    base = Path(copying.project_dir(session.site, session.project))
    container_dir(demo_dir, "hpc_demo", "checkpoints").joinpath("f.txt").write_text("x")
    missing = copying.build_request(
        copying.TO_FLARE,
        "hpc_demo",
        "checkpoints",
        "/no/such",
        f"{base}/x",
        site=session.site,
        project=session.project,
    )
    with pytest.raises(DaosError) as err:
        await copying.perform_copy(session.daos, missing)
    assert err.value.der_name == "DER_NONEXIST"
    assert "daos filesystem copy --src daos://hpc_demo/checkpoints/no/such" in err.value.result.command_line

    (base / "blocker").write_text("a file where a directory should be")
    unwritable = copying.build_request(
        copying.TO_FLARE,
        "hpc_demo",
        "checkpoints",
        "",
        f"{base}/blocker/sub",
        site=session.site,
        project=session.project,
    )
    with pytest.raises(DaosError) as err:
        await copying.perform_copy(session.daos, unwritable)
    assert "failed to copy" in str(err.value)
    assert err.value.result is not None and err.value.result.exit_status != 0


async def test_acl_update_and_delete_reflected_in_get_prop(demo_session):
    daos = demo_session.daos
    ace = acl.make_ace("user", "alice", "rt")
    await daos.cont_update_acl("hpc_demo", "checkpoints", str(ace))
    entries = (await daos.cont_get_prop("hpc_demo", "checkpoints")).acl
    assert "A::alice@:rt" in entries
    group = acl.make_ace("group", "users", "rwta")
    await daos.cont_update_acl("hpc_demo", "checkpoints", str(group))
    # Same principal again: its letters are replaced, not duplicated.
    await daos.cont_update_acl("hpc_demo", "checkpoints", str(acl.make_ace("user", "alice", "rwt")))
    entries = (await daos.cont_get_prop("hpc_demo", "checkpoints")).acl
    assert "A::alice@:rwt" in entries and "A::alice@:rt" not in entries
    assert "A:G:users@:rwta" in entries
    await daos.cont_delete_acl("hpc_demo", "checkpoints", ace.delete_principal)
    entries = (await daos.cont_get_prop("hpc_demo", "checkpoints")).acl
    assert not [e for e in entries if "alice@" in e]
    assert "A:G:users@:rwta" in entries


def test_invalid_entry_refused_before_running(demo_session):
    before = len(demo_session.log)
    for kind, name, perms in [("user", "al ice", "r"), ("user", "alice", "rz"), ("group", "", "r")]:
        with pytest.raises(ValidationError):
            acl.make_ace(kind, name, perms)
    assert len(demo_session.log) == before


# ---------------------------------------------------------------------- Pilot: copy screen


async def test_copy_screen_validates_and_runs_the_copy(flare_session, demo_dir, tmp_path):
    from daostui.screens.copy_data import CopyDataScreen

    session = flare_session
    expected = fill(container_dir(demo_dir, "hpc_demo", "checkpoints"))
    base = copying.project_dir(session.site, session.project)
    app = make_app(session)
    results: list = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.push_screen(CopyDataScreen("hpc_demo", "checkpoints"), results.append)
        form = await wait_screen(pilot, app, "CopyDataScreen")
        await wait_for(pilot, lambda: form.query("#copy"), what="form composed")
        flare = form.query_one("#flare-path")
        assert flare.value == f"{base}/checkpoints"
        assert not form.query_one("#copy").disabled
        assert f"daos filesystem copy --src daos://hpc_demo/checkpoints --dst {base}/checkpoints" in str(
            form.query_one("#preview").render()
        )
        # The default destination follows the container path.
        form.query_one("#cont-path").value = "run1"
        await wait_for(pilot, lambda: flare.value == f"{base}/checkpoints/run1", what="the default to follow")
        form.query_one("#cont-path").value = ""
        await wait_for(pilot, lambda: flare.value == f"{base}/checkpoints", what="the default back")
        # Outside the project directory: refused, with the rule.
        flare.value = "/tmp/elsewhere"
        problem = form.query_one("#problem")
        await wait_for(pilot, lambda: "outside your project directory" in rendered(problem), what="refusal")
        assert form.query_one("#copy").disabled
        flare.value = f"{base}/../x"
        await wait_for(pilot, lambda: "'..'" in rendered(problem), what="'..' refused")
        flare.value = f"{base}/backup"
        await wait_for(pilot, lambda: not form.query_one("#copy").disabled, what="a valid destination")
        form.query_one("#copy").press()
        await wait_for(pilot, lambda: results, what="the form's result")
        request = results[0]
        assert isinstance(request, copying.CopyRequest)
        assert (request.src, request.dst) == ("daos://hpc_demo/checkpoints", f"{base}/backup")
        app.run_with_dialog(
            request.title,
            lambda: copying.perform_copy(session.daos, request),
            commands=copying.copy_commands(session.daos, request),
            success=lambda report: report.summary(timings=False),
        )
        screen = await finish_run(pilot, app)
        assert screen.succeeded, str(screen.query_one("#outcome").render())
        assert "Copied 3 files" in str(screen.query_one("#outcome").render())
        await pilot.press("escape")
    assert tree(Path(base) / "backup") == expected


async def test_copy_screen_reverse_direction_and_escape(flare_session):
    from daostui.screens.copy_data import CopyDataScreen

    session = flare_session
    base = copying.project_dir(session.site, session.project)
    app = make_app(session)
    results: list = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.push_screen(
            CopyDataScreen("hpc_demo", "checkpoints", direction=copying.FROM_FLARE), results.append
        )
        form = await wait_screen(pilot, app, "CopyDataScreen")
        await wait_for(pilot, lambda: form.query("#copy"), what="form composed")
        form.query_one("#cont-path").value = "inputs"
        form.query_one("#flare-path").value = f"{base}/datasets"
        await wait_for(
            pilot,
            lambda: (
                f"--src {base}/datasets --dst daos://hpc_demo/checkpoints/inputs"
                in rendered(form.query_one("#preview"))
            ),
            what="the preview",
        )
        form.query_one("#copy").press()
        await wait_for(pilot, lambda: results, what="the form's result")
        assert results[0].direction == copying.FROM_FLARE
        app.push_screen(CopyDataScreen("hpc_demo", "checkpoints"), results.append)
        await wait_screen(pilot, app, "CopyDataScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(results) == 2, what="cancel")
        assert results[1] is None


async def test_copy_screen_without_project(demo_session):
    from daostui.screens.copy_data import CopyDataScreen

    demo_session.project = ""
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.push_screen(CopyDataScreen("hpc_demo", "checkpoints"))
        form = await wait_screen(pilot, app, "CopyDataScreen")
        await wait_for(
            pilot, lambda: "project is not set" in rendered(form.query_one("#problem")), what="the refusal"
        )
        assert form.query_one("#copy").disabled


# ---------------------------------------------------------------------- Pilot: ACL screen


async def acl_entries(session, cont: str = "checkpoints") -> list[str]:
    return (await session.daos.cont_get_prop("hpc_demo", cont)).acl


async def test_acl_screen_add_and_remove(demo_session):
    from daostui.screens.acl_editor import AclScreen

    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.push_screen(AclScreen("hpc_demo", "checkpoints"))
        screen = await wait_screen(pilot, app, "AclScreen")
        await wait_for(pilot, lambda: screen.query("#add"), what="form composed")
        await wait_for(pilot, lambda: screen.loaded, what="ACL loaded")
        table = screen.query_one("#acl")
        assert table.row_count == len(await acl_entries(demo_session))
        assert any(a.principal == "OWNER@" for a in screen.entries)

        # Invalid names and letters: refused before anything runs.
        ran = len(demo_session.log)
        problem = screen.query_one("#problem")
        screen.query_one("#name").value = "bad name"
        await wait_for(pilot, lambda: "not a valid name" in rendered(problem), what="the name refused")
        assert screen.query_one("#add").disabled
        screen.query_one("#name").value = "alice"
        screen.query_one("#perms").value = "rq"
        await wait_for(
            pilot, lambda: "unknown permission letter" in rendered(problem), what="letters refused"
        )
        assert screen.query_one("#add").disabled
        screen.action_add()
        assert app.screen is screen
        assert len(demo_session.log) == ran

        # Preset read-write, then add.
        screen.query_one("#perms").value = "rt"
        await wait_for(
            pilot,
            lambda: (
                "daos container update-acl hpc_demo checkpoints --entry A::alice@:rt"
                in rendered(screen.query_one("#preview"))
            ),
            what="the preview",
        )
        assert "read data" in str(screen.query_one("#meaning").render())
        screen.query_one("#add").press()
        run = await finish_run(pilot, app)
        assert run.succeeded, str(run.query_one("#outcome").render())
        assert "chmod -R g+rX" in str(run.query_one("#outcome").render())  # the POSIX follow-up
        await pilot.press("escape")
        await wait_screen(pilot, app, "AclScreen")
        assert "A::alice@:rt" in await acl_entries(demo_session)
        await wait_for(pilot, lambda: any(str(a) == "A::alice@:rt" for a in screen.entries), what="reload")

        # A group entry through the kind radio.
        screen.query_one("#kind").query("RadioButton")[1].value = True
        screen.query_one("#name").value = "users"
        screen.query_one("#perms").value = "rwta"
        await wait_for(
            pilot, lambda: "--entry A:G:users@:rwta" in rendered(screen.query_one("#preview")), what="preview"
        )
        screen.query_one("#add").press()
        run = await finish_run(pilot, app)
        assert run.succeeded
        await pilot.press("escape")
        await wait_screen(pilot, app, "AclScreen")
        await wait_for(pilot, lambda: any(str(a) == "A:G:users@:rwta" for a in screen.entries), what="reload")

        # Remove alice: confirmation first; "no" leaves it.
        table = screen.query_one("#acl")
        row = next(i for i, a in enumerate(screen.entries) if a.principal == "alice@")
        table.move_cursor(row=row)
        await wait_for(
            pilot, lambda: getattr(screen.selected(), "principal", "") == "alice@", what="alice selected"
        )
        screen.query_one("#remove").press()
        confirm = await wait_screen(pilot, app, "ConfirmScreen")
        assert "delete-acl hpc_demo checkpoints --principal u:alice@" in str(
            confirm.query_one("#commands").render()
        )
        await pilot.press("escape")
        await wait_screen(pilot, app, "AclScreen")
        assert "A::alice@:rt" in await acl_entries(demo_session)
        screen.query_one("#remove").press()
        await wait_screen(pilot, app, "ConfirmScreen")
        await pilot.press("y")
        run = await finish_run(pilot, app)
        assert run.succeeded
        await pilot.press("escape")
        await wait_screen(pilot, app, "AclScreen")
        entries = await acl_entries(demo_session)
        assert not [e for e in entries if "alice@" in e] and "A:G:users@:rwta" in entries
        await wait_for(pilot, lambda: all(a.principal != "alice@" for a in screen.entries), what="reload")

        # OWNER@ is never removed from here.
        table.move_cursor(row=next(i for i, a in enumerate(screen.entries) if a.principal == "OWNER@"))
        await wait_for(
            pilot, lambda: getattr(screen.selected(), "principal", "") == "OWNER@", what="OWNER@ selected"
        )
        screen.action_remove()
        await wait_for(pilot, lambda: "OWNER@" in rendered(screen.query_one("#problem")), what="refusal")
        assert app.screen is screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ != "AclScreen", what="close")


async def test_acl_screen_shows_load_failure(demo_session):
    from daostui.screens.acl_editor import AclScreen

    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.push_screen(AclScreen("hpc_demo", "no_such_cont"))
        screen = await wait_screen(pilot, app, "AclScreen")
        await wait_for(pilot, lambda: screen.query("#add"), what="form composed")
        await wait_for(pilot, lambda: screen.loaded, what="load attempt")
        assert "DER_NONEXIST" in screen.load_error or "does not exist" in screen.load_error
        assert screen.query_one("#acl").row_count == 0
