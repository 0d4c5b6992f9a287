"""Files on the login node, written over the same ssh connection (SFTP), private whatever the umask.

`qsub` runs on the login node and reads its script there: a script saved on the laptop is a
"No such file or directory" for it. So scripts are written over the connection the commands use
(no second login, no second passcode), with SFTP — the subsystem `scp` and `sftp` use. A site
that turns SFTP off still works: the same writes go through ordinary commands (`mkdir`, `cat`),
framed and logged like any other.
"""

from __future__ import annotations

import posixpath
import stat
from collections.abc import Awaitable, Callable
from typing import Any

import asyncssh

from daostui.core.errors import TransportError
from daostui.transport.base import CommandResult

Runner = Callable[..., Awaitable[CommandResult]]

#: Exit status the shell fallback uses for "the file exists" (like EEXIST).
_EXISTS = 17
_WRITE = 'umask 077; if [ -e "$1" ] || [ -L "$1" ]; then [ "$3" = replace ] || exit 17; fi; cat > "$1" && chmod "$2" "$1"'
_MKDIR = 'umask 077; [ -d "$1" ] || mkdir -p -- "$1"'


class RemoteFiles:
    """SFTP on one connection, opened on first use; the shell when the server offers no SFTP."""

    def __init__(self, host: str, run: Runner) -> None:
        self.host = host
        self._run = run
        self._conn: Any = None
        self._sftp: asyncssh.SFTPClient | None = None
        #: False once the server refused the SFTP subsystem (then commands do the job).
        self.sftp_available = True

    async def _client(self, conn: Any) -> asyncssh.SFTPClient | None:
        if not self.sftp_available:
            return None
        if self._sftp is None or self._conn is not conn:
            try:
                self._sftp = await conn.start_sftp_client()
            except (asyncssh.ChannelOpenError, asyncssh.SFTPError) as exc:
                if isinstance(exc, asyncssh.ChannelOpenError) and channel_closed(conn, exc):
                    raise TransportError(f"connection to {self.host} lost: {exc}") from exc
                self.sftp_available = False
                return None
            self._conn = conn
        return self._sftp

    async def home(self, conn: Any) -> str:
        """The SFTP server's starting directory: the account's home."""
        sftp = await self._client(conn)
        if sftp is None:
            result = await self._run(["sh", "-c", 'printf "%s\\n" "$HOME"'], timeout=30)
            if not result.ok or not result.stdout.strip():
                raise TransportError(f"cannot learn the home directory on {self.host}: {result.outcome}")
            return result.stdout.strip()
        try:
            return await sftp.realpath(".")
        except asyncssh.SFTPError as exc:
            raise TransportError(f"cannot learn the home directory on {self.host}: {exc.reason}") from exc

    async def make_dirs(self, conn: Any, path: str, mode: int) -> None:
        _absolute(path)
        sftp = await self._client(conn)
        if sftp is None:
            result = await self._run(["sh", "-c", _MKDIR, "sh", path], timeout=60)
            if not result.ok:
                raise TransportError(f"cannot create {path} on {self.host}: {_why(result)}")
            return
        missing: list[str] = []
        current = path
        while current not in ("/", ""):
            try:
                attrs = await sftp.stat(current)
            except asyncssh.SFTPNoSuchFile:
                missing.append(current)
                current = posixpath.dirname(current)
                continue
            except asyncssh.SFTPError as exc:
                raise TransportError(f"cannot create {path} on {self.host}: {exc.reason}") from exc
            if attrs.permissions is not None and not stat.S_ISDIR(attrs.permissions):
                raise TransportError(f"cannot create {path} on {self.host}: {current} is not a directory")
            break
        for directory in reversed(missing):
            try:
                await sftp.mkdir(directory, asyncssh.SFTPAttrs(permissions=mode))
                await sftp.chmod(directory, mode)
            except asyncssh.SFTPError as exc:
                if await _is_dir(sftp, directory):
                    continue  # made meanwhile
                raise TransportError(f"cannot create {directory} on {self.host}: {exc.reason}") from exc

    async def write(self, conn: Any, path: str, data: bytes, mode: int, exclusive: bool) -> None:
        _absolute(path)
        sftp = await self._client(conn)
        if sftp is None:
            await self._write_with_shell(path, data, mode, exclusive)
            return
        flags = (
            asyncssh.FXF_WRITE | asyncssh.FXF_CREAT | (asyncssh.FXF_EXCL if exclusive else asyncssh.FXF_TRUNC)
        )
        try:
            async with sftp.open(path, flags, asyncssh.SFTPAttrs(permissions=mode), encoding=None) as handle:
                await handle.chmod(mode)  # the server's umask applied to the create mode
                await handle.write(data)
        except asyncssh.SFTPError as exc:
            # SFTP v3 (OpenSSH) says only "Failure" for an existing file: look
            if exclusive and await _exists(sftp, path):
                raise FileExistsError(path) from exc
            raise TransportError(f"cannot write {path} on {self.host}: {exc.reason}") from exc

    async def _write_with_shell(self, path: str, data: bytes, mode: int, exclusive: bool) -> None:
        argv = ["sh", "-c", _WRITE, "sh", path, f"{mode:o}", "keep" if exclusive else "replace"]
        result = await self._run(argv, stdin=data, timeout=120)
        if result.exit_status == _EXISTS and not result.error and not result.outcome_unknown:
            raise FileExistsError(path)
        if not result.ok:
            raise TransportError(f"cannot write {path} on {self.host}: {_why(result)}")


def channel_closed(conn: Any, exc: asyncssh.ChannelOpenError) -> bool:
    """The channel was refused because our side of the connection is gone (nothing was sent)."""
    # asyncssh raises this itself, before sending anything, once the connection's transport is gone
    return conn.is_closed() or (
        exc.code == asyncssh.OPEN_CONNECT_FAILED and exc.reason == "SSH connection closed"
    )


def _absolute(path: str) -> None:
    if not posixpath.isabs(path):
        raise TransportError(f"remote paths must be absolute: {path!r}")


def _why(result: CommandResult) -> str:
    lines = [line for line in (result.stderr or result.error).splitlines() if line.strip()]
    return lines[-1] if lines else result.outcome


async def _exists(sftp: asyncssh.SFTPClient, path: str) -> bool:
    try:
        await sftp.lstat(path)
    except asyncssh.SFTPError:
        return False
    return True


async def _is_dir(sftp: asyncssh.SFTPClient, path: str) -> bool:
    try:
        return await sftp.isdir(path)
    except asyncssh.SFTPError:
        return False
