"""The site profile: what differs between ALCF's two generations of DAOS conventions.

The training tutorial and the current user guide disagree (aurora-daos.md "Two generations"):
module `daos/base` vs `daos`, PBS filesystem `daos_user` vs `daos_user_fs`, and whether to add
`-l daos=daos_user`. Defaults follow the tutorial; what can be detected (the server's valid
filesystems) is, and everything is a setting.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, fields, replace
from typing import Any

from daostui.core.errors import ValidationError

DAOS_FILESYSTEMS_PREFERRED = ("daos_user_fs", "daos_user")


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

    def login_mount_point(self, user: str, pool: str, cont: str) -> str:
        """`/tmp/$USER/<pool>/<cont>`, the tutorial's login-node mount point."""
        return posixpath.join(self.expand(self.login_mount_root, user), pool, cont)

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
