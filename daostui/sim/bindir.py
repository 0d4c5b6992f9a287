"""The private bin directory of demo mode: one tiny script per simulated tool.

Never installed as console scripts: on a login node they would shadow the real `daos` and `qsub`.
Each script is two lines of Python with the interpreter that runs daostui as its shebang, so a
command costs one Python start-up (no Textual import). The compute nodes get theirs too: the shell
shim `bin/node-shell` and `node-bin/` (see `compute_nodes`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from daostui.sim import compute_nodes
from daostui.sim.entry import PROGRAMS

SCRIPT = """#!{python}
import sys
from daostui.sim.entry import run
raise SystemExit(run({program!r}, sys.argv[1:]))
"""


def script(program: str) -> str:
    return SCRIPT.format(python=sys.executable, program=program)


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
