"""The one interface through which every command runs.

A transport runs an argv (never a shell string) with a timeout and returns a `CommandResult`
describing exactly what happened: the argv, where it ran, when, how long it took, the exit status,
stdout and stderr, and whether it timed out or was cancelled. Clients never spawn processes
themselves; the console shows these results in its command log so users learn the real CLI.
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import os
import shlex
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from daostui.transport.identity import Identity
from daostui.transport.link import Link, LinkListener, LinkState
from daostui.transport.prelude import Prelude

__all__ = [
    "DEFAULT_TIMEOUT",
    "EXIT_CANCELLED",
    "EXIT_TIMEOUT",
    "CommandResult",
    "Identity",
    "LinkState",
    "Prelude",
    "Transport",
    "command_origin",
    "now",
]

#: What a command runs for: set by whoever starts a piece of work (an action's dialog) in its own
#: task, and recorded on every `CommandResult` that work produces, so a dialog shows its own
#: commands and never a background refresh that finished meanwhile. "" is the console's own work.
command_origin: ContextVar[str] = ContextVar("daostui_command_origin", default="")

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
    #: What the login shell, profile or module prelude printed before the command started (see
    #: `framing`): kept for the log, never seen by parsers.
    login_noise: str = ""
    #: The connection dropped after the command was sent: it may have run (and may still be running)
    #: on the login node. Never "not run": check the real state before retrying.
    outcome_unknown: bool = False
    #: What it ran for (`command_origin` when it finished): an action's title, "" for background work.
    origin: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_status == 0 and not (
            self.timed_out or self.cancelled or self.error or self.outcome_unknown
        )

    @property
    def command_line(self) -> str:
        """The command as a user would type it (copyable)."""
        return shlex.join(self.argv)

    @property
    def outcome(self) -> str:
        """A short human word for the outcome: ok, exit N, timed out, cancelled, not run, outcome unknown."""
        if self.outcome_unknown:
            return "outcome unknown"
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
            "login_noise": self.login_noise,
            "outcome_unknown": self.outcome_unknown,
            "origin": self.origin,
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
            login_noise=str(data.get("login_noise", "")),
            outcome_unknown=bool(data.get("outcome_unknown", False)),
            origin=str(data.get("origin", "")),
        )


ResultListener = Callable[[CommandResult], None]


class Transport(ABC):
    """Runs commands somewhere (this host, a login node over ssh, the simulator).

    Besides commands, a transport writes files where the commands run (job scripts: `write_file`,
    `make_dirs`, `home`), knows who commands run as there (`identity`), and reports the state of
    its link (`link`, `add_link_listener`) — always connected for local transports.
    """

    #: A short description of where commands run, shown in the header and command log.
    where: str = ""

    def __init__(self) -> None:
        self._listeners: list[ResultListener] = []
        self._link_listeners: list[LinkListener] = []
        self.link = LinkState(Link.CONNECTED)
        self.identity = Identity(user=local_user())

    def add_listener(self, listener: ResultListener) -> None:
        """Call `listener` with every finished command (the command log subscribes here)."""
        self._listeners.append(listener)

    def _emit(self, result: CommandResult) -> None:
        origin = command_origin.get()
        if origin and not result.origin:
            result = dataclasses.replace(result, origin=origin)
        for listener in list(self._listeners):
            try:
                listener(result)
            except Exception:  # noqa: BLE001 - a broken listener must never break a command
                pass

    def add_link_listener(self, listener: LinkListener) -> None:
        """Call `listener` with every change of `link` (the header; a fresh login refreshes all panes)."""
        self._link_listeners.append(listener)

    def remove_link_listener(self, listener: LinkListener) -> None:
        with contextlib.suppress(ValueError):
            self._link_listeners.remove(listener)

    def _set_link(self, state: LinkState) -> None:
        self.link = state
        for listener in list(self._link_listeners):
            with contextlib.suppress(Exception):  # a broken listener must never break the link
                listener(state)

    async def reconnect(self) -> LinkState:
        """Connect again now, after a cancelled passcode or a refused login; local: nothing to do."""
        return self.link

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

        Closing the iterator (or cancelling its consumer) kills the command. A command that could
        not start raises `TransportError`.
        """

    @abstractmethod
    async def home(self) -> str:
        """The home directory of `identity.user` where commands run (absolute)."""

    @abstractmethod
    async def make_dirs(self, path: str, mode: int = 0o700) -> None:
        """Create directory `path` and missing parents (new ones get `mode`) where commands run.

        Raises TransportError when it cannot (a file in the way, no permission)."""

    @abstractmethod
    async def write_file(
        self, path: str, data: str | bytes, *, mode: int = 0o600, exclusive: bool = True
    ) -> None:
        """Write `data` to the absolute `path` where commands run, created with `mode` whatever the umask.

        With `exclusive` an existing file is never replaced: `FileExistsError` is raised instead.
        Other failures raise TransportError naming the path.
        """

    async def close(self) -> None:  # noqa: B027 - optional hook, most transports hold nothing
        """Release resources (connections); the default has none."""


def local_user() -> str:
    """This process's user name (the default identity until the machine says otherwise)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def now() -> float:
    """Wall-clock time for `started_at`; a function so tests can freeze it."""
    return time.time()
