"""An in-process transport that answers from a script, for client unit tests.

Clients are tested against real-format fixture text without spawning anything: register what a
command prints (by argv prefix or with a function) and assert on the argv the client built.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass

from daostui.core.errors import TransportError
from daostui.transport.base import DEFAULT_TIMEOUT, CommandResult, Transport, now


@dataclass
class Reply:
    stdout: str = ""
    stderr: str = ""
    exit_status: int = 0
    timed_out: bool = False
    #: The connection dropped after the command was sent (ssh): it may have run.
    outcome_unknown: bool = False


Responder = Callable[[list[str], str | None], Reply]


class FakeTransport(Transport):
    """Answers commands from registered replies; records every argv it was asked to run."""

    where = "fake"

    def __init__(self, *, home: str = "/home/fake") -> None:
        super().__init__()
        self.home_dir = home
        #: Files written through the transport: path -> (data, mode).
        self.files: dict[str, tuple[bytes, int]] = {}
        self.dirs: dict[str, int] = {"/": 0o755}
        self.calls: list[list[str]] = []
        self.stdins: list[str | None] = []
        self._rules: list[tuple[tuple[str, ...], Reply | Responder]] = []

    def on(self, prefix: Sequence[str], reply: Reply | Responder) -> None:
        """Answer any argv starting with `prefix` (later rules win over earlier ones)."""
        self._rules.insert(0, (tuple(prefix), reply))

    def _find(self, argv: list[str], stdin: str | None) -> Reply:
        for prefix, reply in self._rules:
            if tuple(argv[: len(prefix)]) == prefix:
                return reply(argv, stdin) if callable(reply) else reply
        return Reply(stderr=f"{argv[0] if argv else ''}: command not found", exit_status=127)

    async def run(
        self,
        argv: Sequence[str],
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        stdin: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> CommandResult:
        args = [str(a) for a in argv]
        text_in = stdin.decode(errors="replace") if isinstance(stdin, bytes) else stdin
        self.calls.append(args)
        self.stdins.append(text_in)
        reply = self._find(args, text_in)
        status = 124 if reply.timed_out else 255 if reply.outcome_unknown else reply.exit_status
        result = CommandResult(
            argv=tuple(args),
            exit_status=status,
            stdout=reply.stdout,
            stderr=reply.stderr,
            duration=0.0,
            started_at=now(),
            where=self.where,
            timed_out=reply.timed_out,
            outcome_unknown=reply.outcome_unknown,
        )
        self._emit(result)
        return result

    async def stream(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> AsyncIterator[str]:
        result = await self.run(argv)
        for line in result.stdout.splitlines():
            yield line

    async def home(self) -> str:
        return self.home_dir

    async def make_dirs(self, path: str, mode: int = 0o700) -> None:
        parts = [p for p in path.split("/") if p]
        for depth in range(1, len(parts) + 1):
            self.dirs.setdefault("/" + "/".join(parts[:depth]), mode)

    async def write_file(
        self, path: str, data: str | bytes, *, mode: int = 0o600, exclusive: bool = True
    ) -> None:
        if exclusive and path in self.files:
            raise FileExistsError(path)
        parent = path.rsplit("/", 1)[0] or "/"
        if parent not in self.dirs:
            raise TransportError(f"cannot write {path}: no directory {parent}")
        self.files[path] = (data.encode() if isinstance(data, str) else data, mode)
