"""The per-node probe: a one-line POSIX shell script, and how to read what one node printed.

`clush` runs `sh -c '<script>' daostui-probe PATH...` on every node. The script reads the node's
mounts table (never `stat`s the mount point: a hung FUSE mount would hold it), looks for a dfuse
process, and lists each mount point under `timeout -s KILL` (a hung dfuse holds `ls` in the
kernel; only SIGKILL ends it, status 137). Its output is framed and the same on every node in the
same state, so ClusterShell's gathering folds agreeing nodes into one block:

    daostui-probe 1 node dfuse=yes paths=1
    daostui-probe 1 path /tmp/hpc_demo/checkpoints mount=fuse.daos list=ok
    daostui-probe 1 said /tmp/hpc_demo/checkpoints ls: cannot access ...: Transport endpoint ...
    daostui-probe 1 end

`node` says whether a dfuse process runs; one `path` line per mount point (`mount=` the file
system type mounted there, `none` when nothing is; `list=` ok, hung, error, or `-` when not
mounted); `said` carries the first line of a failed listing; `end` proves the answer is whole.
Without paths the script checks every `fuse.daos` mount under the compute-node mount root (the
job's container was not known). Lines without the marker (a login message on the node) are kept
as raw output and otherwise ignored.

The script has no single quotes, no `!` and no newline, so it survives any login shell (csh too)
that runs the remote command; every value in it is validated before it is built.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from daostui.core.errors import ValidationError
from daostui.mounts.parse import unescape
from daostui.nodes.models import (
    FAILED,
    HUNG,
    LIST_ERROR,
    NO_ANSWER,
    NO_MOUNT,
    OK,
    ORDER,
    OTHER_FS,
    STALE,
    UNMOUNTED,
    UNREACHABLE,
    NodeAnswer,
    Verdict,
)

MARK = "daostui-probe"
VERSION = "1"
#: Paths and tables that may appear unquoted-safe in the script (shlex-quoted anyway).
_SAFE_PATH = re.compile(r"/[A-Za-z0-9_./:+-]*")
#: The exit status ssh reports for its own failures (connect, authentication, refused).
SSH_FAILED = 255
STALE_TEXT = "Transport endpoint is not connected"

_SCRIPT = (
    "t={table}; w={wait}; r={root}; "
    "if pgrep -x dfuse >/dev/null 2>&1; then d=yes; else d=no; fi; "
    'if [ $# -eq 0 ]; then while read -r s q f x; do if [ "$f" = fuse.daos ]; then '
    'case $q in "$r"/*) set -- "$@" "$q";; esac; fi; done < "$t"; fi; '
    'printf "{mark} node dfuse=%s paths=%s\\n" "$d" "$#"; '
    'for p in "$@"; do m=none; while read -r s q f x; do if [ "$q" = "$p" ]; then m=$f; fi; '
    'done < "$t"; l=-; if [ "$m" = fuse.daos ]; then timeout -s KILL "$w" ls -A -- "$p" '
    ">/dev/null 2>&1; c=$?; case $c in 0) l=ok;; 124|137) l=hung;; *) l=error;; esac; fi; "
    'printf "{mark} path %s mount=%s list=%s\\n" "$p" "$m" "$l"; '
    'if [ "$l" = error ]; then e=$(timeout -s KILL "$w" ls -A -- "$p" 2>&1 >/dev/null | head -n 1); '
    'printf "{mark} said %s %s\\n" "$p" "$e"; fi; done; printf "{mark} end\\n"'
)


def _checked_path(path: str, what: str) -> str:
    if not _SAFE_PATH.fullmatch(path) or "/../" in f"{path}/":
        raise ValidationError(
            f"{what} {path!r} cannot be probed: only absolute paths of letters, digits and . _ : + - /",
            field=what,
            rule="safe path",
        )
    return path


def script(*, list_timeout: int, root: str, table: str = "/proc/mounts") -> str:
    """The probe script (one line of POSIX sh) for one listing timeout and compute mount root."""
    return _SCRIPT.format(
        mark=f"{MARK} {VERSION}",
        table=shlex.quote(_checked_path(table, "mounts table")),
        wait=max(1, int(list_timeout)),
        root=shlex.quote(_checked_path(root.rstrip("/") or "/", "compute mount root")),
    )


def command(paths: list[str], *, list_timeout: int, root: str, table: str = "/proc/mounts") -> str:
    """The remote command: `sh -c '<script>' daostui-probe PATH...` (one string, as clush takes it)."""
    body = script(list_timeout=list_timeout, root=root, table=table)
    checked = [_checked_path(path, "mount point") for path in paths]
    return shlex.join(["sh", "-c", body, MARK, *checked])


# ---------------------------------------------------------------------- one node's answer
@dataclass(slots=True)
class PathState:
    mount: str = "none"
    listing: str = "-"
    said: str = ""


@dataclass(slots=True)
class ProbeLines:
    """One node's framed lines, read."""

    dfuse: bool | None = None
    paths: dict[str, PathState] = field(default_factory=dict)
    complete: bool = False
    framed: bool = False


def read_lines(lines: tuple[str, ...]) -> ProbeLines:
    """The probe's own lines among what a node printed (other lines are ignored here)."""
    found = ProbeLines()
    head = f"{MARK} {VERSION} "
    for line in lines:
        if not line.startswith(head):
            continue
        found.framed = True
        kind, _, rest = line[len(head) :].partition(" ")
        if kind == "node":
            fields = dict(item.partition("=")[::2] for item in rest.split())
            found.dfuse = fields.get("dfuse") == "yes"
        elif kind == "path":
            path, _, tail = rest.partition(" ")
            fields = dict(item.partition("=")[::2] for item in tail.split())
            state = found.paths.setdefault(unescape(path), PathState())
            state.mount = fields.get("mount", "none")
            state.listing = fields.get("list", "-")
        elif kind == "said":
            path, _, message = rest.partition(" ")
            found.paths.setdefault(unescape(path), PathState()).said = message.strip()
        elif kind == "end":
            found.complete = True
    return found


_SSH_CONNECT = re.compile(r"ssh: connect to host \S+ port \d+: (?P<reason>.+)")
_SSH_CLOSED = re.compile(r"Connection closed by \S+ port \d+")
_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


def _ssh_reason(errors: tuple[str, ...], node: str) -> str:
    """Why ssh failed, in words that are the same for every node refused alike (no names, no
    addresses): OpenSSH's `ssh: connect to host H port P: REASON` is REASON; a connection the node
    closed at once is what PBS's PAM module does to a node that runs no job of yours."""
    lines = [line.strip() for line in errors if line.strip()]
    if not lines:
        return "ssh exited with status 255"
    last = lines[-1]
    if match := _SSH_CONNECT.fullmatch(last):
        return match.group("reason")
    if _SSH_CLOSED.fullmatch(last):
        return "the node closed the ssh connection (PBS lets you in only while your job runs there)"
    return _ADDRESS.sub("ADDRESS", last.replace(node, "NODE") if node else last)


def _path_verdict(path: str, state: PathState, dfuse: bool | None, timeout: int) -> tuple[str, str]:
    if state.mount == "none":
        return UNMOUNTED, "not mounted" + (" (a dfuse process runs)" if dfuse else "")
    if state.mount != "fuse.daos":
        return OTHER_FS, f"{state.mount} is mounted there, not dfuse"
    no_daemon = "" if dfuse or dfuse is None else ", no dfuse process"
    if state.listing == "ok":
        return OK, "mounted, ok" + no_daemon
    if state.listing == "hung":
        return HUNG, f"hung: listing did not answer within {timeout}s" + no_daemon
    if STALE_TEXT in state.said or (dfuse is False and state.listing == "error"):
        return STALE, f"stale: {STALE_TEXT}" + no_daemon
    reason = state.said.replace(path, "PATH") if state.said else "unknown error"
    return LIST_ERROR, f"listing failed: {reason}" + no_daemon


def verdict(
    answer: NodeAnswer, expected: tuple[str, ...], *, node: str = "", list_timeout: int, node_timeout: float
) -> Verdict:
    """What `answer` means for the containers at `expected` (mount points)."""
    if answer.timed_out:
        return Verdict(NO_ANSWER, f"no answer within {node_timeout:g}s")
    found = read_lines(answer.lines)
    if not found.framed:
        if answer.rc == SSH_FAILED:
            return Verdict(UNREACHABLE, f"unreachable: {_ssh_reason(answer.errors, node)}")
        first = next((line for line in (*answer.errors, *answer.lines) if line.strip()), "")
        shown = first.replace(node, "%h") if node else first
        return Verdict(FAILED, f"probe failed (exit {answer.rc}): {shown}" if shown else "no output")
    if not found.complete:
        return Verdict(FAILED, "probe output cut short")
    if not expected:
        return Verdict(NO_MOUNT, "no dfuse mount" + (" (a dfuse process runs)" if found.dfuse else ""))
    parts: list[tuple[str, str, str]] = []
    for path in expected:
        state, text = _path_verdict(path, found.paths.get(path, PathState()), found.dfuse, list_timeout)
        parts.append((path, state, text))
    worst = max((state for _p, state, _t in parts), key=ORDER.index)
    missing = tuple(path for path, state, _t in parts if state == UNMOUNTED)
    if len(parts) == 1:
        return Verdict(worst, parts[0][2], missing)
    summary = "; ".join(f"{path}: {text}" for path, _state, text in parts)
    return Verdict(worst, summary, missing)
