"""A job's nodes: Aurora names folded with NodeSet, clush's gathered output read back, the per-node
probe read and judged, nodes grouped, and the job's container learned from its script (issue 19).

The clush fixtures are real ClusterShell 1.10.1 output (tests/fixtures/clush/README.md); the probe
script itself runs here in a real `sh` against a table file, with a stand-in `ls` that never
returns for the hung case.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from daostui.core.errors import ParseError, ValidationError
from daostui.nodes import clush, discover, grouping, probe
from daostui.nodes.models import (
    FAILED,
    HUNG,
    NO_ANSWER,
    NO_MOUNT,
    OK,
    STALE,
    UNMOUNTED,
    UNREACHABLE,
    NodeAnswer,
)
from daostui.pbs import hosts

FIXTURES = Path(__file__).parent / "fixtures" / "clush"
PATH = "/tmp/hpc_demo/checkpoints"
NODES_128 = hosts.expand("x[4102-4103]c[0-7]s[0-7]b0n0")


def fixture(name: str) -> tuple[str, str]:
    return (FIXTURES / f"{name}.stdout").read_text(), (FIXTURES / f"{name}.stderr").read_text()


# ---------------------------------------------------------------------- NodeSet folding
def test_aurora_names_fold_by_rack_chassis_and_slot() -> None:
    rack = [f"x4102c{c}s{s}b0n0" for c in range(8) for s in range(8)]
    assert hosts.fold(rack) == "x4102c[0-7]s[0-7]b0n0"
    assert hosts.fold(rack + [f"x4103c{c}s{s}b0n0" for c in range(8) for s in range(8)]) == (
        "x[4102-4103]c[0-7]s[0-7]b0n0"
    )
    assert (
        hosts.fold(["x4102c0s1b0n0", "x4102c0s3b0n0", "x4103c7s7b0n0"]) == "x4102c0s[1,3]b0n0,x4103c7s7b0n0"
    )
    assert len(hosts.expand("x[4000-4016,4100-4116]c[0-7]s[0-7]b0n0")) == 34 * 64
    assert hosts.expand(hosts.fold(NODES_128)) == NODES_128


# ---------------------------------------------------------------------- clush -q -b output
def test_clush_gathered_blocks_rc_and_timeouts_are_read_per_node() -> None:
    stdout, stderr = fixture("probe_128")
    gathered = clush.parse(stdout, stderr, set(NODES_128))
    assert len(gathered.answers) == 128  # the one that timed out too
    ok = gathered.answers["x4102c0s0b0n0"]
    assert ok.rc == 0 and ok.lines[1] == f"daostui-probe 1 path {PATH} mount=fuse.daos list=ok"
    assert gathered.answers["x4103c7s6b0n0"] is ok  # agreeing nodes share one answer
    refused = gathered.answers["x4102c0s3b0n0"]
    assert refused.rc == 255 and refused.lines == ()
    assert refused.errors == ("ssh: connect to host x4102c0s3b0n0 port 22: Connection refused",)
    assert gathered.answers["x4102c1s5b0n0"].timed_out
    assert gathered.messages == []


def test_clush_headers_with_node_counts_are_read_too() -> None:
    stdout, stderr = fixture("probe_counts")
    gathered = clush.parse(stdout, stderr, set(hosts.expand("x4102c0s[0-3]b0n0")))
    assert gathered.answers["x4102c0s2b0n0"].lines == gathered.answers["x4102c0s0b0n0"].lines
    assert gathered.answers["x4102c0s3b0n0"].rc == 255


def test_clush_own_errors_are_kept_and_garbage_is_refused() -> None:
    gathered = clush.parse("", "clush: error: option -w: bad node set\n", {"x1"})
    assert gathered.answers == {} and gathered.messages == ["clush: error: option -w: bad node set"]
    with pytest.raises(ParseError):
        clush.parse("something before any block\n", "", {"x1"})
    with pytest.raises(ParseError):
        clush.parse(f"{clush.SEP}\nx[1-\n{clush.SEP}\nline\n", "", {"x1"})


def test_clush_argv_puts_the_command_last_as_one_argument() -> None:
    argv = clush.argv("clush", "x4102c0s[0-7]b0n0", "sh -c 'true' p", clush.ClushOptions(208, 10, 15))
    assert argv == [
        "clush", "-w", "x4102c0s[0-7]b0n0", "-f", "208", "-t", "10", "-u", "15",
        "-q", "-b", "--color=never", "-n", "sh -c 'true' p",
    ]  # fmt: skip


# ---------------------------------------------------------------------- grouping
def groups_of(stdout: str, stderr: str, nodes: list[str]):
    gathered = clush.parse(stdout, stderr, set(nodes))
    return grouping.group(nodes, gathered.answers, (PATH,), list_timeout=5, node_timeout=15)


def test_128_nodes_with_one_of_each_failure_are_five_groups() -> None:
    groups = groups_of(*fixture("probe_128"), NODES_128)
    assert [(g.state, g.count, g.summary) for g in groups] == [
        (OK, 124, "mounted, ok"),
        (UNMOUNTED, 1, "not mounted"),
        (HUNG, 1, "hung: listing did not answer within 5s"),
        (UNREACHABLE, 1, "unreachable: Connection refused"),
        (NO_ANSWER, 1, "no answer within 15s"),
    ]
    assert groups[1].nodes == "x4102c0s1b0n0" and groups[1].missing == (PATH,)
    assert groups[0].nodes == (
        "x4102c0s[0,2,4-7]b0n0,x4102c1s[0-4,6-7]b0n0,x4102c[2-7]s[0-7]b0n0,x4103c[0-6]s[0-7]b0n0,x4103c7s[0-6]b0n0"
    )
    assert (
        groups[3].raw[0].text
        == "stderr: ssh: connect to host %h port 22: Connection refused\n(exit code 255)"
    )
    labels = " · ".join(g.label for g in groups)
    assert labels.startswith("124 nodes: mounted, ok · 1 node: not mounted · 1 node: hung")


def test_agreeing_nodes_are_one_group_however_many() -> None:
    nodes = hosts.expand("x[4000-4016,4100-4115]c[0-7]s[0-7]b0n0")  # 33 racks, 2,112 nodes
    block = f"daostui-probe 1 node dfuse=yes paths=1\ndaostui-probe 1 path {PATH} mount=fuse.daos list=ok\ndaostui-probe 1 end"
    stdout = f"{clush.SEP}\n{hosts.fold(nodes)}\n{clush.SEP}\n{block}\n"
    groups = groups_of(stdout, "", nodes)
    assert len(groups) == 1 and groups[0].count == 2112 and groups[0].nodes == hosts.fold(nodes)


def test_unreachable_nodes_refused_alike_group_together() -> None:
    stderr = (
        "".join(
            f"{n}: Connection closed by 10.115.6.{i} port 22\n"
            for i, n in enumerate(("x1c0s0b0n0", "x1c0s1b0n0"))
        )
        + "clush: x1c0s[0-1]b0n0: exited with exit code 255\n"
    )
    groups = groups_of("", stderr, ["x1c0s0b0n0", "x1c0s1b0n0"])
    assert len(groups) == 1 and groups[0].count == 2 and groups[0].state == UNREACHABLE
    assert "PBS lets you in only while your job runs there" in groups[0].summary


# ---------------------------------------------------------------------- one node's verdict
def answer(*lines: str, rc: int = 0, errors: tuple[str, ...] = (), timed_out: bool = False) -> NodeAnswer:
    return NodeAnswer(tuple(lines), errors, rc, timed_out)


def judged(found: NodeAnswer, expected: tuple[str, ...] = (PATH,)):
    return probe.verdict(found, expected, node="x1", list_timeout=5, node_timeout=15)


def test_verdicts_for_every_state() -> None:
    node = "daostui-probe 1 node dfuse={} paths=1"
    end = "daostui-probe 1 end"
    path = f"daostui-probe 1 path {PATH} mount={{}} list={{}}"
    said = f"daostui-probe 1 said {PATH} ls: cannot access '{PATH}': Transport endpoint is not connected"
    assert judged(answer(node.format("yes"), path.format("fuse.daos", "ok"), end)).state == OK
    missing = judged(answer(node.format("yes"), path.format("none", "-"), end))
    assert (missing.state, missing.summary, missing.missing) == (
        UNMOUNTED,
        "not mounted (a dfuse process runs)",
        (PATH,),
    )
    stale = judged(answer(node.format("no"), path.format("fuse.daos", "error"), said, end))
    assert (stale.state, stale.summary) == (
        STALE,
        "stale: Transport endpoint is not connected, no dfuse process",
    )
    assert (
        judged(answer(node.format("yes"), path.format("tmpfs", "-"), end)).summary
        == "tmpfs is mounted there, not dfuse"
    )
    assert judged(answer(node.format("yes"), path.format("fuse.daos", "ok"))).state == FAILED  # cut short
    assert (
        judged(answer("bash: sh: command not found", rc=127)).summary
        == "probe failed (exit 127): bash: sh: command not found"
    )
    assert judged(answer(timed_out=True)).state == NO_ANSWER
    nothing = judged(answer(node.format("no").replace("paths=1", "paths=0"), end), expected=())
    assert (nothing.state, nothing.summary) == (NO_MOUNT, "no dfuse mount")


def test_login_noise_on_a_node_is_not_an_answer_but_does_not_hide_one() -> None:
    found = answer("Welcome to Aurora", "daostui-probe 1 node dfuse=yes paths=1",
                   f"daostui-probe 1 path {PATH} mount=fuse.daos list=ok", "daostui-probe 1 end")  # fmt: skip
    assert judged(found).state == OK


def test_two_containers_name_the_one_that_is_missing() -> None:
    other = "/tmp/hpc_demo/scratch"
    found = answer(
        "daostui-probe 1 node dfuse=yes paths=2",
        f"daostui-probe 1 path {PATH} mount=fuse.daos list=ok",
        f"daostui-probe 1 path {other} mount=none list=-",
        "daostui-probe 1 end",
    )
    verdict = judged(found, (PATH, other))
    assert verdict.state == UNMOUNTED and verdict.missing == (other,)
    assert verdict.summary == f"{PATH}: mounted, ok; {other}: not mounted (a dfuse process runs)"


# ---------------------------------------------------------------------- the probe script itself
def run_probe(tmp_path: Path, table: str, paths: list[str], *, hang: bool = False) -> list[str]:
    (tmp_path / "mounts").write_text(table)
    env = dict(os.environ)
    if hang:
        fake = tmp_path / "bin"
        fake.mkdir(exist_ok=True)
        (fake / "ls").write_text("#!/bin/sh\nexec sleep 60\n")
        (fake / "ls").chmod(0o755)
        env["PATH"] = f"{fake}:{env['PATH']}"
    remote = probe.command(
        paths, list_timeout=1, root=str(tmp_path / "compute"), table=str(tmp_path / "mounts")
    )
    done = subprocess.run(
        ["sh", "-c", remote], capture_output=True, text=True, env=env, timeout=30, check=True
    )
    assert done.stderr == ""
    return done.stdout.splitlines()


def test_the_probe_script_reports_mounts_listings_and_hangs(tmp_path: Path) -> None:
    mounted = tmp_path / "compute" / "hpc_demo" / "checkpoints"
    mounted.mkdir(parents=True)
    table = f"proc /proc proc rw 0 0\ndfuse {mounted} fuse.daos rw,nosuid 0 0\n"
    lines = run_probe(tmp_path, table, [str(mounted), "/tmp/hpc_demo/gone"])
    assert lines[1:] == [
        f"daostui-probe 1 path {mounted} mount=fuse.daos list=ok",
        "daostui-probe 1 path /tmp/hpc_demo/gone mount=none list=-",
        "daostui-probe 1 end",
    ]
    assert lines[0] in ("daostui-probe 1 node dfuse=no paths=2", "daostui-probe 1 node dfuse=yes paths=2")
    hung = run_probe(tmp_path, table, [str(mounted)], hang=True)
    assert hung[1] == f"daostui-probe 1 path {mounted} mount=fuse.daos list=hung"  # killed after 1 s
    mounted.rmdir()
    broken = run_probe(tmp_path, table, [str(mounted)])
    assert broken[1].endswith("list=error") and "No such file or directory" in broken[2]
    found = run_probe(tmp_path, table, [])  # no container known: every dfuse mount under the root
    assert found[1] == f"daostui-probe 1 path {mounted} mount=fuse.daos list=error"


def test_the_probe_script_refuses_unsafe_paths() -> None:
    with pytest.raises(ValidationError):
        probe.command(["/tmp/a b"], list_timeout=5, root="/tmp")
    with pytest.raises(ValidationError):
        probe.command(["/tmp/x'; rm -rf ~"], list_timeout=5, root="/tmp")
    script = probe.script(list_timeout=5, root="/tmp")
    assert "'" not in script and "!" not in script and "\n" not in script  # any login shell, csh too


# ---------------------------------------------------------------------- the job's container
SCRIPT = """#!/bin/bash -l
#PBS -l select=512
module load daos/base
DAOS_POOL=hpc_demo
DAOS_CONT="checkpoints"   # the run's container
trap "clean-dfuse.sh ${DAOS_POOL}:${DAOS_CONT}" EXIT
launch-dfuse.sh ${DAOS_POOL}:${DAOS_CONT}
/soft/daos/bin/launch-dfuse-with-caching.sh $POOL2:scratch && echo mounted
mpiexec --no-vni -np 6144 ./app
"""
LAUNCHERS = ("launch-dfuse.sh", "launch-dfuse-with-caching.sh")


def test_containers_are_read_from_the_script_with_its_own_and_the_jobs_variables() -> None:
    assert discover.containers_in_script(SCRIPT, {}, LAUNCHERS) == [("hpc_demo", "checkpoints")]
    both = discover.containers_in_script(SCRIPT, {"POOL2": "datascience"}, LAUNCHERS)
    assert both == [("hpc_demo", "checkpoints"), ("datascience", "scratch")]
    overridden = discover.containers_in_script(SCRIPT, {"DAOS_POOL": "other"}, LAUNCHERS)
    assert overridden[0] == ("hpc_demo", "checkpoints")  # the script's assignment comes later
    computed = "DAOS_CONT=$(date +%s)\nlaunch-dfuse.sh p:${DAOS_CONT}\n"
    assert discover.containers_in_script(computed, {"DAOS_CONT": "x"}, LAUNCHERS) == []
    assert discover.containers_in_variables({"DAOS_POOL_NAME": "p", "DAOS_CONT_NAME": "c"}) == [("p", "c")]


def test_the_script_is_found_from_submit_arguments() -> None:
    work = "/home/alice/run"
    assert discover.script_path("-l walltime=00:05:00 job.pbs", work) == "/home/alice/run/job.pbs"
    assert discover.script_path("-A p /lus/flare/x/job.sh", work) == "/lus/flare/x/job.sh"
    assert discover.script_path("-I -l select=2", work) == ""  # interactive: no script
    assert discover.script_path("-A p -- /bin/sleep 60", work) == ""
    assert discover.script_path("-v K=a,b exit3.sh", "") == ""  # no workdir: nowhere to read it
