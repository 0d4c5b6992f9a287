"""Typed views of what `daos` reports about pools and containers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from daostui.daos.hlc import hlc_to_datetime

#: A pool is "nearly full" at this used percentage...
NEARLY_FULL_PCT = 90
#: ...or when its fullest target has less than this fraction of the mean free space per target
#: (aurora-daos.md: "a small min free per target means the pool is effectively full").
MIN_TARGET_FRACTION = 0.05
TARGETS_PER_SERVER = 32


@dataclass(slots=True)
class PoolTier:
    media_type: str
    total: int
    free: int
    min: int = 0
    max: int = 0
    mean: int = 0

    @property
    def used_pct(self) -> int:
        return int((self.total - self.free) / self.total * 100) if self.total else 0


#: Rebuild states that mean "still running" and "ended badly" (2.8's derived states, src/control/lib/daos/pool.go).
REBUILD_RUNNING = ("busy", "stopping", "failing")
REBUILD_FAILED = ("failed", "failing")
#: `-DER_OP_CANCELED`: the status of a rebuild that was stopped rather than failed (2.8 UpdateRebuildStatus).
OP_CANCELED = -2027


def derive_rebuild_state(state: str, status: int) -> str:
    """DAOS 2.8's `PoolInfo.UpdateRebuildStatus`, applied to any version's raw state and status.

    2.6 reports only idle/busy/done plus a status; 2.8 derives stopping/stopped/failing/failed from the
    same two values, so a 2.6 failure reads the same as a 2.8 one.
    """
    if status == 0:
        return state
    if state in ("idle", ""):
        return "stopped" if status == OP_CANCELED else "failed"
    if state == "done":
        return "failed"
    if state == "busy":
        return "stopping" if status == OP_CANCELED else "failing"
    return state


@dataclass(slots=True)
class PoolRebuild:
    """The rebuild status of `daos pool query` (2.6 and 2.8 layouts, JSON and text).

    `state` is what to show: 2.8's derived state (idle, busy, done, stopping, stopped, failing,
    failed, unknown), derived with 2.8's rule for 2.6 output too. `reported_state` is DAOS's raw
    `state` field (idle/busy/done; 2.6 leaves it at its zero value, `idle`, when the rebuild failed, and
    2.6's text does not print it then: ""). `status` is the DAOS errno (0 = fine; see
    `daostui.daos.errno.describe_status`). `total_objects` is the number of objects to rebuild (2.6 JSON
    only; 0 when unknown). `degraded` is 2.8's "Data redundancy: degraded" (None: not reported).
    """

    state: str  # idle | busy | done | stopping | stopped | failing | failed | unknown
    status: int = 0
    objects: int = 0
    records: int = 0
    total_objects: int = 0
    reported_state: str = ""
    degraded: bool | None = None

    @property
    def failed(self) -> bool:
        return self.state in REBUILD_FAILED

    @property
    def running(self) -> bool:
        return self.state in REBUILD_RUNNING

    @property
    def progress(self) -> float | None:
        """Fraction of objects rebuilt, when DAOS said how many there are to rebuild."""
        if self.total_objects <= 0:
            return None
        return max(0.0, min(1.0, self.objects / self.total_objects))

    @property
    def summary(self) -> str:
        """One line as `daos pool query` puts it: `busy, 42 objs, 21 recs` or `failed (state=done, status=-2001)`."""
        if self.status:
            raw = f"state={self.reported_state}, " if self.reported_state else ""
            return f"{self.state} ({raw}status={self.status})"
        return f"{self.state}, {self.objects} objs, {self.records} recs"


def format_ranks(ranks: list[int] | None) -> str:
    """`0-2,4` as DAOS prints a rank set (ranklist.RankSet.String without brackets)."""
    if not ranks:
        return ""
    ordered = sorted(set(ranks))
    parts = []
    start = previous = ordered[0]
    for rank in [*ordered[1:], None]:
        if rank is not None and rank == previous + 1:
            previous = rank
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if rank is not None:
            start = previous = rank
    return ",".join(parts)


@dataclass(slots=True)
class Pool:
    """A pool as `daos pool list` / `daos pool query` report it (daos-stack/daos lib/daos/pool.go PoolInfo).

    Rank sets are None when the query did not ask for them (`query_mask` says which were asked;
    `-e` enabled, `-b` disabled, `-t` disabled and dead; 2.8 asks for disabled ones by default).
    `pool_layout_ver` < `upgrade_layout_ver` means "Pool layout out of date" (`dmg pool upgrade`).
    `md_on_ssd_active`/`mem_file_bytes`/`self_heal_policy` are 2.8-only (False/0/"" from 2.6).
    """

    label: str
    uuid: str = ""
    state: str = "Unknown"  # Ready | Degraded (2.6) / TargetsExcluded (2.8) | Creating | Destroying | Unknown
    total_targets: int = 0
    active_targets: int = 0
    disabled_targets: int = 0
    version: int = 0
    leader: int = 0
    tiers: list[PoolTier] = field(default_factory=list)
    rebuild: PoolRebuild | None = None
    #: From `pool list` text, which gives percentages only.
    used_pct_reported: int | None = None
    imbalance_pct: int | None = None
    size_reported: int | None = None
    total_engines: int = 0
    query_mask: str = ""
    service_replicas: list[int] = field(default_factory=list)
    enabled_ranks: list[int] | None = None
    disabled_ranks: list[int] | None = None
    dead_ranks: list[int] | None = None
    pool_layout_ver: int = 0
    upgrade_layout_ver: int = 0
    md_on_ssd_active: bool = False
    mem_file_bytes: int = 0
    self_heal_policy: str = ""

    @property
    def name(self) -> str:
        return self.label or self.uuid[:8]

    def _data_tier(self) -> PoolTier | None:
        non_empty = [t for t in self.tiers if t.total]
        return non_empty[-1] if non_empty else None

    @property
    def size(self) -> int:
        tier = self._data_tier()
        return tier.total if tier else (self.size_reported or 0)

    @property
    def free(self) -> int:
        tier = self._data_tier()
        return tier.free if tier else 0

    @property
    def used_pct(self) -> int:
        if self.tiers:
            return max((t.used_pct for t in self.tiers), default=0)
        return self.used_pct_reported or 0

    @property
    def min_free_per_target(self) -> int:
        tier = self._data_tier()
        return tier.min if tier else 0

    @property
    def degraded(self) -> bool:
        """Targets are excluded (2.6 prints `Degraded`, 2.8 `TargetsExcluded`)."""
        return self.state in ("Degraded", "TargetsExcluded") or self.disabled_targets > 0

    @property
    def rebuilding(self) -> bool:
        return self.rebuild is not None and self.rebuild.state == "busy"

    @property
    def rebuild_failed(self) -> bool:
        return self.rebuild is not None and self.rebuild.failed

    @property
    def redundancy_degraded(self) -> bool:
        """2.8's "Data redundancy: degraded": some data has fewer copies than its redundancy factor."""
        return bool(self.rebuild and self.rebuild.degraded)

    @property
    def layout_out_of_date(self) -> bool:
        """DAOS prints "Pool layout out of date (%d < %d)" whenever the two versions differ."""
        return self.pool_layout_ver != self.upgrade_layout_ver

    @property
    def nearly_full(self) -> bool:
        if self.used_pct >= NEARLY_FULL_PCT:
            return True
        tier = self._data_tier()
        return bool(tier and tier.mean and tier.min < tier.mean * MIN_TARGET_FRACTION)

    @property
    def servers(self) -> int:
        return self.total_targets // TARGETS_PER_SERVER


@dataclass(slots=True, frozen=True)
class ContainerRef:
    uuid: str
    label: str


@dataclass(slots=True)
class ContainerInfo:
    """`daos container query` (and `create`) output.

    Times are DAOS HLCs (see `daostui.daos.hlc`): `open_time` is the last open that was not a
    read-only stat open (dfuse mounts, writers; `daos` itself opens with RO_MDSTATS and does not move
    it), `close_modify_time` the last close of such a handle or metadata change, `latest_snapshot` the
    epoch of the newest persistent snapshot (0: none). 0 means "never" and reads as None.
    `health` is only filled by 2.8 (2.6's CLI leaves it out: read `get-prop status`).
    """

    uuid: str
    label: str = ""
    type: str = ""
    pool_uuid: str = ""
    redundancy_factor: int = 0
    num_handles: int = 0
    num_snapshots: int = 0
    open_time: int = 0
    close_modify_time: int = 0
    object_class: str = ""
    dir_object_class: str = ""
    file_object_class: str = ""
    chunk_size: int = 0
    latest_snapshot: int = 0
    hints: str = ""
    health: str = ""

    @property
    def opened_at(self) -> datetime | None:
        return hlc_to_datetime(self.open_time)

    @property
    def modified_at(self) -> datetime | None:
        return hlc_to_datetime(self.close_modify_time)

    @property
    def latest_snapshot_at(self) -> datetime | None:
        return hlc_to_datetime(self.latest_snapshot)


@dataclass(slots=True, frozen=True)
class ContainerSnapshot:
    """One line of `daos container list-snap`: epoch (an HLC), optional name, creation time."""

    epoch: int
    name: str = ""

    @property
    def taken_at(self) -> datetime | None:
        return hlc_to_datetime(self.epoch)


@dataclass(slots=True)
class ContainerProperty:
    name: str
    value: str | int | list[str]
    description: str = ""


@dataclass(slots=True)
class ContainerProperties:
    items: list[ContainerProperty] = field(default_factory=list)

    def get(self, name: str) -> str | int | list[str] | None:
        return next((p.value for p in self.items if p.name == name), None)

    @property
    def health(self) -> str:
        value = self.get("status")
        return str(value) if value is not None else ""

    @property
    def unclean(self) -> bool:
        return self.health.upper() == "UNCLEAN"

    @property
    def rd_fac(self) -> int | None:
        value = str(self.get("rd_fac") or "")
        digits = value.removeprefix("rd_fac")
        return int(digits) if digits.isascii() and digits.isdigit() else None

    @property
    def label(self) -> str:
        return str(self.get("label") or "")

    @property
    def owner(self) -> str:
        return str(self.get("owner") or "")

    @property
    def layout(self) -> str:
        value = str(self.get("layout_type") or "")
        return value.split(" (", 1)[0]

    @property
    def acl(self) -> list[str]:
        value = self.get("acl")
        if isinstance(value, list):
            return [str(v) for v in value]
        if isinstance(value, str) and value:
            return [part.strip() for part in value.split(",") if part.strip()]
        return []


PERMISSIONS = {
    "r": "read",
    "w": "write",
    "d": "delete the container",
    "t": "get properties",
    "T": "set properties",
    "a": "get ACL",
    "A": "set ACL",
    "o": "set owner",
}


@dataclass(slots=True, frozen=True)
class AclEntry:
    """An ACE such as `A::alice@:rw` or `A:G:users@:rwta` (type:flags:principal:permissions)."""

    type: str
    flags: str
    principal: str
    permissions: str

    @classmethod
    def parse(cls, text: str) -> AclEntry | None:
        parts = text.strip().split(":")
        if len(parts) != 4 or not parts[2]:
            return None
        return cls(*parts)

    def __str__(self) -> str:
        return f"{self.type}:{self.flags}:{self.principal}:{self.permissions}"

    @property
    def is_group(self) -> bool:
        return "G" in self.flags


def describe_permissions(perms: str) -> str:
    return ", ".join(PERMISSIONS.get(letter, f"unknown '{letter}'") for letter in perms)


@dataclass(slots=True)
class AutotestStep:
    step: int
    operation: str
    status: str
    seconds: float | None = None
    comment: str = ""


@dataclass(slots=True)
class AutotestResult:
    steps: list[AutotestStep]
    passed: bool
    summary: str


@dataclass(slots=True)
class ContainerCheckResult:
    checked: int
    skipped: int
    inconsistent: int
    run_time: str = ""


@dataclass(slots=True)
class FsCheckResult:
    leaked_oids: int | None
    raw: str = ""


@dataclass(slots=True)
class FsCopyResult:
    destination_kind: str  # "DAOS" or "POSIX"
    destination: str
    dirs: int
    files: int
    links: int


@dataclass(slots=True)
class DaosVersion:
    version: str
    libdaos: str = ""
