"""Where pure work on big outputs runs: in a thread, so the event loop keeps drawing frames.

Decoding `qstat -f -F json` for hundreds of jobs, `daos cont list` of 10^5 containers, or
sorting and indexing 10^5 rows takes tens to hundreds of milliseconds of CPU; on the event
loop that is a frozen screen, and on a busy login node twice as long. The parsers and model
builders stay pure functions; their callers hand big inputs to `offload`, which runs them in
the default thread pool and returns the finished result, and runs small ones inline (a
thread hop costs more than parsing a few jobs, and small results stay synchronous for tests).

The interpreter lock is shared, so a thread only helps if it lets go often: Python code does
(the interpreter switches threads every `sys.getswitchinterval()`), one long C call (a single
`json.loads` of megabytes) does not. The big decoders therefore work item by item
(`daostui.pbs.jsonrepair.loads_items`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: Items (rows, jobs, ids) above which work goes to a thread.
ITEMS_INLINE = 2000
#: Characters of command output above which parsing goes to a thread (~100 jobs of qstat JSON).
TEXT_INLINE = 256 * 1024


def is_big(*, items: int = 0, text: str = "") -> bool:
    return items > ITEMS_INLINE or len(text) > TEXT_INLINE


async def offload(big: bool, fn: Callable[..., T], /, *args: object) -> T:
    """`fn(*args)` in a worker thread when `big`, else right here; the caller only awaits the result."""
    if not big:
        return fn(*args)
    return await asyncio.to_thread(fn, *args)
