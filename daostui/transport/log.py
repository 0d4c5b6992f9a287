"""The command log: every command daostui ran, whatever the transport.

Users learn the real CLI from it (lazygit's command log is the model; lazydocker users asked for
one), and support tickets need it. It is bounded in memory (a ring buffer: the console stays fast
all day) and appended as JSON lines to a file in the XDG state dir (nothing is lost when the app
exits). Large outputs are clipped in the file so one `qstat -f` of the whole queue cannot bloat it.
The file holds every command's output, so it is private (0600 in a 0700 directory) on a shared
login node, whatever the umask.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from daostui.core import paths
from daostui.transport.base import CommandResult

#: Output kept per command in the file (the in-memory entry keeps it whole).
MAX_SAVED_OUTPUT = 8192
#: The file is rotated to `<name>.1` past this size.
MAX_FILE_BYTES = 16 * 1024 * 1024


def _clip(text: str) -> str:
    if len(text) <= MAX_SAVED_OUTPUT:
        return text
    return text[:MAX_SAVED_OUTPUT] + f"\n… [{len(text) - MAX_SAVED_OUTPUT} more characters not saved]"


class CommandLog:
    """A bounded, observable, persisted record of command results."""

    def __init__(self, path: Path | None = None, *, maxlen: int = 2000) -> None:
        self.path = path
        self._entries: deque[CommandResult] = deque(maxlen=maxlen)
        self._listeners: list[Callable[[CommandResult], None]] = []
        self.write_error: str = ""

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[CommandResult]:
        return iter(list(self._entries))

    def entries(self) -> list[CommandResult]:
        return list(self._entries)

    def subscribe(self, listener: Callable[[CommandResult], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[CommandResult], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def record(self, result: CommandResult) -> None:
        """Keep `result`, persist it, and tell subscribers (the console's log drawer)."""
        self._entries.append(result)
        self._persist(result)
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):
                listener(result)

    def _persist(self, result: CommandResult) -> None:
        if self.path is None:
            return
        clipped = replace(result, stdout=_clip(result.stdout), stderr=_clip(result.stderr))
        line = json.dumps(clipped.to_json(), ensure_ascii=False) + "\n"
        try:
            with contextlib.suppress(FileNotFoundError):
                if self.path.stat().st_size > MAX_FILE_BYTES:
                    os.replace(self.path, self.path.with_name(self.path.name + ".1"))
            with paths.open_private_append(self.path) as handle:
                handle.write(line)
        except OSError as exc:  # a full or read-only disk must not break commands
            self.write_error = str(exc)

    def load_saved(self, limit: int = 200) -> list[CommandResult]:
        """The last `limit` results saved by earlier sessions (unreadable lines are skipped)."""
        if self.path is None or not self.path.exists():
            return []
        tail: deque[str] = deque(maxlen=limit)
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                tail.append(line)
        results: list[CommandResult] = []
        for line in tail:
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                results.append(CommandResult.from_json(json.loads(line)))
        return results
