"""`clush` as the console runs it, and its gathered output read back per node.

One `clush` run covers every node of a job: `-w` the folded NodeSet, `-f` the fanout (how many
nodes at once; ALCF's `launch-dfuse.sh` uses 208), `-t` the ssh connect timeout, `-u` the per-node
command timeout, `-q` (no progress meter on stderr, no node counts), `-b` (gather identical
output, like `dshbak -c`), `--color=never`, `-n` (never forward our stdin to the nodes).

What `clush -q -b` prints (ClusterShell 1.10, `CLI/Clush.py` and `CLI/Display.py`):

- stdout: one block per distinct output, a dshbak header then the lines:

      ---------------
      x4102c3s[0-7]b0n0
      ---------------
      daostui-probe 1 node dfuse=yes paths=1

  (with a site's `verbosity` above quiet the node set carries ` (N)`; both are read);
- stderr: each node's own stderr lines as `node: line`, then `clush: NODESET: exited with exit
  code N` per non-zero exit code and `clush: NODESET: command timeout` for nodes that did not answer.

The parse is pure; NodeSet does the folding and expanding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from daostui.core.errors import ParseError
from daostui.nodes.models import NodeAnswer

SEP = "-" * 15
_HEADER = re.compile(r"(?P<nodes>\S+)(?: \((?P<count>\d+)\))?")
_EXITED = re.compile(r"clush: (?P<nodes>\S+)(?: \(\d+\))?: exited with exit code (?P<rc>-?\d+)")
_TIMEOUT = re.compile(r"clush: (?P<nodes>\S+)(?: \(\d+\))?: command timeout")
_NODE_LINE = re.compile(r"(?P<node>[^\s:]+): (?P<text>.*)")


@dataclass(frozen=True, slots=True)
class ClushOptions:
    fanout: int = 64
    connect_timeout: float = 10.0
    command_timeout: float = 15.0


def argv(program: str, nodes: str, remote: str, options: ClushOptions) -> list[str]:
    """`clush -w NODES -f F -t T -u U -q -b --color=never -n 'COMMAND'` (the command one argument)."""
    return [
        program,
        "-w",
        nodes,
        "-f",
        str(max(1, int(options.fanout))),
        "-t",
        f"{options.connect_timeout:g}",
        "-u",
        f"{options.command_timeout:g}",
        "-q",
        "-b",
        "--color=never",
        "-n",
        remote,
    ]


@dataclass(slots=True)
class Gathered:
    """Every node's answer, and what clush said about the run itself."""

    answers: dict[str, NodeAnswer] = field(default_factory=dict)
    #: Lines on stderr that are neither a node's nor clush's per-node report (clush's own errors).
    messages: list[str] = field(default_factory=list)


def _expand(text: str) -> list[str]:
    from ClusterShell.NodeSet import NodeSet, NodeSetParseError

    try:
        return list(NodeSet(text))
    except NodeSetParseError as exc:
        raise ParseError(
            f"clush printed a node set it cannot read: {text!r} ({exc})", source="clush"
        ) from None


def _blocks(stdout: str) -> list[tuple[str, tuple[str, ...]]]:
    """(node set text, lines) for each dshbak block of `clush -b`'s stdout."""
    lines = stdout.splitlines()
    blocks: list[tuple[str, list[str]]] = []
    index = 0
    while index < len(lines):
        if lines[index] == SEP and index + 2 < len(lines) and lines[index + 2] == SEP:
            header = _HEADER.fullmatch(lines[index + 1].strip())
            if header is None:
                raise ParseError(f"unexpected clush header {lines[index + 1]!r}", source="clush -b")
            blocks.append((header.group("nodes"), []))
            index += 3
            continue
        if not blocks:
            if lines[index].strip():
                raise ParseError(
                    "clush -b printed output outside a node block", excerpt=stdout, source="clush -b"
                )
        else:
            blocks[-1][1].append(lines[index])
        index += 1
    return [(nodes, tuple(body)) for nodes, body in blocks]


def parse(stdout: str, stderr: str, wanted: set[str]) -> Gathered:
    """Per-node answers from `clush -q -b` output, for the nodes in `wanted`."""
    gathered = Gathered()
    lines: dict[str, tuple[str, ...]] = {}
    for nodes, body in _blocks(stdout):
        for node in _expand(nodes):
            lines[node] = body
    errors: dict[str, list[str]] = {}
    rcs: dict[str, int] = {}
    timed_out: set[str] = set()
    for line in re.split(r"[\r\n]+", stderr):
        if not line.strip():
            continue
        if match := _EXITED.fullmatch(line):
            rc = int(match.group("rc"))
            rcs.update((node, rc) for node in _expand(match.group("nodes")))
        elif match := _TIMEOUT.fullmatch(line):
            timed_out.update(_expand(match.group("nodes")))
        elif (match := _NODE_LINE.fullmatch(line)) and match.group("node") in wanted:
            errors.setdefault(match.group("node"), []).append(match.group("text"))
        else:
            gathered.messages.append(line)
    shared: dict[NodeAnswer, NodeAnswer] = {}
    for node in set(lines) | set(errors) | set(rcs) | timed_out:
        rc = rcs.get(node, 0 if node in lines or node in errors else None)
        answer = NodeAnswer(lines.get(node, ()), tuple(errors.get(node, ())), rc, node in timed_out)
        gathered.answers[node] = shared.setdefault(answer, answer)
    return gathered
