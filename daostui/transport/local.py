"""Run commands on this host with asyncio subprocesses.

Each command starts in its own session (process group) so that a timeout or a cancel kills
everything it spawned — `daos` helpers, `start-dfuse.sh` children, a shell's pipeline — and is
reported as timed out / cancelled rather than as an exit status. stdout and stderr are drained
concurrently in chunks, so several MB of output never deadlock on a full pipe, and are decoded
with replacement so non-UTF-8 bytes (real qstat output has them) cannot crash anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from pathlib import Path
from typing import Any

from daostui.core.errors import TransportError
from daostui.transport import framing, localfiles, spawn
from daostui.transport.base import (
    DEFAULT_TIMEOUT,
    EXIT_CANCELLED,
    EXIT_TIMEOUT,
    CommandResult,
    Prelude,
    Transport,
    now,
)

#: How long a killed process group gets between SIGTERM and SIGKILL.
KILL_GRACE = 1.0
#: How long to wait for pipes to close after the process exited (an escaped grandchild may hold them).
DRAIN_GRACE = 2.0
_CHUNK = 1 << 16
#: Longest line `stream()` yields in one piece; longer lines are split so none can stall a view.
MAX_STREAM_LINE = 1 << 16


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


async def _drain(stream: asyncio.StreamReader | None, sink: list[bytes]) -> None:
    if stream is None:
        return
    while True:
        chunk = await stream.read(_CHUNK)
        if not chunk:
            return
        sink.append(chunk)


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def _start(
    argv: Sequence[str], *, stdin: int, stdout: int, stderr: int, env: Mapping[str, str], cwd: str | None
) -> asyncio.subprocess.Process | spawn.Child:
    """Start `argv` in its own session: forked off the loop where pidfds allow (see `spawn`)."""
    if spawn.available():
        return await spawn.start(argv, stdin=stdin, stdout=stdout, stderr=stderr, env=env, cwd=cwd)
    return await asyncio.create_subprocess_exec(
        *argv, stdin=stdin, stdout=stdout, stderr=stderr, env=env, cwd=cwd, start_new_session=True
    )


async def _kill_group(proc: asyncio.subprocess.Process | spawn.Child) -> None:
    """SIGTERM the whole group, then SIGKILL it if it has not exited within the grace period."""
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), KILL_GRACE)
    except TimeoutError:
        pass
    # Children that ignored SIGTERM (or a still-running leader) get SIGKILL either way.
    _signal_group(proc.pid, signal.SIGKILL)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.wait(), KILL_GRACE)


async def _finish_despite_cancel(work: Awaitable[None]) -> None:
    """Run `work` (a kill, a drain) to its end even when the awaiting task is cancelled again.

    Textual cancels a worker more than once at exit (pruning its screen, then cancelling all): a
    bare `shield` would let the second cancel orphan the kill, leaving a pipe open until the loop
    has closed. The work is bounded (KILL_GRACE, DRAIN_GRACE), so waiting for it is safe."""
    task = asyncio.ensure_future(work)
    while not task.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(task)


class LocalTransport(Transport):
    """Subprocesses on this host; optional env overrides (demo mode's PATH) and module prelude.

    With a prelude, commands run in a login shell whose profile may print things: their output is
    framed (see `framing`) exactly as over ssh.
    """

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        prelude: Prelude | None = None,
        where: str | None = None,
    ) -> None:
        super().__init__()
        self.env_overrides = dict(env or {})
        self.prelude = prelude
        self.where = where or f"local:{socket.gethostname()}"
        #: Printed right before `exec` when a prelude wraps the command; per transport, random.
        self.marker = framing.new_marker()

    def _environment(self, env: Mapping[str, str] | None) -> dict[str, str]:
        merged = dict(os.environ)
        merged.update(self.env_overrides)
        if env:
            merged.update(env)
        return merged

    def terminal_command(self, argv: Sequence[str]) -> tuple[list[str], dict[str, str]]:
        """(argv, env) to run `argv` in the user's terminal (interactive jobs), as `run` would.

        With a prelude the argv is a `FramedArgv`: the terminal shows nothing before its marker."""
        args = [str(a) for a in argv]
        if self.prelude is None:
            return args, self._environment(None)
        return framing.FramedArgv(self._argv(args), self.marker), self._environment(None)

    def _argv(self, argv: Sequence[str], *, merge_stderr: bool = False) -> list[str]:
        args = [str(a) for a in argv]
        if self.prelude is None:
            return args
        return self.prelude.wrap(args, marker=self.marker, merge_stderr=merge_stderr)

    async def run(
        self,
        argv: Sequence[str],
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        stdin: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> CommandResult:
        original = tuple(str(a) for a in argv)
        wrapped = tuple(self._argv(original))
        framed = self.prelude is not None
        started_at = now()
        clock = time.monotonic()

        def finish(status: int, out: list[bytes], err: list[bytes], **flags: Any) -> CommandResult:
            stdout, stderr, noise = _decode(b"".join(out)), _decode(b"".join(err)), ""
            if framed:
                stdout, stderr, noise = framing.frame_result(stdout, stderr, self.marker, status, flags)
            result = CommandResult(
                argv=original,
                exit_status=status,
                stdout=stdout,
                stderr=stderr,
                duration=time.monotonic() - clock,
                started_at=started_at,
                where=self.where,
                wrapped_argv=wrapped if wrapped != original else (),
                login_noise=noise,
                **flags,
            )
            self._emit(result)
            return result

        if not original:
            return finish(127, [], [], error="empty command")
        # let the loop breathe between spawns: eight refreshes starting at once would otherwise fork
        # eight processes back to back in one iteration (a visible stall in a big process)
        await asyncio.sleep(0)
        try:
            proc = await _start(
                wrapped,
                stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self._environment(env),
                cwd=cwd,
            )
        except FileNotFoundError:
            message = f"{wrapped[0]}: command not found"
            return finish(127, [], [message.encode()], error=message)
        except (PermissionError, NotADirectoryError, OSError) as exc:
            return finish(126, [], [str(exc).encode()], error=str(exc))

        out: list[bytes] = []
        err: list[bytes] = []
        readers = [
            asyncio.ensure_future(_drain(proc.stdout, out)),
            asyncio.ensure_future(_drain(proc.stderr, err)),
        ]
        if stdin is not None and proc.stdin is not None:
            data = stdin.encode() if isinstance(stdin, str) else stdin
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                proc.stdin.write(data)
                await proc.stdin.drain()
            proc.stdin.close()

        async def settle() -> None:
            _done, pending = await asyncio.wait(readers, timeout=DRAIN_GRACE)
            for task in pending:
                task.cancel()

        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            await _kill_group(proc)
            await settle()
            return finish(EXIT_TIMEOUT, out, err, timed_out=True)
        except asyncio.CancelledError:
            await _finish_despite_cancel(_kill_group(proc))
            await _finish_despite_cancel(settle())  # the pipes close once the group is gone
            finish(EXIT_CANCELLED, out, err, cancelled=True)
            raise
        await settle()
        return finish(proc.returncode if proc.returncode is not None else -1, out, err)

    async def stream(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> AsyncIterator[str]:
        framed = self.prelude is not None
        wrapped = self._argv(argv, merge_stderr=True)
        try:
            proc = await _start(
                wrapped,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                # framed: the wrapper merges the command's stderr itself; what still comes on stderr is noise
                stderr=asyncio.subprocess.PIPE if framed else asyncio.subprocess.STDOUT,
                env=self._environment(env),
                cwd=cwd,
            )
        except OSError as exc:
            raise TransportError(f"cannot run `{shlex.join(str(a) for a in argv)}`: {exc}") from exc
        assert proc.stdout is not None
        noise_err: list[bytes] = []
        noise_reader = asyncio.ensure_future(_drain(proc.stderr, noise_err)) if framed else None
        frame = framing.LineFrame(self.marker if framed else "")
        try:
            async for line in _lines(proc.stdout):
                if frame.feed(line):
                    yield line
            await proc.wait()
            if noise_reader is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(noise_reader, DRAIN_GRACE)
            if not frame.started:
                status = proc.returncode if proc.returncode is not None else -1
                message = framing.not_started(status)
                self._emit(
                    CommandResult(
                        argv=tuple(str(a) for a in argv),
                        exit_status=status,
                        stdout="",
                        stderr=_decode(b"".join(noise_err)),
                        duration=0.0,
                        started_at=now(),
                        where=self.where,
                        wrapped_argv=tuple(wrapped),
                        error=message,
                        login_noise=framing.join_noise(frame.noise, _decode(b"".join(noise_err))),
                    )
                )
                raise TransportError(f"`{shlex.join(str(a) for a in argv)}`: {message}")
        finally:
            if noise_reader is not None:
                noise_reader.cancel()
            if proc.returncode is None:
                await _finish_despite_cancel(_kill_group(proc))

    # ------------------------------------------------------------------ files
    async def home(self) -> str:
        return str(Path.home())

    async def make_dirs(self, path: str, mode: int = 0o700) -> None:
        await asyncio.to_thread(localfiles.make_dirs, Path(path), mode)

    async def write_file(
        self, path: str, data: str | bytes, *, mode: int = 0o600, exclusive: bool = True
    ) -> None:
        payload = data.encode() if isinstance(data, str) else data
        await asyncio.to_thread(localfiles.write_private, Path(path), payload, mode, exclusive)


async def _lines(stdout: asyncio.StreamReader) -> AsyncIterator[str]:
    """Decoded lines of `stdout`; very long lines are split so none can stall a view."""
    pending = b""
    while True:
        chunk = await stdout.read(_CHUNK)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            for start in range(0, max(len(line), 1), MAX_STREAM_LINE):
                yield _decode(line[start : start + MAX_STREAM_LINE])
        while len(pending) > MAX_STREAM_LINE:
            yield _decode(pending[:MAX_STREAM_LINE])
            pending = pending[MAX_STREAM_LINE:]
    if pending:
        yield _decode(pending)
