"""The console's side of an ssh link: prompts in the console, the link in the header, a fresh login.

Over ssh the one-time passcode and an unknown host key are asked in console dialogs; the header
shows the link's state and, after a cancelled passcode or a refused login, the key that reconnects
(`ctrl+r`, the registry's `reconnect`); a successful (re)login refreshes every pane at once
instead of waiting for each pane's back-off to expire. In the other modes none of this exists (and
asyncssh is not even imported).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from daostui.core.actions import BY_ID, PANES

if TYPE_CHECKING:
    from daostui.app import DaosTui
    from daostui.widgets.header import StatusHeader


def wire_ssh(app: DaosTui, header: StatusHeader) -> list[Callable[[], None]]:
    """Hook the console into the session's ssh transport; returns what undoes it (at quit)."""
    if app.session.mode != "ssh":
        return []
    from daostui.transport.ssh import SshTransport

    transport = app.session.transport
    if not isinstance(transport, SshTransport):
        return []
    if transport.prompter is None:
        from daostui.screens.auth import AppPrompter

        transport.prompter = AppPrompter(app)
    transport.reconnect_hint = f"press {BY_ID['reconnect'].key} to reconnect"

    def changed(state: str) -> None:
        header.connection = state

    transport.state_listeners.append(changed)
    header.connection = transport.state

    def linked(link: Any) -> None:
        link_changed(app, link, header)

    transport.add_link_listener(linked)
    return [
        lambda: transport.state_listeners.remove(changed),
        lambda: transport.remove_link_listener(linked),
    ]


def link_changed(app: DaosTui, link: Any, header: StatusHeader) -> None:
    """A fresh login: show who we are there, and refresh every pane now (not after its back-off)."""
    app.refresh_keys()  # the reconnect key is offered only while disconnected
    if not link.connected:
        return
    header.user, header.badge = app.session.user, app.session.badge
    for pane in PANES:
        if not app.policies[pane].running:
            app.refresh_pane(pane)
