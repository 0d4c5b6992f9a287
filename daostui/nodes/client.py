"""The nodes client: probe a job's compute nodes, remount where the container is missing, clean up.

Everything is one `clush` command on the host the console's commands run on (the login node over
ssh, this host locally, the simulated login node in demo mode), run through the session's
transport like every other command: ClusterShell does the fan-out there (one task, `-f` fanout,
per-node timeout, gathering by output), never one connection per node from the console. The
program is the site's `clush` over ssh and locally when there is one, else the `clush` of the
ClusterShell library daostui depends on (`program`). In demo mode it is the simulator's `clush`,
the same ClusterShell reaching simulated nodes with its exec worker.

One probe per job at a time: a second request while one runs waits for it and gets its result.
Parsing and grouping thousands of answers happens in a thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import math
import shlex
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from daostui.core.errors import ParseError, ValidationError, outcome_unknown
from daostui.core.readonly import Access, mutating
from daostui.daos.labels import validate_label
from daostui.nodes import clush, discover, grouping, probe
from daostui.nodes.models import ActionGroup, ActionResult, JobContainer, NodesError, ProbeResult

if TYPE_CHECKING:
    from daostui.core.config import NodesSettings
    from daostui.core.site import SiteProfile
    from daostui.pbs.models import Job
    from daostui.transport.base import CommandResult, Transport

#: Seconds a remount's start-dfuse.sh may take on one node (dfuse connects to the pool first).
MOUNT_TIMEOUT = 120.0
#: Seconds clush may take beyond its per-node timeouts (its own start, the ssh link).
SLACK = 30.0


class NodesClient:
    def __init__(
        self,
        transport: Transport,
        site: SiteProfile,
        settings: NodesSettings,
        *,
        program: str = "clush",
        access: Access | None = None,
    ) -> None:
        self.transport = transport
        self.site = site
        self.settings = settings
        self.program = program
        #: Shared with the session's other clients: read-only refuses every @mutating method.
        self.access = access or Access()
        self._inflight: dict[str, asyncio.Task[ProbeResult]] = {}
        self._waiters: dict[str, int] = {}

    # ------------------------------------------------------------------ values
    @property
    def list_timeout(self) -> int:
        """Seconds a mount listing may take on a node: a third of the node's own timeout."""
        return max(1, int(self.settings.timeout // 3))

    def options(self, command_timeout: float | None = None) -> clush.ClushOptions:
        timeout = command_timeout or self.settings.timeout
        return clush.ClushOptions(self.settings.fanout, min(10.0, timeout), timeout)

    def container(self, pool: str, cont: str) -> JobContainer:
        """The container as `launch-dfuse.sh POOL:CONT` mounts it: `<compute_mount_root>/POOL/CONT`."""
        for kind, label in (("pool", pool), ("container", cont)):
            validate_label(label, kind)
            if ":" in label or label in (".", ".."):
                raise ValidationError(
                    f"the {kind} label {label!r} cannot be mounted by launch-dfuse.sh (POOL:CONT, /tmp/POOL/CONT)",
                    field=kind,
                    rule="launch-dfuse.sh pool:cont",
                )
        return JobContainer.at(self.site.compute_mount_root, pool, cont)

    # ------------------------------------------------------------------ argv
    def _argv(self, node_set: str, remote: str, command_timeout: float | None = None) -> list[str]:
        if not node_set.strip():
            raise ValidationError("no nodes to run on", field="nodes", rule="non-empty")
        return clush.argv(self.program, node_set, remote, self.options(command_timeout))

    def argv_probe(self, node_set: str, containers: Sequence[JobContainer] = ()) -> list[str]:
        remote = probe.command(
            [c.path for c in containers], list_timeout=self.list_timeout, root=self.site.compute_mount_root
        )
        return self._argv(node_set, remote)

    def argv_remount(self, node_set: str, container: JobContainer) -> list[str]:
        """What launch-dfuse.sh does on each node, on `nodes` only: mkdir, then start-dfuse.sh."""
        mkdir = shlex.join(["mkdir", "-p", container.path])
        start = shlex.join(
            [self.site.start_dfuse, "-m", container.path, "--pool", container.pool, "--cont", container.cont]
        )
        return self._argv(node_set, f"{mkdir} && {start}", max(self.settings.timeout, MOUNT_TIMEOUT))

    def argv_clean(self, node_set: str, container: JobContainer) -> list[str]:
        """What clean-dfuse.sh does on each node: unmount the container's mount point."""
        return self._argv(node_set, shlex.join(["fusermount3", "-u", container.path]))

    # ------------------------------------------------------------------ running clush
    def _budget(self, count: int, command_timeout: float) -> float:
        waves = math.ceil(max(1, count) / max(1, self.settings.fanout))
        return waves * (command_timeout + min(10.0, command_timeout)) + SLACK

    async def _clush(self, argv: list[str], count: int, command_timeout: float) -> CommandResult:
        result = await self.transport.run(argv, timeout=self._budget(count, command_timeout))
        if result.outcome_unknown:
            raise outcome_unknown(result)
        if result.error or result.exit_status == 127:
            raise NodesError(
                f"`{self.program}` could not be run: {result.error or 'command not found'}",
                result,
                hint="ClusterShell's clush must be on the login node's PATH (ALCF provides it).",
            )
        if result.timed_out or result.cancelled:
            raise NodesError(f"clush over {count} node(s) {result.outcome}", result)
        if result.exit_status != 0 and not result.stdout.strip():
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            raise NodesError(f"clush failed: {lines[-1] if lines else result.outcome}", result)
        return result

    @staticmethod
    def _gathered(result: CommandResult, wanted: list[str]) -> clush.Gathered:
        try:
            return clush.parse(result.stdout, result.stderr, set(wanted))
        except ParseError as exc:
            raise NodesError(f"clush output not understood: {exc}", result) from None

    # ------------------------------------------------------------------ probe
    async def probe(
        self, job_id: str, hosts: Sequence[str], containers: Sequence[JobContainer] | None
    ) -> ProbeResult:
        """Probe every node of `job_id` (its `hosts`) for `containers` (None: whatever is mounted).

        While a probe of this job runs, another call waits for it and returns the same result."""
        task = self._inflight.get(job_id)
        if task is None:
            task = asyncio.ensure_future(self._probe(list(hosts), tuple(containers) if containers else None))
            self._inflight[job_id] = task
            task.add_done_callback(lambda _t: self._inflight.pop(job_id, None))
        self._waiters[job_id] = self._waiters.get(job_id, 0) + 1
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if self._waiters.get(job_id, 0) <= 1:
                task.cancel()  # nobody else wants it: stop clush (its process group is killed)
            raise
        finally:
            self._waiters[job_id] = self._waiters.get(job_id, 1) - 1
            if self._waiters[job_id] <= 0:
                self._waiters.pop(job_id, None)

    def in_flight(self, job_id: str) -> bool:
        return job_id in self._inflight

    async def _probe(self, hosts: list[str], containers: tuple[JobContainer, ...] | None) -> ProbeResult:
        from daostui.pbs.hosts import fold

        started = time.monotonic()
        folded = await asyncio.to_thread(fold, hosts)
        argv = self.argv_probe(folded, containers or ())
        result = await self._clush(argv, len(hosts), self.settings.timeout)
        return await asyncio.to_thread(self._interpret, result, hosts, containers, started)

    def _interpret(
        self,
        result: CommandResult,
        hosts: list[str],
        containers: tuple[JobContainer, ...] | None,
        started: float,
    ) -> ProbeResult:
        gathered = self._gathered(result, hosts)
        if not gathered.answers and gathered.messages:
            raise NodesError(f"clush: {gathered.messages[-1]}", result)
        if containers:
            expected = tuple(c.path for c in containers)
            known = containers
        else:
            expected = grouping.discovered_paths(gathered.answers.values())
            known = tuple(self._as_container(path) for path in expected)
        groups = grouping.group(
            hosts,
            gathered.answers,
            expected,
            list_timeout=self.list_timeout,
            node_timeout=self.settings.timeout,
        )
        return ProbeResult(
            nodes=len(hosts),
            groups=groups,
            containers=known,
            discovered=not containers,
            command=tuple(result.argv),
            duration=time.monotonic() - started,
            finished_at=time.time(),
        )

    def _as_container(self, path: str) -> JobContainer:
        """A mount point found on the nodes, as pool/container when it is under the compute root."""
        root = self.site.compute_mount_root.rstrip("/") + "/"
        parts = path[len(root) :].split("/") if path.startswith(root) else []
        if len(parts) == 2 and all(parts):
            return JobContainer(parts[0], parts[1], path)
        return JobContainer("", "", path)

    # ------------------------------------------------------------------ what the job mounts
    async def learn(self, job: Job) -> discover.Learned:
        """The containers the job's script mounts (read where qsub ran), else its variables'."""
        raw_args = job.raw.get("Submit_arguments")
        script = discover.script_path(str(raw_args or ""), job.workdir)
        reason = "qsub was not given a script file" if not script else ""
        launchers = (self.site.launch_dfuse, self.site.launch_dfuse_caching)
        if script:
            read = await self.transport.run(
                ["head", "-c", str(discover.MAX_SCRIPT), "--", script], timeout=30
            )
            if read.ok:
                pairs = discover.containers_in_script(read.stdout, job.variables, launchers)
                if pairs:
                    return discover.Learned(tuple(pairs), f"{self.site.launch_dfuse} in {script}")
                reason = f"no {self.site.launch_dfuse} POOL:CONT line could be read in {script}"
            else:
                reason = f"{script} could not be read ({read.outcome})"
        pairs = discover.containers_in_variables(job.variables)
        if pairs:
            return discover.Learned(tuple(pairs), "the job's DAOS_POOL / DAOS_CONT variables")
        return discover.Learned((), reason)

    # ------------------------------------------------------------------ actions
    def _action_result(self, result: CommandResult, nodes: list[str]) -> ActionResult:
        from ClusterShell.NodeSet import NodeSet

        gathered = self._gathered(result, nodes)
        by_text: dict[tuple[str, bool], list[str]] = {}
        for node in nodes:
            answer = gathered.answers.get(node)
            if answer is None:  # clush -b names a node only for output, a failure or a timeout
                by_text.setdefault(("(no output)", True), []).append(node)
                continue
            ok = answer.rc == 0 and not answer.timed_out
            by_text.setdefault((answer.raw(node), ok), []).append(node)
        groups = [
            ActionGroup(str(NodeSet.fromlist(who)), len(who), text, ok) for (text, ok), who in by_text.items()
        ]
        groups.sort(key=lambda g: (g.ok, -g.count, g.nodes))
        return ActionResult(tuple(result.argv), groups)

    async def _act(self, argv: list[str], node_set: str, command_timeout: float) -> ActionResult:
        from daostui.pbs.hosts import expand

        names = expand(node_set)
        result = await self._clush(argv, len(names), command_timeout)
        return await asyncio.to_thread(self._action_result, result, names)

    @mutating("mount the job's container on compute nodes (clush start-dfuse.sh)")
    async def remount(self, node_set: str, container: JobContainer) -> ActionResult:
        """start-dfuse.sh on `node_set` only (the nodes that lost the container), as launch-dfuse.sh
        does. start-dfuse.sh exits 0 even when dfuse failed: the caller re-probes to see what took."""
        argv = self.argv_remount(node_set, container)
        return await self._act(argv, node_set, max(self.settings.timeout, MOUNT_TIMEOUT))

    @mutating("unmount the job's container on its compute nodes (clush fusermount3 -u)")
    async def clean(self, node_set: str, container: JobContainer) -> ActionResult:
        """Unmount `container` on `node_set`, what clean-dfuse.sh does on every node of the job."""
        return await self._act(self.argv_clean(node_set, container), node_set, self.settings.timeout)
