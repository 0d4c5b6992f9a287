"""First paint and a filter keystroke at 10^2, 10^4 and 10^5 rows, vs 10^2 (and vs Textual's DataTable).

The resource table renders only visible lines (Line API), so both should cost about the same at
every size. DataTable is measured at 10^2 and 10^4 only (10^5 takes tens of seconds).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.common import jobs, report

SIZES = (100, 10_000, 100_000)


async def _resource_table(rows: list[Any]) -> tuple[float, float]:
    from textual.app import App

    from daostui.widgets.resource_columns import JOB_COLUMNS, job_search
    from daostui.widgets.resource_table import ResourceTable

    class Bench(App[None]):
        def compose(self):
            yield ResourceTable(JOB_COLUMNS, key=lambda job: job.id, search=job_search, id="t")

    app = Bench()
    async with app.run_test(size=(120, 35)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        start = time.perf_counter()
        table.update_rows(rows)
        await pilot.pause()
        paint = time.perf_counter() - start
        start = time.perf_counter()
        table.set_filter("job_0")
        await pilot.pause()
        first = time.perf_counter() - start
        start = time.perf_counter()
        table.set_filter("job_00")  # the next keystroke: row texts are cached by then
        await pilot.pause()
        keystroke = time.perf_counter() - start
    return paint, first, keystroke


async def _data_table(rows: list[Any]) -> float:
    from textual.app import App
    from textual.widgets import DataTable

    class Bench(App[None]):
        def compose(self):
            yield DataTable(id="t")

    app = Bench()
    async with app.run_test(size=(120, 35)) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("Job", "Name", "Queue", "S", "Nds", "Wall")
        await pilot.pause()
        start = time.perf_counter()
        table.add_rows(
            (j.seq, j.name, j.queue, j.state, str(j.nodes), j.walltime_requested_text) for j in rows
        )
        await pilot.pause()
        return time.perf_counter() - start


def _rows(template: Any, size: int) -> list[Any]:
    from daostui.pbs.models import Job

    return [
        Job(f"{8_000_000 + i}.aurora-pbs", {**template.raw, "Job_Name": f"job_{i:06d}"}) for i in range(size)
    ]


def main() -> None:
    template = jobs(100)[0]
    results = {size: asyncio.run(_resource_table(_rows(template, size))) for size in SIZES}
    for index, label in enumerate(
        ("resource table first paint", "first filter keystroke", "next filter keystroke")
    ):
        base = results[SIZES[0]][index] * 1000
        for size in SIZES:
            report(
                f"{label}, {size:>7,} rows",
                results[size][index] * 1000,
                "ms",
                baseline=base,
                base_name=f"{SIZES[0]} rows",
            )
    for size in SIZES[:2]:
        dt = asyncio.run(_data_table(_rows(template, size)))
        report(
            f"DataTable first paint, {size:>7,} rows",
            dt * 1000,
            "ms",
            baseline=results[size][0] * 1000,
            base_name="resource table",
        )


if __name__ == "__main__":
    main()
