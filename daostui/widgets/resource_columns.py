"""Per-resource column definitions for the one resource table (the k9s "render" layer).

Each resource is a list of `Column`s over its model; the table widget knows nothing of DAOS or
PBS. Colour marks what needs attention: Degraded pools, rebuilds, nearly full pools, UNCLEAN
containers, hung or stale mounts, failed jobs.
"""

from __future__ import annotations

from typing import Any

from daostui.core.units import human_bytes
from daostui.widgets.table_model import Column


def pool_key(pool: Any) -> str:
    return str(pool.name)


def container_key(row: Any) -> str:
    return str(row.uuid or row.label)


def mount_key(mount: Any) -> str:
    return str(mount.path)


def job_key(job: Any) -> str:
    return str(job.id)


def _pool_state_style(pool: Any) -> str:
    if pool.rebuild_failed:
        return "bold white on red"
    if pool.rebuild is not None and pool.rebuild.running:
        return "bold yellow"
    return "bold red" if pool.degraded else "green"


def _pool_used_style(pool: Any) -> str:
    return "bold red" if pool.nearly_full else ("yellow" if pool.used_pct >= 75 else "")


def _pool_state(pool: Any) -> str:
    """`Degraded (rebuild failed)`: the state DAOS prints, and a rebuild that runs or ended badly."""
    rebuild = pool.rebuild
    if rebuild is not None and (rebuild.failed or rebuild.running):
        return f"{pool.state} (rebuild {rebuild.state})"
    return pool.state


POOL_COLUMNS: list[Column[Any]] = [
    Column("pool", "Pool", min_width=12, ratio=2, text=lambda p: p.name),
    Column(
        "size",
        "Size",
        width=7,
        align="right",
        text=lambda p: human_bytes(p.size) if p.size else "?",
        sort_key=lambda p: p.size,
    ),
    Column(
        "used",
        "Used",
        width=5,
        align="right",
        text=lambda p: f"{p.used_pct}%",
        style=_pool_used_style,
        sort_key=lambda p: p.used_pct,
    ),
    Column(
        "minfree",
        "Free/tgt",
        width=8,
        align="right",
        text=lambda p: human_bytes(p.min_free_per_target) if p.min_free_per_target else "-",
        style=_pool_used_style,
        sort_key=lambda p: p.min_free_per_target,
    ),
    Column("state", "State", min_width=9, ratio=1, text=_pool_state, style=_pool_state_style),
    Column(
        "disabled",
        "Disabled",
        width=8,
        align="right",
        text=lambda p: f"{p.disabled_targets}/{p.total_targets}",
        sort_key=lambda p: p.disabled_targets,
        style=lambda p: "red" if p.disabled_targets else "",
        hidden_when_narrow=True,
    ),
]


def _health(row: Any) -> str:
    return row.props.health if row.props is not None else "…"


CONTAINER_COLUMNS: list[Column[Any]] = [
    Column("label", "Label", min_width=10, ratio=2, text=lambda r: r.label),
    Column(
        "health",
        "Health",
        width=8,
        text=_health,
        style=lambda r: (
            "bold white on red"
            if r.props is not None and r.props.unclean
            else ("green" if r.props is not None else "dim")
        ),
    ),
    Column(
        "rdfac",
        "rd_fac",
        width=6,
        align="right",
        text=lambda r: str(r.props.rd_fac) if r.props is not None and r.props.rd_fac is not None else "…",
    ),
    Column(
        "type",
        "Type",
        width=6,
        text=lambda r: r.props.layout if r.props is not None else "…",
        hidden_when_narrow=True,
    ),
    Column(
        "mounted",
        "Here",
        width=4,
        text=lambda r: "●" if r.mount_path else "",
        style=lambda r: "bold cyan" if r.mount_path else "",
    ),
    Column("uuid", "UUID", min_width=8, ratio=2, text=lambda r: r.uuid, hidden_when_narrow=True),
]


def _mount_style(mount: Any) -> str:
    return {"ok": "green", "hung": "bold white on red", "stale": "bold red", "unknown": "dim"}.get(
        mount.state, "yellow"
    )


MOUNT_COLUMNS: list[Column[Any]] = [
    Column("path", "Path", min_width=12, ratio=3, text=lambda m: m.path),
    Column("pool", "Pool", min_width=6, ratio=1, text=lambda m: m.pool or "?"),
    Column("container", "Container", min_width=8, ratio=1, text=lambda m: m.container or "?"),
    Column("state", "State", width=7, text=lambda m: m.state, style=_mount_style),
    Column("owned", "Ours", width=4, text=lambda m: "yes" if m.owned else "", hidden_when_narrow=True),
]

JOB_STATE_STYLE = {
    "R": "green",
    "Q": "yellow",
    "H": "magenta",
    "F": "dim",
    "E": "cyan",
    "L": "bold white on red",
}


def _job_exit_style(job: Any) -> str:
    if job.is_array:
        return "bold red" if job.array_failed else ""
    status = job.exit_status
    return "" if status in (None, 0) else "bold red"


def _job_id(job: Any) -> str:
    """`1234[]` for an array, its subjobs beneath it as `└[7]`, other jobs by number."""
    index = job.array_index
    return f" └[{index}]" if index is not None else job.seq


def _job_order(job: Any) -> tuple[int, int]:
    """By number, an array's subjobs right after it (by index)."""
    index = job.array_index
    return job.sequence_number, -1 if index is None else index


def _job_exit(job: Any) -> str:
    """An array's progress (`3/4 done, 1 failed, 1 running`), else the exit status in a few words."""
    return job.array_progress or job.exit_short


def _job_comment(job: Any) -> str:
    """A waiting job's expected start before the scheduler's reason; otherwise PBS's comment."""
    start = job.estimated_start if job.state in ("Q", "H", "W", "T") else None
    if start is not None:
        when = f"~{start:%b %d %H:%M}"  # first: a narrow cell keeps the time
        return f"{when} · {job.comment}" if job.comment else f"{when} (estimated start)"
    return job.comment


def _elapsed(job: Any) -> str:
    from daostui.pbs.walltime import format_walltime

    return format_walltime(job.walltime_used) if job.walltime_used is not None else "-"


def job_search(job: Any) -> str:
    """What `/` matches in the jobs pane: id, name, queue, state, project, comment (`Job.search_text`)."""
    return str(job.search_text())


JOB_COLUMNS: list[Column[Any]] = [
    Column("id", "Job", width=9, text=_job_id, sort_key=_job_order),
    Column("name", "Name", min_width=8, ratio=2, text=lambda j: j.name),
    Column("queue", "Queue", width=9, text=lambda j: j.queue, hidden_when_narrow=True),
    Column("state", "S", width=3, text=lambda j: j.state, style=lambda j: JOB_STATE_STYLE.get(j.state, "")),
    Column("nodes", "Nds", width=4, align="right", text=lambda j: str(j.nodes or "")),
    Column("walltime", "Wall", width=8, text=lambda j: j.walltime_requested_text, hidden_when_narrow=True),
    Column("elapsed", "Elapsed", width=8, text=_elapsed, sort_key=lambda j: j.walltime_used or 0),
    # the exit status stays when the pane is narrow (Wall, Queue and Comment give way first)
    Column("exit", "Exit", min_width=12, ratio=1, text=_job_exit, style=_job_exit_style),
    Column("comment", "Comment", min_width=8, ratio=3, text=_job_comment, hidden_when_narrow=True),
]

COLUMN_HELP: dict[str, list[tuple[str, str]]] = {
    "pools": [
        ("Size", "size of the data tier (NVMe), as `daos pool list` prints it"),
        ("Used", "highest used percentage over the tiers; red when nearly full"),
        (
            "Free/tgt",
            "minimum free space per target, i.e. free space of the fullest target: when small, writes fail although the total looks fine",
        ),
        (
            "State",
            "Ready; Degraded (DAOS 2.8 says TargetsExcluded) when targets are excluded; 'rebuild busy' "
            "while data is rebuilt, 'rebuild failed' in red when it ended badly (Enter shows why)",
        ),
        ("Disabled", "disabled targets / all targets (32 targets per DAOS server)"),
    ],
    "containers": [
        (
            "Health",
            "Health (status) property: UNCLEAN after losing more than rd_fac servers (… = not read yet)",
        ),
        ("rd_fac", "redundancy factor: how many server failures the data survives"),
        ("Here", "● when the container is mounted on this host"),
        ("UUID", "the container's UUID (DAOS accepts it wherever a label is accepted)"),
    ],
    "mounts": [
        ("Path", "mount point of a dfuse mount (file system type fuse.daos)"),
        ("State", "ok: listable; hung: listing timed out; stale: dfuse died (unmount and mount again)"),
        ("Ours", "mounted by daostui"),
    ],
    "jobs": [
        ("Job", "job number; NNN[] is a job array (space opens it: └[i] are its subjobs)"),
        (
            "S",
            "PBS state: Q queued, H held, R running, B array begun, E exiting, F finished, "
            "X subjob finished, L lost after qsub",
        ),
        ("Wall", "walltime requested (HH:MM:SS)"),
        ("Elapsed", "walltime used so far"),
        (
            "Exit",
            "exit status in short (Enter for the full meaning): 0 ok; 1-255 the script's own; "
            "256+N killed by signal N (271 SIGTERM: qdel); negative: PBS's JOB_EXEC_* codes "
            "(-29 walltime). For an array: subjobs done, running, queued, failed",
        ),
        (
            "Comment",
            "PBS's comment: why a job waits (Not Running: ...) or where it ran; "
            "~DATE first: when the scheduler expects a waiting job to start",
        ),
    ],
}
