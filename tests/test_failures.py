"""The one failure path: how every failure reads, and which ones are kept in errors.log as bugs."""

from __future__ import annotations

import asyncio

from daostui.core import paths
from daostui.core.errors import CommandError, ValidationError
from daostui.core.failures import CANCELLED, describe_failure, report_failure
from daostui.transport.base import CommandResult


def failed_command() -> CommandError:
    result = CommandResult(
        ("daos", "pool", "query", "hpc_demo"),
        1,
        "",
        "warming up\nERROR: daos: DER_UNREACH(-1006): Unreachable node\n",
        2.345,
        0.0,
        "local",
    )
    return CommandError("daos pool query failed", result, hint="try another login node")


def test_a_failed_command_names_the_command_its_outcome_stderr_and_advice():
    failure = describe_failure(failed_command())
    assert failure.headline == "daos pool query failed"
    assert failure.lines == [
        "command: daos pool query hpc_demo",
        "outcome: exit 1 after 2.3s on local",
        "stderr:",
        "  warming up",
        "  ERROR: daos: DER_UNREACH(-1006): Unreachable node",
        "what to do: try another login node",
    ]
    assert "after" not in describe_failure(failed_command(), timings=False).text()


def test_the_short_forms_keep_the_command_and_leave_stderr_out():
    failure = describe_failure(failed_command())
    assert failure.summary(3) == (
        "daos pool query failed\ncommand: daos pool query hpc_demo\noutcome: exit 1 after 2.3s on local"
    )
    assert failure.text(prefix="✗ ", limit=1) == "✗ daos pool query failed\ncommand: daos pool query hpc_demo"


def test_expected_errors_are_not_bugs_and_bugs_are_kept():
    log = paths.error_log_file()
    log.unlink(missing_ok=True)
    refused = report_failure(ValidationError("nodes must be a whole number"), "form")
    assert refused.headline == "nodes must be a whole number" and refused.lines == []
    cancelled = report_failure(asyncio.CancelledError(), "dialog")
    assert cancelled.text() == CANCELLED
    assert not log.exists(), "neither a refused value nor a cancellation is a bug"
    bug = report_failure(KeyError("pool"), "refresh pools")
    assert bug.headline == "KeyError: 'pool'"
    assert str(log) in bug.lines[0]
    assert "in refresh pools" in log.read_text() and "KeyError" in log.read_text()
