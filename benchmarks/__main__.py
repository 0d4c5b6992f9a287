"""`python -m benchmarks [--busy | --quiet] [--quick] [NAME ...]`: run the benchmarks and print the figures.

By default every benchmark runs twice, first on the machine as it is ("quiet") and then with a CPU
hog keeping one core at 100 % ("busy", `benchmarks.hog`), and the figures are printed side by side:
a login node is always busy (issue 17). The run is written as JSON (`benchmarks.results`), from
which `python -m benchmarks.readme` makes the README's performance table.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from pathlib import Path

from benchmarks import common
from benchmarks.hog import cpu_hog
from benchmarks.results import LATEST, PARTIAL, Run, write

ALL = ("startup", "table", "parse_qstat", "frames", "memory", "ssh_overhead", "pbs_server", "nodes")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run (default all: {' '.join(ALL)})"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--busy", action="store_true", help="only the busy run (one core held at 100 %%)")
    which.add_argument("--quiet", action="store_true", help="only the quiet run")
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats: indicative figures in a few minutes"
    )
    parser.add_argument(
        "--note", default="", help="a remark stored with the results and shown under the table"
    )
    parser.add_argument(
        "--out", type=Path, help=f"results file (default {LATEST} for a full run, else {PARTIAL})"
    )
    parser.add_argument("--no-save", action="store_true", help="print only; write no results file")
    return parser


def _run(names: list[str], busy: bool) -> dict[str, common.Figure]:
    """Every figure of `names`, measured with a CPU hog alongside when `busy`, by key."""
    common.FIGURES.clear()
    label = "busy (one core held at 100 %)" if busy else "quiet"
    for name in names:
        print(f"\n## {name}, {label}", flush=True)
        with cpu_hog(busy):
            importlib.import_module(f"benchmarks.{name}").main()
    return {figure.key: figure for figure in common.FIGURES}


def _side_by_side(run: Run) -> None:
    print(f"\n# {run.caption()}")
    header = f"{'figure':<62} " + " ".join(f"{c:>26}" for c in run.conditions) + "   target"
    print(header)
    for figure in run.figures.values():
        cells = " ".join(f"{figure.cell(c):>26}" for c in run.conditions)
        print(f"{figure.name:<62} {cells}   {figure.target}")


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    names = args.names or list(ALL)
    unknown = [n for n in names if n not in ALL]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(ALL)}", file=sys.stderr)
        return 2
    common.QUICK = args.quick
    conditions = ["busy"] if args.busy else ["quiet"] if args.quiet else ["quiet", "busy"]
    print(f"# python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    started = time.perf_counter()
    measured = {condition: _run(names, condition == "busy") for condition in conditions}
    run = Run.collect(measured, names=names, quick=args.quick, note=args.note)
    run.wall_seconds = round(time.perf_counter() - started, 1)
    _side_by_side(run)
    print(f"\n# wall time of this run: {run.wall_seconds:.0f} s")
    if not args.no_save:
        out = args.out or (LATEST if set(names) == set(ALL) else PARTIAL)
        write(run, out)
        print(f"# results written to {out}; `python -m benchmarks.readme` puts them in README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
