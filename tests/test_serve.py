"""`daostui serve` requires this run's token on every path, and keeps it out of sight.

In-process tests drive the very aiohttp application textual-serve builds (with the gate added) over
a real socket; the subprocess tests start `daostui serve` as a user does and look at what another
account could see: the per-tab console's argv and environment, the logs, the socket file's mode.
The browser itself is tested in test_e2e.py (headless Chromium) and another account's attempts in
test_second_account.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from daostui import serve
from daostui.serve import Gate, GuardedServer, ServeError, bind_unix_socket

PATHS = ["/", "/static/js/textual.js", "/static/css/xterm.css", "/ws", "/download/abc", "/nowhere"]


@pytest.fixture
async def client():
    gate = Gate.create()
    server = GuardedServer("true", gate=gate, host="127.0.0.1", port=0)
    app = await server._make_app()
    async with TestClient(TestServer(app)) as test_client:
        test_client.gate = gate  # type: ignore[attr-defined]
        yield test_client


def test_tokens_are_random_and_long() -> None:
    tokens = {Gate.create().token for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(t) >= 40 for t in tokens)  # 32 random bytes, base64url: 256 bits


def test_origin_must_name_the_host_asked_for() -> None:
    assert Gate.origin_matches("http://localhost:8000", "localhost:8000")
    assert Gate.origin_matches("http://LOCALHOST:8000", "localhost:8000")
    assert not Gate.origin_matches("http://evil.example", "localhost:8000")
    assert not Gate.origin_matches("http://localhost:8001", "localhost:8000")
    assert not Gate.origin_matches("null", "localhost:8000")
    assert not Gate.origin_matches(None, "localhost:8000")
    assert not Gate.origin_matches("http://localhost:8000", None)


@pytest.mark.parametrize("path", PATHS)
async def test_every_path_is_refused_without_the_token(client, path: str) -> None:
    for suffix in ("", "?token=", "?token=wrong"):
        response = await client.get(path + suffix, allow_redirects=False)
        assert response.status == 403, (path, suffix)
        assert "token" in await response.text()
    response = await client.get(path, cookies={client.gate.cookie: "wrong"}, allow_redirects=False)
    assert response.status == 403


async def test_websocket_without_the_token_is_not_upgraded(client) -> None:
    origin = f"http://{client.host}:{client.port}"
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", headers={"Origin": origin})
    assert refused.value.status == 403


async def test_the_token_moves_into_a_strict_http_only_cookie(client) -> None:
    token = client.gate.token
    response = await client.get(f"/?token={token}&fontsize=14", allow_redirects=False)
    assert response.status == 303
    assert token not in response.headers["Location"]
    assert response.headers["Location"] == "/?fontsize=14"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{client.gate.cookie}={token}")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = await client.get("/", cookies={client.gate.cookie: token})
    assert page.status == 200
    text = await page.text()
    assert f'data-session-websocket-url="ws://{client.host}:{client.port}/ws"' in text
    assert token not in text
    static = await client.get("/static/js/textual.js", cookies={client.gate.cookie: token})
    assert static.status == 200


async def test_websocket_origin_must_match(client) -> None:
    cookie = {"Cookie": f"{client.gate.cookie}={client.gate.token}"}
    same = f"http://{client.host}:{client.port}"
    for origin in ("http://evil.example", f"http://{client.host}:1", None):
        headers = {**cookie, "Origin": origin} if origin else cookie
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", headers=headers)
        assert refused.value.status == 403, origin
    ws = await client.ws_connect("/ws", headers={**cookie, "Origin": same})
    await ws.close()
    ws = await client.ws_connect(f"/ws?token={client.gate.token}", headers={"Origin": same})
    await ws.close()


# ---------------------------------------------------------------------- unix socket
def test_unix_socket_is_created_0600_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "console.sock"
    previous = os.umask(0)
    try:
        sock = bind_unix_socket(path)
    finally:
        os.umask(previous)
    try:
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
        assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
    finally:
        sock.close()


def test_unix_socket_refusals(tmp_path: Path) -> None:
    link = tmp_path / "link.sock"
    link.symlink_to(tmp_path / "elsewhere.sock")
    with pytest.raises(ServeError, match="symbolic link"):
        bind_unix_socket(link)
    assert not (tmp_path / "elsewhere.sock").exists()
    plain = tmp_path / "file.sock"
    plain.write_text("mine")
    with pytest.raises(ServeError, match="not a socket"):
        bind_unix_socket(plain)
    assert plain.read_text() == "mine"
    live = tmp_path / "live.sock"
    listener = bind_unix_socket(live)
    listener.listen()
    try:
        with pytest.raises(ServeError, match="in use"):
            bind_unix_socket(live)
    finally:
        listener.close()
    bind_unix_socket(live).close()  # a stale socket of ours (nothing listens) is replaced
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    open_dir.chmod(0o777)
    with pytest.raises(ServeError, match="writable by everyone"):
        bind_unix_socket(open_dir / "x.sock")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file to another account (chown)")
def test_unix_socket_owned_by_someone_else_is_refused(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.sock"
    planted = socket.socket(socket.AF_UNIX)
    planted.bind(str(theirs))
    planted.close()
    os.chown(theirs, 65534, 65534)
    with pytest.raises(ServeError, match="belongs to uid 65534"):
        bind_unix_socket(theirs)
    assert os.lstat(theirs).st_uid == 65534


# ---------------------------------------------------------------------- the real command
URL = re.compile(r"http://\S+/\?token=(\S+)")


class Served:
    """`daostui serve --demo` in a subprocess, its printed token, and its output."""

    def __init__(self, tmp_path: Path, demo_dir: Path, *extra: str) -> None:
        self.env = {
            **os.environ,
            "DAOSTUI_STATE_DIR": str(tmp_path / "state"),
            "DAOSTUI_CONFIG": str(tmp_path / "none.toml"),
        }
        self.out = tmp_path / "serve.out"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daostui", "serve", "--demo", "--demo-dir", str(demo_dir), *extra],
            env=self.env,
            cwd=tmp_path,
            stdout=self.out.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while not (found := URL.search(self.out.read_text())):
            assert self.process.poll() is None, self.out.read_text()
            assert time.monotonic() < deadline, "serve never printed its address"
            time.sleep(0.1)
        self.token = found.group(1)
        self.url = found.group(0)

    def wait_socket(self, path: Path) -> None:
        """Until the unix socket at `path` accepts a connection."""

        def connect() -> socket.socket:
            sock = socket.socket(socket.AF_UNIX)
            sock.connect(str(path))
            return sock

        wait_listening(connect)

    def stop(self) -> str:
        with_kill = False
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with_kill = True
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        assert not with_kill, "serve did not stop on SIGTERM"
        return self.out.read_text()


def wait_listening(connect) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            connect().close()
            return
        except OSError:
            assert time.monotonic() < deadline, "serve is not listening"
            time.sleep(0.1)


def descendants(pid: int) -> list[int]:
    children: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return children + [grand for child in children for grand in descendants(child)]


async def open_console(base: str, token: str, *, unix_path: str = "") -> list[str]:
    """Log in like a browser (token → cookie), open the WebSocket, wait for the console's frames."""
    # unsafe=True: accept cookies from an IP address host, as browsers do
    connector = aiohttp.UnixConnector(path=unix_path) if unix_path else None
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{base}/?token={token}") as page:
            assert page.status == 200
            assert [r.status for r in page.history] == [303]
        host = base.split("//", 1)[1]
        async with http.ws_connect(f"ws://{host}/ws?width=120&height=40", headers={"Origin": base}) as ws:
            text = ""
            deadline = asyncio.get_running_loop().time() + 60
            while "datascience" not in text:  # a pool name: `daos pool list` ran and was logged
                remaining = deadline - asyncio.get_running_loop().time()
                assert remaining > 0, "the console never rendered its pools"
                message = await ws.receive(timeout=remaining)
                if message.type == aiohttp.WSMsgType.BINARY:
                    text += message.data.decode("utf-8", "replace")
                elif message.type == aiohttp.WSMsgType.TEXT:
                    text += message.data
                else:
                    raise AssertionError(f"websocket closed: {message}")
            return [text]


def test_serve_prints_a_tokenised_address_and_keeps_the_token_out_of_sight(
    tmp_path: Path, demo_dir: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = Served(tmp_path, demo_dir, "--host", "127.0.0.1", "--port", str(port))
    seen: dict[str, str] = {}
    try:
        wait_listening(lambda: socket.create_connection(("127.0.0.1", port), timeout=1))
        assert served.url == f"http://127.0.0.1:{port}/?token={served.token}"

        async def scenario() -> None:
            async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/") as bare:
                assert bare.status == 403
            frames = await open_console(f"http://127.0.0.1:{port}", served.token)
            assert frames
            # while the tab is open: what `ps` shows any account, and the console's environment
            for pid in descendants(served.process.pid):
                try:
                    seen[f"{pid} argv"] = (
                        (Path("/proc") / str(pid) / "cmdline").read_bytes().decode(errors="replace")
                    )
                    seen[f"{pid} env"] = (
                        (Path("/proc") / str(pid) / "environ").read_bytes().decode(errors="replace")
                    )
                except OSError:
                    continue

        asyncio.run(scenario())
    finally:
        output = served.stop()
    consoles = [v for k, v in seen.items() if k.endswith("argv") and "daostui" in v]
    assert consoles, f"no per-tab console process was seen: {seen}"
    for where, text in seen.items():
        assert served.token not in text, f"the token is visible in {where}"
    assert output.count(served.token) == 1, "the token was printed (or logged) more than once"
    state = tmp_path / "state"
    for path in state.rglob("*"):
        if path.is_file() and "demo" not in path.parts:
            assert served.token not in path.read_text(errors="replace"), path
    log = (state / "commands.jsonl").read_text().splitlines()
    assert any(json.loads(line)["argv"][:3] == ["daos", "-j", "pool"] for line in log)


def test_serve_on_a_unix_socket(tmp_path: Path, demo_dir: Path) -> None:
    path = tmp_path / "console.sock"
    served = Served(tmp_path, demo_dir, "--unix-socket", str(path))
    try:
        served.wait_socket(path)
        assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
        text = served.out.read_text()
        assert f"ssh -L 8000:{path} " in text and f"http://localhost:8000/?token={served.token}" in text
        frames = asyncio.run(open_console("http://localhost:8000", served.token, unix_path=str(path)))
        assert frames
    finally:
        served.stop()
    assert not path.exists(), "the socket file is removed when serve stops"


def test_serve_refuses_an_unknown_theme_in_the_terminal(tmp_path: Path, demo_dir: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "no-such-theme"\n')
    result = subprocess.run(
        [sys.executable, "-m", "daostui", "serve", "--demo", "--demo-dir", str(demo_dir), "--config", str(config)],
        capture_output=True, text=True, timeout=60, env={**os.environ, "DAOSTUI_STATE_DIR": str(tmp_path / "s")},
    )  # fmt: skip
    assert result.returncode == 2
    assert (
        "'theme'" in result.stderr and "no-such-theme" in result.stderr and "Traceback" not in result.stderr
    )


def test_start_url_for_any_address() -> None:
    gate = Gate("tok", "c")
    assert serve.start_url(gate, "127.0.0.1", 8000) == "http://127.0.0.1:8000/?token=tok"
    assert serve.start_url(gate, "::1", 9) == "http://[::1]:9/?token=tok"
    assert serve.start_url(gate, "0.0.0.0", 9).startswith(f"http://{socket.gethostname()}:9/")
