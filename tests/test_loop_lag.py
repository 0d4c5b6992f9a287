"""Nothing large runs on the event loop: loading, parsing, sorting and filtering 10^5 jobs never
holds the loop for more than a few frames' worth of work.

Measured in interpreter events (calls and lines traced on the loop's thread only), not in time:
the count does not depend on how busy the machine is. A probe task records the count each time
the loop runs it; the most counted between two of its turns is the longest the loop was held.
An idle console drawing a frame costs ~65,000; parsing and filtering 10^5 jobs on the loop would
cost tens of millions; in threads (where the work runs untraced) the loop only swaps results in.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from typing import Any

from textual.app import App

from benchmarks.common import tracked_jobs
from daostui.pbs import parse
from daostui.widgets.resource_columns import JOB_COLUMNS, job_key, job_search
from daostui.widgets.resource_table import ResourceTable
from daostui.widgets.table_model import TableModel
from tests.pilot_helpers import wait_for

JOBS = 100_000
#: The most interpreter events the loop may run between two turns of the probe: a few frames.
BOUND = 400_000


class _Counter:
    def __init__(self) -> None:
        self.events = 0

    def trace(self, _frame: Any, _event: str, _arg: Any) -> Callable[..., Any]:
        self.events += 1
        return self.trace


class _Jobs(App[None]):
    def compose(self):  # type: ignore[no-untyped-def]
        yield ResourceTable(JOB_COLUMNS, key=job_key, search=job_search, id="jobs")


def _record_threads(monkeypatch: Any, module: Any, name: str, seen: list[tuple[str, bool]]) -> None:
    """Wrap `module.name` to note whether each call with a big argument ran on the loop's thread."""
    original = getattr(module, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if name == "build" and args[0].fills_instantly(args[2]) and not args[1].rows:
            return original(*args, **kwargs)  # a first fill only wraps the rows (the event bound checks it)
        size = max((len(a) for a in args if isinstance(a, (str, list))), default=0)
        if size > 100_000 or any(len(getattr(a, "rows", ())) > 10_000 for a in args):
            seen.append((name, threading.current_thread() is threading.main_thread()))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)


async def test_the_loop_is_never_held_long_while_10_5_jobs_are_parsed_sorted_and_filtered(
    monkeypatch: Any,
) -> None:
    seen: list[tuple[str, bool]] = []
    for name in ("parse_jobs_json", "parse_qselect"):
        _record_threads(monkeypatch, parse, name, seen)
    _record_threads(monkeypatch, TableModel, "build", seen)
    counter = _Counter()
    worst = 0
    done = False

    async def probe() -> None:
        nonlocal worst
        last = counter.events
        while not done:
            await asyncio.sleep(0)
            worst = max(worst, counter.events - last)
            last = counter.events

    app = _Jobs()
    async with app.run_test(size=(120, 35)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        previous = sys.gettrace()
        sys.settrace(counter.trace)  # this thread only: work in worker threads is not counted
        watcher = asyncio.ensure_future(probe())
        try:
            tracker = await tracked_jobs(JOBS)
            table.update_rows(tracker.rows())
            await wait_for(
                pilot, lambda: table.settled and table.row_count == JOBS, what="10^5 rows", timeout=300
            )
            for text in ("job_0", "job_01", "job_0", "!job_01", "j.b_02"):
                table.set_filter(text)
                await wait_for(
                    pilot, lambda text=text: table.settled and table.model.filter_text == text, timeout=120
                )
            table.sort_by("name", reverse=True)
            await wait_for(pilot, lambda: table.settled and table.model.sort_column == "name", timeout=120)
            assert table.model.row(0).name == "job_029999"  # the filter stays: the rows it keeps, sorted
        finally:
            done = True
            await watcher
            sys.settrace(previous)
    assert worst < BOUND, f"the loop ran {worst:,} interpreter events without a turn for the probe"
    assert table.model.filter_text == "j.b_02" and table.row_count == 10_000
    assert {name for name, _ in seen} == {"parse_jobs_json", "parse_qselect", "build"}
    assert not [name for name, on_loop in seen if on_loop], "big work ran on the event loop"
