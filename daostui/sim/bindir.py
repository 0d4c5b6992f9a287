"""The private bin directory of demo mode: one tiny script per simulated tool.

Never installed as console scripts: on a login node they would shadow the real `daos` and `qsub`.
Each script is a few lines of shell that run the interpreter of daostui on the script itself, so
a command costs one Python start-up (no Textual import). The compute nodes get theirs too: the
shell shim `bin/node-shell` and `node-bin/` (see `compute_nodes`).

Every simulated command runs at the lowest priority from its first instruction (the
interpreter's start-up is most of a command's CPU), and so does what it starts
(clush's node shells, mpiexec's ranks). The simulated Aurora stands for other machines — PBS and
DAOS servers, compute nodes — whose work never takes the console's CPU on a real site. Without
it, eight commands starting at once (~70 ms of CPU each) on a 2-core machine with one core busy
kept the console off the CPU for up to 50 ms.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from daostui.sim import compute_nodes
from daostui.sim.entry import PROGRAMS

#: `nice` value of every simulated command (the console keeps its own priority).
NICENESS = 19

#: Shell and Python at once: sh runs the lines up to `exec` (the lowest priority, for the process
#: and, when it leads its own session, for the session's scheduling group: with autogroup, nice
#: only orders the processes inside one group), then Python runs this same file, so `ps` shows
#: `python …/bin/daos pool list` as before. To Python the shell part is a string.
SCRIPT = """#!/bin/sh
''':'
# daostui's simulated `{program}` (demo mode; see daostui/sim/bindir.py)
read -r _pid _comm _state _ppid _pgrp session _rest 2>/dev/null < /proc/$$/stat
if [ "$session" = "$$" ] && [ -w /proc/self/autogroup ]; then
  echo {niceness} 2>/dev/null > /proc/self/autogroup
fi
exec nice -n {niceness} {python} "$0" "$@"
exit 127
'''
import sys
{path}from daostui.sim.entry import run
raise SystemExit(run({program!r}, sys.argv[1:]))
"""


def script(program: str, python: str = sys.executable, lib: str = "") -> str:
    """The script of simulated `program`, run by `python` (finding daostui in `lib` when given)."""
    path = f"sys.path.insert(0, {lib!r})\n" if lib else ""
    return SCRIPT.format(program=program, niceness=NICENESS, python=shlex.quote(python), path=path)


def write_scripts(directory: Path) -> Path:
    bin_dir = directory / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for program in PROGRAMS:
        path = bin_dir / program
        text = script(program)
        if not path.exists() or path.read_text() != text:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text)
            tmp.chmod(0o755)
            os.replace(tmp, path)
    compute_nodes.write_tools(directory, script)
    return bin_dir


def prepare(directory: Path, *, seed: int = 0) -> Path:
    """Create the simulated site on first use, (re)write `bin/`, return the bin path."""
    directory = Path(directory)
    if not (directory / "site.json").exists():
        from daostui.sim import seed as seeding

        seeding.reset(directory, seed=seed, showcase=True)
    return write_scripts(directory)
