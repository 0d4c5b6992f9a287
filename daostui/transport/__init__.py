"""How commands run: one async interface, a local and an ssh implementation, and the command log."""

from daostui.transport.base import CommandResult, Prelude, Transport
from daostui.transport.log import CommandLog

__all__ = ["CommandLog", "CommandResult", "Prelude", "Transport"]
