"""Run commands on a login node over one multiplexed asyncssh connection.

Every command is a channel on the same connection (Aurora logins cost a one-time passcode each,
so one connection matters), quoted with `shlex.join` and run in a login shell through the site's
module prelude — argv in, argv out, nothing interpreted by the remote shell but the prelude.

Host keys are checked against known_hosts *before* authenticating: an unknown host's fingerprint
is shown and trusted only when the user says so (then appended to known_hosts); a changed key is
refused with an explanation. Keyboard-interactive prompts (the passcode) and passwords go to a
`Prompter` (the console shows a modal); answers are never stored or logged. Keepalives detect a
dead connection; in-flight commands then fail as "connection lost" (never as success), and the next
command reconnects with back-off, asking for a new passcode when needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import asyncssh

from daostui.core.errors import TransportError
from daostui.transport.base import (
    DEFAULT_TIMEOUT,
    EXIT_CANCELLED,
    EXIT_TIMEOUT,
    CommandResult,
    Prelude,
    Transport,
    now,
)

#: Exit status reported when the connection died under a command (like OpenSSH's client).
EXIT_CONNECTION_LOST = 255
KEEPALIVE_INTERVAL = 15
KEEPALIVE_COUNT_MAX = 4
BACKOFF_MAX = 60.0
MAX_PASSCODE_TRIES = 3


class Prompter(Protocol):
    """The UI side of authentication and host-key trust."""

    async def keyboard_interactive(
        self, host: str, name: str, instructions: str, prompts: Sequence[tuple[str, bool]]
    ) -> list[str] | None: ...

    async def password(self, host: str, user: str) -> str | None: ...

    async def trust_host_key(self, host: str, port: int, key_type: str, fingerprint: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class SshTarget:
    host: str
    user: str | None = None
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> SshTarget:
        """`[USER@]HOST[:PORT]` (also `[v6::addr]:port`)."""
        text = text.strip()
        if not text:
            raise TransportError("empty ssh target", hint="use --ssh [USER@]HOST[:PORT]")
        user, _, rest = text.rpartition("@")
        port: int | None = None
        if rest.startswith("["):
            host, _, tail = rest[1:].partition("]")
            if tail.startswith(":") and tail[1:].isdigit():
                port = int(tail[1:])
        elif rest.count(":") == 1:
            host, _, port_text = rest.partition(":")
            if not port_text.isdigit():
                raise TransportError(f"bad port in {text!r}", hint="use --ssh [USER@]HOST[:PORT]")
            port = int(port_text)
        else:
            host = rest
        if not host:
            raise TransportError(f"no host in {text!r}", hint="use --ssh [USER@]HOST[:PORT]")
        return cls(host=host, user=user or None, port=port)

    def __str__(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"{who}{self.host}" + (f":{self.port}" if self.port else "")


def known_hosts_name(host: str, port: int | None) -> str:
    return f"[{host}]:{port}" if port and port != 22 else host


class HostKeyStatus:
    TRUSTED = "trusted"
    UNKNOWN = "unknown"
    CHANGED = "changed"


def host_key_status(known_hosts: Path, host: str, port: int | None, key: asyncssh.SSHKey) -> str:
    if not known_hosts.exists():
        return HostKeyStatus.UNKNOWN
    try:
        entries = asyncssh.read_known_hosts(str(known_hosts))
    except (OSError, ValueError):
        return HostKeyStatus.UNKNOWN
    keys = entries.match(host, "", port)[0]
    if not keys:
        return HostKeyStatus.UNKNOWN
    return HostKeyStatus.TRUSTED if key in keys else HostKeyStatus.CHANGED


class _Client(asyncssh.SSHClient):
    def __init__(self, transport: SshTransport) -> None:
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport._lost(exc)

    def kbdint_auth_requested(self) -> str:
        return ""  # let the server choose the submethods (the passcode prompt)

    async def kbdint_challenge_received(
        self, name: str, instructions: str, lang: str, prompts: Sequence[tuple[str, bool]]
    ) -> list[str] | None:
        if not prompts:
            return []
        prompter = self._transport.prompter
        self._challenges = getattr(self, "_challenges", 0) + 1
        if prompter is None or self._challenges > MAX_PASSCODE_TRIES:
            return None  # give up this connection attempt instead of looping on a wrong passcode
        return await prompter.keyboard_interactive(
            self._transport.target.host, name, instructions, list(prompts)
        )

    def password_auth_requested(self) -> Any:
        prompter = self._transport.prompter
        if prompter is None:
            return None
        user = self._transport.target.user or ""
        return prompter.password(self._transport.target.host, user)


class SshTransport(Transport):
    def __init__(
        self,
        target: SshTarget,
        *,
        prelude: Prelude | None = None,
        prompter: Prompter | None = None,
        known_hosts: Path | None = None,
        client_keys: Sequence[str] | None = None,
        extra_options: Mapping[str, Any] | None = None,
        connect_timeout: float = 30.0,
    ) -> None:
        super().__init__()
        self.target = target
        self.prelude = prelude
        self.prompter = prompter
        self.known_hosts = known_hosts or Path.home() / ".ssh" / "known_hosts"
        self.client_keys = client_keys
        self.extra_options = dict(extra_options or {})
        self.connect_timeout = connect_timeout
        self.where = f"ssh:{target}"
        self.state = "disconnected"
        self.state_listeners: list[Callable[[str], None]] = []
        self._conn: asyncssh.SSHClientConnection | None = None
        self._lock = asyncio.Lock()
        self._failures = 0
        self._next_attempt = 0.0
        self.connections_made = 0

    # ------------------------------------------------------------------ connection
    def _set_state(self, state: str) -> None:
        self.state = state
        for listener in list(self.state_listeners):
            with contextlib.suppress(Exception):
                listener(state)

    def _lost(self, exc: Exception | None) -> None:
        self._conn = None
        self._set_state("disconnected" if exc is None else f"connection lost: {exc}")

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "known_hosts": str(self.known_hosts),
            "keepalive_interval": KEEPALIVE_INTERVAL,
            "keepalive_count_max": KEEPALIVE_COUNT_MAX,
            "connect_timeout": self.connect_timeout,
        }
        if self.target.port:
            options["port"] = self.target.port
        if self.target.user:
            options["username"] = self.target.user
        if self.client_keys is not None:
            options["client_keys"] = list(self.client_keys)
        options.update(self.extra_options)
        return options

    async def _check_host_key(self) -> None:
        extra = {k: v for k, v in self.extra_options.items() if k in ("config", "tunnel", "proxy_command")}
        key = await asyncssh.get_server_host_key(self.target.host, self.target.port or (), **extra)
        if key is None:
            return
        status = host_key_status(self.known_hosts, self.target.host, self.target.port, key)
        fingerprint = key.get_fingerprint("sha256")
        if status == HostKeyStatus.TRUSTED:
            return
        if status == HostKeyStatus.CHANGED:
            raise TransportError(
                f"the host key of {self.target.host} has CHANGED (now {key.get_algorithm()} {fingerprint}); "
                "refusing to connect",
                hint="This can be an attack or a reinstalled login node. Check with ALCF support, then "
                f"remove the old entry with `ssh-keygen -R {known_hosts_name(self.target.host, self.target.port)}`.",
            )
        trusted = False
        if self.prompter is not None:
            trusted = await self.prompter.trust_host_key(
                self.target.host, self.target.port or 22, key.get_algorithm(), fingerprint
            )
        if not trusted:
            raise TransportError(
                f"the host key of {self.target.host} is unknown ({key.get_algorithm()} {fingerprint}) and was "
                "not trusted",
                hint=f"Verify the fingerprint, then connect once with `ssh {self.target}` to add it.",
            )
        self.known_hosts.parent.mkdir(parents=True, exist_ok=True)
        line = (
            f"{known_hosts_name(self.target.host, self.target.port)} "
            + key.export_public_key("openssh").decode().strip()
            + "\n"
        )
        with open(self.known_hosts, "a", encoding="utf-8") as handle:
            handle.write(line)

    async def connect(self) -> asyncssh.SSHClientConnection:
        """The live connection, (re)connecting with back-off when needed."""
        async with self._lock:
            if self._conn is not None:
                return self._conn
            wait = self._next_attempt - time.monotonic()
            if wait > 0:
                self._set_state(f"reconnecting in {int(wait) + 1}s")
                await asyncio.sleep(wait)
            self._set_state("connecting")
            try:
                await self._check_host_key()
                conn, _client = await asyncssh.create_connection(
                    lambda: _Client(self), self.target.host, **self._options()
                )
            except TransportError as exc:
                self._failed(str(exc))
                raise
            except (OSError, asyncssh.Error, TimeoutError) as exc:
                self._failed(str(exc))
                raise TransportError(
                    f"cannot connect to {self.target}: {exc}",
                    hint="Check the host name, your network/VPN, and your passcode.",
                ) from exc
            self._failures = 0
            self._conn = conn
            self.connections_made += 1
            self._set_state("connected")
            return conn

    def _failed(self, message: str) -> None:
        self._failures += 1
        delay = min(2.0 ** (self._failures - 1), BACKOFF_MAX)
        self._next_attempt = time.monotonic() + delay
        self._set_state(f"disconnected: {message}")

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
            with contextlib.suppress(Exception):
                await conn.wait_closed()
        self._set_state("disconnected")

    # ------------------------------------------------------------------ commands
    def remote_command(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
        args = [str(a) for a in argv]
        if env:
            args = ["env", *(f"{k}={v}" for k, v in env.items()), *args]
        if self.prelude is not None:
            args = self.prelude.wrap(args)
        return shlex.join(args)

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
        command_argv = list(original)
        if cwd:
            command_argv = ["env", "-C", cwd, *command_argv]
        command = self.remote_command(command_argv, env)
        started_at = now()
        clock = time.monotonic()

        def finish(status: int, out: str, err: str, **flags: Any) -> CommandResult:
            result = CommandResult(
                argv=original,
                exit_status=status,
                stdout=out,
                stderr=err,
                duration=time.monotonic() - clock,
                started_at=started_at,
                where=self.where,
                wrapped_argv=("ssh", str(self.target), command),
                **flags,
            )
            self._emit(result)
            return result

        try:
            conn = await self.connect()
        except TransportError as exc:
            return finish(EXIT_CONNECTION_LOST, "", str(exc), error=str(exc))
        process: Any = None
        out: list[str] = []
        err: list[str] = []
        readers: list[asyncio.Future[None]] = []

        async def drain(stream: Any, sink: list[str]) -> None:
            while True:
                chunk = await stream.read(65536)
                if not chunk:
                    return
                sink.append(chunk)

        def stop_readers() -> None:
            for task in readers:
                task.cancel()

        try:
            process = await conn.create_process(command, encoding="utf-8", errors="replace")
            readers = [
                asyncio.ensure_future(drain(process.stdout, out)),
                asyncio.ensure_future(drain(process.stderr, err)),
            ]
            if stdin is not None:
                process.stdin.write(stdin.decode("utf-8", "replace") if isinstance(stdin, bytes) else stdin)
            process.stdin.write_eof()
            await asyncio.wait_for(asyncio.gather(*readers), timeout)
            await asyncio.wait_for(process.wait_closed(), 10)
        except TimeoutError:
            stop_readers()
            self._kill(process)
            return finish(EXIT_TIMEOUT, "".join(out), "".join(err), timed_out=True)
        except asyncio.CancelledError:
            stop_readers()
            self._kill(process)
            finish(EXIT_CANCELLED, "".join(out), "".join(err), cancelled=True)
            raise
        except (asyncssh.Error, OSError, ConnectionError) as exc:
            stop_readers()
            self._lost(exc)
            message = f"connection lost during the command: {exc}"
            partial_err = "".join(err)
            return finish(
                EXIT_CONNECTION_LOST,
                "".join(out),
                partial_err + ("\n" if partial_err else "") + message,
                error=message,
            )
        status = process.exit_status
        if status is None or status < 0:
            # the channel closed without an exit status: the connection died or the command was killed
            signal = process.exit_signal
            message = (
                f"remote command ended without an exit status ({signal[0] if signal else 'channel closed'})"
            )
            if self._conn is None:
                message = "connection lost during the command"
            return finish(EXIT_CONNECTION_LOST, "".join(out), "".join(err), error=message)
        return finish(status, "".join(out), "".join(err))

    @staticmethod
    def _kill(process: Any) -> None:
        if process is None:
            return
        with contextlib.suppress(Exception):
            process.send_signal("KILL")
        with contextlib.suppress(Exception):
            process.close()

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
        process = await conn.create_process(
            self.remote_command(command_argv, env), encoding="utf-8", errors="replace", stderr=asyncssh.STDOUT
        )
        try:
            async for line in process.stdout:
                if line:  # a bare "" marks end of stream, a real empty line is "\n"
                    yield line.rstrip("\n")
        finally:
            self._kill(process)
