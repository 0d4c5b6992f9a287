"""`daostui serve`: the console in a browser tab, behind a per-run token, the way Jupyter does it.

On a shared login node any account can connect to a localhost port, and any web page open in the
owner's browser can try a cross-origin WebSocket; without credentials either could drive the
console and run `qsub` or `daos container destroy` as the owner. So textual-serve stays the server,
and its aiohttp application gets a gate (a middleware) in front of every path:

- each run makes a random token (`secrets`, 256 bits) and prints the URL that carries it;
- a request without a valid token (`?token=` or the cookie) gets 403, for every path (page,
  static files, downloads, and the WebSocket, which is therefore never upgraded);
- the first valid request moves the token into an HttpOnly, SameSite=Strict cookie and is
  redirected to the same URL without it (no token in the history, the screen or a Referer);
- a WebSocket's `Origin` must be the host the browser asked for (its `Host`), so a page from
  elsewhere cannot drive the console even from the owner's browser.

The token lives only in this process: never in the per-tab console's argv (other accounts can
read argv with `ps`) or environment, the command log, errors.log, or the access log (which logs
paths without their query). `--unix-socket PATH` listens on a socket file created 0600 (refusing
a path that is a symlink or belongs to someone else) for `ssh -L` from a laptop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
import stat
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from textual_serve.server import Server, to_int

#: 32 random bytes: 256 bits, URL-safe text.
TOKEN_BYTES = 32
COOKIE_PREFIX = "daostui-token"
FORBIDDEN_TEXT = (
    "403 Forbidden: this daostui console needs the address printed by `daostui serve` "
    "(it carries a token; ask whoever started it).\n"
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ServeError(Exception):
    """The server cannot start as asked (socket path refused, address in use); says why."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class Gate:
    """The credentials of one `serve` run and the decisions made with them (pure, testable)."""

    #: Never in a repr: tracebacks and logs print reprs.
    token: str = field(repr=False)
    #: Per run, so two consoles served from one host do not overwrite each other's cookie.
    cookie: str

    @classmethod
    def create(cls) -> Gate:
        return cls(new_token(), f"{COOKIE_PREFIX}-{secrets.token_hex(4)}")

    def valid(self, candidate: str | None) -> bool:
        return bool(candidate) and secrets.compare_digest(str(candidate), self.token)

    @staticmethod
    def origin_matches(origin: str | None, host: str | None) -> bool:
        """The WebSocket's Origin names the very host:port the browser connected to."""
        if not origin or not host:
            return False
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def is_websocket(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def forbidden(reason: str) -> web.Response:
    return web.Response(status=403, text=FORBIDDEN_TEXT, headers={"X-Daostui-Refused": reason})


def gate_middleware(gate: Gate) -> Any:
    """The aiohttp middleware: every path, every method, before any handler (so no upgrade)."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        query_token = request.query.get("token")
        by_query = gate.valid(query_token)
        if not (by_query or gate.valid(request.cookies.get(gate.cookie))):
            return forbidden("token")
        if is_websocket(request):
            if not gate.origin_matches(request.headers.get("Origin"), request.headers.get("Host")):
                return forbidden("origin")
            return await handler(request)
        if query_token is not None:
            # the token moves into the cookie and out of the address bar
            query = request.rel_url.query.copy()
            query.popall("token")
            response = web.Response(status=303, headers={"Location": str(request.rel_url.with_query(query))})
            if by_query:
                response.set_cookie(gate.cookie, gate.token, httponly=True, samesite="Strict", path="/")
            return response
        return await handler(request)

    return check


async def _security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-store")


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Logs method, path and status, never the query string (the first request carries the token)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %.3fs", request.method, request.path, response.status, time)


class GuardedServer(Server):
    """textual-serve's server with the gate in front, pages addressed relative to the request
    (so `ssh -L` to another local port, and unix sockets, work), and our own start-up text."""

    def __init__(
        self,
        command: str,
        *,
        gate: Gate,
        host: str = "localhost",
        port: int = 8000,
        title: str = "daostui",
    ) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.gate = gate

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(gate_middleware(self.gate))
        app.on_response_prepare.append(_security_headers)
        return app

    def initialize_logging(self) -> None:
        """Plain log lines: textual-serve's handler prints tracebacks with local variables, which
        could include a request's cookie."""
        logging.basicConfig(level=logging.DEBUG if self.debug else logging.INFO, format="%(message)s")

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints a banner with the command line here; the CLI prints the URL instead."""

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """textual-serve's page, with URLs built from the address the browser used."""
        router = request.app.router
        origin = f"{request.scheme}://{request.host}"
        websocket = "wss" if request.scheme == "https" else "ws"
        static = f"{origin}{router['static'].url_for(filename='/')}".rstrip("/") + "/"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{websocket}://{request.host}{router['websocket'].url_for()}",
            "config": {"static": {"url": static}},
            "application": {"name": self.title},
        }

    def serve(self, debug: bool = False, sock: socket.socket | None = None) -> None:  # type: ignore[override]
        """Run until ctrl+c / SIGTERM, on `sock` (a bound unix socket) or host:port."""
        import asyncio
        import signal

        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, self.request_exit)
        where: dict[str, Any] = {"sock": sock} if sock is not None else {"host": self.host, "port": self.port}
        web.run_app(
            self._make_app(),
            handle_signals=False,
            loop=loop,
            print=lambda *_args: None,
            access_log_class=PathOnlyAccessLogger,
            access_log=logging.getLogger("aiohttp.access"),
            **where,
        )


# ---------------------------------------------------------------------- unix socket
def _refuse_parent(parent: Path) -> None:
    try:
        info = os.stat(parent)
    except FileNotFoundError:
        raise ServeError(f"the directory {parent} does not exist") from None
    if not stat.S_ISDIR(info.st_mode):
        raise ServeError(f"{parent} is not a directory")
    if info.st_uid not in (os.geteuid(), 0):
        raise ServeError(f"{parent} belongs to uid {info.st_uid}: put the socket in a directory of yours")
    if info.st_mode & 0o002 and not info.st_mode & stat.S_ISVTX:
        raise ServeError(
            f"{parent} is writable by everyone without the sticky bit: another account could replace "
            "the socket; put it in a directory of yours"
        )


def _still_listening(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(1.0)
        probe.connect(str(path))
    except OSError:
        return False
    finally:
        probe.close()
    return True


def bind_unix_socket(path: Path) -> socket.socket:
    """A listening-ready unix socket at `path`, mode 0600 from the moment it exists.

    Refused: a symlink, anything owned by another account, a file that is not a socket, a socket
    a live server still answers on, and a directory others could swap the socket in. A stale
    socket of ours (a server that died) is replaced.
    """
    path = Path(path)
    _refuse_parent(path.parent if str(path.parent) else Path("."))
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise ServeError(
                f"{path} is a symbolic link: refusing to listen through it; remove it or pick another path"
            )
        if info.st_uid != os.geteuid():
            raise ServeError(f"{path} already exists and belongs to uid {info.st_uid}: pick another path")
        if not stat.S_ISSOCK(info.st_mode):
            raise ServeError(f"{path} already exists and is not a socket: remove it or pick another path")
        if _still_listening(path):
            raise ServeError(f"{path} is in use by a running server")
        path.unlink()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)  # the socket file is created 0600: never a moment open to others
    try:
        sock.bind(str(path))
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {path}: {exc.strerror or exc}") from None
    finally:
        os.umask(previous)
    os.chmod(path, 0o600)
    return sock


def _identity(path: Path) -> tuple[int, int]:
    info = os.lstat(path)
    return info.st_dev, info.st_ino


def _remove_socket(path: Path, identity: tuple[int, int]) -> None:
    """Remove the socket file if it is still the one we bound (same device and inode)."""
    with contextlib.suppress(OSError):
        if _identity(path) == identity:
            path.unlink()


# ---------------------------------------------------------------------- entry point
def start_url(gate: Gate, host: str, port: int) -> str:
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/?token={gate.token}"


def run(command: str, *, host: str, port: int, unix_socket: Path | None, out: Any = None) -> int:
    """Serve `command` (one console per browser tab) until stopped; prints how to connect."""
    out = out or sys.stdout
    gate = Gate.create()
    server = GuardedServer(command, gate=gate, host=host, port=port)
    sock = None
    identity = (0, 0)
    if unix_socket is not None:
        try:
            sock = bind_unix_socket(unix_socket)
        except ServeError as exc:
            print(f"daostui serve: {exc}", file=sys.stderr)
            return 2
        identity = _identity(unix_socket)
        print(
            f"daostui: serving the console on the unix socket {unix_socket} (only you can connect).\n"
            f"  From your laptop:  ssh -L {port}:{unix_socket} <login node>\n"
            f"  then open:         http://localhost:{port}/?token={gate.token}\n"
            "  (ctrl+c stops)",
            file=out,
            flush=True,
        )
    else:
        print(
            f"daostui: serving the console at {start_url(gate, host, port)}\n"
            "  Open that address (it carries this run's token); from a laptop: "
            f"ssh -L {port}:localhost:{port} <login node>  (ctrl+c stops)",
            file=out,
            flush=True,
        )
    try:
        server.serve(sock=sock)
    except OSError as exc:
        print(f"daostui serve: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        if sock is not None and unix_socket is not None:
            _remove_socket(unix_socket, identity)
    return 0
