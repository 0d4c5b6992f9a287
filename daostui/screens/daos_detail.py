"""Pool and container details: what `daos pool query` and `daos container query` report, explained.

Pools: the state (2.6's `Degraded` is 2.8's `TargetsExcluded`), targets and engine ranks
(enabled, disabled, dead: `--show-enabled` and `--show-disabled` asked at once), the rebuild with
its progress and, when it failed or was stopped, DAOS's status decoded (`DER_NOSPACE(-1007): No
space on storage target`), 2.8's "Data redundancy: degraded", an out-of-date pool layout, and the
tiers. Containers: health, the HLC times DAOS keeps (last open, last close/modify, latest
snapshot) as dates, hints and properties; `query`, `get-prop` and `list-snap` run concurrently.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from daostui.screens.detail_view import DetailScreen, kv_table, when
from daostui.widgets.gauge import bar, human_bytes, tier_gauge

if TYPE_CHECKING:
    from daostui.daos.models import ContainerInfo, ContainerProperties, ContainerSnapshot, Pool, PoolRebuild
    from daostui.host import ConsoleHost

#: Snapshots listed in a container's detail (newest first); the count says how many there are.
SNAPSHOTS_LISTED = 5


# ---------------------------------------------------------------------- pools
def rebuild_text(rebuild: PoolRebuild | None) -> Text:
    """`busy: 1,200 of 4,800 objects (25%), 36 records`, or `failed: DER_IO(-2001): I / O error`."""
    from daostui.daos.errno import describe_status

    if rebuild is None:
        return Text("not reported")
    style = "bold red" if rebuild.failed else "bold yellow" if rebuild.running else "green"
    text = Text()
    text.append(rebuild.state, style=style)
    if rebuild.status:
        # 2.6 leaves the raw state at its zero value (idle) when it failed: only 2.8's says more
        raw = rebuild.reported_state
        text.append(f": {describe_status(rebuild.status)}")
        if raw not in ("", "idle", rebuild.state):
            text.append(f" (DAOS state {raw})", style="dim")
        return text
    if rebuild.total_objects:
        progress = rebuild.progress or 0.0
        text.append(f": {rebuild.objects:,} of {rebuild.total_objects:,} objects ({progress:.0%})")
        text.append(f", {rebuild.records:,} records  ")
        text.append_text(bar(progress, 20, warn=2.0, danger=2.0))
    elif rebuild.state != "idle":
        text.append(f": {rebuild.objects:,} objects, {rebuild.records:,} records")
    return text


def engines_text(pool: Pool) -> str:
    """`128: enabled 0-126, disabled 127`; what the query did not ask is left out."""
    from daostui.daos.models import format_ranks

    parts = []
    for name, ranks in (
        ("enabled", pool.enabled_ranks),
        ("disabled", pool.disabled_ranks),
        ("dead", pool.dead_ranks),
    ):
        if ranks is not None:
            parts.append(f"{name} {format_ranks(ranks) or 'none'}")
    head = str(pool.total_engines) if pool.total_engines else "?"
    return head + (": " + ", ".join(parts) if parts else "")


def _state_text(pool: Pool) -> Text:
    text = Text(pool.state, style="bold red" if pool.degraded else "green")
    if pool.state == "TargetsExcluded":
        text.append("  (DAOS 2.8's name for Degraded)", style="dim")
    return text


def pool_rows(pool: Pool) -> list[tuple[str, Any]]:
    from daostui.daos.models import format_ranks

    rebuild = pool.rebuild
    rows: list[tuple[str, Any]] = [
        ("Label", pool.name),
        ("UUID", pool.uuid),
        ("State", _state_text(pool)),
        (
            "Targets",
            f"{pool.active_targets} active of {pool.total_targets}, "
            f"{pool.disabled_targets} disabled ({pool.servers} servers)",
        ),
        ("Engines (ranks)", engines_text(pool)),
        ("Rebuild", rebuild_text(rebuild)),
    ]
    if rebuild is not None and rebuild.degraded is not None:
        degraded = rebuild.degraded
        rows.append(
            (
                "Data redundancy",
                Text("degraded" if degraded else "normal", style="bold red" if degraded else "green"),
            )
        )
    if pool.layout_out_of_date:
        rows.append(
            (
                "Pool layout",
                Text(f"out of date ({pool.pool_layout_ver} < {pool.upgrade_layout_ver})", style="yellow"),
            )
        )
    replicas = format_ranks(pool.service_replicas)
    rows.append(
        (
            "Leader / version",
            f"{pool.leader} / {pool.version}" + (f"  (service ranks {replicas})" if replicas else ""),
        )
    )
    return rows


def pool_notes(pool: Pool) -> list[str]:
    """What the state means for the user's data, one sentence each."""
    from daostui.daos.errno import der_name

    notes = []
    rebuild = pool.rebuild
    if pool.degraded:
        notes.append(
            f"{pool.state}: some targets are excluded; data with enough redundancy is still readable, "
            "new data avoids them. Watch the rebuild."
        )
    if rebuild is not None and rebuild.failed:
        notes.append(
            f"Rebuild {rebuild.state} ({der_name(rebuild.status)}): data that lost a copy is not "
            "fully protected again until a rebuild succeeds. Tell ALCF support; keep a copy of "
            "important data on flare."
        )
    elif rebuild is not None and rebuild.state in ("stopping", "stopped"):
        notes.append(f"Rebuild {rebuild.state}: an administrator stopped it; redundancy is not restored.")
    elif rebuild is not None and rebuild.running:
        notes.append("Rebuild busy: I/O may be slower until it is done.")
    if pool.redundancy_degraded:
        notes.append("Data redundancy degraded: some objects have fewer copies than their redundancy factor.")
    if pool.layout_out_of_date:
        notes.append(
            f"Pool layout out of date ({pool.pool_layout_ver} < {pool.upgrade_layout_ver}): an "
            "administrator upgrades it (dmg pool upgrade); nothing for you to do."
        )
    if pool.nearly_full:
        notes.append(
            "Nearly full: a target with little free space makes writes fail even when the "
            "total looks fine. Clean up or copy data to flare."
        )
    return notes


def pool_body(pool: Pool) -> RenderableType:
    parts: list[RenderableType] = [kv_table(pool_rows(pool)), Text("")]
    for tier in pool.tiers:
        parts.append(tier_gauge(tier.media_type.upper(), tier.total, tier.free, tier.min, tier.mean))
    parts += [Text("⚠ " + note, style="yellow") for note in pool_notes(pool)]
    return Group(*parts)


def pool_detail(host: ConsoleHost, key: str) -> DetailScreen:
    daos = host.session.daos
    argv = [daos.argv_pool_query(key, ranks="enabled"), daos.argv_pool_query(key, ranks="disabled")]

    async def load() -> RenderableType:
        # DAOS answers one rank set per query: both at once, the second carrying the rest; the
        # enabled ranks are a bonus (a pool detail without them is still the detail)
        enabled, pool = await asyncio.gather(
            daos.pool_query(key, ranks="enabled"),
            daos.pool_query(key, ranks="disabled"),
            return_exceptions=True,
        )
        if isinstance(pool, BaseException):
            raise pool
        if not isinstance(enabled, BaseException):
            pool.enabled_ranks = enabled.enabled_ranks
        return pool_body(pool)

    return DetailScreen(f"Pool {key}", argv, load)


# ---------------------------------------------------------------------- containers
def snapshots_text(info: ContainerInfo, snapshots: list[ContainerSnapshot] | BaseException) -> Text:
    """`2; latest 2026-11-19 08:53:20 UTC` and the newest few, or why they could not be listed."""
    if isinstance(snapshots, BaseException):
        count = info.num_snapshots
        return Text(f"{count}; list-snap failed: {snapshots}", style="yellow")
    latest = info.latest_snapshot_at
    text = Text(f"{len(snapshots)}" + (f"; latest {when(latest)}" if latest else ""))
    newest = sorted(snapshots, key=lambda snap: snap.epoch, reverse=True)[:SNAPSHOTS_LISTED]
    for snap in newest:
        text.append(
            f"\n{when(snap.taken_at)}  {snap.name or '(no name)'}  epoch {snap.epoch:#x}", style="dim"
        )
    return text


def container_rows(
    info: ContainerInfo, props: ContainerProperties, snapshots: Any, mount_path: str
) -> list[tuple[str, Any]]:
    health = props.health or info.health or "?"
    unhealthy = props.unclean or health.upper() == "UNCLEAN"
    return [
        ("Health", Text(health, style="bold red" if unhealthy else "green")),
        ("Label", info.label),
        ("UUID", info.uuid),
        ("Type", info.type),
        ("Pool UUID", info.pool_uuid),
        ("Redundancy factor", info.redundancy_factor),
        ("Open handles", info.num_handles),
        ("Last opened", when(info.opened_at, "never")),
        ("Last closed/modified", when(info.modified_at, "never")),
        ("Snapshots", snapshots_text(info, snapshots)),
        ("Hints", info.hints or "-"),
        ("Object class (file/dir)", f"{info.file_object_class or '-'} / {info.dir_object_class or '-'}"),
        ("Chunk size", human_bytes(info.chunk_size) if info.chunk_size else "-"),
        ("Mounted here", mount_path or "no"),
    ]


def container_body(
    info: ContainerInfo, props: ContainerProperties, snapshots: Any, *, pool: str, name: str, mount_path: str
) -> RenderableType:
    props_table = Table(title="Properties (get-prop)", title_justify="left", expand=True)
    props_table.add_column("Name")
    props_table.add_column("Value")
    for prop in props.items:
        value = ", ".join(prop.value) if isinstance(prop.value, list) else str(prop.value)
        style = "bold red" if prop.name == "status" and value == "UNCLEAN" else ""
        props_table.add_row(f"{prop.description} ({prop.name})", Text(value, style=style))
    parts: list[RenderableType] = [
        kv_table(container_rows(info, props, snapshots, mount_path)),
        Text(""),
        props_table,
    ]
    if props.unclean:
        parts.append(
            Text(
                "UNCLEAN: redundancy was lost; dfuse mounts fail with DER_RF. Fix: daos cont set-prop "
                f"{pool} {name} status:HEALTHY, then daos fs check --flags=evict {pool} {name} "
                "(the doctor, D, offers it).",
                style="yellow",
            )
        )
    return Group(*parts)


def container_detail(host: ConsoleHost, key: str) -> DetailScreen | None:
    pool = host.data.selected_pool
    row = host.data.container(pool, key)
    if row is None:
        return None
    name = row.label or row.uuid
    daos = host.session.daos

    async def load() -> RenderableType:
        # independent commands: all three at once (under latency one round trip, not three)
        info, props, snapshots = await asyncio.gather(
            daos.cont_query(pool, name),
            daos.cont_get_prop(pool, name),
            daos.cont_list_snap(pool, name),
            return_exceptions=True,
        )
        for essential in (info, props):
            if isinstance(essential, BaseException):
                raise essential
        host.data.props[(pool, name)] = props
        return container_body(info, props, snapshots, pool=pool, name=name, mount_path=row.mount_path)

    return DetailScreen(
        f"Container {name} in {pool}",
        [
            daos.argv_cont_query(pool, name),
            daos.argv_cont_get_prop(pool, name),
            daos.argv_cont_list_snap(pool, name),
        ],
        load,
    )
