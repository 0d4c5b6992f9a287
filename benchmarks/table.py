"""First paint and filter keystrokes at 10^2, 10^4 and 10^5 jobs, vs 10^2 (and Textual's DataTable).

Every figure is the time from the call (rows handed to the table, a filter keystroke) to the
frame that shows its result (`benchmarks.paint`). The table builds big states in a thread and
only swaps them in; after the first paint it prepares the search texts in the background
("search ready"), so the figure for the first keystroke is the first one after that, as when a
user presses `/` and types. The next keystroke narrows the previous result. Each figure is the
best of `RUNS` fresh apps. DataTable is measured at 10^2 and 10^4 only (10^5 takes tens of
seconds); it has no filter, so only its first paint compares.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.common import jobs, repeats, report
from benchmarks.paint import PaintedApp, until

SIZES = (100, 10_000, 100_000)
PEER_SIZES = (100, 10_000)
RUNS = 3
SIZE = (120, 35)


async def _resource_table(rows: list[Any]) -> dict[str, float]:
    from daostui.widgets.resource_columns import JOB_COLUMNS, job_key, job_search
    from daostui.widgets.resource_table import ResourceTable

    class Bench(PaintedApp):
        def compose(self):  # type: ignore[no-untyped-def]
            yield ResourceTable(JOB_COLUMNS, key=job_key, search=job_search, id="t")

    app = Bench()
    async with app.run_test(size=SIZE):
        table = app.query_one(ResourceTable)
        await until(lambda: app.frames > 0)
        figures = {}
        start = time.perf_counter()
        table.update_rows(rows)
        figures["paint"] = await app.painted(start, lambda: table.row_count == len(rows))
        figures["search_ready"] = figures["paint"] + await until(lambda: table.settled)
        for name, text in (("first", "job_0"), ("next", "job_00"), ("back", "job_0")):
            start = time.perf_counter()
            table.set_filter(text)
            figures[name] = await app.painted(start, lambda text=text: table.model.filter_text == text)
            await until(lambda: table.settled)
    return figures


async def _data_table(rows: list[Any]) -> float:
    from textual.widgets import DataTable

    class Bench(PaintedApp):
        def compose(self):  # type: ignore[no-untyped-def]
            yield DataTable(id="t")

    app = Bench()
    async with app.run_test(size=SIZE):
        table = app.query_one(DataTable)
        table.add_columns("Job", "Name", "Queue", "S", "Nds", "Wall")
        await until(lambda: app.frames > 0)
        start = time.perf_counter()
        table.add_rows(
            (j.seq, j.name, j.queue, j.state, str(j.nodes), j.walltime_requested_text) for j in rows
        )
        return await app.painted(start, lambda: table.row_count == len(rows))


def main() -> None:
    every = [job.compact() for job in jobs(SIZES[-1])]  # what the tracker hands the jobs pane
    best: dict[int, dict[str, float]] = {}
    for size in SIZES:
        runs = [asyncio.run(_resource_table(every[:size])) for _ in range(repeats(RUNS))]
        best[size] = {name: min(run[name] for run in runs) * 1000 for name in runs[0]}
    labels = (
        ("paint", "first paint", "target <= 1.5x at 10^5"),
        ("first", "first filter keystroke", "target <= 60 ms at 10^5"),
        ("next", "next filter keystroke (narrows)", "target <= 30 ms at 10^5"),
        ("back", "backspace (an earlier result)", ""),
    )
    for name, label, target in labels:
        for size in SIZES:
            report(
                f"{label}, {size:>7,} rows",
                best[size][name],
                "ms",
                baseline=best[SIZES[0]][name] if size != SIZES[0] else None,
                base_name=f"{SIZES[0]} rows",
                target=target if size == SIZES[-1] else "",
                key=f"table.{name}.{size}",
            )
    for size in SIZES:
        report(
            f"search texts ready (off the loop), {size:>7,} rows",
            best[size]["search_ready"],
            "ms",
            key=f"table.search_ready.{size}",
        )
    for size in PEER_SIZES:
        peer = min(asyncio.run(_data_table(every[:size])) for _ in range(repeats(RUNS))) * 1000
        report(
            f"DataTable first paint, {size:>7,} rows",
            peer,
            "ms",
            baseline=best[size]["paint"],
            base_name="resource table",
            key=f"datatable.paint.{size}",
        )


if __name__ == "__main__":
    main()
