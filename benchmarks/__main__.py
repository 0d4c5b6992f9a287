"""`python -m benchmarks [NAME ...]`: run every benchmark (or the named ones) and print the figures."""

from __future__ import annotations

import importlib
import platform
import sys

ALL = ("startup", "table", "parse_qstat", "frames", "memory", "ssh_overhead", "pbs_server", "nodes")


def main(argv: list[str]) -> int:
    names = argv or list(ALL)
    unknown = [n for n in names if n not in ALL]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(ALL)}", file=sys.stderr)
        return 2
    import os

    print(f"# python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    for name in names:
        print(f"\n## {name}")
        importlib.import_module(f"benchmarks.{name}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
