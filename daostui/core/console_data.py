"""What the console knows: the latest models of every pane, and how each pane is (re)loaded.

Textual-free: it calls the session's clients and keeps typed models; the app hands `rows(pane)` to
the panes. Loading is cheap for the servers: pools with one `daos pool list` (which queries each
pool), containers of the selected pool only, container health (`get-prop`) for at most
`HEALTH_BATCH` containers per refresh, mounts from the mounts table plus a bounded probe of each,
and jobs through the `JobTracker` (ids with `qselect`, full status only for jobs that can change).

A pool can hold 10^5 containers: choosing which to check and making their rows (each with its
properties and mount) is done in a thread (`daostui.core.offload`) at the end of a load, and
`rows()` hands the panes the finished list; unchanged rows are the same objects, so the table
keeps their search texts.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from daostui.core import first_start as wizard_offer
from daostui.core.offload import is_big, offload
from daostui.pbs.tracker import JobTracker

if TYPE_CHECKING:
    from daostui.core.session import Session
    from daostui.daos.models import ContainerProperties, ContainerRef, Pool
    from daostui.mounts.models import Mount

#: Containers whose properties (health, rd_fac, type) are fetched per refresh; the rest show "…"
#: until their turn or until selected, so a pool with thousands of containers stays cheap.
HEALTH_BATCH = 48
HEALTH_CONCURRENCY = 4
PROBE_TIMEOUT = 5.0
#: Palette jump targets per kind (containers of all pools, jobs): a palette of 10^5 entries helps
#: nobody and costs seconds to build; `/` filters the panes at any size.
JUMP_LIMIT = 1000


class Props(dict):  # type: ignore[type-arg]
    """Container properties by (pool, container); counts its changes, so rows made before a change
    are known to be stale (the detail view stores what it read here too)."""

    version = 0

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.version += 1


@dataclass(slots=True)
class ContainerRow:
    pool: str
    ref: ContainerRef
    props: ContainerProperties | None = None
    mount_path: str = ""

    @property
    def label(self) -> str:
        return self.ref.label

    @property
    def uuid(self) -> str:
        return self.ref.uuid


@dataclass
class ConsoleData:
    session: Session
    pools: list[Pool] = field(default_factory=list)
    selected_pool: str = ""
    containers: dict[str, list[ContainerRef]] = field(default_factory=dict)
    props: dict[tuple[str, str], ContainerProperties] = field(default_factory=Props)
    mounts: list[Mount] = field(default_factory=list)
    tracker: JobTracker = field(init=False)
    loaded: set[str] = field(default_factory=set)
    queues: list[Any] = field(default_factory=list)
    server: Any = None
    #: The pool whose containers are being listed right now ("" when none).
    loading_pool: str = ""
    #: Rows made per pool, with what they were made from: (refs, props version, mounts, rows).
    _container_rows: dict[str, tuple[Any, int, Any, list[ContainerRow]]] = field(default_factory=dict)
    #: A first start (see `core.first_start`): the wizard offer stays until answered.
    first_start: bool = False
    #: The offer was used or dismissed this session.
    offer_answered: bool = False

    def __post_init__(self) -> None:
        self.tracker = JobTracker(self.session.pbs)
        self.selected_pool = self.session.config.default_pool or ""

    # ------------------------------------------------------------------ loading
    async def load(self, pane: str) -> None:
        loader = {
            "pools": self.load_pools,
            "containers": self.load_containers,
            "mounts": self.load_mounts,
            "jobs": self.load_jobs,
        }[pane]
        await loader()
        self.loaded.add(pane)

    async def load_pools(self) -> None:
        self.pools = await self.session.daos.pool_list()
        names = [pool.name for pool in self.pools]
        if self.selected_pool not in names and names:
            self.selected_pool = names[0]

    async def load_containers(self) -> None:
        pool = self.selected_pool
        if not pool:
            return
        self.loading_pool = pool
        try:
            refs = await self.session.daos.cont_list(pool)
        finally:
            self.loading_pool = ""
        self.containers[pool] = refs
        wanted = await offload(is_big(items=len(refs)), _health_batch, pool, refs, self.props)
        await self._fetch_props(pool, wanted)
        await self._prepare_rows(pool)

    async def _fetch_props(self, pool: str, refs: list[ContainerRef]) -> None:
        gate = asyncio.Semaphore(HEALTH_CONCURRENCY)

        async def one(ref: ContainerRef) -> None:
            name = ref.label or ref.uuid
            async with gate:
                try:
                    self.props[(pool, name)] = await self.session.daos.cont_get_prop(pool, name)
                except Exception:  # noqa: BLE001 - one unreadable container must not hide the rest
                    return

        await asyncio.gather(*(one(ref) for ref in refs))

    async def load_mounts(self) -> None:
        mounts = await self.session.mounts.list()
        probed = await asyncio.gather(
            *(self.session.mounts.probe(m.path, timeout=PROBE_TIMEOUT) for m in mounts),
            return_exceptions=True,
        )
        for mount, health in zip(mounts, probed, strict=True):
            if not isinstance(health, BaseException):
                mount.state = health.state
        self.mounts = mounts
        if self.selected_pool:
            await self._prepare_rows(self.selected_pool)  # the mounted-here markers changed

    async def load_jobs(self) -> None:
        await self.tracker.refresh()
        if not self.queues:
            await self.load_queues()

    async def load_queues(self) -> None:
        """Queues and the server's valid filesystems: read once (they change rarely), for forms."""
        try:
            await self.fetch_queues()
        except Exception:  # noqa: BLE001 - forms fall back to the documented Aurora limits
            return

    async def fetch_queues(self) -> tuple[list[Any], Any]:
        """`qstat -Qf` and `qstat -Bf` together (independent: one does not wait for the other);
        kept for the forms, returned for the queues view, which raises what failed."""
        from daostui.core.together import all_of

        pbs = self.session.pbs
        self.queues, self.server = await all_of(pbs.queues(), pbs.server())
        return self.queues, self.server

    def queue_limits(self) -> dict[str, Any]:
        """Limits of the queues a user can submit to (execution queues and the prod router), with
        the limit entries that bind this user (their own `max_run` entry replaces the generic one)."""
        from daostui.pbs.limits import AURORA_DEFAULTS

        found = {}
        for queue in self.queues:
            kind = str(getattr(queue, "type", "")).lower()
            if queue.enabled and (kind.startswith("e") or queue.name == "prod"):
                found[queue.name] = queue.limits_for(self.session.user)
        hidden = {"small", "medium", "large", "backfill-small", "backfill-medium", "backfill-large"}
        found = {name: limits for name, limits in found.items() if name not in hidden}
        return found or dict(AURORA_DEFAULTS)

    def job_site(self) -> Any:
        """The site profile with the DAOS filesystem name the server actually lists."""
        from daostui.core.site import choose_daos_filesystem

        site = self.session.site
        valid = list(getattr(self.server, "valid_filesystems", []) or [])
        if valid:
            site = site.with_overrides(daos_filesystem=choose_daos_filesystem(valid, site))
        return site

    # ------------------------------------------------------------------ views
    def select_pool(self, pool: str) -> None:
        self.selected_pool = pool

    def mount_for(self, pool: str, label: str, uuid: str = "") -> str:
        for mount in self.mounts:
            if mount.pool in (pool,) and mount.container in (label, uuid):
                return mount.path
        return ""

    def container_rows(self, pool: str) -> list[ContainerRow]:
        """The rows of `pool`'s containers (made at the end of a load; again here if stale)."""
        refs = self.containers.get(pool, [])
        made = self._container_rows.get(pool)
        if made is not None and made[:3] == (refs, self._props_version(), self.mounts):
            return made[3]
        rows = _make_rows(pool, refs, self.props, self.mounts, made[3] if made else [])
        self._container_rows[pool] = (refs, self._props_version(), self.mounts, rows)
        return rows

    async def _prepare_rows(self, pool: str) -> None:
        refs, version, mounts = self.containers.get(pool, []), self._props_version(), self.mounts
        made = self._container_rows.get(pool)
        if made is not None and made[:3] == (refs, version, mounts):
            return
        previous = made[3] if made else []
        rows = await offload(is_big(items=len(refs)), _make_rows, pool, refs, self.props, mounts, previous)
        self._container_rows[pool] = (refs, version, mounts, rows)

    def _props_version(self) -> int:
        return getattr(self.props, "version", -1)

    def rows(self, pane: str) -> tuple[list[Any], str | None]:
        if pane == "pools":
            return list(self.pools), None
        if pane == "containers":
            pool = self.selected_pool
            return self.container_rows(pool), pool or None
        if pane == "mounts":
            return list(self.mounts), None
        return self.tracker.rows(), None

    def has_loaded(self, pane: str) -> bool:
        """Whether `pane` shows a completed load (containers: of the selected pool), so an empty
        pane means "none", not "not asked yet"."""
        if pane == "containers":
            return self.selected_pool in self.containers
        return pane in self.loaded

    def row(self, pane: str, key: str) -> Any:
        """The model keyed `key` in `pane` (None when it is gone): what an action acts on."""
        if not key:
            return None
        if pane == "pools":
            return next((p for p in self.pools if p.name == key), None)
        if pane == "containers":
            return self.container(self.selected_pool, key)
        if pane == "mounts":
            return self.mount(key)
        return self.tracker.get(key)

    def container(self, pool: str, key: str) -> ContainerRow | None:
        ref = next((r for r in self.containers.get(pool, []) if key in (r.uuid, r.label)), None)
        if ref is None:
            return None
        return ContainerRow(
            pool,
            ref,
            self.props.get((pool, ref.label or ref.uuid)),
            self.mount_for(pool, ref.label, ref.uuid),
        )

    def mount(self, path: str) -> Mount | None:
        return next((m for m in self.mounts if m.path == path), None)

    def first_start_hint(self) -> str:
        """The non-blocking offer of the guided setup ("" when none is due).

        On a first start it stays until answered; otherwise it is offered while the user has no
        container (once pools and containers have loaded: no offer from an empty, unloaded list)."""
        if self.offer_answered:
            return ""
        if self.first_start:
            return f"{wizard_offer.OFFER}  ({wizard_offer.DISMISS})"
        if not {"pools", "containers"} <= self.loaded:
            return ""
        owned = [ref for refs in self.containers.values() for ref in refs]
        return "" if owned else wizard_offer.OFFER

    def answer_offer(self, how: str) -> None:
        """The offer was used (`w`) or dismissed (esc): gone for this session, remembered if first."""
        if self.first_start:
            wizard_offer.mark_answered(how)
        self.first_start = False
        self.offer_answered = True

    def jump_targets(self) -> list[tuple[str, str, str, str]]:
        """(title, help, pane, key) of every row the palette can jump to."""
        targets = [
            (f"Go to pool {pool.name}", f"{pool.state}, {pool.used_pct}% used", "pools", pool.name)
            for pool in self.pools
        ]
        for pool, refs in self.containers.items():
            targets += [
                (f"Go to container {ref.label}", f"in pool {pool}", "containers", ref.uuid)
                for ref in refs[:JUMP_LIMIT]
            ]
        targets += [
            (f"Go to job {job.short_id} {job.name}", job.state_name, "jobs", job.id)
            for job in self.tracker.rows()[:JUMP_LIMIT]  # the newest
        ]
        return targets


def _health_batch(pool: str, refs: list[ContainerRef], props: dict[Any, Any]) -> list[ContainerRef]:
    """Containers whose properties to read now: never read ones first, then known ones again
    (health can turn UNCLEAN), at most `HEALTH_BATCH`."""
    wanted = [r for r in refs if (pool, r.label or r.uuid) not in props][:HEALTH_BATCH]
    if len(wanted) < HEALTH_BATCH:
        known = [r for r in refs if (pool, r.label or r.uuid) in props]
        wanted += known[: HEALTH_BATCH - len(wanted)]
    return wanted


def _make_rows(
    pool: str,
    refs: list[ContainerRef],
    props: dict[Any, Any],
    mounts: list[Mount],
    previous: list[ContainerRow],
) -> list[ContainerRow]:
    """One row per container; a row equal to one of `previous` is that same object."""
    mounted: dict[str, tuple[int, str]] = {}  # container → (first mount's place, its path)
    for place, mount in enumerate(mounts):
        if mount.pool == pool:
            mounted.setdefault(mount.container, (place, mount.path))
    nowhere = (len(mounts), "")
    before = {row.ref: row for row in previous}
    rows = []
    for ref in refs:
        path = min(mounted.get(ref.label, nowhere), mounted.get(ref.uuid, nowhere))[1]
        row = ContainerRow(pool, ref, props.get((pool, ref.label or ref.uuid)), path)
        old = before.get(ref)
        rows.append(old if old is not None and old == row else row)
    return rows
