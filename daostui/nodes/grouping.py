"""Per-node answers folded into a handful of groups, the way `dshbak -c` folds identical output.

Every node gets a verdict (`probe.verdict`); nodes with the same verdict are one group, its nodes
folded with NodeSet (`x4102c3s[0-7]b0n0`), listed healthy first and then by how bad the state is.
Each group keeps the distinct raw answers behind it (at most `RAW_VARIANTS`, each with its own
node set) so the view can show what the nodes really printed. Nodes share answer objects, so the
verdict is computed once per distinct answer, not once per node: 10,624 agreeing nodes cost one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from daostui.nodes import probe
from daostui.nodes.models import FAILED, ORDER, Group, NodeAnswer, RawVariant, Verdict

#: Distinct raw outputs kept per group (the rest are counted, not shown).
RAW_VARIANTS = 5


def _natural(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _fold(names: Iterable[str]) -> str:
    """The nodes folded by NodeSet, its comma-separated parts in rack order (x4102... before x4103...)."""
    from ClusterShell.NodeSet import NodeSet

    folded = str(NodeSet.fromlist(list(names)))
    parts = re.findall(r"(?:[^,\[]|\[[^\]]*\])+", folded)
    return ",".join(sorted(parts, key=lambda part: _natural(NodeSet(part)[0])))


def discovered_paths(answers: Iterable[NodeAnswer]) -> tuple[str, ...]:
    """Every dfuse mount point any node reported (the job's containers, when they were not known)."""
    found: set[str] = set()
    for answer in set(answers):
        read = probe.read_lines(answer.lines)
        found.update(path for path, state in read.paths.items() if state.mount == "fuse.daos")
    return tuple(sorted(found))


def group(
    nodes: list[str],
    answers: dict[str, NodeAnswer],
    expected: tuple[str, ...],
    *,
    list_timeout: int,
    node_timeout: float,
) -> list[Group]:
    """The groups for `nodes` (every node of the job, whether clush reported it or not)."""
    verdicts: dict[tuple[NodeAnswer, bool], Verdict] = {}
    members: dict[Verdict, list[str]] = defaultdict(list)
    raw: dict[Verdict, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for node in nodes:
        answer = answers.get(node)
        if answer is None:  # clush -b reports a node only for output, a non-zero exit or a timeout
            found = Verdict(FAILED, "the probe printed nothing")
            text = "(no output, exit code 0)"
        else:
            # a node's name in its own output (ssh's messages) is replaced, so alike nodes group
            personal = node in "".join((*answer.errors, *answer.lines))
            key = (answer, personal)
            found = verdicts.get(key) if not personal else None
            if found is None:
                found = probe.verdict(
                    answer, expected, node=node, list_timeout=list_timeout, node_timeout=node_timeout
                )
                if not personal:
                    verdicts[key] = found
            text = answer.raw(node)
        members[found].append(node)
        raw[found][text].append(node)
    groups = []
    for found, names in members.items():
        variants = sorted(raw[found].items(), key=lambda item: -len(item[1]))
        groups.append(
            Group(
                state=found.state,
                summary=found.summary,
                nodes=_fold(names),
                count=len(names),
                missing=found.missing,
                raw=[RawVariant(_fold(who), len(who), text) for text, who in variants[:RAW_VARIANTS]],
            )
        )
    groups.sort(key=lambda g: (ORDER.index(g.state), -g.count, g.summary))
    return groups
