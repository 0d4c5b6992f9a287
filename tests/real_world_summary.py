"""The count of tests that ran against the real things (OpenPBS, OpenSSH, a pseudo-terminal), printed
at the end of every run, so a CI log says how much of the real world was exercised, not just "passed".

A real-world test that skips (its service is absent) counts as skipped with its reason, never as passed:
a green run with every `realpbs` test skipped must read as such.
"""

from __future__ import annotations

from collections import Counter

import pytest

#: The markers of tests that need a real thing outside Python (pyproject.toml lists them).
REAL_MARKERS = ("realpbs", "realssh", "e2e")
_OUTCOMES = ("passed", "failed", "error", "skipped")


def real_world_counts(stats: dict[str, list]) -> dict[str, Counter]:
    """Per marker, how many of its tests passed, failed, errored or skipped (from pytest's stats)."""
    counts = {marker: Counter() for marker in REAL_MARKERS}
    for outcome in _OUTCOMES:
        for report in stats.get(outcome, []):
            keywords = getattr(report, "keywords", None) or {}
            for marker in REAL_MARKERS:
                if marker in keywords:
                    counts[marker][outcome] += 1
    return counts


def summary_lines(stats: dict[str, list]) -> list[str]:
    """One line per marker: `realpbs: 41 passed, 0 failed, 0 skipped` (plus the first skip reason)."""
    lines = []
    for marker, counts in real_world_counts(stats).items():
        parts = [
            f"{counts[outcome]} {outcome}" for outcome in _OUTCOMES if counts[outcome] or outcome != "error"
        ]
        line = f"{marker}: " + ", ".join(parts)
        reason = _first_skip_reason(stats, marker)
        if reason:
            line += f" (skipped because: {reason})"
        lines.append(line)
    return lines


def _first_skip_reason(stats: dict[str, list], marker: str) -> str:
    for report in stats.get("skipped", []):
        if marker in (getattr(report, "keywords", None) or {}):
            longrepr = report.longrepr
            if isinstance(longrepr, tuple) and len(longrepr) == 3:
                return str(longrepr[2]).removeprefix("Skipped: ")
    return ""


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter) -> None:
    terminalreporter.section("tests against the real things")
    for line in summary_lines(terminalreporter.stats):
        terminalreporter.write_line(line)
