"""Read-only is enforced by the clients: every method that changes anything is marked, and refused.

The enumeration is by introspection: every public method of the DAOS, PBS and mounts clients (and
the module functions that drive them) is called against a scripted transport, and the commands it
really runs are classified by their verbs. A method that runs a changing command (create, destroy,
set-prop, ACL changes, autotest, copy, fs check, mkdir, start-dfuse.sh, fusermount3, tee, qsub,
qdel, qhold, qrls...) must be in the one registry, `daostui.core.readonly.REGISTRY`; and every
registered method, called in a read-only session, must raise ReadOnlyError without running a
single command. A new unmarked mutating method fails this test.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import os
import posixpath
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from daostui.core.config import Config
from daostui.core.readonly import REGISTRY, ReadOnlyError, is_mutating
from daostui.core.session import Session, build_clients
from daostui.core.site import SiteProfile
from daostui.daos import copying
from daostui.daos.client import DaosClient
from daostui.daos.presets import ContainerCreateRequest
from daostui.doctor import checklist
from daostui.mounts.client import CHECK_TEXT, MountsClient
from daostui.nodes.client import NodesClient
from daostui.nodes.models import JobContainer
from daostui.pbs import interactive_session
from daostui.pbs.client import PbsClient
from daostui.pbs.models import Job
from daostui.pbs.script_store import ScriptStore
from daostui.transport.fake import FakeTransport, Reply
from daostui.transport.log import CommandLog

USER = "aurora_user"
MOUNT = f"/tmp/{USER}/hpc_demo/checkpoints"
TABLE = "/proc/mounts"

#: Verbs that change something, per program (daos: object and verb).
DAOS_MUTATING = {
    "container": {"create", "destroy", "set-prop", "update-acl", "delete-acl", "overwrite-acl", "set-owner",
                  "set-attr", "del-attr", "create-snap", "destroy-snap", "rollback", "link"},
    "pool": {"autotest", "set-prop", "set-attr", "del-attr", "update-acl", "delete-acl", "overwrite-acl"},
    "filesystem": {"copy", "check", "set-attr", "del-attr", "reset-attr", "reset-chunk-size", "reset-oclass",
                   "fix-entry", "fix-root", "evict"},
}  # fmt: skip
MUTATING_PROGRAMS = {
    "qsub", "qdel", "qhold", "qrls", "qalter", "qmove", "qrerun", "qsig", "qorder",
    "start-dfuse.sh", "launch-dfuse.sh", "launch-dfuse-with-caching.sh", "clean-dfuse.sh", "dfuse",
    "fusermount3", "fusermount", "mkdir", "tee", "rm", "rmdir", "mv", "cp", "chmod", "chown", "touch", "ln",
    "dd",
}  # fmt: skip


def mutates(argv: list[str]) -> bool:
    words = [word for word in argv if not word.startswith("-")]
    program = posixpath.basename(words[0])
    if program == "clush":  # what it runs on the nodes: each command of the remote line
        return any(mutates(part.split()) for part in re.split(r"&&|\|\||;", argv[-1]) if part.strip())
    if program == "daos" and len(words) >= 3:
        kind = {"cont": "container", "fs": "filesystem"}.get(words[1], words[1])
        return words[2] in DAOS_MUTATING.get(kind, set())
    return program in MUTATING_PROGRAMS


def test_the_verb_classifier() -> None:
    assert mutates(["daos", "container", "destroy", "p", "c", "--force"])
    assert mutates(["daos", "-j", "cont", "create", "p", "c"])
    assert mutates(["daos", "pool", "autotest", "p"])
    assert not mutates(["daos", "-j", "pool", "query", "p"])
    assert not mutates(["daos", "container", "check", "--path", "/x"])
    assert mutates(["qsub", "-I", "-A", "p"]) and not mutates(["qstat", "-f"])
    assert mutates(["clush", "-w", "x1", "-b", "mkdir -p /tmp/p/c && start-dfuse.sh -m /tmp/p/c"])
    assert not mutates(["clush", "-w", "x1", "-b", "sh -c 'ls /tmp' daostui-probe /tmp/p/c"])
    assert not mutates(["stat", "--printf", "x", "--", "/tmp"]) and mutates(
        ["mkdir", "-m", "0700", "--", "/x"]
    )


def scripted() -> FakeTransport:
    """Answers every command plausibly, so each method reaches the commands it would really run."""
    fake = FakeTransport()
    state = {"mounted": False}

    def table(_argv: list[str], _stdin: str | None) -> Reply:
        line = f"dfuse {MOUNT} fuse.daos rw,nosuid,nodev,user_id=0,group_id=0 0 0\n"
        return Reply(stdout=line if state["mounted"] else "")

    def mounted(value: bool) -> Callable[[list[str], str | None], Reply]:
        def answer(_argv: list[str], _stdin: str | None) -> Reply:
            state["mounted"] = value
            return Reply()

        return answer

    fake.on([], Reply())
    fake.on(["id", "-u"], Reply(stdout="0\n"))
    fake.on(
        ["stat"], lambda argv, _in: Reply(stdout="".join(f"0\troot\t700\tdirectory\t{p}\n" for p in argv[4:]))
    )
    fake.on(["cat", TABLE], table)
    fake.on(["cat", "--"], Reply(stdout=CHECK_TEXT))
    fake.on(["tee"], lambda _argv, stdin: Reply(stdout=stdin or ""))
    fake.on(["start-dfuse.sh"], mounted(True))
    fake.on(["fusermount3"], mounted(False))
    fake.mark_mounted = lambda: state.__setitem__("mounted", True)  # type: ignore[attr-defined]
    return fake


def session_on(fake: FakeTransport, *, readonly: bool) -> Session:
    return build_clients(
        mode="demo",
        transport=fake,
        config=Config(),
        site=SiteProfile(),
        user=USER,
        host="test",
        project="hpc_demo",
        readonly=readonly,
        uses_prelude=False,
        log=CommandLog(None),
    )


SAMPLES: dict[str, Any] = {
    "pool": "hpc_demo",
    "cont": "checkpoints",
    "path": MOUNT,
    "job_id": "1.aurora-pbs-0001",
    "ids": ["1.aurora-pbs-0001"],
    "script": "job.pbs",
    "props": {"status": "HEALTHY"},
    "entry": "A::bob@:rt",
    "principal": "u:bob@",
    "src": "daos://hpc_demo/checkpoints",
    "dst": "/lus/flare/projects/hpc_demo/checkpoints",
    "request": ContainerCreateRequest("hpc_demo", "newcont"),
    "project": "hpc_demo",
    "queue": "debug",
    "nodes": 1,
    "walltime": "00:10:00",
    "filesystems": "home:flare:daos_user",
    "daos_fs": "daos_user",
    "daos_resource": "daos_user",
    "checks": [],
    "long_tests": True,
    "created": True,
    "job_name": "job.pbs",
    "text": "#!/bin/bash\n#PBS -N job\nhostname\n",
    "name": "job.pbs",
    "directory": None,
    "array_id": "2[].aurora-pbs-0001",
    "index": 7,
    "node_set": "x4102c0s[0-1]b0n0",
    "hosts": ["x4102c0s0b0n0", "x4102c0s1b0n0"],
    "containers": None,
    "job": Job(
        "1.aurora-pbs-0001",
        {"job_state": "R", "Submit_arguments": "job.pbs", "Variable_List": {"PBS_O_WORKDIR": "/home/u"}},
    ),
    "container": JobContainer("hpc_demo", "checkpoints", "/tmp/hpc_demo/checkpoints"),
}


def _arguments(function: Callable[..., Any], owner_name: str) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    parameters = list(inspect.signature(function).parameters.values())
    for parameter in parameters[1:]:  # skip self / the client or session
        if parameter.default is not inspect.Parameter.empty or parameter.kind in (
            parameter.VAR_POSITIONAL,
            parameter.VAR_KEYWORD,
        ):
            continue
        if parameter.name not in SAMPLES:
            pytest.fail(f"add a sample argument for {owner_name}({parameter.name}) to SAMPLES")
        arguments[parameter.name] = SAMPLES[parameter.name]
    return arguments


def _copy_request() -> copying.CopyRequest:
    return copying.CopyRequest(copying.TO_FLARE, "hpc_demo", "checkpoints", "", SAMPLES["dst"])


CLIENTS = {
    "daos": DaosClient,
    "pbs": PbsClient,
    "mounts": MountsClient,
    "scripts": ScriptStore,
    "nodes": NodesClient,
}
#: Module functions that drive the clients: (module, first argument: a client name or "session").
DRIVERS = ((copying, "daos"), (checklist, "session"), (interactive_session, "pbs"))


def callables() -> list[tuple[str, str, Callable[..., Any]]]:
    """(qualified name, owner, unbound function) for every public method and driver function."""
    found = []
    for owner, cls in CLIENTS.items():
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                found.append((f"{cls.__module__}.{cls.__qualname__}.{name}", owner, member))
    for module, owner in DRIVERS:
        for name, member in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or member.__module__ != module.__name__:
                continue
            first = next(iter(inspect.signature(member).parameters), "")
            if first in (owner, "session"):
                found.append((f"{module.__name__}.{name}", first, member))
    return found


async def call(name: str, owner: str, function: Callable[..., Any], session: Session) -> None:
    target = session if owner == "session" else getattr(session, owner)
    holder, attribute = _resolve(name)
    function = getattr(holder, attribute)  # as patched now (the fixture below counts guarded calls)
    arguments = _arguments(function, name)
    if function is copying.perform_copy:
        arguments["request"] = _copy_request()
    if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
        result = function(target, **arguments)
    else:  # a blocking driver (it may run its own event loop): as the console would, in a thread
        result = await asyncio.to_thread(function, target, **arguments)
    if inspect.isawaitable(result):
        await result
    elif inspect.isasyncgen(result) or hasattr(result, "__anext__"):
        async for _line in result:
            pass


ALL = callables()


def _resolve(qualname: str) -> tuple[Any, str]:
    """(the module or class holding it, attribute name) for a registry name."""
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            holder: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:-1]:
            holder = getattr(holder, part)
        return holder, parts[-1]
    raise LookupError(qualname)


@pytest.fixture
def guarded_depth(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A counter that is > 0 while any registered (guarded) method runs: commands issued then are
    covered by that method's marker; a changing command issued outside every one is not."""
    depth = [0]
    for qualname in REGISTRY:
        holder, attribute = _resolve(qualname)
        original = inspect.getattr_static(holder, attribute)

        def wrap(func: Any) -> Any:
            if inspect.iscoroutinefunction(func):

                async def counted_async(*args: Any, **kwargs: Any) -> Any:
                    depth[0] += 1
                    try:
                        return await func(*args, **kwargs)
                    finally:
                        depth[0] -= 1

                return counted_async

            def counted(*args: Any, **kwargs: Any) -> Any:
                depth[0] += 1
                try:
                    return func(*args, **kwargs)
                finally:
                    depth[0] -= 1

            return counted

        monkeypatch.setattr(holder, attribute, wrap(original))
    return depth


@pytest.mark.parametrize(
    ("name", "owner", "function"),
    ALL,
    ids=[n.rsplit(".", 2)[-2] + "." + n.rsplit(".", 1)[-1] for n, _o, _f in ALL],
)
async def test_every_method_that_runs_a_changing_command_is_marked(
    name: str, owner: str, function: Any, guarded_depth: list[int]
) -> None:
    fake = scripted()
    if name.endswith((".write_check", ".unmount")):
        fake.mark_mounted()  # type: ignore[attr-defined]
    unguarded: list[list[str]] = []
    fake.add_listener(lambda result: unguarded.append(list(result.argv)) if guarded_depth[0] == 0 else None)
    try:
        await call(name, owner, function, session_on(fake, readonly=False))
    except Exception:  # only which commands ran matters here
        pass
    changing = [argv for argv in unguarded if mutates(argv)]
    assert not changing, f"{name} runs {changing[0]} outside any @mutating method: mark it"
    if name in REGISTRY:
        assert is_mutating(function)


def test_the_registry_lists_what_the_issue_names() -> None:
    names = {name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1] for name in REGISTRY}
    expected = {
        "DaosClient.cont_create", "DaosClient.cont_destroy", "DaosClient.cont_set_prop",
        "DaosClient.cont_update_acl", "DaosClient.cont_delete_acl", "DaosClient.pool_autotest",
        "DaosClient.fs_copy", "DaosClient.fs_check", "copying.perform_copy", "checklist.fix_unclean",
        "MountsClient.mount", "MountsClient.unmount", "MountsClient.write_check",
        "PbsClient.submit", "PbsClient.delete", "PbsClient.hold", "PbsClient.release",
        "PbsClient.argv_interactive", "NodesClient.remount", "NodesClient.clean",
    }  # fmt: skip
    assert expected <= names, expected - names


REGISTERED = [(n, o, f) for n, o, f in ALL if n in REGISTRY] + [
    ("daostui.pbs.interactive_session.interactive_argv", "pbs", interactive_session.interactive_argv)
]


@pytest.mark.parametrize(
    ("name", "owner", "function"), REGISTERED, ids=[n.rsplit(".", 1)[-1] for n, _o, _f in REGISTERED]
)
async def test_read_only_refuses_each_without_running_anything(name: str, owner: str, function: Any) -> None:
    fake = scripted()
    fake.mark_mounted()  # type: ignore[attr-defined]
    session = session_on(fake, readonly=True)
    with pytest.raises(ReadOnlyError) as refused:
        await call(name, owner, function, session)
    assert fake.calls == [], f"{name} ran {fake.calls} in a read-only session"
    assert "read-only" in str(refused.value) and "--readonly" in refused.value.hint


async def test_switching_the_session_switches_every_client() -> None:
    fake = scripted()
    session = session_on(fake, readonly=False)
    session.readonly = True
    for client in (session.daos, session.pbs, session.mounts, session.nodes):
        assert client.access.readonly
    with pytest.raises(ReadOnlyError):
        await session.pbs.delete("1.x")
    session.readonly = False
    await session.pbs.delete("1.x")
    assert fake.calls == [["qdel", "1.x"]]


async def test_doctor_long_tests_do_not_run_autotest_read_only() -> None:
    fake = scripted()
    session = session_on(fake, readonly=True)
    checks = {c.id: c for c in await checklist.Doctor(session, pool="hpc_demo").run(long_tests=True)}
    assert not [argv for argv in fake.calls if mutates(argv)], fake.calls
    assert checks["autotest"].status == checklist.SKIP
    assert "read-only" in checks["autotest"].evidence[0]


def test_cli_doctor_readonly_long_says_so(demo_dir: Path, tmp_path: Path) -> None:
    """`daostui doctor --readonly --long` in demo mode: no autotest in the command log, the report says why."""
    env = {**os.environ, "DAOSTUI_STATE_DIR": str(tmp_path / "state")}
    result = subprocess.run(
        [sys.executable, "-m", "daostui", "--demo", "--demo-dir", str(demo_dir), "doctor", "--readonly", "--long",
         "--pool", "hpc_demo", "--json"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode in (0, 1, 2), result.stderr
    report = json.loads(result.stdout)
    autotest = next(c for c in report["checks"] if c["id"] == "autotest")
    assert autotest["status"] == "SKIP" and "read-only" in autotest["evidence"][0]
    assert report["readonly"] is True
    log = (tmp_path / "state" / "commands.jsonl").read_text().splitlines()
    assert log and not [line for line in log if "autotest" in json.loads(line)["command"]]
