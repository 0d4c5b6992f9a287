"""The nodes client against a scripted transport: the exact clush argv, one probe per job at a time,
remount on the missing nodes only, read-only refusal, failures of the fan-out itself, the job's
container learned from its script, the live watch's back-off, and the `[nodes]` config (issue 19)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from daostui.core.config import NodesSettings, parse_config
from daostui.core.errors import ValidationError
from daostui.core.readonly import Access, ReadOnlyError
from daostui.core.site import SiteProfile
from daostui.nodes.client import NodesClient
from daostui.nodes.models import JobContainer, NodesError, ProbeResult
from daostui.nodes.watch import JobNodesWatch
from daostui.pbs.client import PbsClient
from daostui.pbs.hosts import expand
from daostui.pbs.models import Job
from daostui.transport.fake import FakeTransport, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "clush"
NODES = expand("x[4102-4103]c[0-7]s[0-7]b0n0")
JOB = "8875431.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"
PROBE_REPLY = Reply(
    stdout=(FIXTURES / "probe_128.stdout").read_text(), stderr=(FIXTURES / "probe_128.stderr").read_text()
)


def client(fake: FakeTransport, *, readonly: bool = False, **settings: float) -> NodesClient:
    return NodesClient(
        fake, SiteProfile(), NodesSettings(**settings), program="clush", access=Access(readonly=readonly)
    )


async def probed() -> tuple[FakeTransport, NodesClient, JobContainer, ProbeResult]:
    """The 128 nodes of the fixture probed for hpc_demo/checkpoints (124 ok, one of each failure)."""
    fake = FakeTransport()
    fake.on(["clush"], PROBE_REPLY)
    nodes = client(fake)
    container = nodes.container("hpc_demo", "checkpoints")
    return fake, nodes, container, await nodes.probe(JOB, NODES, [container])


async def test_a_probe_is_one_clush_over_every_node_and_comes_back_grouped() -> None:
    fake, _nodes, container, result = await probed()
    assert len(fake.calls) == 1
    argv = fake.calls[0]
    assert argv[:13] == [
        "clush", "-w", "x[4102-4103]c[0-7]s[0-7]b0n0", "-f", "64", "-t", "10", "-u", "15",
        "-q", "-b", "--color=never", "-n",
    ]  # fmt: skip
    assert argv[13].startswith("sh -c 't=/proc/mounts; w=5; r=/tmp; ") and argv[13].endswith(
        " daostui-probe /tmp/hpc_demo/checkpoints"
    )
    assert result.command == tuple(argv) and result.nodes == 128 and not result.discovered
    assert [g.count for g in result.groups] == [124, 1, 1, 1, 1]
    assert result.missing_nodes(container) == ["x4102c0s1b0n0"]
    assert result.headline.startswith("124 nodes: mounted, ok · 1 node: not mounted · 1 node: hung")


async def test_two_requests_for_one_job_share_one_probe() -> None:
    fake = FakeTransport()
    release = asyncio.Event()
    started = asyncio.Event()
    real_run = fake.run

    async def slow_run(argv, **kwargs):  # type: ignore[no-untyped-def]
        started.set()
        await release.wait()
        return await real_run(argv, **kwargs)

    fake.run = slow_run  # type: ignore[method-assign]
    fake.on(["clush"], PROBE_REPLY)
    nodes = client(fake)
    first = asyncio.create_task(nodes.probe(JOB, NODES, None))
    await started.wait()
    second = asyncio.create_task(nodes.probe(JOB, NODES, None))
    await asyncio.sleep(0)
    assert nodes.in_flight(JOB)
    release.set()
    one, two = await asyncio.gather(first, second)
    assert one is two and len(fake.calls) == 1
    assert not nodes.in_flight(JOB)
    again = await nodes.probe(JOB, NODES, None)  # the next one is a new probe
    assert again is not one and len(fake.calls) == 2


async def test_remount_touches_only_the_nodes_that_lost_the_container() -> None:
    fake, nodes, container, result = await probed()
    fake.on(["clush", "-w", "x4102c0s1b0n0"], Reply())
    (missing,) = result.missing_nodes(container)
    done = await nodes.remount(missing, container)
    assert fake.calls[-1] == [
        "clush", "-w", "x4102c0s1b0n0", "-f", "64", "-t", "10", "-u", "120", "-q", "-b", "--color=never", "-n",
        "mkdir -p /tmp/hpc_demo/checkpoints && "
        "start-dfuse.sh -m /tmp/hpc_demo/checkpoints --pool hpc_demo --cont checkpoints",
    ]  # fmt: skip
    assert done.ok and done.summary() == "1 node (ok): x4102c0s1b0n0\n    (no output)"
    cleaned = await nodes.clean("x4102c0s[0-1]b0n0", container)
    assert fake.calls[-1][-1] == "fusermount3 -u /tmp/hpc_demo/checkpoints" and cleaned.ok


async def test_an_action_reports_each_node_group_that_failed() -> None:
    fake = FakeTransport()
    fake.on(
        ["clush"],
        Reply(
            stdout="---------------\nx1c0s1b0n0\n---------------\nFailed to connect to pool: 2 (No such file or directory)\n",
            stderr="x1c0s2b0n0: ssh: connect to host x1c0s2b0n0 port 22: No route to host\n"
            "clush: x1c0s2b0n0: exited with exit code 255\n",
        ),
    )
    nodes = client(fake)
    done = await nodes.remount("x1c0s[0-2]b0n0", nodes.container("hpc_demo", "checkpoints"))
    assert not done.ok
    assert [(g.nodes, g.ok) for g in done.groups] == [
        ("x1c0s2b0n0", False),
        ("x1c0s0b0n0", True),
        ("x1c0s1b0n0", True),  # start-dfuse.sh exits 0 even when dfuse failed: the re-probe tells
    ]


async def test_read_only_refuses_remount_and_clean_before_running_anything() -> None:
    fake = FakeTransport()
    nodes = client(fake, readonly=True)
    container = nodes.container("hpc_demo", "checkpoints")
    with pytest.raises(ReadOnlyError):
        await nodes.remount("x4102c0s1b0n0", container)
    with pytest.raises(ReadOnlyError):
        await nodes.clean("x4102c0s[0-7]b0n0", container)
    assert fake.calls == []
    fake.on(["clush"], PROBE_REPLY)
    assert (await nodes.probe(JOB, NODES, [container])).nodes == 128  # looking is allowed


async def test_the_fan_out_failing_as_a_whole_is_an_error_that_says_so() -> None:
    fake = FakeTransport()
    nodes = client(fake)
    with pytest.raises(NodesError) as missing:
        await nodes.probe(JOB, NODES, None)
    assert "could not be run" in str(missing.value) and "clush" in missing.value.hint
    fake.on(["clush"], Reply(timed_out=True))
    with pytest.raises(NodesError, match="timed out"):
        await nodes.probe(JOB, NODES, None)
    fake.on(
        ["clush"], Reply(stderr="Usage: clush [options] command\nclush: error: no node set\n", exit_status=2)
    )
    with pytest.raises(NodesError, match="no node set"):
        await nodes.probe(JOB, NODES, None)
    fake.on(["clush"], Reply(stdout="a line outside any block\n"))
    with pytest.raises(NodesError, match="not understood"):
        await nodes.probe(JOB, NODES, None)


def test_labels_launch_dfuse_could_not_mount_are_refused() -> None:
    nodes = client(FakeTransport())
    assert nodes.container("hpc_demo", "checkpoints").path == "/tmp/hpc_demo/checkpoints"
    for pool, cont in (("hpc_demo", "a:b"), ("bad pool", "c"), ("hpc_demo", "..")):
        with pytest.raises(ValidationError):
            nodes.container(pool, cont)


# ---------------------------------------------------------------------- learning the container
def job(submit: str, **variables: str) -> Job:
    return Job(
        JOB,
        {
            "job_state": "R",
            "exec_host": "+".join(f"{n}/0*208" for n in NODES[:4]),
            "Submit_arguments": submit,
            "Variable_List": {"PBS_O_WORKDIR": "/home/alice/run", **variables},
        },
    )


async def test_the_container_is_learned_from_the_script_where_qsub_ran() -> None:
    fake = FakeTransport()
    fake.on(
        ["head", "-c", "262144", "--", "/home/alice/run/job.pbs"],
        Reply(
            stdout="DAOS_POOL=hpc_demo\nDAOS_CONT=checkpoints\nlaunch-dfuse.sh ${DAOS_POOL}:${DAOS_CONT}\n"
        ),
    )
    nodes = client(fake)
    learned = await nodes.learn(job("-l walltime=01:00:00 job.pbs"))
    assert learned.pairs == (("hpc_demo", "checkpoints"),)
    assert learned.source == "launch-dfuse.sh in /home/alice/run/job.pbs"
    unread = await nodes.learn(job("other.pbs", DAOS_POOL="p", DAOS_CONT="c"))
    assert unread.pairs == (("p", "c"),) and "variables" in unread.source
    nothing = await nodes.learn(job("-I -l select=2"))
    assert nothing.pairs == () and nothing.source == "qsub was not given a script file"


# ---------------------------------------------------------------------- the live watch
async def test_the_watch_backs_off_while_the_fan_out_fails_and_stops_when_the_job_ends() -> None:
    fake = FakeTransport()
    state = {"job": "R"}

    def qstat(_argv, _stdin):  # type: ignore[no-untyped-def]
        import json

        record = job("job.pbs").raw | {"job_state": state["job"]}
        return Reply(stdout=json.dumps({"Jobs": {JOB: record}}))

    fake.on(["qstat"], qstat)
    fake.on(["head"], Reply(stdout="launch-dfuse.sh hpc_demo:checkpoints\n"))
    pbs = PbsClient(fake, user="alice")
    watch = JobNodesWatch(JOB, pbs=pbs, nodes=client(fake), interval=30)
    view = await watch.cycle(now=0)
    assert view.error is not None and watch.next_delay() == 60  # clush missing: back off
    view = await watch.cycle(now=60)
    assert watch.next_delay() == 120 and watch.live
    fake.on(["clush"], Reply(stdout="---------------\nx4102c0s[0-3]b0n0\n---------------\n"
                                    "daostui-probe 1 node dfuse=yes paths=1\n"
                                    "daostui-probe 1 path /tmp/hpc_demo/checkpoints mount=fuse.daos list=ok\n"
                                    "daostui-probe 1 end\n"))  # fmt: skip
    view = await watch.cycle(now=180)
    assert view.result is not None and view.result.all_ok and watch.next_delay() == 30
    assert [c.name for c in view.containers] == ["hpc_demo/checkpoints"]
    state["job"] = "F"
    view = await watch.cycle(now=210)
    assert view.result is None and "finished" in view.note and not watch.live
    head = JobNodesWatch(JOB.split(".")[0], pbs=pbs, nodes=client(fake), interval=30)
    assert (await head.cycle()).job is not None  # `8875431` as a user types it


# ---------------------------------------------------------------------- config
def test_nodes_config_keys_have_defaults_floors_and_types() -> None:
    assert parse_config({}).nodes == NodesSettings(fanout=64, interval=30.0, timeout=15.0)
    assert parse_config({"nodes": {"fanout": 208, "interval": 60, "timeout": 30}}).nodes == NodesSettings(
        208, 60.0, 30.0
    )
    for bad in ({"interval": 1}, {"fanout": 0}, {"fanout": 2.5}, {"timeout": float("nan")}, {"spread": 3}):
        with pytest.raises(ValidationError, match="nodes"):
            parse_config({"nodes": bad})
