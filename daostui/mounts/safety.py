"""Mount points that are real directories owned by the user, checked where the mount happens.

On a shared login node anyone can create `/tmp/<your name>` before you do -- as a symlink to a
directory they own, or as a directory of theirs. A mount (and the write/read check after it) that
followed it would put your container, and the file daostui writes through it, where the other
account chose. So from the allowed root (e.g. `/tmp/alice`) down to the mount point, every
component must be a real directory (not a symlink) owned by the user and not writable by others;
missing ones are created one at a time with mode 0700, top down, then everything is checked again.

This module is pure: the argv of the ordinary commands that gather the facts (`id -u`, `stat`,
`mkdir`, run through the transport, so over ssh they run on the login node), their parsers, and
the decision. `MountsClient` runs them.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from daostui.core.errors import ParseError

#: uid, owner name, octal mode (with the sticky bit), file type, name; backslash escapes are
#: expanded by stat itself, so the argv carries no control characters.
STAT_FORMAT = r"%u\t%U\t%a\t%F\t%n\n"
DIRECTORY = "directory"
SYMLINK = "symbolic link"
STICKY = 0o1000
#: Where to point users whose /tmp/<name> is taken: a root they surely own.
ELSEWHERE = 'set login_mount_root = "{home}/daos-mounts" under [site] in ~/.config/daostui/config.toml'


@dataclass(frozen=True, slots=True)
class PathInfo:
    """What `stat` (without -L: a symlink is reported as itself) says about one path."""

    path: str
    uid: int
    owner: str
    mode: int
    kind: str


@dataclass
class Decision:
    """Either a refusal (`problem` and what to do) or the directories still to create, in order."""

    problem: str = ""
    advice: str = ""
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem and not self.missing


# ---------------------------------------------------------------------- argv
def argv_uid() -> list[str]:
    return ["id", "-u"]


def argv_stat(paths: Sequence[str]) -> list[str]:
    return ["stat", "--printf", STAT_FORMAT, "--", *paths]


def argv_mkdir(path: str) -> list[str]:
    """One directory, 0700 (`-m` sets the mode exactly, whatever the umask); never `-p`, which
    would follow a symlink planted in the middle of the path."""
    return ["mkdir", "-m", "0700", "--", path]


# ---------------------------------------------------------------------- parsers
def parse_uid(text: str) -> int:
    value = text.strip()
    if not value.isdigit():
        raise ParseError(f"`id -u` printed {value[:40]!r}, not a user id", source="id -u")
    return int(value)


def parse_stat(text: str) -> dict[str, PathInfo]:
    """Lines printed with STAT_FORMAT, by path; paths stat could not see are simply absent."""
    infos: dict[str, PathInfo] = {}
    for line in text.splitlines():
        if not line:
            continue
        parts = line.split("\t", 4)
        if len(parts) != 5 or not parts[0].isdigit():
            raise ParseError(f"unexpected stat line {line[:80]!r}", excerpt=text, source="stat")
        uid, owner, mode, kind, path = parts
        try:
            bits = int(mode, 8)
        except ValueError:
            raise ParseError(f"unexpected mode {mode!r} from stat", excerpt=text, source="stat") from None
        infos[path] = PathInfo(path, int(uid), owner, bits, kind)
    return infos


# ---------------------------------------------------------------------- decision
def allowed_root(path: str, roots: Iterable[str]) -> str:
    """The deepest allowed root containing `path` (both normalised); '' when none does."""
    best = ""
    for root in roots:
        root = posixpath.normpath(root)
        inside = path == root or path.startswith(root.rstrip("/") + "/")
        if inside and len(root) > len(best):
            best = root
    return best


def chain(root: str, path: str) -> list[str]:
    """`root`, then each directory below it down to `path` (inclusive)."""
    parts = [p for p in path[len(root) :].split("/") if p] if path != root else []
    result = [root]
    for part in parts:
        result.append(posixpath.join(result[-1], part))
    return result


def _who(info: PathInfo) -> str:
    return f"{info.owner} (uid {info.uid})" if info.owner and info.owner != "UNKNOWN" else f"uid {info.uid}"


def decide(
    paths: Sequence[str], infos: dict[str, PathInfo], uid: int, *, leaf_is_mount: bool = False
) -> Decision:
    """Check `paths` (a `chain`, root first) for user `uid`.

    The root may belong to root (uid 0) when it is not writable by others or has the sticky bit
    (a site may allow mounts under such a directory); everything below must be the user's own.
    With `leaf_is_mount`, the last path is a live dfuse mount: its owner and mode are the
    container's root directory's, so only the directories above it are checked.
    """
    for index, path in enumerate(paths):
        info = infos.get(path)
        leaf = index == len(paths) - 1
        if info is None:
            if leaf and leaf_is_mount:
                return Decision(
                    problem=f"{path} does not exist: nothing is mounted there",
                    advice="Mount the container first.",
                )
            return Decision(missing=list(paths[index:]))
        if leaf and leaf_is_mount:
            break
        if info.kind == SYMLINK:
            if info.uid != uid:
                return Decision(
                    problem=f"{path} is a symbolic link made by another account, {_who(info)}: a mount "
                    "there would land wherever that account points it",
                    advice="Do not use it; report it to support. Meanwhile mount elsewhere: " + ELSEWHERE,
                )
            return Decision(
                problem=f"{path} is a symbolic link, not a real directory: a mount point must be a "
                "directory you own",
                advice=f"Remove the link (rm {shlex.quote(path)}) and mount again: daostui creates the "
                "directory itself.",
            )
        if info.kind != DIRECTORY:
            return Decision(
                problem=f"{path} is a {info.kind} of {_who(info)}, not a directory",
                advice=f"Move it out of the way (mv {shlex.quote(path)} {shlex.quote(path + '.old')}) "
                "or mount elsewhere.",
            )
        trusted_root = index == 0 and info.uid == 0 and (not info.mode & 0o022 or info.mode & STICKY)
        if info.uid != uid and not trusted_root:
            return Decision(
                problem=f"{path} belongs to {_who(info)}, not to you (uid {uid}): another account "
                "created it, and could see or redirect what you mount below it",
                advice="Do not use it; ask its owner or support to remove it. Meanwhile mount "
                "elsewhere: " + ELSEWHERE,
            )
        if info.mode & 0o022 and not trusted_root:
            return Decision(
                problem=f"{path} can be changed by other accounts (mode {info.mode:04o}): they could "
                "swap the directories below it for links",
                advice=f"chmod go-w {shlex.quote(path)}   (then mount again)",
            )
    return Decision()
