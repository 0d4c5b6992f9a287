"""`module` for the simulated site: the tools are already on PATH, so loads only succeed or fail.

Known modules load silently (as Lmod does); unknown ones fail with Lmod's message.
"""

from __future__ import annotations

import sys

KNOWN = {"daos", "daos/base", "mpifileutils", "frameworks", "daos_perf", "cray-pals", "oneapi"}


def main(program: str, args: list[str]) -> int:
    if not args:
        sys.stderr.write("Usage: module [options] sub-command [args ...]\n")
        return 1
    command, *names = args
    if command in ("use", "purge", "list", "avail"):
        return 0
    if command in ("load", "add"):
        unknown = [n for n in names if n not in KNOWN]
        if unknown:
            sys.stderr.write(
                "Lmod has detected the following error: The following module(s) are unknown: "
                + " ".join(f'"{n}"' for n in unknown)
                + "\n"
            )
            return 1
        return 0
    return 0
