"""What a probe of a job's nodes found: per-node answers, verdicts, and the groups the view shows.

A node's *answer* is what ClusterShell gathered for it (its stdout lines, its stderr lines, its
exit code, whether it timed out); its *verdict* is what that means for the job's container
(mounted and listable, not mounted, hung, unreachable...). Nodes with the same verdict form one
`Group`, folded with NodeSet, the way `clush -b` and `dshbak -c` fold identical output.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from daostui.core.errors import CommandError

#: Verdict states, in the order the view lists them (healthy first, then by how bad it is).
OK = "ok"
UNMOUNTED = "unmounted"
NO_MOUNT = "no_mount"
OTHER_FS = "other_fs"
STALE = "stale"
HUNG = "hung"
LIST_ERROR = "list_error"
UNREACHABLE = "unreachable"
NO_ANSWER = "no_answer"
FAILED = "failed"
ORDER = (OK, UNMOUNTED, NO_MOUNT, OTHER_FS, STALE, HUNG, LIST_ERROR, UNREACHABLE, NO_ANSWER, FAILED)


class NodesError(CommandError):
    """The fan-out itself failed (clush missing, refused its arguments, timed out as a whole)."""


@dataclass(frozen=True, slots=True)
class JobContainer:
    """A container the job mounts on its nodes, at `<compute_mount_root>/<pool>/<cont>`."""

    pool: str
    cont: str
    path: str

    @property
    def name(self) -> str:
        return f"{self.pool}/{self.cont}"

    @classmethod
    def at(cls, root: str, pool: str, cont: str) -> JobContainer:
        return cls(pool, cont, posixpath.normpath(posixpath.join(root, pool, cont)))


@dataclass(frozen=True, slots=True)
class NodeAnswer:
    """What one node said, as ClusterShell gathered it (shared by every node that said the same)."""

    lines: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    rc: int | None = None
    timed_out: bool = False

    def raw(self, node: str = "") -> str:
        """The answer as a user would read it: stdout, then stderr and the exit code."""
        parts = list(self.lines)
        parts += [f"stderr: {line}" for line in self.errors]
        if self.timed_out:
            parts.append("(no answer before the timeout)")
        elif self.rc not in (None, 0):
            parts.append(f"(exit code {self.rc})")
        text = "\n".join(parts) if parts else "(no output)"
        return text.replace(node, "%h") if node else text


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a node's answer means: its state, one line for the user, and which containers it lacks."""

    state: str
    summary: str
    missing: tuple[str, ...] = ()


@dataclass(slots=True)
class RawVariant:
    """One distinct raw answer within a group, and the nodes that gave it."""

    nodes: str
    count: int
    text: str


@dataclass(slots=True)
class Group:
    """Nodes with the same verdict: `count` nodes, folded as `nodes` (`x4102c3s[0-7]b0n0`)."""

    state: str
    summary: str
    nodes: str
    count: int
    missing: tuple[str, ...] = ()
    raw: list[RawVariant] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.state == OK

    @property
    def label(self) -> str:
        return f"{self.count} node{'' if self.count == 1 else 's'}: {self.summary}"


@dataclass(slots=True)
class ProbeResult:
    """One full probe of a job's nodes."""

    nodes: int
    groups: list[Group]
    containers: tuple[JobContainer, ...]
    #: True when the containers were not known and were read off the nodes' mount tables.
    discovered: bool
    command: tuple[str, ...]
    duration: float = 0.0
    finished_at: float = 0.0

    @property
    def all_ok(self) -> bool:
        return bool(self.groups) and all(group.ok for group in self.groups)

    @property
    def headline(self) -> str:
        """`508 nodes: mounted, ok · 3 nodes: not mounted · 1 node: hung`."""
        return " · ".join(group.label for group in self.groups)

    def missing_nodes(self, container: JobContainer) -> list[str]:
        """The folded node sets where `container` is not mounted (what a remount targets)."""
        return [group.nodes for group in self.groups if container.path in group.missing]


@dataclass(slots=True)
class ActionGroup:
    """Nodes that answered an action the same way (its output and exit code)."""

    nodes: str
    count: int
    text: str
    ok: bool


@dataclass(slots=True)
class ActionResult:
    """What a remount or clean-up did, gathered by output like `clush -b` prints it."""

    command: tuple[str, ...]
    groups: list[ActionGroup]

    @property
    def ok(self) -> bool:
        return all(group.ok for group in self.groups)

    def summary(self) -> str:
        lines = []
        for group in self.groups:
            mark = "ok" if group.ok else "FAILED"
            count = f"{group.count} node{'' if group.count == 1 else 's'}"
            lines.append(f"{count} ({mark}): {group.nodes}")
            lines += [f"    {line}" for line in group.text.splitlines() if line.strip()]
        return "\n".join(lines)
