"""dfuse mounts as the console shows them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True, frozen=True)
class MountEntry:
    """One line of a mounts table (`/proc/mounts` format)."""

    source: str
    path: str
    fstype: str
    options: tuple[str, ...] = ()
    freq: int = 0
    passno: int = 0

    def option(self, name: str) -> str | None:
        for option in self.options:
            key, _, value = option.partition("=")
            if key == name:
                return value
        return None

    @property
    def is_dfuse(self) -> bool:
        return self.fstype == "fuse.daos"


@dataclass(slots=True)
class Mount:
    path: str
    pool: str = ""
    container: str = ""
    #: ok | hung | stale | unknown (not probed yet)
    state: str = "unknown"
    owned: bool = False
    user_id: str = ""
    read_only: bool = False
    options: tuple[str, ...] = field(default_factory=tuple)


@dataclass(slots=True, frozen=True)
class MountHealth:
    state: str  # ok | hung | stale | missing | error
    detail: str = ""
