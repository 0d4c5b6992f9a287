"""The doctor against the simulated Aurora: each failure ALCF's checklist names, seen as a user would.

Every test puts the simulator in one known-bad state (a fault knob, a degraded pool, a pool without
permission, a hung mount...) and asserts the check that should notice it does, with evidence a
support ticket can use and the fix a user can type. The CLI and the Doctor screen are exercised
too, because they are how users actually meet the doctor.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from daostui.doctor import checklist as doctor_module
from daostui.doctor.checklist import (
    FAIL,
    PASS,
    SKIP,
    WARN,
    Check,
    Doctor,
    exit_status,
    fix_unclean,
    report_json,
    report_text,
    worst,
)
from daostui.sim import knobs
from tests.conftest import make_app
from tests.pilot_helpers import finish_run, wait_for, wait_loaded, wait_screen

SIZE = (120, 40)
DAOSTUI = Path(sys.executable).with_name("daostui")


def by_id(checks: list[Check]) -> dict[str, Check]:
    return {check.id: check for check in checks}


async def run_doctor(session: Any, pool: str = "", cont: str = "", **kwargs: Any) -> dict[str, Check]:
    return by_id(await Doctor(session, pool=pool, cont=cont).run(**kwargs))


def plain(widget: Any) -> str:
    """The text a Static shows (its content may be a Rich Group, whose str() is useless)."""
    from rich.console import Console

    console = Console(width=200, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(widget.content)
    return console.export_text()


def text_of(check: Check) -> str:
    return "\n".join([*check.commands, *check.evidence, check.fix])


# ---------------------------------------------------------------------------- healthy


async def test_healthy_pool_and_mounted_container_all_pass(demo_session: Any) -> None:
    """The baseline: a Ready pool, a HEALTHY mounted container and no jobs → nothing to report."""
    await demo_session.mounts.mount("hpc_demo", "checkpoints")
    checks = await run_doctor(demo_session, "hpc_demo", "checkpoints")
    assert {c.id: c.status for c in checks.values()} == {
        "daos": PASS,
        "agent": PASS,
        "pool": PASS,
        "space": PASS,
        "targets": PASS,
        "container": PASS,
        "mount": PASS,
        "jobs": PASS,
    }
    assert exit_status(list(checks.values())) == 0
    # each check teaches the command it ran
    assert "daos version" in checks["daos"].commands
    assert "daos -j pool query hpc_demo" in checks["pool"].commands
    assert "daos -j container get-prop hpc_demo checkpoints" in checks["container"].commands
    assert any(c.startswith("ls -A") for c in checks["mount"].commands)
    assert "HEALTHY" in text_of(checks["container"])


async def test_unmounted_container_warns_with_the_mount_command(demo_session: Any) -> None:
    checks = await run_doctor(demo_session, "hpc_demo", "checkpoints")
    assert checks["mount"].status == WARN
    assert "start-dfuse.sh -m" in checks["mount"].fix and "--cont checkpoints" in checks["mount"].fix
    assert exit_status(list(checks.values())) == 1


async def test_without_a_pool_the_first_visible_pool_is_checked(demo_session: Any) -> None:
    checks = await run_doctor(demo_session)
    assert checks["pool"].status == PASS
    assert any("no pool given" in line for line in checks["pool"].evidence)
    assert checks["container"].status == SKIP


# ---------------------------------------------------------------------------- failures


async def test_agent_down_fails_with_the_agent_hint(demo_session: Any, demo_dir: Path) -> None:
    knobs.add_fault(demo_dir, "agent_down", match="daos *")
    checks = await run_doctor(demo_session, "hpc_demo")
    agent = checks["agent"]
    assert agent.status == FAIL
    assert "daos -j pool list" in agent.commands
    assert "DER_UNREACH" in text_of(agent)
    assert "daos_agent" in agent.fix
    assert checks["pool"].status == FAIL
    assert exit_status(list(checks.values())) == 2


async def test_degraded_pool_warns_about_disabled_targets(demo_session: Any) -> None:
    checks = await run_doctor(demo_session, "datascience")
    assert checks["pool"].status == PASS
    targets = checks["targets"]
    assert targets.status == WARN
    assert any("32 of" in line and "disabled" in line for line in targets.evidence)
    assert "Degraded" in targets.fix
    assert worst(list(checks.values())) == WARN
    assert exit_status(list(checks.values())) == 1


async def test_pool_without_permission_fails_with_the_acl_hint(demo_session: Any) -> None:
    checks = await run_doctor(demo_session, "hacc")
    pool = checks["pool"]
    assert pool.status == FAIL
    assert "DER_NO_PERM" in text_of(pool)
    assert "ACL" in pool.fix
    # the checks that need the pool say so instead of guessing
    assert checks["space"].status == SKIP and checks["targets"].status == SKIP
    assert exit_status(list(checks.values())) == 2


async def test_unknown_pool_fails_with_the_name_hint(demo_session: Any) -> None:
    checks = await run_doctor(demo_session, "no_such_pool")
    assert checks["pool"].status == FAIL
    assert "DER_NONEXIST" in text_of(checks["pool"])
    assert "daos pool list" in checks["pool"].fix


async def test_unclean_container_fails_and_fix_unclean_makes_it_healthy(
    demo_session: Any, demo_dir: Path
) -> None:
    knobs.add_fault(demo_dir, "unclean", pool="hpc_demo", cont="checkpoints")
    checks = await run_doctor(demo_session, "hpc_demo", "checkpoints")
    container = checks["container"]
    assert container.status == FAIL
    assert "UNCLEAN" in text_of(container)
    assert "status:HEALTHY" in container.fix and "--flags=evict" in container.fix
    assert (await demo_session.daos.cont_get_prop("hpc_demo", "checkpoints")).unclean

    await fix_unclean(demo_session, "hpc_demo", "checkpoints")
    props = await demo_session.daos.cont_get_prop("hpc_demo", "checkpoints")
    assert props.health == "HEALTHY" and not props.unclean
    assert (await run_doctor(demo_session, "hpc_demo", "checkpoints"))["container"].status == PASS


async def test_hung_mount_fails_within_the_probe_timeout(
    demo_session: Any, demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hung dfuse mount blocks `ls` forever: the doctor must say 'hung', not hang itself."""
    monkeypatch.setattr(doctor_module, "MOUNT_PROBE_TIMEOUT", 1.0)
    mount = await demo_session.mounts.mount("hpc_demo", "checkpoints")
    knobs.add_fault(demo_dir, "hung_mount", path=mount.path)
    import time

    started = time.monotonic()
    checks = await run_doctor(demo_session, "hpc_demo", "checkpoints")
    assert time.monotonic() - started < 8
    check = checks["mount"]
    assert check.status == FAIL
    assert any(mount.path in line and "hung" in line for line in check.evidence)
    assert f"fusermount3 -u {mount.path}" in check.fix


async def test_job_asking_for_daos_without_the_daos_filesystem_warns(demo_session: Any) -> None:
    script = Path(demo_session.workdir) / "daos_job.sh"
    script.write_text(
        "#!/bin/bash\n#PBS -A hpc_demo\n#PBS -q debug\n#PBS -l select=1,walltime=00:10:00\n"
        "#PBS -l filesystems=home:flare\n#PBS -l daos=daos_user\nsleep 1\n"
    )
    job_id = await demo_session.pbs.submit(str(script), cwd=str(demo_session.workdir))
    checks = await run_doctor(demo_session, "hpc_demo")
    jobs = checks["jobs"]
    assert jobs.status == WARN
    assert any(
        line.startswith(job_id.split(".")[0]) and "filesystems=home:flare" in line for line in jobs.evidence
    )
    assert "filesystems=home:flare:daos_user" in jobs.fix


async def test_job_with_the_daos_filesystem_passes(demo_session: Any) -> None:
    script = Path(demo_session.workdir) / "good_job.sh"
    script.write_text(
        "#!/bin/bash\n#PBS -A hpc_demo\n#PBS -q debug\n#PBS -l select=1,walltime=00:10:00\n"
        "#PBS -l filesystems=home:flare:daos_user\n#PBS -l daos=daos_user\nsleep 1\n"
    )
    await demo_session.pbs.submit(str(script), cwd=str(demo_session.workdir))
    assert (await run_doctor(demo_session, "hpc_demo"))["jobs"].status == PASS


async def test_harmless_noise_on_a_passing_command_is_noted(demo_session: Any, demo_dir: Path) -> None:
    """DER_OOG on stderr alarms users; ALCF documents it as harmless and the doctor says so."""
    knobs.add_fault(
        demo_dir,
        "exit",
        match="qselect *",
        exit=0,
        stderr="ERROR: daos: DER_OOG(-1032): Out of group or member list",
    )
    jobs = (await run_doctor(demo_session, "hpc_demo"))["jobs"]
    assert jobs.status == PASS
    assert any(line.startswith("noted: DER_OOG") for line in jobs.evidence)


async def test_harmless_noise_on_a_failure_is_noted_once(demo_session: Any, demo_dir: Path) -> None:
    knobs.add_fault(
        demo_dir,
        "exit",
        match="daos -j pool query *",
        exit=1,
        stderr="Out of group or member list\nERROR: daos: failed to connect: DER_TIMEDOUT(-1011): Time out",
    )
    pool = (await run_doctor(demo_session, "hpc_demo"))["pool"]
    assert pool.status == FAIL
    notes = [line for line in pool.evidence if "DER_OOG" in line and "harmless" in line]
    assert len(notes) == 1, pool.evidence


async def test_commands_are_reported_when_the_log_ring_buffer_is_full(demo_dir: Path) -> None:
    """A console that ran for a day has a full (bounded) command log; the report must still list commands."""
    from daostui.core.session import demo_session
    from daostui.transport.log import CommandLog

    session = demo_session(demo_dir, log=CommandLog(None, maxlen=3))
    for _ in range(4):
        await session.daos.version()
    assert len(session.log) == 3, "the ring buffer is full before the doctor starts"
    checks = await run_doctor(session, "hpc_demo")
    assert "daos -j pool query hpc_demo" in checks["pool"].commands
    assert "daos -j pool list" in checks["agent"].commands


def test_exit_status_is_the_worst_result() -> None:
    def checks(*statuses: str) -> list[Check]:
        return [Check(str(i), "t", status=s) for i, s in enumerate(statuses)]

    assert exit_status(checks(PASS, SKIP)) == 0
    assert exit_status(checks(PASS, WARN, SKIP)) == 1
    assert exit_status(checks(WARN, FAIL, PASS)) == 2
    assert exit_status([]) == 0
    assert worst(checks(SKIP, WARN)) == WARN


async def test_long_tests_run_autotest_and_container_check(demo_session: Any) -> None:
    await demo_session.mounts.mount("hpc_demo", "checkpoints")
    checks = await run_doctor(demo_session, "hpc_demo", "checkpoints", long_tests=True)
    assert checks["autotest"].status == PASS
    assert any("autotest" in c for c in checks["autotest"].commands)
    assert checks["cont_check"].status == PASS
    assert any("container check" in c for c in checks["cont_check"].commands)


async def test_reports_carry_status_commands_and_fixes(demo_session: Any) -> None:
    checks = list((await run_doctor(demo_session, "datascience")).values())
    text = report_text(demo_session, checks)
    assert "overall: WARN" in text and "[WARN] disabled targets and rebuild" in text
    assert "    $ daos -j pool query datascience" in text and "    fix: The pool is Degraded" in text
    data = json.loads(report_json(demo_session, checks))
    assert data["overall"] == WARN and data["user"] == "aurora_user"
    assert {"id", "title", "status", "commands", "evidence", "fix"} <= set(data["checks"][0])


# ---------------------------------------------------------------------------- CLI


def run_cli(demo_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [str(DAOSTUI), "doctor", "--demo", "--demo-dir", str(demo_dir), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=dict(os.environ))


@pytest.mark.parametrize(
    ("pool", "expected_status", "expected_exit"),
    [("hpc_demo", PASS, 0), ("datascience", WARN, 1), ("hacc", FAIL, 2)],
)
def test_cli_json_and_exit_status(
    demo_dir: Path, pool: str, expected_status: str, expected_exit: int
) -> None:
    done = run_cli(demo_dir, "--pool", pool, "--json")
    assert done.returncode == expected_exit, done.stderr
    data = json.loads(done.stdout)
    assert data["overall"] == expected_status
    assert data["mode"] == "demo"
    ids = [c["id"] for c in data["checks"]]
    assert ids == ["daos", "agent", "pool", "space", "targets", "container", "mount", "jobs"]
    assert all(c["status"] in (PASS, WARN, FAIL, SKIP) for c in data["checks"])
    assert done.stderr == "", "--json keeps progress lines off stderr"


def test_cli_text_report_with_progress(demo_dir: Path) -> None:
    done = run_cli(demo_dir, "--pool", "datascience")
    assert done.returncode == 1
    assert "[WARN] disabled targets and rebuild" in done.stderr  # progress as checks finish
    assert "overall: WARN" in done.stdout


def test_cli_long_runs_autotest_and_container_check(demo_dir: Path) -> None:
    done = run_cli(demo_dir, "--pool", "hpc_demo", "--cont", "checkpoints", "--json", "--long")
    data = json.loads(done.stdout)
    checks = {c["id"]: c for c in data["checks"]}
    assert checks["autotest"]["status"] == PASS
    assert any("autotest" in c for c in checks["autotest"]["commands"])
    assert "cont_check" in checks
    assert done.returncode == exit_status([Check(c["id"], "", status=c["status"]) for c in data["checks"]])


# ---------------------------------------------------------------------------- screen


async def test_doctor_screen_shows_checks_and_copies_the_report(demo_session: Any) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("1")
        app.jump("pools", "datascience")
        await pilot.pause(0.05)
        await pilot.press("D")
        screen = await wait_screen(pilot, app, "DoctorScreen")
        await wait_for(pilot, lambda: not screen.running and len(screen.checks) >= 8, what="doctor checks")
        await pilot.pause(0.05)
        report = plain(screen.query_one("#report"))
        assert "disabled targets and rebuild" in report
        summary = plain(screen.query_one("#summary"))
        assert "Overall: WARN" in summary
        assert screen.query_one("#fix").disabled, "no UNCLEAN container: nothing to fix"
        assert not isinstance(app.focused, Input), "c must copy, not type into the pool field"
        await pilot.press("c")
        await pilot.pause(0.05)
        assert screen.query_one("#pool", Input).value == "datascience"
        assert "daostui doctor report" in app.clipboard and "[WARN] disabled targets" in app.clipboard
        await pilot.press("escape")
        await wait_screen(pilot, app, "ConsoleScreen")


async def test_doctor_screen_fixes_an_unclean_container(demo_session: Any, demo_dir: Path) -> None:
    knobs.add_fault(demo_dir, "unclean", pool="hpc_demo", cont="checkpoints")
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        app.jump("containers", "checkpoints")
        await pilot.pause(0.05)
        await pilot.press("D")
        screen = await wait_screen(pilot, app, "DoctorScreen")
        assert screen.query_one("#cont").value == "checkpoints"
        await wait_for(pilot, lambda: not screen.running and len(screen.checks) >= 8, what="doctor checks")
        await pilot.pause(0.05)
        assert by_id(screen.checks)["container"].status == FAIL
        assert not screen.query_one("#fix").disabled
        screen.query_one("#fix").press()
        await wait_screen(pilot, app, "ConfirmScreen")
        await pilot.press("y")
        run = await finish_run(pilot, app)
        assert run.succeeded, str(run.query_one("#outcome").render())
        await pilot.press("escape")
        props = await demo_session.daos.cont_get_prop("hpc_demo", "checkpoints")
        assert props.health == "HEALTHY"
        await wait_for(
            pilot,
            lambda: (
                not screen.running and by_id(screen.checks).get("container", Check("", "")).status == PASS
            ),
            what="the doctor to run again after the fix",
        )
