"""When each pane refreshes: its interval, back-off on failure, and its age.

The dolphie pattern: a one-shot timer re-armed only when the previous refresh finished, so
refreshes of one pane never overlap; after a failure the delay doubles (capped) so a struggling
PBS server is not hammered; success resets it. Textual-free so it is unit-tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BACKOFF_FACTOR = 8


@dataclass(slots=True)
class RefreshPolicy:
    interval: float
    failures: int = 0
    last_success: float | None = None
    last_attempt: float | None = None
    running: bool = False
    last_error: str = ""

    def start(self, now: float) -> bool:
        """Mark a refresh as started; False if one is already running (never overlap)."""
        if self.running:
            return False
        self.running = True
        self.last_attempt = now
        return True

    def succeeded(self, now: float) -> float:
        self.running = False
        self.failures = 0
        self.last_success = now
        self.last_error = ""
        return self.next_delay()

    def failed(self, now: float, error: str) -> float:
        self.running = False
        self.failures += 1
        self.last_error = error
        return self.next_delay()

    def next_delay(self) -> float:
        factor = min(2**self.failures, MAX_BACKOFF_FACTOR) if self.failures else 1
        return self.interval * factor

    def age(self, now: float) -> float | None:
        return None if self.last_success is None else max(0.0, now - self.last_success)


def format_age(seconds: float | None) -> str:
    """`12s`, `3m`, `2h` — the visible age of a pane's data."""
    if seconds is None:
        return "never"
    if seconds < 60:
        return f"{int(seconds)}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    return f"{int(seconds // 3600)}h"
