"""The Aurora DAOS job-script generator.

From a typed request it writes the script ALCF's guide describes (aurora-daos.md "Jobs",
daos-cli.md §8.1): every `#PBS` directive before any command, the module lines, `cd
"${PBS_O_WORKDIR}"` (quoted: a directory with a space must not send the job to $HOME),
`launch-dfuse.sh pool:cont` with `clean-dfuse.sh` guaranteed by a trap (also on failure), ranks
from `$PBS_NODEFILE`, and `mpiexec --no-vni` with the NIC-aware CPU binding. Every user value that
lands in the script is validated as a whole string (one line, allowed characters) and shell-quoted
where it is free text: nothing typed in a form, the API or a config file can add a line or inject
a command.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from daostui.core import paths
from daostui.core.errors import ValidationError
from daostui.core.site import SiteProfile, breaks_lines, validate_shell_lines
from daostui.daos.labels import validate_label
from daostui.pbs.limits import QueueLimits
from daostui.pbs.walltime import format_walltime, parse_walltime

#: ALCF's binding for 12 ranks per node: 3 ranks per NIC-local core group on each socket
#: (cores 0 and 52 are reserved since 2025-03-31).
CPU_BIND_12 = (4, 9, 14, 19, 20, 25, 56, 61, 66, 71, 74, 79)
INTERCEPTION = ("none", "ioil", "pil4dfs")
# Every pattern is applied with `fullmatch`: `re.match` with `^...$` accepts a trailing newline,
# which is exactly how a value would add a `#PBS` directive or a shell line to the script.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,235}")
_ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PROJECT = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_QUEUE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_MODULE = re.compile(r"[A-Za-z0-9_./+-]+")
#: PBS `-l place=` parts (OpenPBS pbs_resources(7)): an arrangement, a sharing mode, a grouping.
PLACE_ARRANGEMENTS = ("free", "pack", "scatter", "vscatter")
PLACE_SHARING = ("excl", "shared", "exclhost")
_PLACE_GROUP = re.compile(r"group=[A-Za-z0-9_]+")


def _one_line(value: str, field: str, what: str) -> None:
    """Refuse control characters: quoted or not, a newline in a value is a new line in the script."""
    if breaks_lines(value):
        raise ValidationError(
            f"{what} {value!r} contains a line break or control character",
            field=field,
            rule="one line",
        )


def place_problem(place: str) -> str | None:
    """Why `place` is not a PBS placement spec (`scatter`, `scatter:excl`, `pack:group=rack`...)."""
    parts = place.split(":")
    kinds: list[str] = []
    for part in parts:
        if part in PLACE_ARRANGEMENTS:
            kinds.append("arrangement")
        elif part in PLACE_SHARING:
            kinds.append("sharing")
        elif _PLACE_GROUP.fullmatch(part):
            kinds.append("grouping")
        else:
            return (
                f"{part!r} is not a placement: use {'/'.join(PLACE_ARRANGEMENTS)}, optionally with "
                f":{'/'.join(PLACE_SHARING)} and :group=RESOURCE (e.g. scatter:excl)"
            )
    if len(set(kinds)) != len(kinds):
        return "give at most one arrangement, one sharing mode and one grouping"
    return None


def cpu_binding(ranks_per_node: int) -> list[str]:
    """mpiexec binding flags for `ranks_per_node`.

    12 → ALCF's documented list. Fewer than 12 → an evenly spread subset of that list, so ranks stay
    on NIC-local cores of both sockets. More than 12 → `--cpu-bind depth` with `--depth` = the 102
    usable cores divided among the ranks (each rank gets that many cores).
    """
    if ranks_per_node == 12:
        return ["--cpu-bind=list:" + ":".join(map(str, CPU_BIND_12))]
    if 1 <= ranks_per_node < 12:
        picks = [CPU_BIND_12[round(i * 12 / ranks_per_node)] for i in range(ranks_per_node)]
        return ["--cpu-bind=list:" + ":".join(map(str, picks))]
    return ["--cpu-bind", "depth", "--depth", str(max(1, 102 // ranks_per_node))]


@dataclass(slots=True)
class JobRequest:
    project: str
    queue: str
    nodes: int
    walltime: str | int
    program: str
    args: tuple[str, ...] = ()
    pool: str = ""
    container: str = ""
    ranks_per_node: int = 12
    interception: str = "none"
    caching_mount: bool = False
    extra_modules: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    job_name: str = "daos_job"
    place: str = "scatter"

    @property
    def walltime_seconds(self) -> int:
        return self.walltime if isinstance(self.walltime, int) else parse_walltime(str(self.walltime))


def validate(request: JobRequest, limits: QueueLimits | None = None) -> None:
    """Refuse a bad request before anything is written or submitted, naming the broken rule."""
    for name in ("project", "queue", "program", "pool", "container", "interception", "job_name", "place"):
        if not isinstance(getattr(request, name), str):
            raise ValidationError(f"{name} must be text", field=name, rule="type")
    if not all(isinstance(a, str) for a in request.args) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in request.env.items()
    ):
        raise ValidationError("arguments and environment values must be text", field="args", rule="type")
    if not _PROJECT.fullmatch(request.project or ""):
        raise ValidationError(
            "the project (-A) is required: letters, digits, . _ - only", field="project", rule="project name"
        )
    if not _NAME.fullmatch(request.job_name or ""):
        raise ValidationError(
            "the job name must start with a letter and use letters, digits, . _ - only",
            field="job_name",
            rule="job name",
        )
    if not _QUEUE.fullmatch(request.queue or ""):
        raise ValidationError("pick a queue", field="queue", rule="queue name")
    problem = place_problem(request.place or "")
    if problem:
        raise ValidationError(f"placement (-l place) {problem}", field="place", rule="placement")
    if isinstance(request.nodes, bool) or not isinstance(request.nodes, int):
        raise ValidationError("nodes must be a whole number", field="nodes", rule="integer")
    if isinstance(request.ranks_per_node, bool) or not isinstance(request.ranks_per_node, int):
        raise ValidationError("ranks per node must be a whole number", field="ranks_per_node", rule="integer")
    if isinstance(request.walltime, str):
        _one_line(request.walltime, "walltime", "walltime")
    if request.nodes < 1:
        raise ValidationError("nodes must be at least 1", field="nodes", rule="positive")
    if not 1 <= request.ranks_per_node <= 208:
        raise ValidationError(
            "ranks per node must be 1..208 (an Aurora node has 208 hardware threads)",
            field="ranks_per_node",
            rule="range",
        )
    seconds = request.walltime_seconds
    if seconds <= 0:
        raise ValidationError("walltime must be positive", field="walltime", rule="positive")
    if limits is not None:
        problems = limits.problems(request.nodes, seconds)
        if problems:
            raise ValidationError("; ".join(problems), field="nodes", rule="queue limits")
    if not request.program.strip():
        raise ValidationError("the program to run is empty", field="program", rule="non-empty")
    _one_line(request.program, "program", "the program")
    for argument in request.args:
        _one_line(argument, "args", "the argument")
    if request.pool or request.container:
        validate_label(request.pool, "pool")
        validate_label(request.container, "container")
        for kind, label in (("pool", request.pool), ("container", request.container)):
            # valid DAOS labels, but `launch-dfuse.sh POOL:CONT` and /tmp/POOL/CONT cannot carry them
            if ":" in label or label in (".", ".."):
                raise ValidationError(
                    f"the {kind} label {label!r} cannot be used in a job script: launch-dfuse.sh takes "
                    "POOL:CONT and mounts at /tmp/POOL/CONT (no ':' and not '.' or '..')",
                    field=kind,
                    rule="launch-dfuse.sh pool:cont",
                )
    if request.interception not in INTERCEPTION:
        raise ValidationError(
            f"interception must be one of {', '.join(INTERCEPTION)}", field="interception", rule="choice"
        )
    for key, value in request.env.items():
        if not _ENV_KEY.fullmatch(key):
            raise ValidationError(f"environment variable name {key!r} is not valid", field="env", rule="name")
        _one_line(value, "env", f"the value of {key}")
    for module in request.extra_modules:
        if not _MODULE.fullmatch(module):
            raise ValidationError(f"module name {module!r} is not valid", field="extra_modules", rule="name")


def generate_script(request: JobRequest, site: SiteProfile) -> str:
    validate(request)
    # the profile checks itself when built; checked again here because these lines land in the script
    validate_shell_lines(site.job_modules, "job_modules")
    daos = bool(request.pool and request.container)
    filesystems = "home:flare" + (f":{site.daos_filesystem}" if daos else "")
    lines = [
        "#!/bin/bash -l",
        f"#PBS -A {request.project}",
        f"#PBS -q {request.queue}",
        f"#PBS -N {request.job_name}",
        f"#PBS -l select={request.nodes}",
        f"#PBS -l walltime={format_walltime(request.walltime_seconds)}",
        f"#PBS -l filesystems={filesystems}",
    ]
    if daos and site.add_daos_resource:
        lines.append(f"#PBS -l daos={site.daos_resource}")
    lines += [
        f"#PBS -l place={request.place}",
        "#PBS -k doe",
        "",
        "# Generated by daostui: "
        + ("DAOS container mounted on every node with dfuse, " if daos else "")
        + "MPI over --no-vni.",
    ]
    lines += list(site.job_modules) + [f"module load {m}" for m in request.extra_modules]
    lines += ["", 'cd "${PBS_O_WORKDIR}"', ""]
    for key, value in request.env.items():
        lines.append(f"export {key}={shlex.quote(value)}")
    if daos:
        launch = site.launch_dfuse_caching if request.caching_mount else site.launch_dfuse
        lines += [
            f"DAOS_POOL={request.pool}",
            f"DAOS_CONT={request.container}",
            "# unmount on every node at the end, also when the program fails (the epilogue does it too)",
            f'trap "{site.clean_dfuse} ${{DAOS_POOL}}:${{DAOS_CONT}}" EXIT',
            f"{launch} ${{DAOS_POOL}}:${{DAOS_CONT}}",
            "# the container is now at /tmp/${DAOS_POOL}/${DAOS_CONT} on every node",
            "",
        ]
    lines += [
        'NNODES=$(wc -l < "${PBS_NODEFILE}")',
        f"RANKS_PER_NODE={request.ranks_per_node}",
        "NRANKS=$(( NNODES * RANKS_PER_NODE ))",
        "",
    ]
    mpi = [
        "mpiexec",
        "--no-vni",
        "-np",
        "${NRANKS}",
        "-ppn",
        "${RANKS_PER_NODE}",
        *cpu_binding(request.ranks_per_node),
    ]
    if request.interception != "none" and daos:
        library = site.pil4dfs_lib if request.interception == "pil4dfs" else site.ioil_lib
        mpi += ["--env", f"LD_PRELOAD={library}"]
        if request.interception == "pil4dfs":
            lines.append(
                "# Python with libpil4dfs may need D_IL_COMPATIBLE=1 ([Errno 95] Operation not supported)"
            )
    mpi.append("-genvall")
    command = " ".join(mpi) + " \\\n    " + shlex.join([request.program, *request.args])
    lines += [
        command,
        "status=$?",
        'echo "daostui: program exited with status ${status}"',
        "exit ${status}",
        "",
    ]
    return "\n".join(lines)


def parse_directives(script: str) -> dict[str, str]:
    """The `#PBS` options of a script (stopping at the first executable line), `-l` keys as `l:name`."""
    options: dict[str, str] = {}
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or (stripped.startswith("#") and not stripped.startswith("#PBS")):
            continue
        if not stripped.startswith("#PBS"):
            break
        tokens = shlex.split(stripped[4:])
        for index in range(0, len(tokens) - 1, 2):
            flag, value = tokens[index], tokens[index + 1]
            if flag == "-l":
                for item in value.split(","):
                    key, _, val = item.partition("=")
                    options[f"l:{key}"] = val
            else:
                options[flag] = value
    return options


def request_options(request: JobRequest, site: SiteProfile) -> dict[str, str]:
    """The PBS options a request stands for, in `parse_directives` form (for round-trip checks)."""
    daos = bool(request.pool and request.container)
    options = {
        "-A": request.project,
        "-q": request.queue,
        "-N": request.job_name,
        "l:select": str(request.nodes),
        "l:walltime": format_walltime(request.walltime_seconds),
        "l:filesystems": "home:flare" + (f":{site.daos_filesystem}" if daos else ""),
        "l:place": request.place,
        "-k": "doe",
    }
    if daos and site.add_daos_resource:
        options["l:daos"] = site.daos_resource
    return options


def script_filename(request: JobRequest) -> str:
    return f"{request.job_name}.pbs"


def save_script(text: str, directory: Path, name: str) -> Path:
    """Write the script without ever overwriting an existing file (a numeric suffix is added).

    0600 whatever the umask: `qsub` reads the script, nothing executes it directly, and it names
    the user's project, pool and container on a shared login node.
    """
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    candidate = directory / name
    counter = 1
    while True:
        try:
            return paths.write_private(candidate, text, exclusive=True, private_parent=False)
        except FileExistsError:
            counter += 1
            candidate = directory / (f"{stem}-{counter}.{suffix}" if suffix else f"{stem}-{counter}")
