"""Output framing: a random marker printed right before `exec` separates login noise from output.

A login shell on a real login node prints things before our command runs: a MOTD or banner from
the profile, `module` chatter, a warning from `.bashrc`. Parsers must never see any of it. The
wrapper prints a marker that nothing else can print (128 random bits, chosen per transport, and
never present literally in the command text) on stdout and on stderr, then `exec`s the command:
everything before the marker is *login noise* (kept for the command log), everything after it is
the command's own output. A command whose marker never appeared did not run — a prelude line
that exits, a profile that `exec`s another shell — and is reported as such, never as a success.
"""

from __future__ import annotations

import secrets
import shlex
from dataclasses import dataclass

MARKER_PREFIX = "daostui-ran-"


def new_marker() -> str:
    """A fresh marker: nothing a profile prints can contain it by accident."""
    return MARKER_PREFIX + secrets.token_hex(16)


def marker_command(marker: str, *, stderr: bool = True) -> str:
    """Shell text printing `marker` on its own line (stdout, and stderr too unless merged).

    The marker is split in two printf arguments so the command text (visible to `set -x`, `ps`,
    or a profile echoing `$BASH_EXECUTION_STRING`) never contains it as one string. In a terminal
    (`qsub -I`) stdout and stderr are the same stream: it is printed once there.
    """
    head, tail = marker[: len(MARKER_PREFIX)], marker[len(MARKER_PREFIX) :]
    line = f"printf '%s%s\\n' {shlex.quote(head)} {shlex.quote(tail)}"
    return f"{line}; [ -t 1 ] && [ -t 2 ] || {line} >&2" if stderr else line


class FramedCommand(str):
    """A remote shell command that prints `marker` right before the command itself starts."""

    marker: str

    def __new__(cls, text: str, marker: str) -> FramedCommand:
        framed = super().__new__(cls, text)
        framed.marker = marker
        return framed


class FramedArgv(list[str]):
    """A local argv that prints `marker` right before the command itself starts."""

    def __init__(self, argv: list[str], marker: str) -> None:
        super().__init__(argv)
        self.marker = marker


@dataclass(frozen=True, slots=True)
class Framed:
    """One stream split at the marker."""

    output: str
    noise: str
    found: bool


def split(text: str, marker: str) -> Framed:
    """Split `text` at the first marker line: (what follows it, what came before it, whether seen).

    Without a marker everything is noise: the command never started, so nothing it printed can be
    in there for a parser.
    """
    at = text.find(marker + "\n")
    if at < 0:
        return Framed(output="", noise=text, found=False)
    return Framed(output=text[at + len(marker) + 1 :], noise=text[:at], found=True)


def find_in_terminal(buffer: bytes, marker: str) -> int:
    """Offset just past the marker line in terminal output (`\\r\\n` line ends), or -1 until it is there."""
    needle = marker.encode()
    at = buffer.find(needle)
    if at < 0:
        return -1
    end = at + len(needle)
    for ending in (b"\r\n", b"\n"):
        if buffer.startswith(ending, end):
            return end + len(ending)
    return -1


def join_noise(stdout_noise: str, stderr_noise: str) -> str:
    """The command log's "login noise": what the login shell printed on each stream."""
    parts = []
    if stdout_noise.strip():
        parts.append(stdout_noise.rstrip("\n"))
    if stderr_noise.strip():
        parts.append("[stderr] " + stderr_noise.rstrip("\n").replace("\n", "\n[stderr] "))
    return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class Unframed:
    """A finished command's streams with the login noise taken out."""

    stdout: str
    stderr: str
    noise: str
    #: The marker was seen: the command itself was started (`exec` reached).
    started: bool


def unframe(stdout: str, stderr: str, marker: str) -> Unframed:
    """Separate the command's own output from what the login shell printed before it."""
    out, err = split(stdout, marker), split(stderr, marker)
    if not out.found:
        # it never started: what the shell said on stderr is the only clue why, so it stays visible
        return Unframed("", err.output if err.found else stderr, join_noise(stdout, err.noise), False)
    return Unframed(out.output, err.output if err.found else stderr, join_noise(out.noise, err.noise), True)


def frame_result(
    stdout: str, stderr: str, marker: str, status: int, flags: dict[str, object]
) -> tuple[str, str, str]:
    """(stdout, stderr, login noise) of a finished wrapped command; sets `flags["error"]` when it never
    started — unless it was cut short (timed out, cancelled, connection lost), which says more."""
    if flags.get("error"):
        return stdout, stderr, ""
    parts = unframe(stdout, stderr, marker)
    if not parts.started and not any(flags.get(f) for f in ("timed_out", "cancelled", "outcome_unknown")):
        flags["error"] = not_started(status)
    return parts.stdout, parts.stderr, parts.noise


def not_started(status: int) -> str:
    """The error of a wrapped command whose marker never appeared."""
    return (
        f"the command did not run: the login shell or the module prelude ended before starting it "
        f"(exit {status}); what it printed is in the command log as login noise"
    )


class LineFrame:
    """Framing for `stream()`, line by line: lines before the marker line are login noise."""

    #: Noise lines kept (a profile printing a novel must not fill memory).
    KEEP = 200

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.started = not marker
        self._noise: list[str] = []

    def feed(self, line: str) -> bool:
        """True when `line` is the command's own output (pass it on)."""
        if self.started:
            return True
        if line.endswith(self.marker):
            self.started = True
            before = line[: -len(self.marker)]
            if before:
                self._noise.append(before)
            return False
        self._noise = [*self._noise[-(self.KEEP - 1) :], line]
        return False

    @property
    def noise(self) -> str:
        return "\n".join(self._noise)
