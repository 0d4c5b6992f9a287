"""`ls` in demo mode: the real `ls`, except that listing a mount marked hung blocks forever.

A hung dfuse mount makes `ls` hang in the kernel; the simulator reproduces that so the console's
mount probe (which lists with a timeout) meets the real failure mode.
"""

from __future__ import annotations

import os
import shutil
import time

from daostui.sim import kernel_mounts, knobs, store


def main(program: str, args: list[str]) -> int:
    directory = store.state_dir()
    for arg in args:
        path = os.path.normpath(os.path.abspath(arg))
        # a real FUSE mount hangs in the kernel by itself (its daemon stops answering)
        if not arg.startswith("-") and knobs.hung(directory, path) and not kernel_mounts.is_mounted(path):
            while True:
                time.sleep(3600)
    bin_dir = str(directory / "bin")
    search = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != bin_dir)
    real = shutil.which("ls", path=search) or "/bin/ls"
    os.execv(real, [real, *args])
    return 127
