"""The state of the link to where commands run, as events the console shows and acts on.

Over ssh the header shows it (connected, reconnecting in 4s, disconnected: passcode cancelled); a
successful login is an event too, so the console refreshes every pane at once instead of waiting
for each pane's back-off to expire. Local transports are always connected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class Link:
    CONNECTED = "connected"
    CONNECTING = "connecting"
    RECONNECTING = "reconnecting"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True, slots=True)
class LinkState:
    """One state of the link; `needs_reconnect` means nothing is retried until `reconnect()`."""

    status: str = Link.CONNECTED
    #: Why it is not connected: "passcode cancelled", "connection lost: …", the error text.
    reason: str = ""
    #: True after the user cancelled a prompt, authentication failed or a host key was refused:
    #: retrying on its own would only ask again (or fail again), so it waits for an explicit reconnect.
    needs_reconnect: bool = False
    #: Seconds until the next automatic attempt (back-off after a network failure).
    retry_in: float | None = None
    #: Successful logins so far; a "connected" state with a higher count is a fresh (re)login.
    logins: int = 0

    @property
    def connected(self) -> bool:
        return self.status == Link.CONNECTED

    def text(self, reconnect_hint: str = "reconnect to try again") -> str:
        """What the header says, e.g. `disconnected: passcode cancelled — press ctrl+r to reconnect`."""
        if self.status == Link.CONNECTED:
            return "connected"
        if self.status == Link.RECONNECTING and self.retry_in is not None:
            return f"reconnecting in {int(self.retry_in) + 1}s" + (f" ({self.reason})" if self.reason else "")
        words = self.status + (f": {self.reason}" if self.reason else "")
        if self.retry_in is not None:
            words += f" (retry in {int(self.retry_in) + 1}s)"
        if self.needs_reconnect and reconnect_hint:
            words += f" — {reconnect_hint}"
        return words


LinkListener = Callable[[LinkState], None]
