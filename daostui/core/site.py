"""The site profile: what differs between ALCF's two generations of DAOS conventions.

The training tutorial and the current user guide disagree (aurora-daos.md "Two generations"):
module `daos/base` vs `daos`, PBS filesystem `daos_user` vs `daos_user_fs`, and whether to add
`-l daos=daos_user`. Defaults follow the tutorial; what can be detected (the server's valid
filesystems) is, and everything is a setting.
"""

from __future__ import annotations

import os
import posixpath
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

from daostui.core.errors import ValidationError

DAOS_FILESYSTEMS_PREFERRED = ("daos_user_fs", "daos_user")
#: Settings written unquoted into job scripts and command lines: one plain token each.
_PBS_NAME = re.compile(r"[A-Za-z0-9_]+")
_PROGRAM = re.compile(r"[A-Za-z0-9_./+-]+")
#: Which settings are shell lines, PBS names, programs/libraries (everything else: a path).
SHELL_LINES = ("module_prelude", "job_modules")
PBS_NAMES = ("daos_filesystem", "daos_resource")
PROGRAMS = ("start_dfuse", "launch_dfuse", "launch_dfuse_caching", "clean_dfuse", "ioil_lib", "pil4dfs_lib")


def breaks_lines(text: str) -> bool:
    """Whether `text` holds a control character or a Unicode line/paragraph separator: anything
    that a shell, an editor or `str.splitlines` could take as the start of a new line."""
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text)


def shell_line_problem(line: str) -> str | None:
    """Why `line` cannot be one line of a prelude or of a job script's module lines, or None.

    Each line runs before the user's command (or lands in a job script). A line that is empty,
    a comment, ends inside quotes or with a backslash, carries a trailing `# comment` or opens a
    here-document would swallow or comment out what follows -- the command itself -- and every
    action would then "succeed" without running. So such lines are refused, not repaired.
    """
    if not line.strip():
        return "an empty line"
    if breaks_lines(line):
        return "a line break or control character inside the line"
    quote = ""
    escaped = False
    previous = " "
    for char in line:
        if escaped:
            escaped, previous = False, char
            continue
        if quote == "'":
            quote = "" if char == "'" else quote
        elif char == "\\":
            escaped = True
            continue
        elif quote == '"':
            quote = "" if char == '"' else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (previous.isspace() or previous in ";&|()<>"):
            return "a comment (#...), which would comment out the command after it"
        previous = char
    if escaped:
        return "a trailing backslash, which would join the command to this line"
    if quote:
        return f"an unclosed {quote} quote, which would swallow the command after it"
    if re.search(r"(?<!<)<<(?!<)", line):
        return "a here-document (<<), which would swallow the lines after it"
    return None


def validate_shell_lines(lines: Iterable[str], key: str) -> tuple[str, ...]:
    """The lines as a tuple, or ValidationError naming `key`, the line and why it is refused."""
    result = tuple(lines)
    for index, line in enumerate(result):
        problem = shell_line_problem(line)
        if problem:
            raise ValidationError(
                f"{key}[{index}] = {line!r} is {problem}: write one shell command per line, "
                "without comments (delete the line to drop it)",
                field=key,
                rule="one command per line",
            )
    return result


@dataclass(frozen=True, slots=True)
class SiteProfile:
    #: Shell lines run before every command when `daos` is not on PATH (local) and always over ssh.
    module_prelude: tuple[str, ...] = (
        "module use /soft/modulefiles",
        "module load daos/base || module load daos",
    )
    #: Module lines written into job scripts.
    job_modules: tuple[str, ...] = ("module use /soft/modulefiles", "module load daos/base")
    #: DAOS name in `-l filesystems=home:flare:<name>`.
    daos_filesystem: str = "daos_user"
    #: Whether job scripts also carry `-l daos=<daos_resource>` (tutorial: yes; current guide: no).
    add_daos_resource: bool = True
    daos_resource: str = "daos_user"
    #: Login-node mount points: <root>/<pool>/<cont>; `{user}` and `{home}` are expanded.
    login_mount_root: str = "/tmp/{user}"
    #: Compute-node mount points made by launch-dfuse.sh: <root>/<pool>/<cont>.
    compute_mount_root: str = "/tmp"
    allowed_mount_roots: tuple[str, ...] = ("/tmp/{user}", "{home}")
    mounts_table: str = "/proc/mounts"
    flare_projects_root: str = "/lus/flare/projects"
    start_dfuse: str = "start-dfuse.sh"
    launch_dfuse: str = "launch-dfuse.sh"
    launch_dfuse_caching: str = "launch-dfuse-with-caching.sh"
    clean_dfuse: str = "clean-dfuse.sh"
    ioil_lib: str = "/usr/lib64/libioil.so"
    pil4dfs_lib: str = "/usr/lib64/libpil4dfs.so"

    def __post_init__(self) -> None:
        """Every profile is checked, however it was built: these values reach shells and scripts."""
        for name in SHELL_LINES:
            validate_shell_lines(getattr(self, name), name)
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in SHELL_LINES:
                continue
            if isinstance(value, bool):
                continue
            texts = value if isinstance(value, tuple) else (value,)
            for text in texts:
                if not isinstance(text, str):
                    raise ValidationError(
                        f"{item.name} = {text!r} must be a string", field=item.name, rule="type"
                    )
                if item.name in PBS_NAMES and not _PBS_NAME.fullmatch(text):
                    raise ValidationError(
                        f"{item.name} = {text!r} must be a PBS name: letters, digits and _ only",
                        field=item.name,
                        rule="PBS name",
                    )
                if item.name in PROGRAMS and not _PROGRAM.fullmatch(text):
                    raise ValidationError(
                        f"{item.name} = {text!r} must be a program or library path without spaces or "
                        "shell characters (letters, digits and . _ / + - only)",
                        field=item.name,
                        rule="program path",
                    )
                if not text or breaks_lines(text):
                    raise ValidationError(
                        f"{item.name} = {text!r} must be a non-empty path on one line",
                        field=item.name,
                        rule="path",
                    )

    def with_overrides(self, **changes: Any) -> SiteProfile:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValidationError(
                f"unknown site setting(s): {', '.join(unknown)}", field=unknown[0], rule="known key"
            )
        return replace(self, **{k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()})

    def expand(self, template: str, user: str, home: str | None = None) -> str:
        return template.replace("{user}", user).replace("{home}", home or os.path.expanduser("~"))

    def login_mount_point(self, user: str, pool: str, cont: str, home: str | None = None) -> str:
        """`/tmp/$USER/<pool>/<cont>`, the tutorial's login-node mount point."""
        return posixpath.join(self.expand(self.login_mount_root, user, home), pool, cont)

    def compute_mount_point(self, pool: str, cont: str) -> str:
        return posixpath.join(self.compute_mount_root, pool, cont)

    def validate_mount_point(self, path: str, user: str, home: str | None = None) -> str:
        """The normalised path, or ValidationError naming the rule and the allowed roots."""
        if not path or not path.startswith("/"):
            raise ValidationError(
                f"mount point {path!r} must be an absolute path", field="mount_point", rule="absolute"
            )
        if ".." in path.split("/"):
            raise ValidationError(
                f"mount point {path!r} must not contain '..'",
                field="mount_point",
                rule="no parent references",
            )
        normal = posixpath.normpath(path)
        roots = [posixpath.normpath(self.expand(r, user, home)) for r in self.allowed_mount_roots]
        if not any(normal == r or normal.startswith(r.rstrip("/") + "/") for r in roots):
            raise ValidationError(
                f"mount point {path!r} is outside the allowed roots ({', '.join(roots)})",
                field="mount_point",
                rule="allowed roots",
            )
        return normal


def choose_daos_filesystem(valid_filesystems: list[str] | tuple[str, ...], profile: SiteProfile) -> str:
    """Prefer the DAOS filesystem the server lists (current guide's `daos_user_fs` first)."""
    valid = [name.strip() for name in valid_filesystems if name.strip()]
    for name in DAOS_FILESYSTEMS_PREFERRED:
        if name in valid:
            return name
    return profile.daos_filesystem
