"""The simulated `daos` and dfuse tools, run as real subprocesses and through the clients.

Expected strings are copied from the reference formats (daos-cli.md §1.3-§1.5, §2, error table)
so a drift of the simulator from the real tool fails here.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from daostui.core.errors import DaosError, ParseError
from daostui.daos.presets import ContainerCreateRequest
from daostui.sim import environment, knobs

NONEXIST = "DER_NONEXIST(-1005): The specified entity does not exist"
NO_PERM = "DER_NO_PERM(-1001): Operation not permitted"
EXIST = "DER_EXIST(-1004): Entity already exists"
BUSY = "DER_BUSY(-1012): Device or resource busy"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def run(demo_dir: Path, *argv: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv),
        env={**os.environ, **environment(demo_dir)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ---------------------------------------------------------------------- tutorial sequence (subprocess)
def test_tutorial_sequence_text(demo_dir: Path) -> None:
    listing = run(demo_dir, "daos", "pool", "list")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["Pool", "Size", "State", "Used", "Imbalance", "Disabled"]
    assert lines[1].split() == ["----"] * 2 + ["-----", "----", "---------", "--------"]
    assert all(line.endswith(" ") for line in lines if line), "tabwriter rows carry a trailing space"
    names = [line.split()[0] for line in lines[2:] if line.strip()]
    assert names == ["hpc_demo", "datascience"]
    assert "Degraded" in next(line for line in lines if line.startswith("datascience"))
    assert "32/4096" in next(line for line in lines if line.startswith("datascience"))
    # the pool the user may not touch is skipped with an ERROR line on stderr, exit 0
    assert f'ERROR: failed to connect to pool "hacc": {NO_PERM}' in listing.stderr

    query = run(demo_dir, "daos", "pool", "query", "hpc_demo")
    assert query.returncode == 0, query.stderr
    first = query.stdout.splitlines()[0]
    assert re.match(
        r"^Pool [0-9a-f-]{36}, ntarget=4096, disabled=0, leader=\d+, version=\d+, state=Ready$", first
    )
    assert "Pool health info:" in query.stdout
    assert "- Rebuild idle, 0 objs, 0 recs" in query.stdout
    assert "- Storage tier 1 (NVMe):" in query.stdout

    create = run(
        demo_dir, "daos", "container", "create", "--type", "POSIX", "hpc_demo", "mycont",
        "--properties", "rd_fac:1",
    )  # fmt: skip
    assert create.returncode == 0, create.stderr
    match = re.match(r"^Successfully created container ([0-9a-f-]{36})\n", create.stdout)
    assert match, create.stdout
    uuid = match.group(1)
    assert re.search(r"^  Container UUID : " + uuid, create.stdout, re.M)
    assert re.search(r"^  Container Label: mycont +$", create.stdout, re.M)
    assert re.search(r"^  Container Type : POSIX +$", create.stdout, re.M)

    conts = run(demo_dir, "daos", "container", "list", "hpc_demo")
    assert conts.returncode == 0
    rows = conts.stdout.splitlines()
    assert rows[0].split() == ["UUID", "Label"] and rows[1].split() == ["----", "-----"]
    assert [uuid, "mycont"] in [row.split() for row in rows[2:]]
    assert [row.split()[1] for row in rows[2:] if row.split()[1] != "mycont"] == ["checkpoints"]

    props = run(demo_dir, "daos", "container", "get-prop", "hpc_demo", "mycont")
    assert props.returncode == 0
    assert props.stdout.startswith("Properties for container mycont\n")
    assert re.search(r"^Redundancy Factor \(rd_fac\) +rd_fac1 +$", props.stdout, re.M)
    assert re.search(r"^Health \(status\) +HEALTHY +$", props.stdout, re.M)
    assert re.search(r"^Layout Type \(layout_type\) +POSIX \(1\) +$", props.stdout, re.M)

    info = run(demo_dir, "daos", "container", "query", "hpc_demo", "mycont")
    assert info.returncode == 0
    assert re.search(r"^  Container Label +: mycont", info.stdout, re.M)
    assert re.search(r"^  Container redundancy factor : 1 ", info.stdout, re.M)

    gone = run(demo_dir, "daos", "container", "destroy", "hpc_demo", "mycont")
    assert gone.returncode == 0, gone.stderr
    assert gone.stdout == "Successfully destroyed container mycont\n"
    again = run(demo_dir, "daos", "container", "list", "hpc_demo")
    assert "mycont" not in again.stdout


def test_datascience_containers_are_the_workshop_ones(demo_dir: Path) -> None:
    result = run(demo_dir, "daos", "cont", "list", "datascience")
    assert result.returncode == 0
    assert [row.split()[1] for row in result.stdout.splitlines()[2:]] == ["LLM-GPT-1T", "ior_1", "softwares"]


def test_version_text_and_speed(demo_dir: Path) -> None:
    run(demo_dir, "daos", "version")  # warm the page cache
    started = time.perf_counter()
    result = run(demo_dir, "daos", "version")
    elapsed = time.perf_counter() - started
    assert result.returncode == 0
    assert result.stdout.startswith("DAOS CLI version ")
    assert elapsed < 0.5, f"a simulated command took {elapsed:.3f}s"


# ---------------------------------------------------------------------- exact errors
ERRORS = [
    (("daos", "pool", "query", "nosuch"), f"failed to connect to pool nosuch: {NONEXIST}", -1005),
    (("daos", "container", "list", "nosuch"), f"failed to connect to pool nosuch: {NONEXIST}", -1005),
    (("daos", "container", "query", "nosuch", "x"), NONEXIST, -1005),
    (("daos", "container", "query", "hpc_demo", "nosuch"), NONEXIST, -1005),
    (("daos", "container", "get-prop", "hpc_demo", "nosuch"), NONEXIST, -1005),
    (("daos", "container", "destroy", "hpc_demo", "nosuch"), f"failed to destroy container nosuch: {NONEXIST}",
     -1005),
    (("daos", "container", "create", "--type", "POSIX", "hpc_demo", "checkpoints"),
     f"failed to create container: {EXIST}", -1004),
    (("daos", "container", "create", "hpc_demo", "my cont"), 'invalid label "my cont"', -1025),
    (("daos", "container", "query", "hpc_demo", "bad name!"), 'invalid label "bad name!"', -1025),
    (("daos", "pool", "query", "hacc"), f"failed to connect to pool hacc: {NO_PERM}", -1001),
    (("daos", "container", "list", "hacc"), f"failed to connect to pool hacc: {NO_PERM}", -1001),
    (("daos", "container", "create", "hacc", "mine"), NO_PERM, -1001),
    (("daos", "container", "create", "hpc_demo", "c", "--properties", "rd_fac:5"),
     'properties: invalid choice "5" for rd_fac (valid: 0,1,2,3,4)', -1025),
    (("daos", "container", "set-prop", "hpc_demo", "checkpoints", "rd_fac:2"),
     'properties: "rd_fac" is not a settable property (valid: label,status)', -1025),
]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message", "status"), ERRORS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else None
)
def test_exact_errors_text_and_json(demo_dir: Path, argv: tuple[str, ...], message: str, status: int) -> None:
    text = run(demo_dir, *argv)
    assert text.returncode == 1
    assert text.stdout == ""
    assert text.stderr == f"ERROR: daos: {message}\n"

    as_json = run(demo_dir, argv[0], "-j", *argv[1:])
    assert as_json.returncode == 1
    assert as_json.stderr == f"ERROR: daos: {message}\n"
    assert json.loads(as_json.stdout) == {"response": None, "error": message, "status": status}
    assert list(json.loads(as_json.stdout)) == ["response", "error", "status"]


def test_json_envelope_shape(demo_dir: Path) -> None:
    result = run(demo_dir, "daos", "-j", "pool", "query", "hpc_demo")
    assert result.returncode == 0
    assert result.stdout.endswith("}\n")
    assert result.stdout.startswith('{\n  "response": {\n    "')  # 2-space MarshalIndent
    document = json.loads(result.stdout)
    assert list(document) == ["response", "error", "status"]
    assert document["error"] is None and document["status"] == 0
    response = document["response"]
    assert "label" not in response  # only pool list fills the label
    assert response["state"] == "Ready" and response["total_targets"] == 4096
    assert [t["media_type"] for t in response["tier_stats"]] == ["scm", "nvme"]

    listing = json.loads(run(demo_dir, "daos", "-j", "pool", "list").stdout)
    assert [p["label"] for p in listing["response"]["pools"]] == ["hpc_demo", "datascience"]

    conts = json.loads(run(demo_dir, "daos", "-j", "cont", "list", "datascience").stdout)
    assert conts["response"][0].keys() == {"uuid", "label"}
    assert all(UUID.match(c["uuid"]) for c in conts["response"])

    # commands without data print a null response
    made = run(demo_dir, "daos", "container", "create", "hpc_demo", "tmpc")
    assert made.returncode == 0
    gone = json.loads(run(demo_dir, "daos", "-j", "container", "destroy", "hpc_demo", "tmpc").stdout)
    assert gone == {"response": None, "error": None, "status": 0}

    props = json.loads(run(demo_dir, "daos", "-j", "container", "get-prop", "hpc_demo", "checkpoints").stdout)
    entry = next(p for p in props["response"] if p["name"] == "rd_fac")
    assert entry == {"value": "rd_fac2", "name": "rd_fac", "description": "Redundancy Factor"}


def test_destroy_while_mounted_needs_force(demo_dir: Path, tmp_path: Path) -> None:
    mountpoint = tmp_path / "mnt" / "hpc_demo" / "checkpoints"
    mountpoint.mkdir(parents=True)
    started = run(
        demo_dir, "start-dfuse.sh", "-m", str(mountpoint), "--pool", "hpc_demo", "--cont", "checkpoints"
    )
    assert started.returncode == 0
    assert "fuse.daos" in (demo_dir / "mounts").read_text()

    refused = run(demo_dir, "daos", "container", "destroy", "hpc_demo", "checkpoints")
    assert refused.returncode == 1
    assert refused.stderr == f"ERROR: daos: failed to destroy container checkpoints: {BUSY}\n"
    forced = run(demo_dir, "daos", "container", "destroy", "hpc_demo", "checkpoints", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "checkpoints" not in run(demo_dir, "daos", "cont", "list", "hpc_demo").stdout


def test_agent_down_knob(demo_dir: Path) -> None:
    knobs.add_fault(demo_dir, "agent_down", match="daos pool*")
    result = run(demo_dir, "daos", "-j", "pool", "list")
    assert result.returncode == 1
    assert json.loads(result.stdout) == {
        "response": None,
        "error": "failed to initialize DAOS API: DER_UNREACH(-1006): Unreachable node",
        "status": -1006,
    }
    assert (
        result.stderr == "ERROR: daos: failed to initialize DAOS API: DER_UNREACH(-1006): Unreachable node\n"
    )
    assert run(demo_dir, "daos", "version").returncode == 0  # version needs no agent


# ---------------------------------------------------------------------- through DaosClient
async def test_tutorial_sequence_via_client(demo_session) -> None:
    daos = demo_session.daos
    pools = await daos.pool_list()
    assert [p.label for p in pools] == ["hpc_demo", "datascience"]
    degraded = await daos.pool_query("datascience")
    assert degraded.state == "Degraded" and degraded.disabled_targets == 32

    info = await daos.cont_create(ContainerCreateRequest("hpc_demo", "mycont", properties={"rd_fac": "1"}))
    assert info.label == "mycont" and info.type == "POSIX" and UUID.match(info.uuid)
    assert "mycont" in [c.label for c in await daos.cont_list("hpc_demo")]
    props = await daos.cont_get_prop("hpc_demo", "mycont")
    assert props.rd_fac == 1 and props.health == "HEALTHY" and props.layout == "POSIX"
    queried = await daos.cont_query("hpc_demo", "mycont")
    assert queried.uuid == info.uuid and queried.redundancy_factor == 1
    await daos.cont_destroy("hpc_demo", "mycont")
    assert "mycont" not in [c.label for c in await daos.cont_list("hpc_demo")]
    version = await daos.version()
    assert str(version.version if hasattr(version, "version") else version).startswith("2.6")


async def test_client_errors_carry_der(demo_session) -> None:
    daos = demo_session.daos
    with pytest.raises(DaosError) as missing:
        await daos.pool_query("nosuch")
    assert missing.value.der_name == "DER_NONEXIST" and missing.value.der_code == -1005
    assert missing.value.hint
    with pytest.raises(DaosError) as exists:
        await daos.cont_create(ContainerCreateRequest("hpc_demo", "checkpoints"))
    assert exists.value.der_name == "DER_EXIST" and exists.value.der_code == -1004
    with pytest.raises(DaosError) as denied:
        await daos.cont_list("hacc")
    assert denied.value.der_name == "DER_NO_PERM"
    assert "ACL" in denied.value.hint


async def test_unclean_then_healthy_and_fs_check(demo_session, demo_dir: Path) -> None:
    daos = demo_session.daos
    knobs.add_fault(demo_dir, "unclean", pool="hpc_demo", cont="checkpoints")
    props = await daos.cont_get_prop("hpc_demo", "checkpoints")
    assert props.unclean

    await daos.cont_set_prop("hpc_demo", "checkpoints", {"status": "HEALTHY"})
    checked = await daos.fs_check("hpc_demo", "checkpoints")
    assert checked.leaked_oids == 0
    assert not (await daos.cont_get_prop("hpc_demo", "checkpoints")).unclean


async def test_unclean_container_does_not_mount(demo_session, demo_dir: Path) -> None:
    from daostui.core.errors import MountError

    knobs.add_fault(demo_dir, "unclean", pool="hpc_demo", cont="checkpoints")
    with pytest.raises(MountError) as refused:
        await demo_session.mounts.mount("hpc_demo", "checkpoints")
    assert "DER_IO" in str(refused.value) or "DER" in refused.value.result.stdout


@pytest.mark.parametrize("kind", ["malformed", "invalid_json", "truncate"])
async def test_bad_output_raises_not_crashes(demo_session, demo_dir: Path, kind: str) -> None:
    knobs.add_fault(demo_dir, kind, match="daos -j pool query*")
    with pytest.raises((DaosError, ParseError)):
        await demo_session.daos.pool_query("hpc_demo")
    knobs.clear(demo_dir)
    assert (await demo_session.daos.pool_query("hpc_demo")).state == "Ready"


async def test_exit_fault_maps_to_error(demo_session, demo_dir: Path) -> None:
    knobs.add_fault(
        demo_dir,
        "exit",
        match="daos -j container list*",
        stderr="ERROR: daos: DER_TIMEDOUT(-1011): Time out",
        exit=1,
    )
    with pytest.raises(DaosError) as failed:
        await demo_session.daos.cont_list("hpc_demo")
    assert failed.value.der_name == "DER_TIMEDOUT" and failed.value.der_code == -1011


async def test_timeout_fault_is_an_error(demo_session, demo_dir: Path) -> None:
    from daostui.daos.client import DaosClient

    knobs.add_fault(demo_dir, "timeout", match="daos -j pool list*")
    client = DaosClient(demo_session.transport, timeout=0.5)
    with pytest.raises(DaosError) as failed:
        await client.pool_list()
    assert "timed out" in str(failed.value)


async def test_concurrent_creates(demo_session) -> None:
    daos = demo_session.daos
    labels = [f"par_{index:02d}" for index in range(16)]
    infos = await asyncio.gather(
        *(daos.cont_create(ContainerCreateRequest("hpc_demo", label)) for label in labels)
    )
    assert sorted(i.label for i in infos) == labels
    assert len({i.uuid for i in infos}) == 16
    listed = {c.label for c in await daos.cont_list("hpc_demo")}
    assert set(labels) <= listed
    assert "checkpoints" in listed


# ---------------------------------------------------------------------- mounts
async def test_mount_probe_unmount(demo_session, tmp_path: Path) -> None:
    mounts = demo_session.mounts
    assert await mounts.list() == []
    mount = await mounts.mount("hpc_demo", "checkpoints")
    assert mount.path == str(tmp_path / "mnt" / demo_session.user / "hpc_demo" / "checkpoints")
    assert mount.pool == "hpc_demo" and mount.container == "checkpoints"
    listed = await mounts.list()
    assert [m.path for m in listed] == [mount.path]

    (Path(mount.path) / "hello.txt").write_text("hi\n")
    health = await mounts.probe(mount.path)
    assert health.state == "ok" and health.detail == "1 entry"

    await mounts.unmount(mount.path)
    assert await mounts.list() == []
    assert Path(mount.path).is_dir() and not Path(mount.path).is_symlink()

    # the data stayed in the container: mounting again shows it
    again = await mounts.mount("hpc_demo", "checkpoints")
    assert (Path(again.path) / "hello.txt").read_text() == "hi\n"
    await mounts.unmount(again.path)


async def test_mount_unknown_container_fails(demo_session) -> None:
    from daostui.core.errors import MountError

    with pytest.raises(MountError) as failed:
        await demo_session.mounts.mount("hpc_demo", "nosuch")
    assert "DER_NONEXIST" in str(failed.value)


async def test_hung_mount_probe(demo_session, demo_dir: Path) -> None:
    mounts = demo_session.mounts
    mount = await mounts.mount("hpc_demo", "checkpoints")
    knobs.add_fault(demo_dir, "hung_mount", path=mount.path)
    started = time.monotonic()
    health = await mounts.probe(mount.path, timeout=0.5)
    assert health.state == "hung"
    assert time.monotonic() - started < 3
    knobs.clear(demo_dir)
    assert (await mounts.probe(mount.path)).state == "ok"
    await mounts.unmount(mount.path)


async def test_unmount_not_mounted(demo_session, tmp_path: Path) -> None:
    from daostui.core.errors import MountError

    with pytest.raises(MountError):
        await demo_session.mounts.unmount(str(tmp_path / "mnt" / "nothing"))
