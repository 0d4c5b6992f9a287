"""What the user sees when something fails: one description for every place that can fail.

A pane's refresh, an action's dialog, a wizard step, a detail view and the interactive-job hand-over
all meet the same errors (a command that failed, a refused value, a bug). They describe them here,
so the same failure reads the same everywhere, and bugs (anything that is not a `DaostuiError`)
always land in `errors.log` with their traceback. Textual-free: the screens only lay the text out.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from daostui.core import errorlog, paths
from daostui.core.errors import CommandError, DaostuiError, OutcomeUnknownError

#: Shown when the user cancelled the work (ctrl+c in a dialog): the command's process group was killed.
CANCELLED = "Cancelled: the command was killed."
#: The headline of a command whose connection dropped after it was sent (never "failed", never "not run").
OUTCOME_UNKNOWN = "outcome unknown: it may have run on the login node"


@dataclass(frozen=True)
class Failure:
    """A headline (the error in one sentence) and detail lines (command, outcome, stderr, advice).

    Detail lines that quote stderr are indented by two spaces, so a small view (a pane's error
    line) can leave them out and keep the command and the advice."""

    headline: str
    lines: list[str] = field(default_factory=list)

    def text(self, *, prefix: str = "", limit: int | None = None) -> str:
        """The headline (after `prefix`, e.g. "✗ ") and the first `limit` detail lines (all by default)."""
        lines = self.lines if limit is None else self.lines[:limit]
        return "\n".join([prefix + self.headline, *lines])

    def summary(self, limit: int = 3) -> str:
        """At most `limit` lines, stderr quotes left out: for a pane's error line."""
        return "\n".join([self.headline, *[ln for ln in self.lines if not ln.startswith("  ")]][:limit])


def describe_failure(exc: BaseException, *, timings: bool = True) -> Failure:
    """The description of any error an action can meet.

    `timings=False` leaves durations out (snapshot tests: wall-clock durations are never stable)."""
    if isinstance(exc, asyncio.CancelledError):
        return Failure(CANCELLED)
    if isinstance(exc, OutcomeUnknownError):
        return _unknown(exc)
    if isinstance(exc, CommandError):
        lines: list[str] = []
        result = exc.result
        if result is not None:
            lines.append(f"command: {result.command_line}")
            took = f" after {result.duration:.1f}s" if timings else ""
            lines.append(f"outcome: {result.outcome}{took} on {result.where}")
            stderr = result.stderr.strip() or result.error
            if stderr:
                lines.append("stderr:")
                lines.extend("  " + line for line in stderr.splitlines()[-12:])
        if exc.hint:
            lines.append(f"what to do: {exc.hint}")
        return Failure(str(exc), lines)
    if isinstance(exc, DaostuiError):
        return Failure(str(exc), [f"what to do: {exc.hint}"] if exc.hint else [])
    return Failure(
        f"{type(exc).__name__}: {exc}",
        [f"This is a bug in daostui: the traceback is in {paths.error_log_file()}; please report it."],
    )


def _unknown(exc: OutcomeUnknownError) -> Failure:
    """The connection dropped under the command: say what is known (it was sent), never "failed"."""
    lines: list[str] = []
    result = exc.result
    where = "the login node"
    if result is not None:
        lines.append(f"command: {result.command_line}")
        where = result.where.removeprefix("ssh:")
    lines.append(
        f"what to do: the connection to {where} dropped after the command was sent; look at what "
        "happened before running it again (a second qsub submits a second job)."
    )
    return Failure(OUTCOME_UNKNOWN, lines)


def report_failure(exc: BaseException, where: str, *, timings: bool = True) -> Failure:
    """Keep the traceback of a bug in `errors.log` (expected failures and cancellations are not
    bugs), and return what to show. Every place that catches a failure calls this."""
    if isinstance(exc, Exception):
        errorlog.record(exc, where)
    return describe_failure(exc, timings=timings)
