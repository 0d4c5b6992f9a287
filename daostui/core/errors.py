"""The project's own error types.

Every failure the console can meet is one of these, so screens can show it (command, exit status,
stderr, what to do next) instead of crashing. Parsers raise only `ParseError`; forms raise
`ValidationError` before anything runs; clients raise `CommandError` subclasses carrying the
`CommandResult` of the command that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from daostui.transport.base import CommandResult


class DaostuiError(Exception):
    """Base of every error daostui raises on purpose."""

    hint: str = ""


class ParseError(DaostuiError):
    """Output of a tool that could not be understood (unknown or malformed format)."""

    def __init__(self, message: str, *, excerpt: str = "", source: str = "") -> None:
        super().__init__(message)
        self.excerpt = excerpt[:400]
        self.source = source

    def __str__(self) -> str:
        base = super().__str__()
        where = f" (parsing {self.source})" if self.source else ""
        return f"{base}{where}"


class ValidationError(DaostuiError):
    """Bad user input refused before any command runs; `rule` names the rule it broke."""

    def __init__(self, message: str, *, field: str = "", rule: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule


class TransportError(DaostuiError):
    """A command could not be run at all (program missing, connection lost, ...)."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class CommandError(DaostuiError):
    """A command ran and failed (non-zero exit, timeout, cancel, or an error it reported)."""

    def __init__(self, message: str, result: CommandResult | None = None, *, hint: str = "") -> None:
        super().__init__(message)
        self.result = result
        self.hint = hint

    @property
    def command_line(self) -> str:
        return self.result.command_line if self.result is not None else ""

    @property
    def stderr(self) -> str:
        return self.result.stderr if self.result is not None else ""


class DaosError(CommandError):
    """A `daos` command failed; carries the DER name and number when DAOS reported one."""

    def __init__(
        self,
        message: str,
        result: CommandResult | None = None,
        *,
        der_name: str = "",
        der_code: int | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(message, result, hint=hint)
        self.der_name = der_name
        self.der_code = der_code


class PbsError(CommandError):
    """A PBS command (qsub, qstat, qdel, ...) failed; `hint` says what to do about it."""


class MountError(CommandError):
    """A dfuse mount or unmount failed, or a mount point is unusable."""


class OutcomeUnknownError(CommandError):
    """The connection dropped after the command was sent: it may have run (and may still be running).

    Never "not run", never retried blindly: a second `qsub` submits a second job. Before offering a
    retry the console checks the real state with the client's matching check
    (`PbsClient.check_submitted`, `DaosClient.check_container`, `MountsClient.check_mounted`).
    """


def outcome_unknown(result: CommandResult) -> OutcomeUnknownError:
    """The error for a result whose `outcome_unknown` is set."""
    return OutcomeUnknownError(
        f"outcome unknown: `{result.command_line}` may have run on {result.where.removeprefix('ssh:')}",
        result,
        hint="The connection dropped after the command was sent. Check what happened before retrying.",
    )


@dataclass(frozen=True, slots=True)
class StateCheck:
    """What a look at the real state found after an unknown outcome."""

    #: The operation took effect (the job exists, the container exists or is gone, the mount is there).
    done: bool
    #: One sentence for the user, e.g. "job 8123.aurora-pbs named train is queued: it was submitted".
    summary: str
    #: The command line that looked (shown with the summary, as every command is).
    command: str = ""
    #: What was found (job ids, the container's label, the mount point).
    found: tuple[str, ...] = ()
