"""The one entry point of every simulated executable: knobs first, then the tool itself.

`bin/<program>` calls `run(program, args)`. Latency and generic faults (timeout, exit, malformed,
truncated or invalid-JSON output) are applied here so every tool gets them the same way; the
tool's handler writes to `sys.stdout`/`sys.stderr` so its output can be captured and corrupted.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import shlex
import sys
import time

PROGRAMS = {
    "daos": "daostui.sim.daos_cli",
    "start-dfuse.sh": "daostui.sim.dfuse_cli",
    "launch-dfuse.sh": "daostui.sim.dfuse_cli",
    "launch-dfuse-with-caching.sh": "daostui.sim.dfuse_cli",
    "clean-dfuse.sh": "daostui.sim.dfuse_cli",
    "fusermount3": "daostui.sim.dfuse_cli",
    "module": "daostui.sim.module_cli",
    "ls": "daostui.sim.ls_shim",
    "mount": "daostui.sim.mount_shim",
    "df": "daostui.sim.mount_shim",
    "qsub": "daostui.sim.pbs_cli",
    "qstat": "daostui.sim.pbs_cli",
    "qselect": "daostui.sim.pbs_cli",
    "qdel": "daostui.sim.pbs_cli",
    "qhold": "daostui.sim.pbs_cli",
    "qrls": "daostui.sim.pbs_cli",
    "mpiexec": "daostui.sim.mpiexec",
    "clush": "daostui.sim.clush_cli",
}


def _handler(program: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(PROGRAMS[program]).main


def _sleep_forever() -> int:
    while True:
        time.sleep(3600)


def run(program: str, args: list[str]) -> int:
    from daostui.sim import knobs, store

    directory = store.state_dir()
    cmdline = shlex.join([program, *args])
    data = knobs.load(directory) if (directory / "knobs.json").exists() else {}
    delay = knobs.latency_for(data, cmdline)
    if delay > 0:
        time.sleep(delay)
    fault = knobs.take(directory, knobs.GENERIC, cmdline) if data.get("faults") else None
    handler = _handler(program)
    if fault is None:
        return int(handler(program, args) or 0)
    kind = fault["kind"]
    if kind in ("timeout", "hang"):
        return _sleep_forever()
    if kind == "exit":
        sys.stderr.write(str(fault.get("stderr", f"{program}: simulated failure")).rstrip("\n") + "\n")
        return int(fault.get("exit", 1))
    if kind == "malformed":
        sys.stdout.write(fault.get("stdout", "\x00garbage{{{ not the format you expect\n"))
        return 0
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = int(handler(program, args) or 0)
    text = out.getvalue()
    if kind == "truncate":
        text = text[: len(text) // 2]
    elif kind == "invalid_json":
        cut = text.find('"', text.find(":") + 1) + 1 if ":" in text else 0
        text = text[:cut] + "\\q\x01" + text[cut:]
    sys.stdout.write(text)
    sys.stderr.write(err.getvalue())
    return status
