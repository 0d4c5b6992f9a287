"""The top line: product, mode badge, host, user, project and the age of the data.

A DEMO badge must be impossible to miss (a user must never mistake the simulator for Aurora), and
the ssh connection state lives here so a dropped connection is visible at once (with the key that
reconnects). "refreshed HH:MM:SS" never vouches for a pane whose last refresh failed: those are
named first, and the time is then what the others show.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatusHeader(Widget):
    DEFAULT_CSS = """
    StatusHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    badge: reactive[str] = reactive("")
    host: reactive[str] = reactive("")
    user: reactive[str] = reactive("")
    project: reactive[str] = reactive("")
    refreshed: reactive[str] = reactive("")
    connection: reactive[str] = reactive("")
    busy: reactive[int] = reactive(0)
    #: Panes whose last refresh failed, e.g. "pools, jobs" ("" when none did).
    failed: reactive[str] = reactive("")
    #: Every pane failed: there is no fresh data to vouch for.
    all_failed: reactive[bool] = reactive(False)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" daostui ", style="bold")
        badge_style = "bold white on dark_red" if self.badge == "DEMO" else "bold black on cyan"
        if self.badge.startswith("SSH") and self.connection not in ("", "connected"):
            badge_style = "bold white on red"
        text.append(f" {self.badge} ", style=badge_style)
        if self.connection and self.connection != "connected":
            text.append(f" {self.connection} ", style="bold red")
        text.append("  ")
        if self.host:
            text.append("host ", style="dim")
            text.append(self.host)
            text.append("  ")
        text.append("user ", style="dim")
        text.append(self.user or "?")
        text.append("  project ", style="dim")
        text.append(self.project or "(not set)", style="" if self.project else "yellow")
        if self.busy:
            text.append(f"  ⏳ {self.busy} running", style="yellow")
        if self.failed:
            text.append(
                f"  ✗ {'every pane' if self.all_failed else self.failed}: refresh failed", style="bold red"
            )
        if self.refreshed and not self.all_failed:
            text.append("  others refreshed " if self.failed else "  refreshed ", style="dim")
            text.append(self.refreshed)
        return text
