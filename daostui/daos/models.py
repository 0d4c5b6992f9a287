"""Typed views of what `daos` reports about pools and containers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

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


@dataclass(slots=True)
class PoolRebuild:
    state: str  # idle | busy | done | failed | unknown
    status: int = 0
    objects: int = 0
    records: int = 0


@dataclass(slots=True)
class Pool:
    label: str
    uuid: str = ""
    state: str = "Unknown"
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
        return self.state == "Degraded" or self.disabled_targets > 0

    @property
    def rebuilding(self) -> bool:
        return self.rebuild is not None and self.rebuild.state == "busy"

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


#: The DAOS hybrid logical clock counts from 2021-01-01 00:00:00 UTC.
HLC_EPOCH = 1_609_459_200


def hlc_to_datetime(hlc: int) -> datetime | None:
    """DAOS HLC timestamps: units of 1/16 ns since 2021-01-01 UTC, the low 18 bits logical.

    Checked against the reference's sample: 0x1b403cd19be40005 prints as 2024-11-21 18:54:29 +0800."""
    if not hlc:
        return None
    try:
        return datetime.fromtimestamp(HLC_EPOCH + (hlc & ~0x3FFFF) / 16 / 1e9, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


@dataclass(slots=True)
class ContainerInfo:
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

    @property
    def opened_at(self) -> datetime | None:
        return hlc_to_datetime(self.open_time)

    @property
    def modified_at(self) -> datetime | None:
        return hlc_to_datetime(self.close_modify_time)


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
