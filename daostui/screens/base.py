"""How screens and their widgets reach the console: one typed property, `host`.

Screens never import the app or the handlers (an import-linter contract checks it): what they
are about comes through their constructor, what they need from the console comes from `self.host`
(a `ConsoleHost`), and what they decide goes back as their dismiss value or a message.
"""

from __future__ import annotations

from typing import TypeVar

from textual.message_pump import MessagePump
from textual.screen import ModalScreen

from daostui.host import ConsoleHost, console_host

ResultType = TypeVar("ResultType")


class HostAccess:
    """Mixin for screens and widgets of the console: `self.host` is the running console.

    List it *after* the Textual base (`class X(Screen[None], HostAccess)`): Textual's CSS type
    selectors follow only the first base of each class, so a mixin in front would hide `Screen`."""

    @property
    def host(self) -> ConsoleHost:
        assert isinstance(self, MessagePump), "HostAccess is a mixin for screens and widgets"
        return console_host(self.app)


class DialogScreen(ModalScreen[ResultType], HostAccess):
    """A modal dialog centred over the console (its look: the `.dialog` rules in dialogs.tcss)."""
