"""Copy between a DAOS container and the project's Lustre directory on flare, both ways.

ALCF's DAOS test configuration may be wiped, so important data must be copied to flare
(aurora-daos.md "Data protection"): `daos filesystem copy --src daos://POOL/CONT[/path] --dst
/lus/flare/projects/PROJECT/...`, and the reverse to stage data in. The flare side is checked
before anything runs -- absolute, no `..`, inside the user's project directory -- because a typo
there either fails after minutes or writes into someone else's tree. Textual-free: the form, the
handler and the tests share these rules.
"""

from __future__ import annotations

import posixpath
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from daostui.core.errors import ValidationError
from daostui.core.readonly import mutating
from daostui.core.units import human_bytes

if TYPE_CHECKING:
    from daostui.core.site import SiteProfile
    from daostui.daos.client import DaosClient
    from daostui.daos.models import FsCopyResult

TO_FLARE = "to_flare"
FROM_FLARE = "from_flare"
DIRECTIONS = {TO_FLARE: "container → flare (back up)", FROM_FLARE: "flare → container (stage in)"}
#: ALCF: `daos filesystem copy` is for "small data"; beyond this, point at mpifileutils `dcp` jobs.
LARGE_DATA_HINT = (
    "For large data (many TB or millions of files) use mpifileutils in a job instead: "
    "module load mpifileutils; dcp (ALCF's /soft/daos/tools/scripts/dcp-*.pbs)."
)
_PROJECT_RE = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.-]*$")


def _check_path_text(path: str, what: str, field: str) -> None:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        raise ValidationError(
            f"{what} {path!r} contains control characters", field=field, rule="printable characters"
        )
    if ".." in path.split("/"):
        raise ValidationError(
            f"{what} {path!r} must not contain '..'", field=field, rule="no parent references"
        )


def project_dir(site: SiteProfile, project: str, user: str = "") -> str:
    """`/lus/flare/projects/<project>`: the root with `{project}` expanded, else root/project."""
    project = project.strip()
    if not project:
        raise ValidationError(
            "your ALCF project is not set: set `project` in the config (or DAOSTUI_PROJECT) so the "
            "console knows your flare directory",
            field="project",
            rule="project set",
        )
    if not _PROJECT_RE.fullmatch(project):
        raise ValidationError(f"project name {project!r} is not valid", field="project", rule="project name")
    root = site.flare_projects_root.replace("{user}", user)
    if "{project}" in root:
        return posixpath.normpath(root.replace("{project}", project))
    return posixpath.join(posixpath.normpath(root), project)


def validate_flare_path(
    path: str, site: SiteProfile, project: str, user: str = "", *, allow_project_root: bool = False
) -> str:
    """The normalised flare path, or ValidationError naming the rule and the project directory."""
    path = path.strip()
    base = project_dir(site, project, user)
    if not path.startswith("/"):
        raise ValidationError(
            f"flare path {path!r} must be an absolute path under {base}", field="flare_path", rule="absolute"
        )
    _check_path_text(path, "flare path", "flare_path")
    normal = posixpath.normpath(path)
    if normal.startswith("//"):
        normal = "/" + normal.lstrip("/")
    inside = normal.startswith(base.rstrip("/") + "/")
    if not inside and not (allow_project_root and normal == base):
        if normal == base:
            raise ValidationError(
                f"copy into a subdirectory of {base} (e.g. {base}/<container>), not the project directory "
                "itself, so the copy does not mix with the project's other files",
                field="flare_path",
                rule="subdirectory of the project directory",
            )
        raise ValidationError(
            f"flare path {normal!r} is outside your project directory {base}",
            field="flare_path",
            rule="under the project directory",
        )
    return normal


def normalize_container_path(path: str) -> str:
    """`''`, `/` → `''` (the container's root); `a/b/` → `/a/b`; refuses `..` and control characters."""
    path = path.strip()
    _check_path_text(path, "container path", "cont_path")
    normal = posixpath.normpath("/" + path.lstrip("/"))
    return "" if normal == "/" else normal


def daos_uri(pool: str, cont: str, path: str = "") -> str:
    """`daos://<pool>/<cont>[/path]`, the endpoint form `daos filesystem copy` takes."""
    for value, what in ((pool, "pool"), (cont, "container")):
        if not value or "/" in value:
            raise ValidationError(
                f"{what} {value!r} must be a non-empty label or UUID", field=what, rule="label"
            )
    return f"daos://{pool}/{cont}{normalize_container_path(path)}"


def default_flare_path(
    site: SiteProfile, project: str, cont: str, cont_path: str = "", user: str = ""
) -> str:
    """`<project dir>/<cont>[/path]`: the reference's own example, one directory per container."""
    return project_dir(site, project, user) + "/" + cont + normalize_container_path(cont_path)


@dataclass(frozen=True, slots=True)
class CopyRequest:
    """A validated copy in one direction between `daos://pool/cont/path` and a flare directory."""

    direction: str
    pool: str
    cont: str
    #: Inside the container: '' for its root, else '/a/b'.
    cont_path: str
    #: Absolute, normalised, inside the project directory.
    flare_path: str

    @property
    def uri(self) -> str:
        return daos_uri(self.pool, self.cont, self.cont_path)

    @property
    def src(self) -> str:
        return self.uri if self.direction == TO_FLARE else self.flare_path

    @property
    def dst(self) -> str:
        return self.flare_path if self.direction == TO_FLARE else self.uri

    def argv(self, daos: DaosClient) -> list[str]:
        return daos.argv_fs_copy(self.src, self.dst)

    @property
    def title(self) -> str:
        return f"Copy {self.src} → {self.dst}"


def build_request(
    direction: str,
    pool: str,
    cont: str,
    cont_path: str,
    flare_path: str,
    *,
    site: SiteProfile,
    project: str,
    user: str = "",
) -> CopyRequest:
    """The request the form describes; ValidationError (naming the rule) before anything runs."""
    if direction not in DIRECTIONS:
        raise ValidationError(
            f"direction {direction!r} must be {TO_FLARE} or {FROM_FLARE}", field="direction", rule="direction"
        )
    normal_cont = normalize_container_path(cont_path)
    daos_uri(pool, cont, normal_cont)
    normal_flare = validate_flare_path(
        flare_path, site, project, user, allow_project_root=direction == FROM_FLARE
    )
    return CopyRequest(direction, pool, cont, normal_cont, normal_flare)


@dataclass(slots=True)
class CopyReport:
    """What the copy did: counts parsed from `daos filesystem copy`, bytes from `du`, wall time."""

    request: CopyRequest
    result: FsCopyResult
    seconds: float
    #: Bytes on the flare side (`du -sb`); None when it could not be measured.
    bytes: int | None = None

    def summary(self, *, timings: bool = True) -> str:
        r = self.result
        size = f", {human_bytes(self.bytes)}" if self.bytes is not None else ""
        took = f" in {self.seconds:.1f}s" if timings else ""
        held = " (destination total)" if self.request.direction == TO_FLARE and self.bytes is not None else ""
        return (
            f"Copied {r.files} files, {r.dirs} directories, {r.links} links{size}{held}{took} "
            f"to {self.request.dst}"
        )


def parse_du(text: str) -> int | None:
    """The byte count `du -sb PATH` prints first (`12345\\tPATH`)."""
    first = text.strip().split(None, 1)
    return int(first[0]) if first and first[0].isdigit() else None


@mutating("copy data between a container and flare")
async def perform_copy(
    daos: DaosClient, request: CopyRequest, *, timeout: float = 4 * 3600, measure: bool = True
) -> CopyReport:
    """Run the copy (cancellable: the transport kills it), then measure the flare side with `du -sb`.

    The copy's own output has counts but no bytes; `du` failing only leaves the size unknown."""
    started = time.monotonic()
    result = await daos.fs_copy(request.src, request.dst, timeout=timeout)
    seconds = time.monotonic() - started
    size: int | None = None
    if measure:
        du = await daos.transport.run(["du", "-sb", request.flare_path], timeout=120)
        if du.ok:
            size = parse_du(du.stdout)
    return CopyReport(request, result, seconds, size)


def copy_commands(daos: DaosClient, request: CopyRequest, *, measure: bool = True) -> list[list[str]]:
    """The command lines the RunScreen shows before running them."""
    commands = [request.argv(daos)]
    if measure:
        commands.append(["du", "-sb", request.flare_path])
    return commands
