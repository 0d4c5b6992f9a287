"""The action registry and the refresh policy (both Textual-free)."""

from __future__ import annotations

from daostui.core.actions import ACTIONS, BY_ID, PANES, actions_for_pane, allowed
from daostui.core.refresh import RefreshPolicy, format_age


def test_registry_ids_unique_and_keys_unique_per_scope() -> None:
    assert len(BY_ID) == len(ACTIONS)
    for pane in ("", *PANES):
        keys = [a.key for a in ACTIONS if a.pane == pane]
        assert len(keys) == len(set(keys)), f"duplicate key in scope {pane!r}"
    global_keys = {a.key for a in ACTIONS if not a.pane}
    for pane in PANES:
        assert not global_keys & {a.key for a in actions_for_pane(pane)}, pane


def test_destructive_actions_are_mutating_and_refused_readonly() -> None:
    for action in ACTIONS:
        if action.destructive:
            assert action.mutates, action.id
        if action.mutates:
            assert not allowed(action, readonly=True)
        assert allowed(action, readonly=False)


def test_refresh_never_overlaps_and_backs_off() -> None:
    policy = RefreshPolicy(interval=30)
    assert policy.start(0)
    assert not policy.start(1)  # still running: no overlap
    assert policy.failed(2, "qstat: timed out") == 60
    assert policy.start(62)
    assert policy.failed(63, "again") == 120
    for _ in range(5):
        policy.start(100)
        delay = policy.failed(100, "x")
    assert delay == 240  # capped at 8x
    policy.start(200)
    assert policy.succeeded(201) == 30
    assert policy.age(211) == 10
    assert format_age(policy.age(211)) == "10s"
    assert format_age(None) == "never"
    assert format_age(7200) == "2h"
