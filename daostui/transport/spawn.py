"""Start a child process without stalling the event loop, for `LocalTransport`.

`asyncio.create_subprocess_exec` forks on the loop (tens of ms in a big process on a busy host) and,
under Python 3.11's default `ThreadedChildWatcher`, starts a waiter thread per child and blocks the
loop until that thread runs (another ~40 ms when the CPUs are busy): with eight refreshes in flight
that is a frame the user sees freeze. Here `subprocess.Popen` runs in a small dedicated thread pool,
the pipes are attached to the running loop as ordinary streams, and the exit is learned from a
pidfd the loop watches, so the loop never forks or waits for a thread. The `Child` offers the part
of `asyncio.subprocess.Process` the transport uses (pid, stdin/stdout/stderr, returncode, wait).

Where pidfds are missing (Linux < 5.3, other systems) `available()` is False and the transport
keeps asyncio's own subprocesses.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

#: Two spawner threads: a fork is short once off the loop; more threads would only contend.
_SPAWNER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="daostui-spawn")


@functools.cache
def available() -> bool:
    """True when this system gives pidfds (Linux 5.3+), which let the loop learn a child's exit."""
    if not hasattr(os, "pidfd_open"):
        return False
    try:
        fd = os.pidfd_open(os.getpid())
    except OSError:
        return False
    os.close(fd)
    return True


class Child:
    """A started child: the streams the loop reads and writes, and its exit status once reaped."""

    def __init__(self, popen: subprocess.Popen[bytes], loop: asyncio.AbstractEventLoop) -> None:
        self._popen = popen
        self._loop = loop
        self.pid = popen.pid
        self.stdin: asyncio.StreamWriter | None = None
        self.stdout: asyncio.StreamReader | None = None
        self.stderr: asyncio.StreamReader | None = None
        self._exited: asyncio.Future[int] = loop.create_future()
        self._pidfd = os.pidfd_open(popen.pid)
        loop.add_reader(self._pidfd, self._reap)

    @property
    def returncode(self) -> int | None:
        return self._popen.returncode

    def _reap(self) -> None:
        """The pidfd is readable: the child has exited; collect its status (no zombie is left)."""
        self._loop.remove_reader(self._pidfd)
        os.close(self._pidfd)
        status = self._popen.poll()
        if status is None:  # reaped by someone else: asyncio's watcher never knew this pid
            status = 255
            self._popen.returncode = status
        if not self._exited.done():
            self._exited.set_result(status)

    def forget(self) -> None:
        """Stop watching the child (it is being discarded before the transport saw it)."""
        if not self._exited.done():
            self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._exited.cancel()

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)

    async def attach(self) -> None:
        """Connect the child's pipes to the loop as non-blocking streams."""
        popen, loop = self._popen, self._loop
        if popen.stdout is not None:
            self.stdout = await _reader(loop, popen.stdout)
        if popen.stderr is not None:
            self.stderr = await _reader(loop, popen.stderr)
        if popen.stdin is not None:
            transport, protocol = await loop.connect_write_pipe(
                lambda: asyncio.StreamReaderProtocol(asyncio.StreamReader()), popen.stdin
            )
            self.stdin = asyncio.StreamWriter(transport, protocol, None, loop)


async def _reader(loop: asyncio.AbstractEventLoop, pipe: Any) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    return reader


def _close_pipes(popen: subprocess.Popen[bytes]) -> None:
    for pipe in (popen.stdin, popen.stdout, popen.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


async def start(
    argv: Sequence[str],
    *,
    stdin: int,
    stdout: int,
    stderr: int,
    env: Mapping[str, str],
    cwd: str | None,
) -> Child:
    """Start `argv` in a new session from a spawner thread; raise what `Popen` raises (OSError).

    If the awaiting task is cancelled while the thread forks, the child still starts: it is killed
    with its group and reaped (off the loop), then the cancel goes on, so nothing is orphaned."""
    loop = asyncio.get_running_loop()
    spawn = loop.run_in_executor(
        _SPAWNER,
        functools.partial(
            subprocess.Popen,
            list(argv),
            bufsize=0,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        ),
    )
    try:
        popen = await asyncio.shield(spawn)
    except asyncio.CancelledError:
        spawn.add_done_callback(_discard)
        raise
    child = Child(popen, loop)
    try:
        await child.attach()
    except BaseException:
        child.forget()
        _discard_popen(popen)
        raise
    return child


def _discard(spawn: asyncio.Future[subprocess.Popen[bytes]]) -> None:
    """A child started for a task that was cancelled meanwhile: kill its group, reap it off the loop."""
    if spawn.cancelled() or spawn.exception() is not None:
        return
    _discard_popen(spawn.result())


def _discard_popen(popen: subprocess.Popen[bytes]) -> None:
    _close_pipes(popen)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signal.SIGKILL)
    _SPAWNER.submit(popen.wait)
