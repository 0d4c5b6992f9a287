"""A job's nodes, watched live: one cycle asks PBS for the job, learns its container once, probes.

The view calls `cycle()` whenever it wants fresh results (on open, on `r`, on its timer) and
re-arms its timer with `next_delay()` when the cycle ended: the dolphie pattern the panes use
(`core.refresh.RefreshPolicy`), so probes of one job never overlap, and a failing fan-out backs
off (doubling, up to 8x). What a cycle found is a `NodesView`; failures are in it, not raised.
Textual-free: the doctor and the tests drive it directly.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from daostui.core.errors import DaostuiError
from daostui.core.refresh import RefreshPolicy
from daostui.nodes.discover import Learned

if TYPE_CHECKING:
    from daostui.nodes.client import NodesClient
    from daostui.nodes.models import JobContainer, ProbeResult
    from daostui.pbs.client import PbsClient
    from daostui.pbs.models import Job

RUNNING = "R"


@dataclass(slots=True)
class NodesView:
    """What one cycle found: the job, its nodes, the containers checked and the probe's groups."""

    job: Job | None = None
    hosts: list[str] = field(default_factory=list)
    learned: Learned = field(default_factory=Learned)
    containers: tuple[JobContainer, ...] = ()
    result: ProbeResult | None = None
    #: Why nothing was probed ("the job is finished ...") or what failed, for the user.
    note: str = ""
    error: Exception | None = None

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.state == RUNNING


class JobNodesWatch:
    """The live state of one job's nodes (`job_id`), probed through `nodes` and `pbs`."""

    def __init__(self, job_id: str, *, pbs: PbsClient, nodes: NodesClient, interval: float) -> None:
        self.job_id = job_id
        self.pbs = pbs
        self.nodes = nodes
        self.policy = RefreshPolicy(interval=interval)
        self.view = NodesView()
        #: The containers the user chose (None: learn them from the job, or read them off the nodes).
        self.chosen: tuple[JobContainer, ...] | None = None
        self._learned: Learned | None = None

    def choose(self, containers: tuple[JobContainer, ...] | None) -> None:
        self.chosen = containers

    async def _job(self) -> Job | None:
        status = await self.pbs.status([self.job_id])
        head = self.job_id.split(".", 1)[0]  # `8875431` as typed names `8875431.aurora-pbs-0001...`
        return next((job for job in status.jobs if job.id.split(".", 1)[0] == head), None)

    def _containers(self, learned: Learned) -> tuple[JobContainer, ...]:
        if self.chosen is not None:
            return self.chosen
        found = []
        for pool, cont in learned.pairs:
            try:
                found.append(self.nodes.container(pool, cont))
            except DaostuiError:
                continue  # a label launch-dfuse.sh could not have mounted: not this job's mount
        return tuple(found)

    async def cycle(self, now: float | None = None) -> NodesView:
        """One look at the job; False from `policy.start` (a cycle running) returns the last view."""
        if not self.policy.start(time.time() if now is None else now):
            return self.view
        view = NodesView(learned=self._learned or Learned())
        try:
            job = await self._job()
            view.job = job
            if job is None:
                view.note = f"PBS no longer knows job {self.job_id}."
            elif job.state != RUNNING:
                view.note = (
                    f"Job {job.short_id} is {job.state_name.lower()}: compute nodes are the job's only while "
                    "it runs (the PBS epilogue unmounts dfuse on them when it ends)."
                )
            elif not job.hosts:
                view.note = f"PBS has not named job {job.short_id}'s nodes yet (exec_host is empty)."
            else:
                view.hosts = job.hosts
                if self._learned is None and self.chosen is None:
                    self._learned = await self.nodes.learn(job)
                view.learned = self._learned or Learned()
                view.containers = self._containers(view.learned)
                view.result = await self.nodes.probe(self.job_id, job.hosts, view.containers or None)
                view.containers = view.result.containers
        except asyncio.CancelledError:
            self.policy.running = False  # the view closed: the next cycle may start
            raise
        except Exception as exc:  # noqa: BLE001 - shown in the view, retried with back-off
            view.error = exc
            view.note = str(exc)
            self.policy.failed(time.time() if now is None else now, str(exc))
        else:
            self.policy.succeeded(time.time() if now is None else now)
        self.view = view
        return view

    @property
    def live(self) -> bool:
        """Whether re-probing makes sense (the job still runs, or the last look failed)."""
        return self.view.error is not None or self.view.running

    def next_delay(self) -> float:
        return self.policy.next_delay()
