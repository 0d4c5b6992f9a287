"""The doctor: ALCF's DAOS troubleshooting checklist, run automatically.

Each check runs the command a user would type (so the report teaches it), and returns PASS /
WARN / FAIL with its evidence and the fix. The checklist follows the guide's order
(aurora-daos.md "The guide's troubleshooting checklist"): environment, pool, container, mount,
jobs, then the long tests on request. Textual-free: `daostui doctor` prints the same checks the
Doctor screen shows, and its exit status is the worst result.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from daostui.core.errors import CommandError, DaostuiError
from daostui.core.readonly import mutating
from daostui.core.units import human_bytes

if TYPE_CHECKING:
    from daostui.core.session import Session

PASS, WARN, FAIL, SKIP = "PASS", "WARN", "FAIL", "SKIP"
SEVERITY = {PASS: 0, SKIP: 0, WARN: 1, FAIL: 2}
#: A mount listing slower than this is reported as hung.
MOUNT_PROBE_TIMEOUT = 5.0

#: Messages ALCF documents as harmless, and what they mean (aurora-daos.md "Known harmless noise").
HARMLESS = (
    (re.compile(r"Out of group or member list|DER_OOG"), "DER_OOG 'Out of group or member list': harmless"),
    (re.compile(r"DER_FETCH_AGAIN|Fetch again"), "DER_FETCH_AGAIN log lines: harmless (the client retries)"),
    (re.compile(r"fi_cq_open failed"), "libfabric fi_cq_open endpoint messages: harmless at scale"),
)


@dataclass
class Check:
    id: str
    title: str
    status: str = SKIP
    commands: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def harmless_notes(text: str) -> list[str]:
    return [meaning for pattern, meaning in HARMLESS if pattern.search(text or "")]


def worst(checks: list[Check]) -> str:
    return max((c.status for c in checks), key=lambda s: SEVERITY[s], default=PASS)


def exit_status(checks: list[Check]) -> int:
    return SEVERITY[worst(checks)]


class Doctor:
    """Runs the checklist for an optional pool and container through the session's clients."""

    def __init__(
        self,
        session: Session,
        *,
        pool: str = "",
        cont: str = "",
        job: str = "",
        progress: Callable[[Check], None] | None = None,
    ) -> None:
        self.session = session
        self.pool = pool or session.config.default_pool or ""
        self.cont = cont
        #: A running job whose compute nodes are checked (`doctor --job J`); "" checks none.
        self.job = job
        self.progress = progress or (lambda _check: None)
        self.checks: list[Check] = []
        self._pool_info: Any = None
        self._props: Any = None

    def _record(self, result: Any, check: Check) -> None:
        if result is not None:
            check.commands.append(result.command_line if hasattr(result, "command_line") else str(result))

    async def _step(self, check: Check, body: Callable[[Check], Awaitable[None]]) -> Check:
        # Collect what ran through a subscription, not by index into the log: the log is a ring
        # buffer, so once full its length stops growing and a slice by index would be empty.
        ran: list[Any] = []
        self.session.log.subscribe(ran.append)
        try:
            await body(check)
        except CommandError as exc:
            check.status = FAIL
            check.evidence.append(str(exc))
            if exc.stderr:
                check.evidence.extend(exc.stderr.strip().splitlines()[-4:])
            check.fix = check.fix or exc.hint
        except DaostuiError as exc:
            check.status = FAIL
            check.evidence.append(str(exc))
            check.fix = check.fix or exc.hint
        finally:
            self.session.log.unsubscribe(ran.append)
        for result in ran:
            if result.command_line not in check.commands:
                check.commands.append(result.command_line)
            for note in harmless_notes(result.stderr):
                if "noted: " + note not in check.evidence:
                    check.evidence.append("noted: " + note)
        self.checks.append(check)
        self.progress(check)
        return check

    # ------------------------------------------------------------------ checks
    async def check_daos(self, check: Check) -> None:
        version = await self.session.daos.version()
        check.status = PASS
        check.evidence.append(
            f"daos {version.version}" + (f", libdaos {version.libdaos}" if version.libdaos else "")
        )
        if self.session.uses_prelude:
            check.evidence.append(
                "found through the module prelude: " + "; ".join(self.session.site.module_prelude)
            )

    async def check_agent(self, check: Check) -> None:
        pools = await self.session.daos.pool_list()
        check.status = PASS
        check.evidence.append(f"the DAOS agent answered: {len(pools)} pool(s) visible")
        self._visible = [p.name for p in pools]

    async def check_pool(self, check: Check) -> None:
        if not self.pool:
            visible = getattr(self, "_visible", [])
            if not visible:
                check.status = FAIL
                check.evidence.append("no pool is visible to you")
                check.fix = (
                    "Ask ALCF support for a pool (press a in the console to write the request: project, "
                    "user names, total space, justification, preferred pool name)."
                )
                return
            self.pool = visible[0]
            check.evidence.append(f"no pool given: checking {self.pool}")
        self._pool_info = await self.session.daos.pool_query(self.pool)
        check.status = PASS
        check.evidence.append(f"pool {self.pool} is allocated and queryable ({self._pool_info.state})")

    async def check_space(self, check: Check) -> None:
        pool = self._pool_info
        if pool is None:
            check.evidence.append("pool not queryable")
            return
        check.evidence.append(
            f"used {pool.used_pct}%, free {human_bytes(pool.free)} of {human_bytes(pool.size)}, "
            f"min free per target {human_bytes(pool.min_free_per_target)}"
        )
        if pool.nearly_full:
            check.status = WARN if pool.used_pct < 98 else FAIL
            check.fix = (
                "The pool is (effectively) full: one nearly full target fails writes. Delete what you "
                "do not need, or copy data to flare and destroy old containers."
            )
        else:
            check.status = PASS

    async def check_targets(self, check: Check) -> None:
        pool = self._pool_info
        if pool is None:
            check.evidence.append("pool not queryable")
            return
        rebuild = pool.rebuild.state if pool.rebuild else "unknown"
        check.evidence.append(
            f"{pool.disabled_targets} of {pool.total_targets} targets disabled; rebuild {rebuild}"
        )
        if pool.rebuilding:
            check.status = WARN
            check.fix = "A rebuild is running: I/O may be slow until it completes; nothing to do but wait."
        elif pool.degraded:
            check.status = WARN
            check.fix = (
                "The pool is Degraded (disabled targets). Data with enough redundancy (rd_fac) stays "
                "readable; report persistent errors to support with this report."
            )
        else:
            check.status = PASS

    async def check_container(self, check: Check) -> None:
        if not self.cont:
            check.status = SKIP
            check.evidence.append("no container given (--cont)")
            return
        self._props = await self.session.daos.cont_get_prop(self.pool, self.cont)
        health = self._props.health or "?"
        check.evidence.append(f"Health (status) = {health}; redundancy factor rd_fac{self._props.rd_fac}")
        if self._props.unclean:
            check.status = FAIL
            check.fix = (
                f"daos cont set-prop {self.pool} {self.cont} status:HEALTHY, then "
                f"daos fs check --flags=evict {self.pool} {self.cont} (the Doctor screen offers both)"
            )
        else:
            check.status = PASS

    async def check_mount(self, check: Check) -> None:
        mounts = await self.session.mounts.list()
        relevant = [m for m in mounts if not self.cont or (m.container == self.cont and m.pool == self.pool)]
        if not relevant:
            check.status = WARN if self.cont else SKIP
            check.evidence.append(
                "no dfuse mount of this container on this host"
                if self.cont
                else "no dfuse mounts on this host"
            )
            if self.cont:
                path = self.session.site.login_mount_point(self.session.user, self.pool, self.cont)
                check.fix = f"mkdir -p {path}; start-dfuse.sh -m {path} --pool {self.pool} --cont {self.cont}"
            return
        bad = []
        for mount in relevant:
            health = await self.session.mounts.probe(mount.path, timeout=MOUNT_PROBE_TIMEOUT)
            check.evidence.append(f"{mount.path}: {health.state} ({health.detail})")
            if health.state != "ok":
                bad.append(mount.path)
        if bad:
            check.status = FAIL
            check.fix = (
                "A hung or stale dfuse mount: unmount it with "
                + "; ".join(f"fusermount3 -u {shlex.quote(p)}" for p in bad)
                + ", then mount again."
            )
        else:
            check.status = PASS

    async def check_jobs(self, check: Check) -> None:
        from daostui.pbs.tracker import JobTracker

        tracker = JobTracker(self.session.pbs)
        jobs = await tracker.refresh()
        daos_names = ("daos_user", "daos_user_fs", "daos_perf", "daos_perf_fs")
        suspicious = []
        for job in jobs:
            if job.is_finished:
                continue
            filesystems = str(job.resource_list.get("filesystems", ""))
            wants_daos = bool(job.resource_list.get("daos")) or "daos" in job.name.lower()
            if wants_daos and not any(name in filesystems.split(":") for name in daos_names):
                suspicious.append(f"{job.short_id} {job.name}: filesystems={filesystems or '(none)'}")
        check.evidence.append(f"{len(jobs)} job(s) of yours known to PBS")
        if suspicious:
            check.status = WARN
            check.evidence.extend(suspicious)
            check.fix = (
                "Jobs asked for DAOS without the DAOS filesystem: compute nodes get no DAOS agent. "
                f"Submit with -l filesystems=home:flare:{self.session.site.daos_filesystem}."
            )
        else:
            check.status = PASS

    async def check_job_nodes(self, check: Check) -> None:
        """ALCF's "container mounted on every node", probed with clush over the job's nodes."""
        from daostui.nodes.doctor import judge

        found = await judge(self.session, self.job)
        check.status, check.evidence, check.fix = found.status, found.evidence, found.fix

    async def run(self, *, long_tests: bool = False) -> list[Check]:
        await self._step(Check("daos", "module and daos present"), self.check_daos)
        await self._step(Check("agent", "DAOS agent running (daos pool list answers)"), self.check_agent)
        await self._step(Check("pool", "pool allocated and queryable"), self.check_pool)
        await self._step(Check("space", "pool space (total and per-target minimum)"), self.check_space)
        await self._step(Check("targets", "disabled targets and rebuild"), self.check_targets)
        await self._step(Check("container", "container health"), self.check_container)
        await self._step(Check("mount", "dfuse mount present and listable"), self.check_mount)
        await self._step(
            Check("jobs", "jobs that asked for DAOS without the DAOS filesystem"), self.check_jobs
        )
        if self.job:
            title = f"every node of running job {self.job} has the container mounted"
            await self._step(Check("job_nodes", title), self.check_job_nodes)
        if long_tests:
            await self._step(Check("autotest", "daos pool autotest"), self.check_autotest)
            await self._step(Check("cont_check", "daos container check"), self.check_cont_check)
        return self.checks

    async def check_autotest(self, check: Check) -> None:
        if self.session.readonly:
            # autotest creates containers and writes data: not for a read-only session (the client
            # would refuse it too; saying so here keeps the report a report, not a failure)
            check.status = SKIP
            check.evidence.append(
                "not run: this session is read-only, and `daos pool autotest` creates containers and "
                "writes data in the pool"
            )
            check.fix = "Run the long tests without --readonly to include it."
            return
        if not self.pool:
            return
        result = await self.session.daos.pool_autotest(self.pool)
        check.status = PASS if result.passed else FAIL
        check.evidence.append(result.summary)
        if not result.passed:
            check.fix = "Autotest failed: escalate to support@alcf.anl.gov with this report."

    async def check_cont_check(self, check: Check) -> None:
        mounts = await self.session.mounts.list()
        target = next((m for m in mounts if m.container == self.cont and m.pool == self.pool), None)
        if target is None:
            check.evidence.append("the container must be mounted for `daos container check -p`")
            return
        result = await self.session.daos.cont_check(target.path)
        check.evidence.append(
            f"checked {result.checked}, skipped {result.skipped}, inconsistent {result.inconsistent}"
        )
        check.status = PASS if result.inconsistent == 0 else FAIL
        if result.inconsistent:
            check.fix = "Inconsistent objects: escalate to support with this report."


def config_files(session: Session) -> list[str]:
    """The config files looked at, lowest layer first, each marked when it was not found."""
    layers = getattr(session.config, "layers", ())
    return [layer.describe() for layer in layers]


def report_text(session: Session, checks: list[Check]) -> str:
    """A summary to paste into a support ticket."""
    files = config_files(session)
    lines = [
        "daostui doctor report",
        f"user {session.user} on {session.host} ({session.mode}), project {session.project or '?'}"
        + (", read-only" if session.readonly else ""),
        "config: " + ("; ".join(files) if files else "built-in defaults"),
        f"overall: {worst(checks)}",
        "",
    ]
    for check in checks:
        lines.append(f"[{check.status}] {check.title}")
        lines.extend(f"    $ {c}" for c in check.commands)
        lines.extend(f"    {e}" for e in check.evidence)
        if check.fix and check.status in (WARN, FAIL):
            lines.append(f"    fix: {check.fix}")
    return "\n".join(lines) + "\n"


def report_json(session: Session, checks: list[Check]) -> str:
    return json.dumps(
        {
            "user": session.user,
            "host": session.host,
            "mode": session.mode,
            "readonly": session.readonly,
            "config_files": [
                {"layer": layer.layer, "path": str(layer.path), "read": layer.read}
                for layer in getattr(session.config, "layers", ())
            ],
            "overall": worst(checks),
            "checks": [c.to_json() for c in checks],
        },
        indent=2,
    )


@mutating("repair an UNCLEAN container (set-prop status:HEALTHY, fs check --flags=evict)")
async def fix_unclean(session: Session, pool: str, cont: str) -> None:
    """ALCF's recovery for an UNCLEAN container: set-prop status:HEALTHY, then fs check --flags=evict."""
    await session.daos.cont_set_prop(pool, cont, {"status": "HEALTHY"})
    await session.daos.fs_check(pool, cont, flags="evict")


def run_sync(session: Session, pool: str, cont: str, *, long_tests: bool) -> list[Check]:
    return asyncio.run(Doctor(session, pool=pool, cont=cont).run(long_tests=long_tests))
