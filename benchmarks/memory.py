"""Resident memory with 100,000 jobs in the jobs pane (the whole process: Python, Textual, app, data).

Target (issue 17): at most 120 MB. The jobs come the way the console gets them: `qselect`, then
`qstat -f -F json` in chunks from a synthetic PBS (`benchmarks.common.synthetic_pbs`, records
as unique as a real history's), kept by the `JobTracker`, shown in a headless jobs table that has
been filtered once. The baseline is the same process with an empty table; the peer is Textual's
`DataTable` holding the same columns for 10^4 jobs (the same 10^4 in ours beside it).
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys

from benchmarks.common import report

COUNT = 100_000
PEER = 10_000


def _probe(count: int, kind: str) -> None:
    from benchmarks.common import rss_mb, tracked_jobs
    from benchmarks.paint import PaintedApp, until
    from daostui.widgets.resource_columns import JOB_COLUMNS, job_key, job_search
    from daostui.widgets.resource_table import ResourceTable

    class Console(PaintedApp):
        def compose(self):  # type: ignore[no-untyped-def]
            if kind == "datatable":
                from textual.widgets import DataTable

                yield DataTable(id="jobs")
            else:
                yield ResourceTable(JOB_COLUMNS, key=job_key, search=job_search, id="jobs")

    async def run() -> None:
        app = Console()
        async with app.run_test(size=(120, 35)):
            await until(lambda: app.frames > 0)
            if count:
                tracker = await tracked_jobs(count)
                rows = tracker.rows()
                if kind == "datatable":
                    from textual.widgets import DataTable

                    peer = app.query_one(DataTable)
                    peer.add_columns("Job", "Name", "Queue", "S", "Nds", "Wall", "Elapsed", "Exit", "Comment")
                    peer.add_rows(
                        (j.seq, j.name, j.queue, j.state, str(j.nodes or ""), j.walltime_requested_text,
                         j.walltime_used_text, j.exit_text, j.comment)
                        for j in rows
                    )  # fmt: skip
                    await until(lambda: peer.row_count == count)
                else:
                    table = app.query_one(ResourceTable)
                    table.update_rows(rows)
                    await until(lambda: table.settled and table.row_count == count)
                    table.set_filter("job_0")
                    await until(lambda: table.settled)
                del rows
            await asyncio.sleep(0.2)
            gc.collect()
            print(f"{rss_mb():.1f}")

    asyncio.run(run())


def _measure(count: int, kind: str = "resource") -> float:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", "--probe", str(count), kind],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    empty = _measure(0)
    report("RSS, an empty jobs table", empty, "MB", key="memory.empty")
    ours: dict[int, float] = {}
    for count, target in ((PEER, ""), (COUNT, "target <= 120 MB")):
        ours[count] = _measure(count)
        report(
            f"RSS, {count:,} jobs in the jobs table",
            ours[count],
            "MB",
            baseline=empty,
            base_name="empty",
            target=target,
            key=f"memory.jobs.{count}",
        )
    report(
        f"RSS, {PEER:,} jobs in Textual's DataTable",
        _measure(PEER, "datatable"),
        "MB",
        baseline=ours[PEER],
        base_name="ours",
        key=f"datatable.memory.{PEER}",
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--probe":
        _probe(int(sys.argv[2]), sys.argv[3])
    else:
        main()
