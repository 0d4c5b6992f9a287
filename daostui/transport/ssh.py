"""Run commands on a login node over one multiplexed asyncssh connection.

Every command is a channel on the same connection (Aurora logins cost a one-time passcode each,
so one connection matters), quoted with `shlex.join` and run through the site's module prelude in
a login shell, its output framed by a per-transport marker so that banners and `module` chatter
never reach a parser (see `framing`). Argv in, argv out: nothing is interpreted by the remote
shell but the prelude.

The target is resolved through ~/.ssh/config like OpenSSH (`ssh_config`); host keys are checked
like OpenSSH (`hostkeys`): an unknown key is shown and trusted only when the user says so, a
changed one is refused with an explanation. Keyboard-interactive prompts (the passcode) and
passwords go to a `Prompter` (the console shows a modal); answers are never stored or logged.

The link is an observable state (`link`). Network failures are retried with back-off; a cancelled
passcode, a refused login or a refused host key are not — asking again on its own would be
nagging — until `reconnect()`. A command cut off by a dead connection after it was sent is
"outcome unknown" (it may have run), never a success and never "not run". After login the remote
account is learned once (`id -un`, and its home) into `identity`.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import signal
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import asyncssh

from daostui.core.errors import TransportError
from daostui.transport import framing, hostkeys
from daostui.transport.base import (
    DEFAULT_TIMEOUT,
    EXIT_CANCELLED,
    EXIT_TIMEOUT,
    CommandResult,
    Prelude,
    Transport,
    now,
)
from daostui.transport.link import Link, LinkState
from daostui.transport.ssh_config import SshTarget, known_hosts_name, resolve
from daostui.transport.ssh_connect import Connector, HeldError, Prompter
from daostui.transport.ssh_files import RemoteFiles, channel_closed

__all__ = ["Prompter", "SshTarget", "SshTransport", "known_hosts_name"]

#: Exit status reported when the connection died under a command (like OpenSSH's client).
EXIT_CONNECTION_LOST = 255
BACKOFF_MAX = 60.0
MAX_COMMAND_SESSIONS = 6
#: Run once after login: who we are there, and where home is.
LOGIN_FACTS = ["sh", "-c", 'id -un && printf "%s\\n" "$HOME"']
#: Without a configured prelude the marker is printed by a plain `sh` (the user's shell runs it).
_BARE = Prelude((), shell="sh", login=False)


class SshTransport(Transport):
    #: The end of the header text while a reconnect is needed; the console names its key here.
    reconnect_hint = "reconnect to try again"

    def __init__(
        self,
        target: SshTarget,
        *,
        prelude: Prelude | None = None,
        prompter: Prompter | None = None,
        known_hosts: Path | None = None,
        client_keys: Sequence[str] | None = None,
        config_files: Sequence[Path | str] | None = None,
        extra_options: Mapping[str, Any] | None = None,
        connect_timeout: float = 30.0,
    ) -> None:
        """`known_hosts` replaces the files from config (tests); `config_files` replaces
        ~/.ssh/config and /etc/ssh/ssh_config (tests; `[]` reads none)."""
        super().__init__()
        self.target = target
        self.config_files = config_files
        self.resolved = resolve(target, config_files)
        self.known_hosts = (
            hostkeys.KnownHosts([known_hosts])
            if known_hosts is not None
            else hostkeys.KnownHosts(self.resolved.user_known_hosts, self.resolved.global_known_hosts)
        )
        self.prelude = prelude
        self.prompter = prompter
        self.client_keys = client_keys
        self.extra_options = dict(extra_options or {})
        self.connect_timeout = connect_timeout
        self.where = f"ssh:{self.resolved.display}"
        self.identity.user = self.resolved.user
        #: Printed right before `exec` on this transport's commands (see `framing`).
        self.marker = framing.new_marker()
        #: Old-style listeners: called with the header text of every link state.
        self.state_listeners: list[Callable[[str], None]] = []
        self._set_link(LinkState(Link.DISCONNECTED))
        self._conn: asyncssh.SSHClientConnection | None = None
        self._hops: list[asyncssh.SSHClientConnection] = []
        self._lock = asyncio.Lock()
        #: sshd allows 10 sessions per connection (MaxSessions): commands use at most this many at once,
        #: leaving room for output follows, SFTP and an interactive job.
        self._sessions = asyncio.Semaphore(MAX_COMMAND_SESSIONS)
        self._failures = 0
        self._next_attempt = 0.0
        self.connections_made = 0
        self.files = RemoteFiles(self.resolved.display, self.run)
        self._connector = Connector(
            target,
            self.resolved,
            self.known_hosts,
            prompter=lambda: self.prompter,
            on_lost=self._lost,
            config_files=config_files,
            client_keys=client_keys,
            extra_options=self.extra_options,
            connect_timeout=connect_timeout,
        )

    # ------------------------------------------------------------------ link state
    @property
    def state(self) -> str:
        """The header text of the link: `connected`, `reconnecting in 4s`, `disconnected: …`."""
        return self.link.text(self.reconnect_hint)

    def _set_link(self, state: LinkState) -> None:
        super()._set_link(state)
        text = state.text(self.reconnect_hint)
        for listener in list(getattr(self, "state_listeners", ())):
            with contextlib.suppress(Exception):
                listener(text)

    def _lost(self, conn: Any, exc: Exception | None) -> None:
        if conn is not None and conn is not self._conn:
            return  # an older connection closing late
        self._conn = None
        if not self.link.needs_reconnect:
            self._set_link(LinkState(Link.DISCONNECTED, f"connection lost: {exc}" if exc else ""))

    def _hold(self, reason: str) -> None:
        self._set_link(LinkState(Link.DISCONNECTED, reason, needs_reconnect=True))

    def _failed(self, reason: str) -> None:
        """A network failure: the next command tries again after a back-off (1, 2, 4 … 60 s)."""
        self._failures += 1
        delay = min(2.0 ** (self._failures - 1), BACKOFF_MAX)
        self._next_attempt = time.monotonic() + delay
        self._set_link(LinkState(Link.DISCONNECTED, reason, retry_in=delay))

    # ------------------------------------------------------------------ connecting
    async def connect(self) -> asyncssh.SSHClientConnection:
        """The live connection, (re)connecting with back-off when needed.

        Raises TransportError when not connected; after a cancelled passcode or a refused login
        it raises at once, without asking anything, until `reconnect()`.
        """
        async with self._lock:
            if self._conn is not None:
                return self._conn
            if self.link.needs_reconnect:
                raise TransportError(
                    f"not connected to {self.resolved.display}: {self.link.reason}",
                    hint=f"Nothing is retried on its own after that: {self.reconnect_hint}.",
                )
            wait = self._next_attempt - time.monotonic()
            if wait > 0:
                self._set_link(LinkState(Link.RECONNECTING, self.link.reason, retry_in=wait))
                await asyncio.sleep(wait)
            self._set_link(LinkState(Link.CONNECTING))
            try:
                conn, self._hops = await self._connector.open()
            except HeldError as exc:
                self._hold(exc.reason)
                raise
            except asyncio.CancelledError:
                # the command that was connecting went away (its pane closed): the next one tries again
                self._set_link(LinkState(Link.DISCONNECTED))
                raise
            except TransportError as exc:
                self._failed(str(exc))
                raise
            except (OSError, asyncssh.Error, TimeoutError) as exc:
                self._failed(f"cannot connect: {exc}")
                raise TransportError(
                    f"cannot connect to {self.resolved.display}: {exc}",
                    hint="Check the host name, your network/VPN, and your passcode.",
                ) from exc
            self._failures = 0
            self._conn = conn
            self.connections_made += 1
            await self._learn_identity(conn)
            self._set_link(LinkState(Link.CONNECTED, logins=self.connections_made))
            return conn

    async def reconnect(self) -> LinkState:
        """Connect now, forgetting back-off and a cancelled passcode (the console's reconnect key)."""
        if self._conn is None:
            self._failures, self._next_attempt = 0, 0.0
            self._set_link(LinkState(Link.DISCONNECTED, self.link.reason))
        await self.connect()
        return self.link

    async def _learn_identity(self, conn: asyncssh.SSHClientConnection) -> None:
        if self.identity.learned:
            return
        result = await self._execute(conn, tuple(LOGIN_FACTS), timeout=30)
        if result is _CLOSED:
            return
        lines = result.stdout.splitlines()
        if result.ok and lines and lines[0].strip():
            self.identity.learn(lines[0].strip(), lines[1].strip() if len(lines) > 1 else "")

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        hops, self._hops = self._hops, []
        for each in [conn, *reversed(hops)]:
            if each is not None:
                each.close()
                with contextlib.suppress(Exception):
                    await each.wait_closed()
        self._set_link(LinkState(Link.DISCONNECTED))

    # ------------------------------------------------------------------ commands
    def remote_command(
        self, argv: Sequence[str], env: Mapping[str, str] | None = None, *, merge_stderr: bool = False
    ) -> framing.FramedCommand:
        """The shell line sent for `argv`: quoted, through the prelude, framed by the marker."""
        args = [str(a) for a in argv]
        if env:
            args = ["env", *(f"{k}={v}" for k, v in env.items()), *args]
        wrapped = (self.prelude or _BARE).wrap(args, marker=self.marker, merge_stderr=merge_stderr)
        return framing.FramedCommand(shlex.join(wrapped), self.marker)

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
        for _attempt in range(2):
            try:
                conn = await self.connect()
            except TransportError as exc:
                return self._not_sent(original, str(exc))
            async with self._sessions:
                result = await self._execute(conn, original, timeout=timeout, stdin=stdin, env=env, cwd=cwd)
            if result is not _CLOSED:
                return result
            # the connection had died unnoticed: the command was never sent, so sending it again is safe
            self._lost(conn, ConnectionError("connection closed"))
        return self._not_sent(original, f"the connection to {self.resolved.display} keeps closing")

    def _not_sent(self, argv: tuple[str, ...], message: str) -> CommandResult:
        return self._finish(
            argv, "", time.monotonic(), now(), EXIT_CONNECTION_LOST, "", message, error=message
        )

    def _finish(
        self,
        argv: tuple[str, ...],
        command: str,
        clock: float,
        started_at: float,
        status: int,
        out: str,
        err: str,
        **flags: Any,
    ) -> CommandResult:
        noise = ""
        if command:
            out, err, noise = framing.frame_result(out, err, self.marker, status, flags)
        result = CommandResult(
            argv=argv,
            exit_status=status,
            stdout=out,
            stderr=err,
            duration=time.monotonic() - clock,
            started_at=started_at,
            where=self.where,
            wrapped_argv=("ssh", self.resolved.display, command) if command else (),
            login_noise=noise,
            **flags,
        )
        self._emit(result)
        return result

    async def _execute(
        self,
        conn: asyncssh.SSHClientConnection,
        argv: tuple[str, ...],
        *,
        timeout: float | None,
        stdin: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> CommandResult:
        command = self.remote_command(["env", "-C", cwd, *argv] if cwd else argv, env)
        started_at, clock = now(), time.monotonic()
        out: list[str] = []
        err: list[str] = []
        readers: list[asyncio.Future[None]] = []

        def finish(status: int, **flags: Any) -> CommandResult:
            return self._finish(argv, command, clock, started_at, status, "".join(out), "".join(err), **flags)

        def lost(exc: BaseException | None) -> CommandResult:
            """The connection died after the command was sent: it may have run."""
            why = (
                f"connection lost during the command ({exc})" if exc else "connection lost during the command"
            )
            if err and not err[-1].endswith("\n"):
                err.append("\n")
            err.append(f"{why}: outcome unknown, it may have run on the login node")
            return finish(EXIT_CONNECTION_LOST, outcome_unknown=True)

        try:
            process = await conn.create_process(command, encoding="utf-8", errors="replace")
        except asyncssh.ChannelOpenError as exc:
            if channel_closed(conn, exc):
                return _CLOSED
            return finish(EXIT_CONNECTION_LOST, error=f"the login node refused a new session: {exc.reason}")
        except (asyncssh.Error, OSError, ConnectionError) as exc:
            self._lost(conn, exc)
            return lost(exc)
        except asyncio.CancelledError:
            finish(EXIT_CANCELLED, cancelled=True)
            raise
        readers = [
            asyncio.ensure_future(_drain(process.stdout, out)),
            asyncio.ensure_future(_drain(process.stderr, err)),
        ]
        try:
            if stdin is not None:
                process.stdin.write(stdin.decode("utf-8", "replace") if isinstance(stdin, bytes) else stdin)
            process.stdin.write_eof()
            await asyncio.wait_for(asyncio.gather(*readers), timeout)
            await asyncio.wait_for(process.wait_closed(), 10)
        except TimeoutError:
            _stop(readers)
            _kill(process)
            return finish(EXIT_TIMEOUT, timed_out=True)
        except asyncio.CancelledError:
            _stop(readers)
            _kill(process)
            finish(EXIT_CANCELLED, cancelled=True)
            raise
        except (asyncssh.Error, OSError, ConnectionError) as exc:
            _stop(readers)
            self._lost(conn, exc)
            return lost(exc)
        status = process.exit_status
        if status is not None and status >= 0:
            return finish(status)
        if process.exit_signal:
            name = str(process.exit_signal[0])
            number = getattr(signal, f"SIG{name}", None)
            err.append(f"\nkilled by signal {name} on the login node")
            return finish(128 + int(number) if number is not None else EXIT_CONNECTION_LOST)
        # no exit status and no signal: the channel went away under the command
        return lost(None)

    async def stream(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> AsyncIterator[str]:
        command_argv = [str(a) for a in argv]
        if cwd:
            command_argv = ["env", "-C", cwd, *command_argv]
        conn = await self.connect()
        command = self.remote_command(command_argv, env, merge_stderr=True)
        try:
            process = await conn.create_process(command, encoding="utf-8", errors="replace")
        except (asyncssh.Error, OSError) as exc:
            raise TransportError(
                f"cannot run `{shlex.join(command_argv)}` on {self.resolved.display}: {exc}"
            ) from exc
        noise: list[str] = []
        noise_reader = asyncio.ensure_future(_drain(process.stderr, noise))
        frame = framing.LineFrame(self.marker)
        try:
            try:
                async for line in process.stdout:
                    if line and frame.feed(line.rstrip("\n")):  # "" marks the end, a real empty line is "\n"
                        yield line.rstrip("\n")
            except (asyncssh.Error, OSError) as exc:
                raise TransportError(
                    f"connection to {self.resolved.display} lost while following: {exc}"
                ) from exc
            with contextlib.suppress(TimeoutError, asyncssh.Error):
                await asyncio.wait_for(process.wait_closed(), 10)
            if not frame.started:
                status = process.exit_status if process.exit_status is not None else EXIT_CONNECTION_LOST
                message = framing.not_started(status)
                self._emit(
                    CommandResult(
                        argv=tuple(command_argv),
                        exit_status=status,
                        stdout="",
                        stderr="".join(noise),
                        duration=0.0,
                        started_at=now(),
                        where=self.where,
                        wrapped_argv=("ssh", self.resolved.display, command),
                        error=message,
                        login_noise=framing.join_noise(frame.noise, "".join(noise)),
                    )
                )
                raise TransportError(f"`{shlex.join(command_argv)}`: {message}")
            if process.exit_status is None and not process.exit_signal:
                raise TransportError(f"connection to {self.resolved.display} lost while following the output")
        finally:
            noise_reader.cancel()
            _kill(process)

    # ------------------------------------------------------------------ files
    async def home(self) -> str:
        conn = await self.connect()
        if self.identity.home:
            return self.identity.home
        home = await self.files.home(conn)
        self.identity.home = home
        return home

    async def make_dirs(self, path: str, mode: int = 0o700) -> None:
        await self.files.make_dirs(await self.connect(), path, mode)

    async def write_file(
        self, path: str, data: str | bytes, *, mode: int = 0o600, exclusive: bool = True
    ) -> None:
        payload = data.encode() if isinstance(data, str) else data
        await self.files.write(await self.connect(), path, payload, mode, exclusive)


#: `_execute`'s answer when the connection was found closed before the command was sent.
_CLOSED: Any = object()


async def _drain(stream: Any, sink: list[str]) -> None:
    while True:
        chunk = await stream.read(65536)
        if not chunk:
            return
        sink.append(chunk)


def _stop(readers: list[asyncio.Future[None]]) -> None:
    for task in readers:
        task.cancel()


def _kill(process: Any) -> None:
    if process is None:
        return
    with contextlib.suppress(Exception):
        process.send_signal("KILL")
    with contextlib.suppress(Exception):
        process.close()
