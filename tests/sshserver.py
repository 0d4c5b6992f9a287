"""A real asyncssh server on 127.0.0.1 for the ssh-mode tests.

It behaves like sshd where it matters to daostui: host key, public-key and keyboard-interactive
(one-time passcode) authentication, SFTP, and it runs each exec request as `bash -c <command>` the
way sshd runs commands through the user's shell — so a quoting mistake in daostui would really
execute. Commands run with extra environment (the simulator on PATH), their own HOME, and an `id`
that answers with the account's name (the tests run as one user; the "remote" account is another),
so the console works in ssh mode exactly as in demo mode. `noise` plays a shell rc that prints a
banner on both streams before every command. The fast unit tests use it; tests/realssh.py runs the
same scenarios against Debian's real OpenSSH.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh


@dataclass
class ServerConfig:
    username: str
    user_key: asyncssh.SSHKey
    host_key: asyncssh.SSHKey
    passcode: str | None = None  # when set, keyboard-interactive auth is required after the key
    env: Mapping[str, str] = field(default_factory=dict)
    noise: str = ""
    commands: list[str] = field(default_factory=list)
    #: Where clients asked to be forwarded (a ProxyJump hop's direct-tcpip requests).
    forwarded: list[tuple[str, int]] = field(default_factory=list)
    kbdint_prompts: int = 0
    connections: list[asyncssh.SSHServerConnection] = field(default_factory=list)


class _Server(asyncssh.SSHServer):
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self._key_ok = False

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.config.connections.append(conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> bool:
        # a jump host forwards (ProxyJump): asyncssh then opens the TCP connection itself
        self.config.forwarded.append((dest_host, dest_port))
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        ok = username == self.config.username and key == self.config.user_key.convert_to_public()
        if ok and self.config.passcode is None:
            return True
        self._key_ok = ok
        return False if self.config.passcode is not None else ok

    def kbdint_auth_supported(self) -> bool:
        return self.config.passcode is not None

    def get_kbdint_challenge(self, username: str, lang: str, submethods: str):
        self.config.kbdint_prompts += 1
        return "ALCF login", "Enter your MobilePASS+ passcode", "", [("Passcode: ", False)]

    def validate_kbdint_response(self, username: str, responses):
        return username == self.config.username and list(responses) == [self.config.passcode]


class SshTestServer:
    def __init__(
        self,
        tmp: Path,
        *,
        passcode: str | None = None,
        env: Mapping[str, str] | None = None,
        same_keys_as: SshTestServer | None = None,
        noise: str = "",
        sftp: bool = True,
        host_key_types: tuple[str, ...] = ("ssh-ed25519",),
        host_ca: asyncssh.SSHKey | None = None,
    ) -> None:
        """`host_key_types`: the host keys it offers (the first is `host_key`); `host_ca`: also offer
        a host certificate for the first key, signed by this CA (for 127.0.0.1)."""
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        self.username = os.environ.get("USER") or "tester"
        self.sftp = sftp
        self.home = tmp / "home"
        self.home.mkdir(exist_ok=True)
        shims = tmp / "shims"
        shims.mkdir(exist_ok=True)
        id_shim = shims / "id"
        id_shim.write_text(
            f'#!/bin/sh\nif [ "$*" = "-un" ]; then echo {self.username}; else exec /usr/bin/id "$@"; fi\n'
        )
        id_shim.chmod(0o755)
        if same_keys_as is not None:  # the same login node coming back after a restart
            self.host_keys, self.user_key = same_keys_as.host_keys, same_keys_as.user_key
        else:
            self.host_keys = [
                asyncssh.generate_private_key(kind, **({"key_size": 2048} if kind == "ssh-rsa" else {}))
                for kind in host_key_types
            ]
            self.user_key = asyncssh.generate_private_key("ssh-ed25519")
        self.host_key = self.host_keys[0]
        self.host_cert = (
            host_ca.generate_host_certificate(self.host_key, "login", principals=["127.0.0.1"])
            if host_ca is not None
            else None
        )
        self.user_key_path = tmp / "id_ed25519"
        self.user_key.write_private_key(str(self.user_key_path))
        server_env = dict(env or {})
        server_env["PATH"] = f"{shims}:{server_env.get('PATH') or os.environ.get('PATH', '')}"
        server_env["HOME"] = str(self.home)
        self.config = ServerConfig(
            self.username, self.user_key, self.host_key, passcode, server_env, noise=noise
        )
        self.server: asyncssh.SSHAcceptor | None = None
        self.port = 0
        self.children: set[asyncio.subprocess.Process] = set()

    @property
    def known_hosts_line(self) -> str:
        return self.known_hosts_line_for(self.host_key)

    def known_hosts_line_for(self, key: asyncssh.SSHKey, name: str = "") -> str:
        text = " ".join(key.export_public_key("openssh").decode().split()[:2])
        return f"{name or f'[127.0.0.1]:{self.port}'} {text}\n"

    async def _handle(self, process: asyncssh.SSHServerProcess) -> None:
        command = process.command or ""
        self.config.commands.append(command)
        env = {**os.environ, **self.config.env}
        if self.config.noise:  # a shell rc that talks, before the command
            banner = shlex.quote(self.config.noise)
            command = f"echo {banner}; echo {banner} >&2; {command}"
        if process.term_type:
            await self._handle_pty(process, command, env)
            return
        proc = await asyncio.create_subprocess_exec(
            "bash",
            "-c",
            command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        self.children.add(proc)

        async def pump(source: asyncio.StreamReader | None, sink: asyncssh.SSHWriter) -> None:
            assert source is not None
            while chunk := await source.read(65536):
                sink.write(chunk)

        async def feed() -> None:
            assert proc.stdin is not None
            try:
                while chunk := await process.stdin.read(65536):
                    proc.stdin.write(chunk)
                    await proc.stdin.drain()
            except (asyncssh.Error, ConnectionError, BrokenPipeError):
                pass
            with contextlib.suppress(Exception):
                proc.stdin.close()

        feeder = asyncio.ensure_future(feed())
        try:
            await asyncio.gather(pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr))
            status = await proc.wait()
            process.exit(status)
        except (asyncssh.Error, ConnectionError, BrokenPipeError):
            pass  # the session went away: `_release` kills the command
        finally:
            feeder.cancel()
            self._release(proc)

    async def _handle_pty(
        self, process: asyncssh.SSHServerProcess, command: str, env: dict[str, str]
    ) -> None:
        """A session that asked for a terminal (`qsub -I`) gets its command on a pseudo-terminal."""
        import pty

        master, slave = pty.openpty()
        proc = await asyncio.create_subprocess_exec(
            "bash",
            "-c",
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": process.term_type},
            start_new_session=True,
        )
        os.close(slave)
        self.children.add(proc)
        loop = asyncio.get_running_loop()
        output: asyncio.Queue[bytes] = asyncio.Queue()

        def readable() -> None:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            if not data:
                loop.remove_reader(master)
            output.put_nowait(data)

        loop.add_reader(master, readable)

        async def feed() -> None:
            with contextlib.suppress(asyncssh.Error, ConnectionError, OSError):
                while chunk := await process.stdin.read(65536):
                    os.write(master, chunk)

        feeder = asyncio.ensure_future(feed())
        try:
            while data := await output.get():
                process.stdout.write(data)
            process.exit(await proc.wait())
        except (asyncssh.Error, ConnectionError, BrokenPipeError):
            pass  # the session went away: `_release` kills the command
        finally:
            feeder.cancel()
            loop.remove_reader(master)
            os.close(master)
            self._release(proc)

    def _release(self, proc: asyncio.subprocess.Process) -> None:
        """Forget a child that has exited. One still running (its session dropped, or its handler
        was cancelled) is killed and kept for `stop` to reap while the loop runs: a transport left
        to the garbage collector after its loop closed raises "Event loop is closed" in whichever
        later test happens to collect it."""
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)
            return
        self.children.discard(proc)

    async def start(self, port: int = 0) -> None:
        self.server = await asyncssh.create_server(
            lambda: _Server(self.config),
            "127.0.0.1",
            port,
            server_host_keys=[
                (self.host_key, self.host_cert) if self.host_cert is not None else self.host_key,
                *self.host_keys[1:],
            ],
            process_factory=self._handle,
            sftp_factory=self.sftp,
            encoding=None,
            keepalive_interval=0,
        )
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Kill the server and every connection (a login node going away)."""
        if self.server is not None:
            self.server.close()
        for conn in list(self.config.connections):
            conn.abort()
        self.config.connections.clear()
        if self.server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 5)
            self.server = None
        for proc in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)
        for proc in list(self.children):
            # reap them while the loop still runs (else their transports close after it is gone)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(proc.wait(), 5)
        await asyncio.sleep(0)
