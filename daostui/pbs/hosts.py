"""A job's compute nodes, read from `exec_host` / `exec_vnode` and folded like Aurora's tools print them.

PBS names the nodes a job runs on in two attributes (pbs.md §3.3, real OpenPBS 23.06 output):
`exec_host = x4707c0s0b0n0/0*208+x4707c0s1b0n0/0*208` (host/slot*ncpus, one entry per chunk) and
`exec_vnode = (x4707c0s0b0n0:ncpus=208)+(x4707c0s1b0n0:ncpus=208)` (one parenthesised chunk, which
may itself hold several `vnode:resources` joined by `+`). A queued job the scheduler has planned
carries `estimated.exec_vnode` in the same form. Hundreds of nodes are unreadable as a list, so
they are folded with ClusterShell's NodeSet (`x4707c0s[0-1]b0n0`), the same notation `clush -w`
takes: the "job nodes" view can hand the folded text straight to ClusterShell.

Pure functions (no I/O): the parsers and the models call them; NodeSet is imported on first use.
"""

from __future__ import annotations

from collections.abc import Iterable


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(name for name in names if name))


def hosts_from_exec_host(text: str) -> list[str]:
    """Host names in `exec_host` order, each once (`x1/0*208+x2/0*208` → `[x1, x2]`)."""
    return _unique(entry.split("/", 1)[0].strip() for entry in (text or "").split("+"))


def vnodes_from_exec_vnode(text: str) -> list[str]:
    """Vnode names in `exec_vnode` order, each once (`(a:ncpus=2+b:ncpus=2)+(c:ncpus=4)` → `[a, b, c]`).

    A chunk's parentheses hold `vnode:resource=value:...` items joined by `+`; the vnode name is
    everything before the first `:`.
    """
    names = []
    for item in (text or "").replace("(", "").replace(")", "").split("+"):
        names.append(item.split(":", 1)[0].strip())
    return _unique(names)


def host_of_vnode(vnode: str) -> str:
    """The host a vnode lives on: multi-vnode hosts name theirs `host[N]`."""
    head, bracket, _rest = vnode.partition("[")
    return head if bracket else vnode


def job_hosts(exec_host: str, exec_vnode: str = "") -> list[str]:
    """The hosts a job runs on: from `exec_host`, else from the vnodes of `exec_vnode`."""
    hosts = hosts_from_exec_host(exec_host)
    if hosts:
        return hosts
    return _unique(host_of_vnode(vnode) for vnode in vnodes_from_exec_vnode(exec_vnode))


def fold(names: Iterable[str]) -> str:
    """`x4102c3s0b0n0, x4102c3s1b0n0, …` → `x4102c3s[0-1]b0n0` (ClusterShell NodeSet notation)."""
    wanted = _unique(names)
    if not wanted:
        return ""
    from ClusterShell.NodeSet import NodeSet

    return str(NodeSet.fromlist(wanted))


def expand(folded: str) -> list[str]:
    """The inverse of `fold`: `x4102c3s[0-1]b0n0` → every node name, in NodeSet order."""
    if not folded.strip():
        return []
    from ClusterShell.NodeSet import NodeSet

    return list(NodeSet(folded))
