"""Details of the selected row: the full query behind each resource.

Pools and containers (`screens/daos_detail.py`): `daos pool query` with tier gauges, engine ranks
and the rebuild; `daos container query`, `get-prop` and `list-snap`. Mounts: the mounts-table
entry and a listing probe. Jobs (`screens/job_detail.py`): the full `qstat -f` status. Each
detail shows the commands it runs and fetches in the background; `r` fetches again, and a fetch
that timed out (a slow PBS server, DAOS servers not answering) is retried with back-off.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from daostui.screens.base import DialogScreen
from daostui.screens.daos_detail import container_detail, pool_detail
from daostui.screens.detail_view import DetailScreen, kv_table
from daostui.screens.job_detail import job_detail

if TYPE_CHECKING:
    from daostui.host import ConsoleHost
    from daostui.transport.base import CommandResult

__all__ = ["CommandDetailScreen", "DetailScreen", "detail_screen_for", "mount_detail"]


# ---------------------------------------------------------------------- per resource
def mount_detail(host: ConsoleHost, key: str) -> DetailScreen | None:
    mount = host.data.mount(key)
    if mount is None:
        return None
    mounts = host.session.mounts

    async def load() -> RenderableType:
        health = await mounts.probe(mount.path)
        rows = [
            ("Path", mount.path),
            ("Pool / container", f"{mount.pool or '?'} / {mount.container or '?'}"),
            ("Type", "fuse.daos (dfuse)"),
            ("State", Text(health.state, style="green" if health.state == "ok" else "bold red")),
            ("Entries listed", health.detail),
            ("Made by daostui", "yes" if mount.owned else "no"),
            ("Unmount with", f"fusermount3 -u {mount.path}"),
        ]
        return kv_table(rows)

    return DetailScreen(f"dfuse mount {key}", [mounts.argv_probe(mount.path)], load)


def detail_screen_for(host: ConsoleHost, pane: str, key: str) -> DetailScreen | None:
    """The detail view of the row keyed `key` in `pane` (None when the row is gone)."""
    builders: dict[str, Callable[[ConsoleHost, str], DetailScreen | None]] = {
        "pools": pool_detail,
        "containers": container_detail,
        "mounts": mount_detail,
        "jobs": job_detail,
    }
    return builders[pane](host, key)


class CommandDetailScreen(DialogScreen[None]):
    """One command-log entry: the command (copyable), where and when it ran, stdout and stderr.

    Over ssh, what the login shell printed before the command (a banner, `module` chatter) is kept
    apart from its output: shown folded, labelled as never given to the parser."""

    BINDINGS = [Binding("escape,q", "close", "Close"), Binding("c", "copy", "Copy command")]

    def __init__(self, result: CommandResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        import time

        from textual.widgets import Collapsible

        r = self.result
        rows = [
            ("Command", r.command_line),
            ("Ran on", r.where),
            ("Started", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.started_at))),
            ("Duration", f"{r.duration:.3f}s"),
            ("Outcome", r.outcome),
        ]
        if r.origin:
            rows.append(("Run for", r.origin))
        if r.wrapped_argv:
            rows.append(("Executed as", shlex.join(r.wrapped_argv)))
        with VerticalScroll(classes="dialog -wide -tall -panel"):
            yield Static(kv_table(rows))
            yield Label("stdout")
            yield Static(Text(r.stdout[-20000:] or "(empty)"))
            yield Label("stderr")
            yield Static(Text((r.stderr or r.error)[-20000:] or "(empty)"))
            if r.login_noise:
                with Collapsible(title="login noise (not given to the parser)", id="login-noise"):
                    yield Static(Text(r.login_noise[-20000:]))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.result.command_line)
        self.notify("Command line copied.", timeout=2)

    def action_close(self) -> None:
        self.dismiss(None)
