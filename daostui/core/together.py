"""Independent commands run at once (issue 15: a detail under 3 s of latency must not take 6).

`asyncio.gather` alone raises the first failure while the other commands still run, their
processes and errors left behind; `all_of` waits for every one to end first, then raises.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any


async def all_of(*awaitables: Awaitable[Any]) -> list[Any]:
    """The results of `awaitables`, run concurrently; the first failure is raised once all have ended."""
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return list(results)
