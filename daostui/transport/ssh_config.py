"""Where `--ssh TARGET` really goes: `[USER@]HOST[:PORT]` resolved through ~/.ssh/config like OpenSSH.

`daostui --ssh aurora` must reach the same account on the same machine as `ssh aurora`: HostName,
Port, User, IdentityFile, ProxyJump and Include come from the user's config (then the system's,
first value wins, as OpenSSH reads them), and the host-key prompt and known_hosts use the resolved
HostName and port — the names `ssh` itself records. asyncssh's own config parser is used, so the
connection and this resolution can never disagree.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asyncssh.config import SSHClientConfig, SSHConfig

from daostui.core.errors import TransportError
from daostui.transport.base import local_user

DEFAULT_PORT = 22
#: The files OpenSSH reads, in its order (the first value obtained for an option wins).
DEFAULT_CONFIG_FILES = (Path("~/.ssh/config"), Path("/etc/ssh/ssh_config"))
DEFAULT_USER_KNOWN_HOSTS = ("~/.ssh/known_hosts", "~/.ssh/known_hosts2")
DEFAULT_GLOBAL_KNOWN_HOSTS = ("/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2")
_USAGE = "use --ssh NAME (a Host in ~/.ssh/config or an [ssh.NAME] entry) or --ssh [USER@]HOST[:PORT]"


class _Config(SSHClientConfig):
    """asyncssh's client config, also reading HashKnownHosts (it decides how a trusted key is saved)."""

    _handlers = {
        **SSHClientConfig._handlers,
        "hashknownhosts": ("HashKnownHosts", SSHConfig._set_bool),
    }


@dataclass(frozen=True, slots=True)
class SshTarget:
    """What the user asked for: a Host alias or `[USER@]HOST[:PORT]`; explicit parts win over config."""

    host: str
    user: str | None = None
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> SshTarget:
        """`[USER@]HOST[:PORT]` (also `[v6::addr]:port`)."""
        text = text.strip()
        if not text:
            raise TransportError("empty ssh target", hint=_USAGE)
        user, _, rest = text.rpartition("@")
        port: int | None = None
        if rest.startswith("["):
            host, _, tail = rest[1:].partition("]")
            if tail.startswith(":") and tail[1:].isdigit():
                port = int(tail[1:])
        elif rest.count(":") == 1:
            host, _, port_text = rest.partition(":")
            if not port_text.isdigit():
                raise TransportError(f"bad port in {text!r}", hint=_USAGE)
            port = int(port_text)
        else:
            host = rest
        if not host:
            raise TransportError(f"no host in {text!r}", hint=_USAGE)
        return cls(host=host, user=user or None, port=port)

    def __str__(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"{who}{self.host}" + (f":{self.port}" if self.port else "")


def known_hosts_name(host: str, port: int | None) -> str:
    """The name OpenSSH looks up and records in known_hosts: `host`, or `[host]:port` off port 22."""
    return f"[{host}]:{port}" if port and port != DEFAULT_PORT else host


@dataclass(frozen=True, slots=True)
class ResolvedTarget:
    """A target after ~/.ssh/config: where the connection really goes, as whom, checked how."""

    #: What was asked for (passed to asyncssh, which applies the same config to it).
    alias: str
    hostname: str
    port: int
    user: str
    identity_files: tuple[str, ...] = ()
    #: Hops to go through first (`ProxyJump`), "" for a direct connection.
    proxy_jump: str = ""
    #: known_hosts files read (user files first; a newly trusted key goes to the first one).
    user_known_hosts: tuple[Path, ...] = ()
    global_known_hosts: tuple[Path, ...] = ()
    host_key_alias: str = ""
    #: `HostKeyAlgorithms` from config ("" when unset: daostui orders them like OpenSSH).
    host_key_algorithms: str = ""
    hash_known_hosts: bool = False
    config_files: tuple[Path, ...] = ()

    @property
    def known_hosts_name(self) -> str:
        return known_hosts_name(self.host_key_alias or self.hostname, self.port)

    @property
    def display(self) -> str:
        """`user@host` (with `:port` off 22): what the header and the command log say."""
        return f"{self.user}@{self.hostname}" + (f":{self.port}" if self.port != DEFAULT_PORT else "")


def config_files(paths: Sequence[Path | str] | None = None) -> tuple[Path, ...]:
    """The readable config files among `paths` (default: the user's, then the system's)."""
    candidates = DEFAULT_CONFIG_FILES if paths is None else paths
    found = []
    for path in candidates:
        expanded = Path(path).expanduser()
        if expanded.is_file() and os.access(expanded, os.R_OK):
            found.append(expanded)
    return tuple(found)


def _files(value: Any, default: Sequence[str]) -> tuple[Path, ...]:
    names = list(value) if value else list(default)
    return tuple(Path(os.path.expanduser(name)) for name in names if name.lower() != "none")


def resolve(target: SshTarget, paths: Sequence[Path | str] | None = None) -> ResolvedTarget:
    """Apply the ssh config files to `target` (TransportError naming the file and line on a bad one)."""
    files = config_files(paths)
    user: Any = target.user if target.user else ()
    port: Any = target.port if target.port else ()
    try:
        config = _Config.load(None, list(files), False, False, False, local_user(), user, target.host, port)
    except (OSError, ValueError) as exc:  # asyncssh's ConfigParseError is a ValueError
        raise TransportError(f"cannot read the ssh config: {exc}", hint="Fix the file it names.") from exc
    proxy_jump = str(config.get("ProxyJump") or "")
    return ResolvedTarget(
        alias=target.host,
        hostname=str(config.get("Hostname") or target.host),
        port=int(config.get("Port") or DEFAULT_PORT),  # type: ignore[call-overload]
        user=str(config.get("User") or local_user()),
        identity_files=tuple(str(p) for p in config.get("IdentityFile") or ()),  # type: ignore[attr-defined]
        proxy_jump="" if proxy_jump.lower() == "none" else proxy_jump,
        user_known_hosts=_files(config.get("UserKnownHostsFile"), DEFAULT_USER_KNOWN_HOSTS),
        global_known_hosts=_files(config.get("GlobalKnownHostsFile"), DEFAULT_GLOBAL_KNOWN_HOSTS),
        host_key_alias=str(config.get("HostKeyAlias") or ""),
        host_key_algorithms=str(config.get("HostKeyAlgorithms") or ""),
        hash_known_hosts=bool(config.get("HashKnownHosts", False)),
        config_files=files,
    )


def jump_targets(proxy_jump: str) -> list[SshTarget]:
    """The hops of a `ProxyJump` value (`[user@]host[:port]`, comma-separated; `ssh://` URIs too)."""
    hops = []
    for hop in proxy_jump.split(","):
        hop = hop.strip().removeprefix("ssh://")
        if hop:
            hops.append(SshTarget.parse(hop))
    return hops
