"""One benchmark run as data: when, on what machine, and every figure quiet and busy.

`python -m benchmarks` writes it as JSON (`benchmarks/results/latest.json` for a full run);
`python -m benchmarks.readme` makes the README's table from it, so the README shows one real run
and is never edited by hand. Loading needs nothing but the standard library (the README test
reads it without running anything).
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Figure

RESULTS = ROOT / "benchmarks" / "results"
LATEST = RESULTS / "latest.json"
PARTIAL = RESULTS / "partial.json"


@dataclass
class Measured:
    """One figure under one condition, with the baseline measured beside it in the same run."""

    value: float
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


@dataclass
class Row:
    """One figure across the conditions of a run."""

    key: str
    name: str
    unit: str
    target: str = ""
    base_name: str = ""
    by_condition: dict[str, Measured] = field(default_factory=dict)

    def cell(self, condition: str) -> str:
        """`77 ms (1.60x)`: the value and, where there is one, its ratio to the baseline; `—` if not measured."""
        measured = self.by_condition.get(condition)
        if measured is None:
            return "—"
        text = f"{number(measured.value)} {self.unit}"
        if measured.ratio is not None:
            text += f" ({measured.ratio:.2f}x)"
        return text


def number(value: float) -> str:
    """A figure as a reader wants it: whole numbers above 10, one decimal below (thousands grouped)."""
    if float(value).is_integer() or abs(value) >= 10:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 1 else f"{value:.2f}"


@dataclass
class Run:
    date: str
    cores: int
    python: str
    machine: str
    conditions: list[str]
    benchmarks: list[str]
    quick: bool = False
    note: str = ""
    wall_seconds: float = 0.0
    figures: dict[str, Row] = field(default_factory=dict)

    @classmethod
    def collect(
        cls, measured: dict[str, dict[str, Figure]], *, names: list[str], quick: bool, note: str
    ) -> Run:
        run = cls(
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            cores=os.cpu_count() or 0,
            python=platform.python_version(),
            machine=f"{platform.system()} {platform.machine()}",
            conditions=list(measured),
            benchmarks=list(names),
            quick=quick,
            note=note,
        )
        for condition, figures in measured.items():
            for key, figure in figures.items():
                row = run.figures.setdefault(
                    key, Row(key, figure.name, figure.unit, figure.target, figure.base_name)
                )
                row.by_condition[condition] = Measured(round(figure.value, 3), _rounded(figure.baseline))
        return run

    def caption(self) -> str:
        kind = "quick run (fewer repeats)" if self.quick else "full run"
        text = (
            f"`python -m benchmarks`, {kind} of {self.date} on {self.machine}, {self.cores} cores, "
            f"Python {self.python}; busy = another process holding one core at 100 %"
        )
        if self.wall_seconds:
            text += f"; the run took {self.wall_seconds / 60:.1f} min"
        return text + (f". {self.note}" if self.note else ".")

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in vars(self).items() if k != "figures"}
        data["figures"] = {
            key: {
                "name": row.name,
                "unit": row.unit,
                "target": row.target,
                "base_name": row.base_name,
                **{c: vars(m) for c, m in row.by_condition.items()},
            }
            for key, row in self.figures.items()
        }
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Run:
        figures = data.pop("figures")
        run = cls(**data)
        for key, row in figures.items():
            run.figures[key] = Row(
                key,
                row["name"],
                row["unit"],
                row["target"],
                row["base_name"],
                {c: Measured(**row[c]) for c in run.conditions if c in row},
            )
        return run


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def write(run: Run, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run.to_json(), indent=2) + "\n")


def load(path: Path = LATEST) -> Run:
    return Run.from_json(json.loads(path.read_text()))
