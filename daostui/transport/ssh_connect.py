"""Opening the ssh connection: ProxyJump hops, host keys judged like OpenSSH, the passcode prompt.

Each hop (and the login node) is one asyncssh connection whose client remembers the host key it
was shown. When known_hosts does not trust it, the connection fails before authentication (no
passcode spent); the key is then judged (`hostkeys`): changed or revoked keys are refused with an
explanation, an unknown one is shown to the user and, if trusted, recorded — and the connection
is made again at once. A cancelled prompt, a refused login or a refused key raise `HeldError`: the
transport then waits for an explicit reconnect instead of asking again on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import asyncssh

from daostui.core.errors import TransportError
from daostui.transport import hostkeys
from daostui.transport.ssh_config import ResolvedTarget, SshTarget, jump_targets, known_hosts_name, resolve

KEEPALIVE_INTERVAL = 15
KEEPALIVE_COUNT_MAX = 4
MAX_PASSCODE_TRIES = 3


class Prompter(Protocol):
    """The UI side of authentication and host-key trust."""

    async def keyboard_interactive(
        self, host: str, name: str, instructions: str, prompts: Sequence[tuple[str, bool]]
    ) -> list[str] | None: ...

    async def password(self, host: str, user: str) -> str | None: ...

    async def trust_host_key(self, host: str, port: int, key_type: str, fingerprint: str) -> bool: ...


class HeldError(TransportError):
    """A failure that must not be retried automatically (the user said no, or the server did)."""

    def __init__(self, message: str, reason: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class _Client(asyncssh.SSHClient):
    """One hop's client: records the host key offered, asks the prompter, notices a lost link."""

    def __init__(self, connector: Connector, target: ResolvedTarget, *, main: bool) -> None:
        self._connector = connector
        self._target = target
        self._main = main
        self._challenges = 0
        self.cancelled = False
        self.seen: tuple[str, asyncssh.SSHKey] | None = None
        self.conn: asyncssh.SSHClientConnection | None = None

    def connection_made(self, conn: asyncssh.SSHClientConnection) -> None:
        self.conn = conn

    def connection_lost(self, exc: Exception | None) -> None:
        if self._main:
            self._connector.on_lost(self.conn, exc)

    def validate_host_public_key(self, host: str, addr: str, port: int, key: asyncssh.SSHKey) -> bool:
        # called only for a key known_hosts does not trust: remember it, decide after the failure
        self.seen = (known_hosts_name(host, port), key)
        return False

    def kbdint_auth_requested(self) -> str:
        return ""  # let the server choose the submethods (the passcode prompt)

    async def kbdint_challenge_received(
        self, name: str, instructions: str, lang: str, prompts: Sequence[tuple[str, bool]]
    ) -> list[str] | None:
        if not prompts:
            return []
        prompter = self._connector.prompter()
        self._challenges += 1
        if prompter is None or self._challenges > MAX_PASSCODE_TRIES:
            return None  # give up this connection attempt instead of looping on a wrong passcode
        answers = await prompter.keyboard_interactive(
            self._target.hostname, name, instructions, list(prompts)
        )
        if answers is None:
            self.cancelled = True
        return answers

    async def password_auth_requested(self) -> str | None:  # type: ignore[override]
        prompter = self._connector.prompter()
        if prompter is None:
            return None
        answer = await prompter.password(self._target.hostname, self._target.user)
        if answer is None:
            self.cancelled = True
        return answer


class Connector:
    """Opens connections to one resolved target (through its ProxyJump hops)."""

    def __init__(
        self,
        target: SshTarget,
        resolved: ResolvedTarget,
        known_hosts: hostkeys.KnownHosts,
        *,
        prompter: Callable[[], Prompter | None],
        on_lost: Callable[[Any, Exception | None], None],
        config_files: Sequence[Path | str] | None,
        client_keys: Sequence[str] | None,
        extra_options: Mapping[str, Any],
        connect_timeout: float,
    ) -> None:
        """`prompter` is read at each use (the console installs its own after start-up); `on_lost` is
        told when the login node's connection ends."""
        self.target = target
        self.resolved = resolved
        self.known_hosts = known_hosts
        self.prompter = prompter
        self.on_lost = on_lost
        self.config_files = config_files
        self.client_keys = client_keys
        self.extra_options = dict(extra_options)
        self.connect_timeout = connect_timeout

    def options(self, target: ResolvedTarget) -> dict[str, Any]:
        options: dict[str, Any] = {
            "known_hosts": self.known_hosts.asyncssh_matcher(),
            "keepalive_interval": KEEPALIVE_INTERVAL,
            "keepalive_count_max": KEEPALIVE_COUNT_MAX,
            "connect_timeout": self.connect_timeout,
            "config": [str(p) for p in target.config_files],
        }
        if not target.host_key_algorithms:  # the config's own list wins, as in OpenSSH
            options["server_host_key_algs"] = self.known_hosts.algorithms(target.known_hosts_name)
        if self.client_keys is not None:
            options["client_keys"] = list(self.client_keys)
        options.update(self.extra_options)
        return options

    async def open_hop(
        self, target: SshTarget, tunnel: asyncssh.SSHClientConnection | None, *, main: bool
    ) -> asyncssh.SSHClientConnection:
        """One connection (a ProxyJump hop or the login node), trusting a new host key if told to."""
        resolved = self.resolved if main else resolve(target, self.config_files)
        for _attempt in range(2):
            client = _Client(self, resolved, main=main)
            try:
                return await asyncssh.connect(
                    resolved.alias,
                    port=target.port or (),
                    username=target.user or (),
                    tunnel=tunnel,
                    client_factory=lambda c=client: c,  # type: ignore[misc]
                    **self.options(resolved),
                )
            except asyncssh.HostKeyNotVerifiable as exc:
                await self._judge_host_key(resolved, client, exc)  # returns only when now trusted
            except asyncssh.PermissionDenied as exc:
                if client.cancelled:
                    raise HeldError(
                        f"not connected to {resolved.display}: the passcode prompt was cancelled",
                        "passcode cancelled",
                    ) from exc
                raise HeldError(
                    f"{resolved.display} refused the login: {exc.reason}",
                    "login refused",
                    hint="Check your ssh key and passcode (a passcode works once), then reconnect.",
                ) from exc
        raise HeldError(f"the host key of {resolved.hostname} is still not accepted", "host key not accepted")

    async def _judge_host_key(
        self, target: ResolvedTarget, client: _Client, exc: asyncssh.HostKeyNotVerifiable
    ) -> None:
        if client.seen is None:  # revoked, or a certificate from a CA nobody trusts
            raise HeldError(
                f"the host key of {target.hostname} was refused: {exc.reason}",
                "host key refused",
                hint="Check known_hosts (@revoked / @cert-authority lines) and ask the site's support.",
            ) from exc
        name, key = client.seen
        verdict, known = self.known_hosts.verdict(name, key)
        kind, fingerprint = hostkeys.key_type(key), hostkeys.fingerprint(key)
        remove = f"ssh-keygen -R '{name}'" + (
            ""
            if self.known_hosts.write_file == Path("~/.ssh/known_hosts").expanduser()
            else f" -f {self.known_hosts.write_file}"
        )
        if verdict == hostkeys.Verdict.REVOKED:
            raise HeldError(
                f"the {kind} host key of {name} is revoked in known_hosts", "host key revoked"
            ) from exc
        if verdict == hostkeys.Verdict.CHANGED:
            raise HeldError(
                f"the {kind} host key of {name} has CHANGED (now {fingerprint}); refusing to connect",
                "host key changed",
                hint="This can be an attack or a reinstalled login node. Check with the site's support, "
                f"then remove the old entry with `{remove}`.",
            ) from exc
        trusted = False
        prompter = self.prompter()
        if prompter is not None:
            trusted = await prompter.trust_host_key(target.hostname, target.port, kind, fingerprint)
        if not trusted:
            others = f" (known_hosts has its {', '.join(known.key_types)} key)" if known.key_types else ""
            raise HeldError(
                f"the host key of {name} is unknown ({kind} {fingerprint}){others} and was not trusted",
                "host key not trusted",
                hint=f"Verify the fingerprint, then connect once with `ssh {self.target}` to add it.",
            ) from exc
        self.known_hosts.record(name, key, hashed=target.hash_known_hosts)

    async def open(self) -> tuple[asyncssh.SSHClientConnection, list[asyncssh.SSHClientConnection]]:
        """(the login node's connection, the ProxyJump hops it goes through, first to last)."""
        tunnel: asyncssh.SSHClientConnection | None = None
        hops: list[asyncssh.SSHClientConnection] = []
        try:
            for hop in jump_targets(self.resolved.proxy_jump):
                tunnel = await self.open_hop(hop, tunnel, main=False)
                hops.append(tunnel)
            conn = await self.open_hop(self.target, tunnel, main=True)
        except BaseException:
            for hop_conn in reversed(hops):
                hop_conn.close()
            raise
        return conn, hops
