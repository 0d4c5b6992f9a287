"""The job nodes view (issue 19): a user opens a running 512-node demo job, sees at a glance which
nodes lost the container, and remounts exactly those; read-only hides the changes; snapshots of a
mixed result at 80x24 and 160x45; the job detail's `N`."""

from __future__ import annotations

import io
import shlex
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Collapsible, Static

from daostui.nodes.client import NodesClient
from daostui.pbs import hosts
from daostui.pbs.models import Job, StatusResult
from daostui.sim import knobs
from daostui.transport.fake import FakeTransport, Reply
from tests.conftest import make_app
from tests.nodes_helpers import running_job, use_compute_root
from tests.pilot_helpers import finish_run, rendered, wait_for, wait_loaded, wait_screen
from tests.real_jobs import with_real_jobs

FIXTURES = Path(__file__).parent / "fixtures" / "clush"


def groups_shown(screen: Any) -> list[str]:
    return [str(c.title) for c in screen.query(Collapsible).results() if c.has_class("group")]


def headline(screen: Any) -> str:
    return rendered(screen.query_one("#headline", Static))


async def test_a_user_opens_a_512_node_job_sees_the_lost_nodes_and_remounts_exactly_those(
    demo_session, demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compute = tmp_path / "compute"
    monkeypatch.setenv("DAOSTUI_SIM_COMPUTE_ROOT", str(compute))
    # a busy machine must not make a healthy node's listing look hung (it gets a third of this)
    use_compute_root(demo_session, str(compute), timeout=90)
    async with running_job(
        demo_session, 512, str(demo_session.workdir), name="train512.pbs", timeout=240
    ) as job:
        lost = [job.hosts[17], job.hosts[18], job.hosts[300]]
        for node in lost:
            knobs.add_fault(demo_dir, "node_unmounted", node)
        await _open_and_remount(demo_session, job.id, lost)


async def _open_and_remount(demo_session: Any, job_id: str, lost: list[str]) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        app.jump("jobs", job_id)
        await pilot.press("N")
        screen = await wait_screen(pilot, app, "JobNodesScreen")
        await wait_for(pilot, lambda: screen.shown >= 1, timeout=180, what="the first probe")
        assert headline(screen) == "509 nodes: mounted, ok · 3 nodes: not mounted"
        titles = groups_shown(screen)
        assert titles[1].startswith(f"✘ 3 nodes: not mounted   {hosts.fold(lost)}")
        assert "container hpc_demo/checkpoints" in rendered(screen.query_one("#about", Static))
        assert "launch-dfuse.sh in" in rendered(screen.query_one("#about", Static))

        await pilot.press("m")
        confirm = await wait_screen(pilot, app, "ConfirmScreen")
        remount = demo_session.nodes.argv_remount(
            hosts.fold(lost), demo_session.nodes.container("hpc_demo", "checkpoints")
        )
        assert remount[:3] == ["clush", "-w", hosts.fold(lost)]
        assert shlex.join(remount) in rendered(confirm.query_one(".commands", Static))
        await pilot.press("y")
        run = await finish_run(pilot, app, timeout=120)
        assert run.succeeded
        clush_runs = [e.argv for e in demo_session.log.entries() if e.argv[0] == "clush"]
        assert clush_runs[-1] == tuple(remount)  # start-dfuse.sh on the three nodes only
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: [t.split("   ")[0] for t in groups_shown(screen)] == ["✔ 512 nodes: mounted, ok"],
            timeout=180,
            what="the re-probe after the remount",
        )
        assert headline(screen) == "512 nodes: mounted, ok"
        # live: the next probe is armed once the shown result is in (right after it, not with it)
        await wait_for(pilot, lambda: screen._timer is not None, what="the next probe armed")
        assert screen.watch is not None and screen.watch.live


# ---------------------------------------------------------------------- canned results
NODES = hosts.expand("x[4102-4103]c[0-7]s[0-7]b0n0")
JOB_ID = "8875431.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"


def canned(session: Any) -> None:
    """The view on a fixed job and fixed clush output (real ClusterShell framing, fixtures/clush)."""
    fake = FakeTransport()
    fake.on(
        ["clush"],
        Reply(
            stdout=(FIXTURES / "probe_128.stdout").read_text(),
            stderr=(FIXTURES / "probe_128.stderr").read_text(),
        ),
    )
    fake.on(
        ["head"],
        Reply(
            stdout="DAOS_POOL=hpc_demo\nDAOS_CONT=checkpoints\nlaunch-dfuse.sh ${DAOS_POOL}:${DAOS_CONT}\n"
        ),
    )
    session.site = session.site.with_overrides(compute_mount_root="/tmp")
    session.nodes = NodesClient(fake, session.site, session.config.nodes, access=session.access)
    job = Job(
        JOB_ID,
        {
            "Job_Name": "train128.pbs",
            "job_state": "R",
            "exec_host": "+".join(f"{node}/0*208" for node in NODES),
            "Submit_arguments": "train128.pbs",
            "Variable_List": {"PBS_O_WORKDIR": "/home/aurora_user/run"},
        },
    )

    async def status(ids: Any, history: bool = True) -> StatusResult:
        return StatusResult([job])

    session.pbs.status = status


def open_view(expand: int | None = None):
    async def run_before(pilot: Any) -> None:
        from daostui.screens.job_nodes import JobNodesScreen

        app = pilot.app
        await wait_loaded(pilot, app)
        app.push_screen(JobNodesScreen(JOB_ID, "train128.pbs"))
        screen = await wait_screen(pilot, app, "JobNodesScreen")
        await wait_for(pilot, lambda: screen.shown >= 1, what="the probe")
        if expand is not None:
            groups = [c for c in screen.query(Collapsible).results() if c.has_class("group")]
            groups[expand].collapsed = False
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize(("size", "expand"), [((80, 24), None), ((160, 45), 3)], ids=["80x24", "160x45"])
def test_snapshot_of_mixed_groups(snap_compare, demo_session, size, expand) -> None:
    canned(demo_session)
    app = make_app(demo_session)
    assert snap_compare(app, terminal_size=size, run_before=open_view(expand))


async def test_read_only_hides_and_refuses_the_changes(demo_session) -> None:
    canned(demo_session)
    demo_session.readonly = True
    app = make_app(demo_session)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_view()(pilot)
        screen = app.screen
        assert "Remount" not in rendered_footer(app) and "Probe again" in rendered_footer(app)
        await pilot.press("m", "c")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "JobNodesScreen"  # no confirmation opened
        assert not [
            argv for argv in screen.host.session.nodes.transport.calls if "start-dfuse.sh" in argv[-1]
        ]


def plain(widget: Static) -> str:
    """What a Static holding a Rich renderable shows, as text."""
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.render()._renderable)  # type: ignore[attr-defined]
    return console.export_text()


def rendered_footer(app: Any) -> str:
    from textual.widgets import Footer

    footer = app.screen.query_one(Footer)
    return " ".join(str(getattr(key, "description", "")) for key in footer.query("FooterKey").results())


async def test_the_job_detail_opens_the_nodes_view_with_N(demo_session) -> None:
    canned(demo_session)
    app = make_app(demo_session)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_loaded(pilot, app)
        from daostui.screens.detail import job_detail

        app.push_screen(job_detail(app, JOB_ID))
        detail = await wait_screen(pilot, app, "DetailScreen")
        await wait_for(pilot, lambda: not detail.query_one("#loading").display, what="the job's status")
        assert "N: their dfuse mounts" in plain(detail.query_one("#body", Static))
        await pilot.press("N")
        screen = await wait_screen(pilot, app, "JobNodesScreen")
        await wait_for(pilot, lambda: screen.shown >= 1, what="the probe")
        assert headline(screen).startswith("124 nodes: mounted, ok · 1 node: not mounted")


async def test_N_on_a_job_that_does_not_run_says_so(demo_session) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_loaded(pilot, app)
        queued = "11.pbshost"  # waiter3, queued, as a real OpenPBS server printed it
        with_real_jobs(app)
        app.refresh_pane("jobs")
        table = app.main_screen.pane("jobs").table
        await wait_for(pilot, lambda: table.row_count >= 6, what="the captured jobs listed")
        app.jump("jobs", queued)
        await wait_for(pilot, lambda: table.cursor_key == queued, what="the cursor on the queued job")
        said: list[str] = []
        app.notify = lambda message, **_options: said.append(str(message))  # type: ignore[method-assign]
        await pilot.press("N")
        await wait_for(pilot, lambda: bool(said), what="the reason N does not apply")
        assert said == ["Job 11.pbshost is queued: it has compute nodes only while it runs."]
        assert type(app.screen).__name__ == "ConsoleScreen"


async def test_clean_shows_its_clush_line_over_every_node_and_runs_nothing_when_declined(
    demo_session,
) -> None:
    canned(demo_session)
    app = make_app(demo_session)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_view()(pilot)
        screen = app.screen
        await pilot.press("c")
        confirm = await wait_screen(pilot, app, "ConfirmScreen")
        clean = demo_session.nodes.argv_clean(
            hosts.fold(NODES), demo_session.nodes.container("hpc_demo", "checkpoints")
        )
        assert clean[:3] == ["clush", "-w", hosts.fold(NODES)]  # every node, the unreachable ones too
        assert shlex.join(clean) in rendered(confirm.query_one(".commands", Static))
        await pilot.press("escape")
        await wait_screen(pilot, app, "JobNodesScreen")
        assert not [argv for argv in screen.host.session.nodes.transport.calls if "fusermount3" in argv[-1]]
