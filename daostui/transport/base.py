"""The one interface through which every command runs.

A transport runs an argv (never a shell string) with a timeout and returns a `CommandResult`
describing exactly what happened: the argv, where it ran, when, how long it took, the exit status,
stdout and stderr, and whether it timed out or was cancelled. Clients never spawn processes
themselves; the console shows these results in its command log so users learn the real CLI.
"""

from __future__ import annotations

import shlex
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TIMEOUT = 60.0

#: Exit status reported for a command killed because its timeout expired (like coreutils `timeout`).
EXIT_TIMEOUT = 124
#: Exit status reported for a command killed because it was cancelled (128 + SIGTERM).
EXIT_CANCELLED = 143


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What happened when one command ran."""

    argv: tuple[str, ...]
    exit_status: int
    stdout: str
    stderr: str
    duration: float
    started_at: float
    where: str
    timed_out: bool = False
    cancelled: bool = False
    #: Set when the command could not be run at all (e.g. "daos: command not found").
    error: str = ""
    #: The argv actually executed after wrapping (module prelude, ssh); equals argv when unwrapped.
    wrapped_argv: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.exit_status == 0 and not (self.timed_out or self.cancelled or self.error)

    @property
    def command_line(self) -> str:
        """The command as a user would type it (copyable)."""
        return shlex.join(self.argv)

    @property
    def outcome(self) -> str:
        """A short human word for the outcome: ok, exit N, timed out, cancelled, not run."""
        if self.error:
            return "not run"
        if self.timed_out:
            return "timed out"
        if self.cancelled:
            return "cancelled"
        return "ok" if self.exit_status == 0 else f"exit {self.exit_status}"

    def to_json(self) -> dict[str, Any]:
        return {
            "argv": list(self.argv),
            "command": self.command_line,
            "exit_status": self.exit_status,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "duration": round(self.duration, 6),
            "started_at": self.started_at,
            "where": self.where,
            "timed_out": self.timed_out,
            "cancelled": self.cancelled,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CommandResult:
        return cls(
            argv=tuple(str(a) for a in data.get("argv", ())),
            exit_status=int(data.get("exit_status", -1)),
            stdout=str(data.get("stdout", "")),
            stderr=str(data.get("stderr", "")),
            duration=float(data.get("duration", 0.0)),
            started_at=float(data.get("started_at", 0.0)),
            where=str(data.get("where", "")),
            timed_out=bool(data.get("timed_out", False)),
            cancelled=bool(data.get("cancelled", False)),
            error=str(data.get("error", "")),
        )


ResultListener = Callable[[CommandResult], None]


@dataclass
class Prelude:
    """Shell lines run before every command (e.g. the site's `module load`), argv-safe.

    The command itself is passed as positional parameters and started with `exec "$@"`, so no
    user-supplied value is ever interpreted by the shell.
    """

    lines: Sequence[str] = field(default_factory=tuple)
    shell: str = "bash"
    login: bool = True

    def wrap(self, argv: Sequence[str]) -> list[str]:
        if not self.lines:
            return list(argv)
        script = "; ".join(self.lines) + '; exec "$@"'
        flag = "-lc" if self.login else "-c"
        return [self.shell, flag, script, "daostui", *argv]


class Transport(ABC):
    """Runs commands somewhere (this host, a login node over ssh, the simulator)."""

    #: A short description of where commands run, shown in the header and command log.
    where: str = ""

    def __init__(self) -> None:
        self._listeners: list[ResultListener] = []

    def add_listener(self, listener: ResultListener) -> None:
        """Call `listener` with every finished command (the command log subscribes here)."""
        self._listeners.append(listener)

    def _emit(self, result: CommandResult) -> None:
        for listener in list(self._listeners):
            try:
                listener(result)
            except Exception:  # noqa: BLE001 - a broken listener must never break a command
                pass

    @abstractmethod
    async def run(
        self,
        argv: Sequence[str],
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        stdin: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> CommandResult:
        """Run `argv` to completion. Never raises for a failing command: the result says so.

        Cancelling the awaiting task kills the command (its whole process group locally), records
        a cancelled result, and re-raises `asyncio.CancelledError`.
        """

    @abstractmethod
    def stream(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> AsyncIterator[str]:
        """Yield a long-running command's output line by line (stdout and stderr merged).

        Closing the iterator (or cancelling its consumer) kills the command.
        """

    async def close(self) -> None:  # noqa: B027 - optional hook, most transports hold nothing
        """Release resources (connections); the default has none."""


def now() -> float:
    """Wall-clock time for `started_at`; a function so tests can freeze it."""
    return time.time()
