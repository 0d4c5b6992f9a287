"""Children started off the event loop (`daostui.transport.spawn`): what the local transport relies on."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import threading
import time

import pytest

from daostui.transport import spawn
from daostui.transport.local import LocalTransport

pytestmark = pytest.mark.skipif(not spawn.available(), reason="no pidfd on this system (Linux < 5.3)")


async def _until(condition, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_a_child_cancelled_while_it_forks_is_killed_and_reaped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fork happens in a thread: a cancel that lands meanwhile must not orphan the child."""
    release = threading.Event()
    made: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def held_popen(*args, **kwargs):  # type: ignore[no-untyped-def]
        release.wait(30)
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(spawn.subprocess, "Popen", held_popen)
    pipe = subprocess.PIPE
    task = asyncio.create_task(
        spawn.start(["sleep", "60"], stdin=subprocess.DEVNULL, stdout=pipe, stderr=pipe, env={}, cwd=None)
    )
    await asyncio.sleep(0.05)  # the task waits for the spawner thread, which waits for `release`
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    release.set()
    await _until(lambda: bool(made) and made[0].returncode is not None)
    assert made[0].returncode == -signal.SIGKILL


async def test_the_exit_status_is_learned_without_asyncio_child_watchers() -> None:
    pipe = subprocess.PIPE
    child = await spawn.start(
        ["sh", "-c", "read line; echo got $line; echo oops >&2; exit 7"],
        stdin=pipe,
        stdout=pipe,
        stderr=pipe,
        env={"PATH": "/usr/bin:/bin"},
        cwd=None,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    child.stdin.write(b"hello\n")
    await child.stdin.drain()
    child.stdin.close()
    assert await child.stdout.read() == b"got hello\n"
    assert await child.stderr.read() == b"oops\n"
    assert await child.wait() == 7 and child.returncode == 7


async def test_without_pidfds_the_transport_keeps_asyncio_subprocesses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(spawn, "available", lambda: False)
    result = await LocalTransport().run(["sh", "-c", "echo out; echo err >&2; exit 3"], stdin="x")
    assert (result.exit_status, result.stdout, result.stderr) == (3, "out\n", "err\n")
