"""Parsers for `daos pool list` and `daos pool query`, JSON and text, DAOS 2.6 and 2.8.

Layouts are DAOS's own (daos-stack/daos, src/control/cmd/daos/pretty/pool.go and
src/control/lib/daos/pool.go at release/2.6.4-aurora, which Aurora runs, and release/2.8): 2.8
renamed `Degraded` to `TargetsExcluded`, prints `- Target count:` for `- Target(VOS) count:`,
upper-cases `NVME`, prints a failed rebuild as `- Rebuild failed (state=done, status=-2001)`
instead of `- Rebuild failed, status=-2001`, adds `- Data redundancy: degraded|normal`, the
MD-on-SSD tier names and, in JSON, `derived_state`, `degraded`, `mem_file_bytes`,
`md_on_ssd_active` and `self_heal_policy`. Both are read into the same model.
"""

from __future__ import annotations

import re
from typing import Any

from daostui.core.errors import ParseError
from daostui.daos.models import Pool, PoolRebuild, PoolTier, derive_rebuild_state
from daostui.daos.parse_common import as_bool, as_dict, as_int, as_list, as_str, parse_size, table

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")
#: A rank set larger than any DAOS system: a bigger range is garbage, not a list to build.
_MAX_RANKS = 1 << 20


def parse_ranks(value: Any, what: str) -> list[int] | None:
    """A rank set: a JSON array of ints (2.6 and 2.8 `daos`), or a ranged string `[0-1,3]` (2.8 dmg)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [as_int(rank, what) for rank in value]
    text = as_str(value, what).strip().removeprefix("[").removesuffix("]")
    ranks: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _RANGE.match(part)
        if match is None:
            raise ParseError(f"{what}: {part!r} is not a rank or a range", excerpt=text, source="daos")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if high < low or high - low > _MAX_RANKS:
            raise ParseError(f"{what}: bad rank range {part!r}", excerpt=text, source="daos")
        ranks.extend(range(low, high + 1))
    return ranks


# ---------------------------------------------------------------------- JSON
def rebuild_from_json(value: Any) -> PoolRebuild:
    r = as_dict(value, "rebuild")
    status = as_int(r.get("status", 0), "rebuild.status")
    reported = as_str(r.get("state"), "rebuild.state")
    derived = as_str(r.get("derived_state"), "rebuild.derived_state")
    degraded = r.get("degraded")
    return PoolRebuild(
        state=derived or derive_rebuild_state(reported, status) or "unknown",
        status=status,
        objects=as_int(r.get("objects", 0), "rebuild.objects"),
        records=as_int(r.get("records", 0), "rebuild.records"),
        total_objects=as_int(r.get("total_objects", 0), "rebuild.total_objects"),
        reported_state=reported,
        degraded=None if degraded is None else as_bool(degraded, "rebuild.degraded"),
    )


def pool_from_json(info: Any, label: str = "") -> Pool:
    info = as_dict(info, "pool")
    rebuild = rebuild_from_json(info["rebuild"]) if isinstance(info.get("rebuild"), dict) else None
    tiers = []
    for index, tier in enumerate(as_list(info.get("tier_stats"), "tier_stats")):
        tier = as_dict(tier, "tier")
        tiers.append(
            PoolTier(
                media_type=as_str(tier.get("media_type", "scm" if index == 0 else "nvme"), "media_type"),
                total=as_int(tier.get("total", 0), "total"),
                free=as_int(tier.get("free", 0), "free"),
                min=as_int(tier.get("min", 0), "min"),
                max=as_int(tier.get("max", 0), "max"),
                mean=as_int(tier.get("mean", 0), "mean"),
            )
        )
    imbalance = None
    usage = as_list(info.get("usage"), "usage")
    if usage:
        imbalance = max(as_int(as_dict(u, "usage").get("imbalance", 0), "imbalance") for u in usage)
    return Pool(
        label=as_str(info.get("label") or label, "label"),
        uuid=as_str(info.get("uuid"), "uuid"),
        state=as_str(info.get("state", "Unknown"), "state"),
        total_targets=as_int(info.get("total_targets", 0), "total_targets"),
        active_targets=as_int(info.get("active_targets", 0), "active_targets"),
        disabled_targets=as_int(info.get("disabled_targets", 0), "disabled_targets"),
        version=as_int(info.get("version", 0), "version"),
        leader=as_int(info.get("svc_ldr", 0), "svc_ldr"),
        tiers=tiers,
        rebuild=rebuild,
        imbalance_pct=imbalance,
        total_engines=as_int(info.get("total_engines", 0), "total_engines"),
        query_mask=as_str(info.get("query_mask"), "query_mask"),
        service_replicas=parse_ranks(info.get("svc_reps"), "svc_reps") or [],
        enabled_ranks=parse_ranks(info.get("enabled_ranks"), "enabled_ranks"),
        disabled_ranks=parse_ranks(info.get("disabled_ranks"), "disabled_ranks"),
        dead_ranks=parse_ranks(info.get("dead_ranks"), "dead_ranks"),
        pool_layout_ver=as_int(info.get("pool_layout_ver", 0), "pool_layout_ver"),
        upgrade_layout_ver=as_int(info.get("upgrade_layout_ver", 0), "upgrade_layout_ver"),
        md_on_ssd_active=as_bool(info.get("md_on_ssd_active"), "md_on_ssd_active"),
        mem_file_bytes=as_int(info.get("mem_file_bytes", 0), "mem_file_bytes"),
        self_heal_policy=as_str(info.get("self_heal_policy"), "self_heal_policy"),
    )


def pools_from_json(response: Any) -> list[Pool]:
    if response is None:
        return []
    return [pool_from_json(p) for p in as_list(as_dict(response, "pool list").get("pools"), "pools")]


# ---------------------------------------------------------------------- text
def _percent(cell: str) -> int | None:
    value = cell.rstrip("%")
    return int(value) if value.isdecimal() else None


def pools_from_text(text: str) -> list[Pool]:
    """`daos pool list`; the `UpgradeNeeded?` column (`1->2` or `None`) gives the layout versions."""
    if "No pools in system" in text:
        return []
    pools = []
    for row in table(text, "Pool"):
        disabled, _, total = row.get("Disabled", "0/0").partition("/")
        current, arrow, target = row.get("UpgradeNeeded?", "").partition("->")
        pools.append(
            Pool(
                label=row.get("Pool", ""),
                state=row.get("State", "Unknown"),
                disabled_targets=int(disabled) if disabled.isdecimal() else 0,
                total_targets=int(total) if total.isdecimal() else 0,
                used_pct_reported=_percent(row.get("Used", "")),
                imbalance_pct=_percent(row.get("Imbalance", "")),
                size_reported=parse_size(row["Size"]) if row.get("Size") else None,
                pool_layout_ver=int(current) if arrow and current.isdecimal() else 0,
                upgrade_layout_ver=int(target) if arrow and target.isdecimal() else 0,
            )
        )
    return pools


_POOL_HEAD = re.compile(
    r"^Pool ([0-9a-fA-F-]{36}), ntarget=(\d+), disabled=(\d+), leader=(\d+), version=(\d+)"
    r"(?:, state=(\w+))?"
)
_LAYOUT = re.compile(r"^Pool layout out of date \((\d+) < (\d+)\)")
_RANKS = re.compile(r"^- (Enabled|Disabled|Dead) ranks: (.*)$")
_REBUILD = re.compile(r"Rebuild (\w+), (\d+) objs, (\d+) recs")
_REBUILD_FAILED_26 = re.compile(r"Rebuild failed, status=(-?\d+)")
_REBUILD_FAILED_28 = re.compile(r"Rebuild (\w+) \(state=(\w*), status=(-?\d+)\)")
_REDUNDANCY = re.compile(r"^- Data redundancy: (\w+)")
_TARGETS = re.compile(r"^- Target(?:\(VOS\))? count:\s*(\d+)")
_TIER = re.compile(r"^- Storage tier (\d+) \((\w+)\):")
_MD_TIER = re.compile(r"^- (Metadata|Data) storage:")
_MEM_FILE = re.compile(r"^- Total memory-file size: (.+?)\s*$")
_TOTAL = re.compile(r"^\s*Total size: (.+?)\s*$")
_FREE = re.compile(r"^\s*Free: (.+?), min:(.+?), max:(.+?), mean:(.+?)\s*$")


def _rebuild_line(line: str) -> PoolRebuild | None:
    if match := _REBUILD_FAILED_28.search(line):
        derived, reported, status = match.group(1), match.group(2), int(match.group(3))
        return PoolRebuild(derived, status, reported_state=reported)
    if match := _REBUILD_FAILED_26.search(line):
        return PoolRebuild("failed", int(match.group(1)))
    if match := _REBUILD.search(line):
        state = match.group(1)
        return PoolRebuild(state, 0, int(match.group(2)), int(match.group(3)), reported_state=state)
    return None


def _tier_line(pool: Pool, line: str, tier: PoolTier | None) -> PoolTier | None:
    """Reads one space-info line into `pool`; returns the tier later `Total`/`Free` lines belong to."""
    if match := _TIER.match(line):
        tier = PoolTier(media_type=match.group(2).lower(), total=0, free=0)
        pool.tiers.append(tier)
    elif match := _MD_TIER.match(line):
        # MD-on-SSD (2.8): tier 0 is still DAOS_MEDIA_SCM in the JSON, tier 1 DAOS_MEDIA_NVME
        tier = PoolTier(media_type="scm" if match.group(1) == "Metadata" else "nvme", total=0, free=0)
        pool.tiers.append(tier)
        pool.md_on_ssd_active = True
    elif match := _MEM_FILE.match(line):
        pool.mem_file_bytes = parse_size(match.group(1))
        pool.md_on_ssd_active = True
    elif (match := _TOTAL.match(line)) and tier is not None:
        tier.total = parse_size(match.group(1))
    elif (match := _FREE.match(line)) and tier is not None:
        tier.free, tier.min, tier.max, tier.mean = (parse_size(g) for g in match.groups())
    return tier


def pool_from_text(text: str, label: str = "") -> Pool:
    """`daos pool query` text: 2.6 and 2.8 layouts, and the 2.2-era one (no state, unindented sizes)."""
    head = None
    for line in text.splitlines():
        head = _POOL_HEAD.match(line.strip())
        if head:
            break
    if head is None:
        raise ParseError("no 'Pool <uuid>, ntarget=...' line", excerpt=text, source="daos pool query")
    disabled = int(head.group(3))
    pool = Pool(
        label=label,
        uuid=head.group(1),
        total_targets=int(head.group(2)),
        disabled_targets=disabled,
        leader=int(head.group(4)),
        version=int(head.group(5)),
        state=head.group(6) or ("Degraded" if disabled else "Ready"),
    )
    pool.active_targets = pool.total_targets - disabled
    tier: PoolTier | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if match := _LAYOUT.match(line):
            pool.pool_layout_ver, pool.upgrade_layout_ver = int(match.group(1)), int(match.group(2))
        elif match := _RANKS.match(line):
            ranks = parse_ranks(match.group(2), f"{match.group(1).lower()} ranks")
            setattr(pool, f"{match.group(1).lower()}_ranks", ranks)
        elif rebuild := _rebuild_line(line):
            pool.rebuild = rebuild
        elif match := _REDUNDANCY.match(line):
            if pool.rebuild is not None:
                pool.rebuild.degraded = match.group(1) == "degraded"
        elif match := _TARGETS.match(line):
            pool.active_targets = int(match.group(1))
        else:
            tier = _tier_line(pool, line, tier)
    return pool
