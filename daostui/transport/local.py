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
import signal
import socket
import time
from collections.abc import AsyncIterator, Mapping, Sequence

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


async def _kill_group(proc: asyncio.subprocess.Process) -> None:
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


class LocalTransport(Transport):
    """Subprocesses on this host; optional env overrides (demo mode's PATH) and module prelude."""

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

    def _environment(self, env: Mapping[str, str] | None) -> dict[str, str]:
        merged = dict(os.environ)
        merged.update(self.env_overrides)
        if env:
            merged.update(env)
        return merged

    def terminal_command(self, argv: Sequence[str]) -> tuple[list[str], dict[str, str]]:
        """(argv, env) to run `argv` in the user's terminal (interactive jobs), as `run` would."""
        return self._argv(argv), self._environment(None)

    def _argv(self, argv: Sequence[str]) -> list[str]:
        args = [str(a) for a in argv]
        return self.prelude.wrap(args) if self.prelude else args

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
        started_at = now()
        clock = time.monotonic()

        def finish(status: int, out: list[bytes], err: list[bytes], **flags: object) -> CommandResult:
            result = CommandResult(
                argv=original,
                exit_status=status,
                stdout=_decode(b"".join(out)),
                stderr=_decode(b"".join(err)),
                duration=time.monotonic() - clock,
                started_at=started_at,
                where=self.where,
                wrapped_argv=wrapped if wrapped != original else (),
                **flags,  # type: ignore[arg-type]
            )
            self._emit(result)
            return result

        if not original:
            return finish(127, [], [], error="empty command")
        # let the loop breathe between spawns: eight refreshes starting at once would otherwise fork
        # eight processes back to back in one iteration (a visible stall in a big process)
        await asyncio.sleep(0)
        try:
            proc = await asyncio.create_subprocess_exec(
                *wrapped,
                stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self._environment(env),
                cwd=cwd,
                start_new_session=True,
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
            await asyncio.shield(_kill_group(proc))
            for task in readers:
                task.cancel()
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
        wrapped = self._argv(argv)
        proc = await asyncio.create_subprocess_exec(
            *wrapped,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=self._environment(env),
            cwd=cwd,
            start_new_session=True,
        )
        assert proc.stdout is not None
        pending = b""
        try:
            while True:
                chunk = await proc.stdout.read(_CHUNK)
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
            await proc.wait()
        finally:
            if proc.returncode is None:
                await asyncio.shield(_kill_group(proc))
