"""What each registered action does, one module per domain.

Every handler resolves its target from the model by key (not from what the filter shows: dolphie
#86), hands the screens it opens plain values (the pool, the container, the job), shows the exact
command line(s) before running, asks for confirmation when the action is destructive, and runs
through the App's `run_with_dialog` (progress, outcome, command log). Handlers are plain functions
of the app, so the action registry stays the single list of actions; screens never call them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from daostui.handlers import arrays, console, containers, jobs, mounts, queues

if TYPE_CHECKING:
    from daostui.app import DaosTui
    from daostui.core.actions import Action

Handler = Callable[["DaosTui"], Awaitable[None] | None]

HANDLERS: dict[str, Handler] = {
    "focus.pools": console.focus("pools"),
    "focus.containers": console.focus("containers"),
    "focus.mounts": console.focus("mounts"),
    "focus.jobs": console.focus("jobs"),
    "refresh": console.refresh_all,
    "filter": console.filter_pane,
    "sort": console.sort_pane,
    "maximize": console.maximize,
    "details": console.details,
    "log": console.toggle_log,
    "wizard": console.wizard,
    "doctor": console.doctor,
    "pool_request": console.pool_request,
    "queues": queues.show,
    "help": console.show_help,
    "quit": console.quit_app,
    "reconnect": console.reconnect,
    "cont.create": containers.create,
    "cont.destroy": containers.destroy,
    "cont.mount": containers.mount,
    "cont.unmount": containers.unmount,
    "cont.copy": containers.copy,
    "cont.acl": containers.share,
    "mount.new": mounts.new,
    "mount.unmount": mounts.unmount_selected,
    "job.new": jobs.new,
    "job.cancel": jobs.cancel,
    "job.hold": jobs.hold,
    "job.release": jobs.release,
    "job.output": jobs.output,
    "job.nodes": jobs.nodes,
    "job.interactive": jobs.interactive,
    "job.array": arrays.toggle,
}


async def dispatch(app: DaosTui, action: Action) -> None:
    outcome = HANDLERS[action.id](app)
    if outcome is not None:
        await outcome
