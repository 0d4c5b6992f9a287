"""Host keys checked like OpenSSH: known_hosts as `ssh` writes it, trust on first use, never a false alarm.

A known_hosts written by `ssh` holds hashed names (`|1|salt|hash`, Debian hashes by default),
`[host]:port` names off port 22, one line per key type, `@cert-authority` and `@revoked` lines.
All of that is read with asyncssh's parser, looked up under exactly the name OpenSSH uses (no
fallback from `[host]:port` to `host`), and:

- the host key algorithms offered are ordered like OpenSSH: types already known for this host
  first (certificates first when a CA is trusted), then the rest — so a host known by its
  ed25519 key is asked for its ed25519 key;
- a key is "changed" only when a stored key *of the negotiated type* differs; an unknown type on a
  known host is a new key, asked like any unknown key (saying which types are known);
- a trusted key is appended under the name OpenSSH would record, hashed when the file is hashed or
  HashKnownHosts says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
from asyncssh.public_key import get_default_certificate_algs, get_default_public_key_algs

#: OpenSSH 9's default HostKeyAlgorithms in its order (`ssh -G -F /dev/null HOST`). asyncssh's own
#: default puts RSA first — a server would then show its RSA key to a client that knows its ed25519 one.
OPENSSH_ORDER = (
    "ssh-ed25519-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "rsa-sha2-512",
    "rsa-sha2-256",
)


class Verdict:
    TRUSTED = "trusted"
    UNKNOWN = "unknown"
    CHANGED = "changed"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class Known:
    """What known_hosts says about one name."""

    host_keys: tuple[asyncssh.SSHKey, ...] = ()
    ca_keys: tuple[asyncssh.SSHKey, ...] = ()
    revoked: tuple[asyncssh.SSHKey, ...] = ()

    @property
    def key_types(self) -> list[str]:
        return sorted({_text(key.algorithm) for key in self.host_keys})


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class KnownHosts:
    """The known_hosts files of one connection: user files (first one is written) then global ones."""

    def __init__(self, user_files: Sequence[Path], global_files: Sequence[Path] = ()) -> None:
        self.user_files = tuple(user_files)
        self.global_files = tuple(global_files)
        #: Lines asyncssh could not read (skipped, as OpenSSH skips them).
        self.skipped: list[str] = []
        self._book: asyncssh.SSHKnownHosts | None = None

    @property
    def write_file(self) -> Path:
        return self.user_files[0] if self.user_files else Path("~/.ssh/known_hosts").expanduser()

    def reload(self) -> None:
        """Read the files again (after a key was added here or by `ssh` meanwhile)."""
        self._book = None

    def _load(self) -> asyncssh.SSHKnownHosts:
        if self._book is None:
            book = asyncssh.SSHKnownHosts()
            self.skipped = []
            for path in (*self.user_files, *self.global_files):
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                for line in text.splitlines():
                    try:
                        book.load(line)
                    except (ValueError, asyncssh.KeyImportError):
                        self.skipped.append(line)
            self._book = book
        return self._book

    def lookup(self, name: str) -> Known:
        """Keys recorded under exactly `name` (`host` or `[host]:port`, hashed or not)."""
        found = self._load().match(name, "", None)
        return Known(tuple(found[0]), tuple(found[1]), tuple(found[2]))

    def asyncssh_matcher(self) -> Any:
        """The `known_hosts` argument for asyncssh: lookups by OpenSSH's name for (host, port)."""
        from daostui.transport.ssh_config import known_hosts_name

        def match(host: str, _addr: str, port: int | None) -> Any:
            return self._load().match(known_hosts_name(host, port), "", None)

        return match

    def algorithms(self, name: str) -> list[str]:
        """Host key algorithms to offer for `name`, in OpenSSH's order: known types first."""
        known = self.lookup(name)
        supported = {_text(a) for a in (*get_default_public_key_algs(), *get_default_certificate_algs())}
        order = [alg for alg in OPENSSH_ORDER if alg in supported]
        plain = [alg for alg in order if "-cert-" not in alg]
        have = {_text(alg) for key in known.host_keys for alg in key.sig_algorithms} & supported
        first = [alg for alg in plain if alg in have] + sorted(have - set(plain))
        rest = [alg for alg in plain if alg not in have]
        certificates = [alg for alg in order if "-cert-" in alg] if known.ca_keys else []
        return certificates + first + rest

    def verdict(self, name: str, key: asyncssh.SSHKey) -> tuple[str, Known]:
        known = self.lookup(name)
        if key in known.revoked:
            return Verdict.REVOKED, known
        if key in known.host_keys:
            return Verdict.TRUSTED, known
        same_type = [k for k in known.host_keys if k.algorithm == key.algorithm]
        return (Verdict.CHANGED if same_type else Verdict.UNKNOWN), known

    def record(self, name: str, key: asyncssh.SSHKey, *, hashed: bool) -> Path:
        """Append `key` under `name` to the first user file (hashed if asked or if the file is)."""
        path = self.write_file
        hashed = hashed or file_is_hashed(path)
        entry = hash_name(name) if hashed else name
        algorithm, data = key.export_public_key("openssh").decode().split()[:2]
        line = f"{entry} {algorithm} {data}\n"
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _ends_with_newline(path):
            line = "\n" + line  # a hand-edited file without a final newline keeps its last entry
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line)
        self.reload()
        return path


def _ends_with_newline(path: Path) -> bool:
    """True for a missing or empty file too (nothing to separate from)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() == 0:
                return True
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"
    except OSError:
        return True


def hash_name(name: str, salt: bytes | None = None) -> str:
    """`|1|salt|hash`: OpenSSH's hashed known_hosts name (HMAC-SHA1 of the name keyed by the salt)."""
    salt = salt if salt is not None else secrets.token_bytes(20)
    digest = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"


def file_is_hashed(path: Path) -> bool:
    """True when the file already holds hashed names (keep it that way)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return any(line.startswith("|1|") for line in handle)
    except OSError:
        return False


def fingerprint(key: asyncssh.SSHKey) -> str:
    return key.get_fingerprint("sha256")


def key_type(key: asyncssh.SSHKey) -> str:
    return _text(key.algorithm)
