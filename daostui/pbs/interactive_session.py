"""Interactive jobs (`qsub -I`): wait for the job, optionally mount the container, hand over the terminal.

The console is suspended while this runs (the App owns that); this module is Textual-free. Locally
(and in demo mode) `qsub -I` runs in a pty driven by pexpect; over ssh it runs in an asyncssh pty
session whose bytes are pumped to and from the user's terminal in raw mode. Waiting prints
progress; ctrl+c while waiting cancels, and the queued job is deleted with `qdel` so nothing is
left behind in the queue.

The command comes framed by the transport (a `FramedCommand` over ssh, a `FramedArgv` locally with
a prelude): nothing the login shell prints before the marker reaches the terminal or the
waiting/ready detection, and a `qsub -I` whose marker never came did not run — said as such.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from daostui.transport import framing

WAITING = re.compile(rb"qsub: waiting for job (\S+) to start")
READY = re.compile(rb"qsub: job (\S+) ready")
#: Matches nothing (stands in for WAITING/READY while login noise is still coming).
_NEVER = re.compile(rb"(?!)")


@dataclass
class InteractiveRequest:
    """What to run and what to do once the job's shell is up."""

    argv: list[str]
    pool: str = ""
    container: str = ""
    launch_dfuse: str = "launch-dfuse.sh"
    clean_dfuse: str = "clean-dfuse.sh"
    wait_timeout: float = 24 * 3600.0

    @property
    def mounts(self) -> bool:
        return bool(self.pool and self.container)

    def mount_line(self) -> str:
        """Typed into the job's shell: mount on every node, and say where it is."""
        spec = f"{self.pool}:{self.container}"
        message = (
            f"daostui: container mounted at /tmp/{self.pool}/{self.container} "
            f"(run {self.clean_dfuse} {spec} before you exit)"
        )
        return f"{self.launch_dfuse} {shlex.quote(spec)} && echo {shlex.quote(message)}"


@dataclass
class InteractiveOutcome:
    job_id: str = ""
    started: bool = False
    cancelled: bool = False
    error: str = ""


#: Login noise kept to explain a `qsub -I` that never started (the tail of it).
NOISE_KEPT = 4096


def _not_started(noise: bytes) -> str:
    tail = noise.decode("utf-8", "replace").strip().splitlines()[-3:]
    return "qsub -I did not run: the login shell or the module prelude ended before it" + (
        ": " + " / ".join(tail) if tail else ""
    )


def _say(text: str) -> None:
    sys.stdout.write(f"\r\n\x1b[1m[daostui]\x1b[0m {text}\r\n")
    sys.stdout.flush()


def run_local(
    request: InteractiveRequest,
    *,
    env: dict[str, str],
    cwd: str | None,
    delete: Callable[[str], None],
) -> InteractiveOutcome:
    """Blocking: run `qsub -I` in a pty on this host (run it in a thread while the App is suspended)."""
    import pexpect

    outcome = InteractiveOutcome()
    size = shutil.get_terminal_size((120, 35))
    marker = getattr(request.argv, "marker", "")
    _say("starting: " + shlex.join(request.argv))
    child = pexpect.spawn(
        request.argv[0], request.argv[1:], env=env, cwd=cwd, dimensions=(size.lines, size.columns)
    )
    started = time.monotonic()
    patterns: list[Any] = [WAITING, READY, pexpect.EOF, pexpect.TIMEOUT]
    if marker:  # until the marker, qsub's words in a banner mean nothing: only the marker (index 4) counts
        patterns = [
            _NEVER,
            _NEVER,
            pexpect.EOF,
            pexpect.TIMEOUT,
            re.compile(re.escape(marker.encode()) + rb"\r?\n"),
        ]
    try:
        while True:
            try:
                index = child.expect(patterns, timeout=1.0)
            except KeyboardInterrupt:
                outcome.cancelled = True
                _say(
                    "cancelled while waiting" + (f": deleting job {outcome.job_id}" if outcome.job_id else "")
                )
                child.sendintr()
                if outcome.job_id:
                    delete(outcome.job_id)
                return outcome
            if index == 0:
                outcome.job_id = child.match.group(1).decode()
                _say(
                    f"job {outcome.job_id} is queued; waiting for it to start (ctrl+c cancels and deletes it)"
                )
            elif index == 1:
                outcome.job_id = child.match.group(1).decode()
                outcome.started = True
                break
            elif index == 4:
                marker = ""  # the command itself runs from here on
                patterns = [WAITING, READY, pexpect.EOF, pexpect.TIMEOUT]
            elif index == 2:
                if marker:
                    outcome.error = _not_started(child.before or b"")
                    _say(outcome.error)
                    return outcome
                text = (child.before or b"").decode("utf-8", "replace").strip()
                outcome.error = text or "qsub -I ended before the job started"
                _say("qsub refused the job: " + outcome.error)
                return outcome
            else:
                waited = time.monotonic() - started
                if waited > request.wait_timeout:
                    outcome.error = f"the job did not start within {request.wait_timeout:.0f}s"
                    if outcome.job_id:
                        delete(outcome.job_id)
                    return outcome
                sys.stdout.write(
                    f"\r[daostui] waiting {int(waited)}s for job {outcome.job_id or '?'} to start "
                )
                sys.stdout.flush()
        _say(
            f"job {outcome.job_id} is running: this shell is on its first compute node. `exit` returns to daostui."
        )
        if request.mounts:
            child.sendline(request.mount_line())
        child.interact()
        child.expect(pexpect.EOF, timeout=None)
    finally:
        with contextlib.suppress(Exception):
            child.close(force=True)
    _say(f"job {outcome.job_id} finished; back to the console")
    return outcome


async def run_ssh(
    conn: Any,
    command: str,
    request: InteractiveRequest,
    *,
    delete: Callable[[str], Any],
    stdin: Any = None,
    stdout: Any = None,
) -> InteractiveOutcome:
    """Async: `qsub -I` in an asyncssh pty session, the local terminal in raw mode pumping bytes."""
    import termios
    import tty

    outcome = InteractiveOutcome()
    size = shutil.get_terminal_size((120, 35))
    out = stdout or sys.stdout.buffer
    in_fd = (stdin or sys.stdin).fileno()
    _say("starting on the login node: " + shlex.join(request.argv))
    process = await conn.create_process(
        command,
        term_type=os.environ.get("TERM", "xterm-256color"),
        term_size=(size.columns, size.lines),
        encoding=None,
    )
    saved = termios.tcgetattr(in_fd) if os.isatty(in_fd) else None
    loop = asyncio.get_running_loop()
    seen = b""
    mounted = False
    marker = getattr(command, "marker", "")
    framed = not marker
    before = b""  # terminal output before the marker: the login shell's, never shown

    def on_input() -> None:
        data = os.read(in_fd, 4096)
        if not outcome.started and b"\x03" in data:
            outcome.cancelled = True
            process.terminate()
            return
        process.stdin.write(data)

    async def errors() -> None:
        # with a real pty the server merges stderr into stdout; without one it comes separately
        while chunk := await process.stderr.read(4096):
            if framed:
                out.write(chunk)
                out.flush()

    stderr_pump = asyncio.ensure_future(errors())
    try:
        if saved is not None:
            tty.setraw(in_fd)
        loop.add_reader(in_fd, on_input)
        while True:
            chunk = await process.stdout.read(4096)
            if not chunk:
                break
            if not framed:
                before += chunk
                end = framing.find_in_terminal(before, marker)
                if end < 0:
                    before = before[-(NOISE_KEPT + len(marker) + 2) :]
                    continue
                framed, chunk, before = True, before[end:], before[:end]
                if not chunk:
                    continue
            out.write(chunk)
            out.flush()
            if not outcome.started:
                seen = (seen + chunk)[-4096:]
                if not outcome.job_id and (found := WAITING.search(seen)):
                    outcome.job_id = found.group(1).decode()
                if found := READY.search(seen):
                    outcome.job_id, outcome.started = found.group(1).decode(), True
            if outcome.started and request.mounts and not mounted:
                mounted = True
                process.stdin.write((request.mount_line() + "\n").encode())
    finally:
        loop.remove_reader(in_fd)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(stderr_pump, 2)
        if saved is not None:
            termios.tcsetattr(in_fd, termios.TCSADRAIN, saved)
    if not framed and not outcome.cancelled:
        outcome.error = _not_started(before)
        _say(outcome.error)
        return outcome
    if outcome.cancelled and outcome.job_id and not outcome.started:
        _say(f"cancelled: deleting job {outcome.job_id}")
        await delete(outcome.job_id)
    return outcome


def interactive_argv(
    pbs: Any, *, project: str, queue: str, nodes: int, walltime: str, daos_fs: str, daos_resource: str | None
) -> list[str]:
    """`qsub -I` with the same DAOS flags as batch jobs (filesystems incl. the DAOS one, -l daos)."""
    extra: Sequence[str] = [f"daos={daos_resource}"] if daos_resource else ()
    return pbs.argv_interactive(
        project=project,
        queue=queue,
        nodes=nodes,
        walltime=walltime,
        filesystems=f"home:flare:{daos_fs}" if daos_fs else "home:flare",
        extra_resources=extra,
    )
