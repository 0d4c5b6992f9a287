"""The end-of-run count of real-world tests reads skips as skips, with their reason."""

from __future__ import annotations

from types import SimpleNamespace

from tests.real_world_summary import real_world_counts, summary_lines


def report(*markers: str, reason: str = "") -> SimpleNamespace:
    longrepr = ("tests/x.py", 1, f"Skipped: {reason}") if reason else None
    return SimpleNamespace(keywords={marker: 1 for marker in markers} | {"test_x": 1}, longrepr=longrepr)


def test_counts_follow_markers_and_outcomes():
    stats = {
        "passed": [report("realpbs"), report("realpbs"), report("e2e"), report()],
        "failed": [report("realssh")],
        "skipped": [report("realpbs", reason="no real OpenPBS site: DAOSTUI_TEST_PBS_BIN not set")],
    }
    counts = real_world_counts(stats)
    assert counts["realpbs"] == {"passed": 2, "skipped": 1}
    assert counts["realssh"] == {"failed": 1}
    assert counts["e2e"] == {"passed": 1}


def test_a_skipped_real_world_test_says_why():
    stats = {"skipped": [report("realpbs", reason="no real OpenPBS site: DAOSTUI_TEST_PBS_BIN not set")]}
    lines = summary_lines(stats)
    assert lines[0] == (
        "realpbs: 0 passed, 0 failed, 1 skipped "
        "(skipped because: no real OpenPBS site: DAOSTUI_TEST_PBS_BIN not set)"
    )
    assert lines[1] == "realssh: 0 passed, 0 failed, 0 skipped"
