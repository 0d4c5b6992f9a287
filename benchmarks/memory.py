"""Resident memory with 100,000 jobs in the jobs pane (the whole process: Python, Textual, app, data).

Target (issue 7): under 300 MB. Jobs are parsed from real-format `qstat -f -F json` in chunks, the way
the tracker asks for them, and shown in a headless console; the baseline is the same console empty.
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys

from benchmarks.common import report

COUNT = 100_000


def _probe(count: int) -> None:
    from textual.app import App

    from benchmarks.common import qstat_document, rss_mb
    from daostui.pbs.parse import parse_jobs_json
    from daostui.widgets.resource_columns import JOB_COLUMNS, job_search
    from daostui.widgets.resource_table import ResourceTable

    class Console(App[None]):
        def compose(self):
            yield ResourceTable(JOB_COLUMNS, key=lambda job: job.id, search=job_search, id="jobs")

    async def run() -> None:
        app = Console()
        async with app.run_test(size=(120, 35)) as pilot:
            jobs = []
            chunk = 5_000
            for start in range(0, count, chunk):
                document = qstat_document(min(chunk, count - start))
                for offset, job in enumerate(parse_jobs_json(document)):
                    job.id = f"{9_000_000 + start + offset}.aurora-pbs"
                    jobs.append(job.compact())  # what the tracker keeps
                del document
            app.query_one(ResourceTable).update_rows(jobs)
            await pilot.pause()
            app.query_one(ResourceTable).set_filter("job_0")
            await pilot.pause()
            gc.collect()
            print(f"{rss_mb():.1f}")

    asyncio.run(run())


def _measure(count: int) -> float:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", "--probe", str(count)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    empty = _measure(0)
    full = _measure(COUNT)
    report("RSS, console with an empty jobs table", empty, "MB")
    report(
        f"RSS, console with {COUNT:,} jobs",
        full,
        "MB",
        baseline=empty,
        base_name="empty",
        target="target < 300 MB",
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--probe":
        _probe(int(sys.argv[2]))
    else:
        main()
