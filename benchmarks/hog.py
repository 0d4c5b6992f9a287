"""A CPU hog: another process keeping one core at 100 %, as on a shared login node.

`python -m benchmarks --busy` runs every figure with one alongside (issue 17: a login node is
always busy, so "busy" is the condition that counts). The hog is a separate interpreter spinning
in a loop, started before a benchmark and ended, by its own pid, after it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

SPIN = "while True:\n    pass\n"


@contextmanager
def cpu_hog(enabled: bool = True) -> Iterator[subprocess.Popen[bytes] | None]:
    """One core held at 100 % by a child process for the duration of the block (nothing if not `enabled`)."""
    if not enabled:
        yield None
        return
    hog = subprocess.Popen([sys.executable, "-c", SPIN], stdin=subprocess.DEVNULL)
    try:
        yield hog
    finally:
        hog.kill()
        hog.wait()
