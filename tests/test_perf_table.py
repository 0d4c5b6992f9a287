"""The README's performance table is the one `python -m benchmarks.readme` makes from the stored run.

Nothing here runs a benchmark: the results file is read as data.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import readme
from benchmarks.common import Figure
from benchmarks.results import LATEST, Run, load, write


def test_readme_table_is_the_stored_run() -> None:
    run = load(LATEST)
    assert readme.section(readme.README.read_text()) == readme.table(run)


def test_stored_run_has_every_headline_figure_quiet_and_busy() -> None:
    run = load(LATEST)
    assert run.conditions == ["quiet", "busy"]
    assert run.cores >= 1 and run.date
    for key in (
        "table.paint.100000",
        "table.next.100000",
        "table.first.100000",
        "frames.worst",
        "frames.over",
        "memory.jobs.100000",
        "startup.daostui",
        "datatable.paint.100",
        "datatable.paint.10000",
    ):
        assert set(run.figures[key].by_condition) == {"quiet", "busy"}, key


def _run(note: str = "") -> Run:
    quiet = {
        "table.paint.100000": Figure("table.paint.100000", "first paint", 60.0, "ms", 50.0, "100 rows"),
        "startup.daostui": Figure("startup.daostui", "start", 0.4, "s", 0.32, "minimal"),
    }
    busy = {"table.paint.100000": Figure("table.paint.100000", "first paint", 90.0, "ms", 50.0, "100 rows")}
    return Run.collect({"quiet": quiet, "busy": busy}, names=["table"], quick=True, note=note)


def test_table_shows_date_cores_columns_targets_and_note() -> None:
    run = _run(note="Indicative only.")
    text = readme.table(run)
    assert run.date in text and f"{run.cores} cores" in text and "Indicative only." in text
    assert "| figure | quiet | busy | target |" in text
    paint = next(line for line in text.splitlines() if line.startswith("| first paint"))
    assert "60 ms, **1.20x** 10^2" in paint and "90 ms, **1.80x** 10^2" in paint and "≤ 1.5x" in paint
    start = next(line for line in text.splitlines() if line.startswith("| cold start"))
    assert "1.25x" in start and "| — |" in start  # not measured busy: a dash, not a number


def test_results_round_trip_and_readme_update_replaces_only_the_section(tmp_path: Path) -> None:
    run = _run()
    path = tmp_path / "run.json"
    write(run, path)
    again = load(path)
    assert readme.table(again) == readme.table(run)
    assert json.loads(path.read_text())["figures"]["table.paint.100000"]["busy"]["value"] == 90.0
    document = f"intro\n{readme.BEGIN}\nold table\n{readme.END}\nafter\n"
    new = readme.updated(document, run)
    assert new.startswith(f"intro\n{readme.BEGIN}\n") and new.endswith(f"{readme.END}\nafter\n")
    assert "old table" not in new and readme.section(new) == readme.table(run)
