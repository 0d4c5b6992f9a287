"""The doctor's check "every node of running job J has the container mounted" (`doctor --job J`).

One cycle of the same watch the job nodes view uses, judged: PASS when every node has every
container mounted and listable; FAIL naming the node groups that do not, with the exact `clush`
command that remounts where the container is missing; WARN when the job is not running or its
container is unknown and no node has a dfuse mount. Textual-free; the checklist fills its `Check`
from the `Judgement`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from daostui.nodes.watch import JobNodesWatch
from daostui.pbs.hosts import fold

if TYPE_CHECKING:
    from daostui.core.session import Session

#: Node sets longer than this are cut in the report (the console shows them whole).
SHOWN = 160


@dataclass(slots=True)
class Judgement:
    status: str  # PASS | WARN | FAIL, as the checklist names them
    evidence: list[str] = field(default_factory=list)
    fix: str = ""


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


async def judge(session: Session, job_id: str) -> Judgement:
    watch = JobNodesWatch(
        job_id, pbs=session.pbs, nodes=session.nodes, interval=session.config.nodes.interval
    )
    view = await watch.cycle()
    if view.error is not None:
        return Judgement(
            "FAIL",
            [f"could not probe the nodes of job {job_id}: {view.note}"],
            getattr(view.error, "hint", ""),
        )
    result = view.result
    if result is None:
        return Judgement("WARN", [view.note])
    evidence = [f"job {job_id} runs on {result.nodes} node(s): {_cut(fold(view.hosts))}"]
    if result.containers:
        names = ", ".join(f"{c.name} at {c.path}" for c in result.containers)
        source = view.learned.source if not result.discovered else "read off the nodes' mount tables"
        evidence.append(f"container(s) {names} ({source})")
    evidence += [f"{group.label}: {_cut(group.nodes)}" for group in result.groups]
    if result.all_ok and result.containers:
        return Judgement("PASS", evidence)
    if not result.containers:
        evidence.append(view.learned.source or "the job's container could not be learned from its script")
        return Judgement(
            "WARN",
            evidence,
            "No node has a dfuse mount: check that the job script runs launch-dfuse.sh POOL:CONT "
            "(and that the job asked for the DAOS filesystem).",
        )
    fixes = []
    for container in result.containers:
        for nodes in result.missing_nodes(container):
            fixes.append(shlex.join(session.nodes.argv_remount(nodes, container)))
    advice = "Remount where the container is missing: " + " ; ".join(fixes) if fixes else ""
    bad = [g for g in result.groups if not g.ok and not g.missing]
    if bad:
        advice += (" " if advice else "") + (
            "Hung, stale or unreachable nodes: open the job's nodes in the console (N on the job) to see "
            "their output; a hung dfuse needs `fusermount3 -u -z` on the node, or support."
        )
    return Judgement("FAIL", evidence, advice)
