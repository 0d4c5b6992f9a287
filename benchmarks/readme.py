"""`python -m benchmarks.readme [RESULTS.json]`: write the README's performance table from a benchmark run.

The table sits between the markers below in README.md and is made only from the results file
(`benchmarks/results/latest.json` unless named), so the README always shows one real run: its
date, machine and cores, quiet and busy columns beside issue 17's targets. `--check` exits 1 if
the README's table differs from what the results give (tests/test_perf_table.py checks the same).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import ROOT
from benchmarks.results import LATEST, Run, load, number

README = ROOT / "README.md"
BEGIN = "<!-- perf-table:begin (python -m benchmarks.readme writes this; do not edit by hand) -->"
END = "<!-- perf-table:end -->"

Cell = Callable[[Run, str], str]


def _value(run: Run, key: str, condition: str) -> tuple[float | None, float | None]:
    row = run.figures.get(key)
    measured = row.by_condition.get(condition) if row else None
    return (measured.value, measured.ratio) if measured else (None, None)


def ratio_cell(key: str, unit: str, base: str) -> Cell:
    """`77 ms, 1.60x the 10^2 figure`."""

    def cell(run: Run, condition: str) -> str:
        value, ratio = _value(run, key, condition)
        if value is None:
            return "—"
        return f"{number(value)} {unit}" + (f", **{ratio:.2f}x** {base}" if ratio is not None else "")

    return cell


def value_cell(key: str, unit: str) -> Cell:
    def cell(run: Run, condition: str) -> str:
        value, _ratio = _value(run, key, condition)
        return "—" if value is None else f"**{number(value)} {unit}**"

    return cell


def frames_cell(run: Run, condition: str) -> str:
    worst, _ = _value(run, "frames.worst", condition)
    median, _ = _value(run, "frames.median_worst", condition)
    over, _ = _value(run, "frames.over", condition)
    samples, _ = _value(run, "frames.samples", condition)
    if worst is None or median is None or over is None or samples is None:
        return "—"
    return (
        f"worst **{number(worst)} ms** (median of runs {number(median)} ms); "
        f"{number(over)} of {number(samples)} samples over 33 ms"
    )


def peer_cell(sizes: tuple[int, ...], *, unit: str, kind: str) -> Cell:
    """Textual's DataTable beside ours: `167 / 1,226 ms (3.4x / 28x ours)`."""

    def cell(run: Run, condition: str) -> str:
        values, ratios = [], []
        for size in sizes:
            value, ratio = _value(run, f"datatable.{kind}.{size}", condition)
            if value is None:
                return "—"
            values.append(number(value))
            if ratio is not None:
                ratios.append(f"{ratio:.1f}x")
        text = f"{' / '.join(values)} {unit}"
        return text + (f" ({' / '.join(ratios)} ours)" if ratios else "")

    return cell


#: (what, how a cell reads, target) in issue 17's order, then the peer and the parser.
ROWS: tuple[tuple[str, Cell, str], ...] = (
    ("first paint, 10^5 rows vs 10^2", ratio_cell("table.paint.100000", "ms", "10^2"), "≤ 1.5x"),
    ("next filter keystroke, 10^5 rows", value_cell("table.next.100000", "ms"), "≤ 30 ms"),
    ("first filter keystroke, 10^5 rows", value_cell("table.first.100000", "ms"), "≤ 60 ms"),
    ("worst frame, 8 slow commands in flight (2 s each)", frames_cell, "no sample > 33 ms"),
    ("resident memory, 10^5 jobs in the jobs pane", value_cell("memory.jobs.100000", "MB"), "≤ 120 MB"),
    (
        "cold start to first frame (`--demo`) vs a minimal Textual app",
        ratio_cell("startup.daostui", "s", "minimal"),
        "≤ 1.25x",
    ),
    (
        "peer: Textual `DataTable` first paint, 10^2 / 10^4 rows",
        peer_cell((100, 10_000), unit="ms", kind="paint"),
        "—",
    ),
    ("peer: Textual `DataTable` memory, 10^4 jobs", peer_cell((10_000,), unit="MB", kind="memory"), "—"),
    ("job nodes (issue 19): probe of 1,024 nodes", value_cell("nodes.probe.1024", "s"), "≤ 10 s"),
    ("job nodes: worst frame while probing 1,024 nodes", value_cell("nodes.frame.1024", "ms"), "≤ 33 ms"),
    (
        "job nodes: group rows on screen, 4,096 nodes, 1 lost",
        value_cell("nodes.rows.4096", "rows"),
        "a handful",
    ),
    (
        "job nodes: Aurora's 10,624 nodes at ALCF's fanout 208 (from the measured per-node cost)",
        value_cell("nodes.aurora", "s"),
        "—",
    ),
    (
        "`qstat -f -F json`, 10^4 jobs into models vs `json.loads`",
        ratio_cell("parse.clean", "ms", "json.loads"),
        "≤ 1.3x",
    ),
)


def table(run: Run) -> str:
    """The README's table (caption, header, one row per figure) for `run`."""
    lines = [f"_{run.caption()}_", ""]
    lines.append("| figure | " + " | ".join(run.conditions) + " | target |")
    lines.append("|---" * (len(run.conditions) + 2) + "|")
    for label, cell, target in ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(run, c) for c in run.conditions) + f" | {target} |")
    return "\n".join(lines)


def section(readme: str) -> str:
    """The text between the markers in `readme` (ValueError if they are missing)."""
    start = readme.index(BEGIN) + len(BEGIN)
    return readme[start : readme.index(END, start)].strip("\n")


def updated(readme: str, run: Run) -> str:
    start = readme.index(BEGIN) + len(BEGIN)
    end = readme.index(END, start)
    return readme[:start] + "\n" + table(run) + "\n" + readme[end:]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    run = load(Path(paths[0]) if paths else LATEST)
    text = README.read_text()
    if check:
        if section(text) != table(run):
            print("README.md's performance table differs from the results; run python -m benchmarks.readme")
            return 1
        return 0
    README.write_text(updated(text, run))
    print(f"README.md performance table written from the run of {run.date}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
