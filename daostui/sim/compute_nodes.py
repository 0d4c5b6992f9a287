"""The simulated Aurora's compute nodes: names, which job holds which node, faults, and reaching them.

Node names are PBS's (`pbs_state.node_name`). A running job of the user holds its nodes (`node-jobs/<node>`
names the job) from its start until its end, when the PBS epilogue releases them and their dfuse
mounts (`release`). The console reaches the nodes with ClusterShell's exec worker: the
simulator's `clush` runs `node-shell NODE COMMAND` (a small POSIX shell script, no Python start
per node) in place of `ssh NODE COMMAND`. That shim answers as the node would:

- refused like ssh when the node is down (knob `node_down`) or runs no job of the user (PBS's
  PAM module closes the connection);
- otherwise COMMAND runs with the node's tools first on PATH (`node-bin/`: `pgrep dfuse` answers
  from the node's mounts, the dfuse scripts act on this node) and with the node's own mounts table
  in place of `/proc/mounts` (`nodes/<node>/mounts`, see `node_mounts`);
- a hung node (knob `node_hung`) lists its dfuse mount forever (`node-bin/hung/ls`): only the
  probe's `timeout -s KILL` ends it, as on a real node with a hung dfuse.

Knob `node_unmounted` loses the dfuse mounts of matching nodes at once, and makes `launch-dfuse.sh`
fail there while it is set (a remount with `start-dfuse.sh` on the node works). The node knobs
live in `knobs.json` like every knob (`match` is a glob on the node name); `knobs` mirrors them
into `node-faults` (`KIND GLOB` lines) for the shell shim.
"""

from __future__ import annotations

import fnmatch
import os
import random
import shlex
from collections.abc import Callable
from pathlib import Path

from daostui.sim import node_mounts, store
from daostui.sim.pbs_state import MACHINE_NODES, NODES_PER_RACK, RACKS, node_name

SHIM = """#!/bin/sh
# daostui's simulated `ssh NODE COMMAND` (demo mode; see daostui/sim/compute_nodes.py).
node=$1
shift
sim=${DAOSTUI_SIM_DIR:?}
fault=
if [ -f "$sim/node-faults" ]; then
  while read -r kind pattern; do
    case $node in $pattern) fault="$fault $kind";; esac
  done < "$sim/node-faults"
fi
case $fault in *node_down*)
  echo "ssh: connect to host $node port 22: No route to host" >&2
  exit 255;;
esac
if [ ! -e "$sim/node-jobs/$node" ]; then
  rack=${node#x}; rack=${rack%%c*}; rest=${node#*c}; chassis=${rest%%s*}; slot=${rest#*s}; slot=${slot%%b*}
  echo "Connection closed by 10.115.$((rack % 256)).$((chassis * 8 + slot)) port 22" >&2
  exit 255
fi
PATH="$sim/node-bin:/usr/local/bin:/usr/bin:/bin"
case $fault in *node_hung*) PATH="$sim/node-bin/hung:$PATH";; esac
DAOSTUI_SIM_NODE=$node
DAOSTUI_SIM_NODE_MOUNTS="$sim/nodes/$node/mounts"
[ -f "$DAOSTUI_SIM_NODE_MOUNTS" ] || DAOSTUI_SIM_NODE_MOUNTS=/dev/null
export PATH DAOSTUI_SIM_NODE DAOSTUI_SIM_NODE_MOUNTS
exec /bin/sh -c "$*"
"""

PGREP = """#!/bin/sh
# pgrep on a simulated compute node: a dfuse process serves each of the node's dfuse mounts.
case "$*" in *dfuse*) ;; *) exec /usr/bin/pgrep "$@";; esac
table="$DAOSTUI_SIM_DIR/nodes/$DAOSTUI_SIM_NODE/mounts"
[ -f "$table" ] || exit 1
while read -r source target fstype rest; do
  if [ "$fstype" = fuse.daos ]; then echo 4242; exit 0; fi
done < "$table"
exit 1
"""

HUNG_LS = """#!/bin/sh
# ls on a node whose dfuse is hung: the kernel holds it until SIGKILL (timeout -s KILL).
exec sleep 86400
"""

#: The dfuse scripts a node runs (the simulator's, acting on the node named by DAOSTUI_SIM_NODE).
NODE_PROGRAMS = ("start-dfuse.sh", "fusermount3", "launch-dfuse.sh", "clean-dfuse.sh")


def _jobs_dir(directory: Path) -> Path:
    return directory / "node-jobs"


def allocate(directory: Path, job_id: str, count: int, seed: int) -> list[str]:
    """`count` free nodes for `job_id` (from a seeded rack on), marked as the job's until released."""
    held = _jobs_dir(directory)
    with store.lock(directory):
        held.mkdir(parents=True, exist_ok=True)
        busy = {entry.name for entry in held.iterdir()}
        start = random.Random(seed).randrange(RACKS) * NODES_PER_RACK
        chosen: list[str] = []
        for offset in range(MACHINE_NODES):
            name = node_name(start + offset)
            if name not in busy:
                chosen.append(name)
                if len(chosen) == count:
                    break
        for name in chosen:
            (held / name).write_text(job_id + "\n")
    return chosen


def release(directory: Path, nodes: list[str]) -> None:
    """The job ended: the epilogue unmounts dfuse on its nodes, and they are no longer the user's."""
    node_mounts.release_nodes(directory, nodes)
    held = _jobs_dir(directory)
    for name in nodes:
        (held / name).unlink(missing_ok=True)


def release_all(directory: Path) -> None:
    held = _jobs_dir(directory)
    if held.is_dir():
        release(directory, [entry.name for entry in held.iterdir()])


# ---------------------------------------------------------------------- faults
def apply_faults(directory: Path) -> None:
    """A `node_unmounted` knob set since the last look: the matching nodes' dfuse mounts are lost.

    Applied once per knob, when the nodes are next reached (the simulator's `clush`): setting a
    knob (`knobs`) cannot reach the mounts itself."""
    if not (directory / "knobs.json").exists():
        return
    patterns: list[str] = []
    with store.locked(directory, "knobs") as data:
        for fault in data.get("faults") or []:
            if fault.get("kind") == "node_unmounted" and not fault.get("applied"):
                fault["applied"] = True
                patterns.append(str(fault.get("match", "*")))
    if not patterns:
        return
    with store.lock(directory):
        records = store.load(directory, "nodes")
    lost = [node for node in records if any(fnmatch.fnmatchcase(node, p) for p in patterns)]
    if lost:
        node_mounts.release_nodes(directory, lost)


# ---------------------------------------------------------------------- reaching the nodes
def node_command(directory: Path, command: str) -> str:
    """The exec-worker command that runs `command` on each node (`%h` is ClusterShell's node name).

    `%` is ClusterShell's placeholder character, so the command's own are doubled. The node's
    `/proc/mounts` is its table file, which the shim names in `$DAOSTUI_SIM_NODE_MOUNTS` (expanded
    by whichever shell on the node reads the command, quoted or not)."""
    remote = command.replace("/proc/mounts", "${DAOSTUI_SIM_NODE_MOUNTS}")
    shim = shlex.quote(str(directory / "bin" / "node-shell"))
    return f"{shim.replace('%', '%%')} %h {shlex.quote(remote).replace('%', '%%')}"


def write_tools(directory: Path, script: Callable[[str], str]) -> None:
    """`bin/node-shell`, and the node's own tools in `node-bin/` (`script(program)`: the text of a
    simulated tool's script)."""
    node_bin = directory / "node-bin"
    hung = node_bin / "hung"
    hung.mkdir(parents=True, exist_ok=True)
    files = {directory / "bin" / "node-shell": SHIM, node_bin / "pgrep": PGREP, hung / "ls": HUNG_LS}
    for program in NODE_PROGRAMS:
        files[node_bin / program] = script(program)
    for path, text in files.items():
        if not path.exists() or path.read_text() != text:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(text)
            tmp.chmod(0o755)
            os.replace(tmp, path)
