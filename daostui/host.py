"""ConsoleHost: the one interface screens use to reach the running console.

A screen needs a few things from the console around it: the session (its clients and config),
what the panes know (`ConsoleData`), a way to run a command behind the progress dialog, and a way
to point the panes somewhere afterwards (refresh one, put the cursor on a row, follow a job). This
Protocol names exactly those; the App implements it, and screens reach it only through
`daostui.screens.base.HostAccess.host` (never by importing the app or the handlers). A screen's
*subject* (the pool, the container, the job) comes through its constructor; its result goes back as
its dismiss value or a message.

Textual-free on purpose: it is the seam between the app and its screens, and a test can implement
it with a plain object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from daostui.core.console_data import ConsoleData
    from daostui.core.errors import StateCheck
    from daostui.core.session import Session

#: The work an action runs: a coroutine function, called once the dialog's worker starts.
Work = Callable[[], Awaitable[Any]]
#: After an unknown outcome (the connection dropped under the command), the action's look at the
#: real state: `pbs.check_submitted`, `daos.check_container`, `mounts.check_mounted`.
Check = Callable[[], Awaitable["StateCheck"]]


@runtime_checkable
class ConsoleHost(Protocol):
    """What a screen may ask of the console (implemented by `daostui.app.DaosTui`)."""

    @property
    def session(self) -> Session:
        """The clients (daos, pbs, mounts), the transport, the site profile and the config."""
        ...

    @property
    def data(self) -> ConsoleData:
        """What the panes know: pools, containers, mounts, the job tracker, queues and limits."""
        ...

    @property
    def show_timings(self) -> bool:
        """Whether durations are shown (snapshot tests turn them off: they are never stable)."""
        ...

    def run_with_dialog(
        self,
        title: str,
        work: Work,
        *,
        commands: Sequence[Sequence[str]] = (),
        success: Callable[[Any], str] | None = None,
        refresh: tuple[str, ...] = (),
        then: Callable[[Any], None] | None = None,
        closed: Callable[[Any], None] | None = None,
        check: Check | None = None,
    ) -> None:
        """Run `work` behind the progress dialog (its commands shown first, its outcome after).

        `refresh` names the panes to refresh when it ends; `then` gets the value on success while
        the dialog still shows; `closed` gets the dialog's result once the user closes it (None
        unless the work succeeded). The work runs in an App-owned worker: closing the dialog does
        not cancel it. The dialog lists only the commands the work runs (not background refreshes).

        `check` says whether the work took effect after an unknown outcome (a dropped ssh connection:
        `OutcomeUnknownError`); the dialog runs it at once, shows what it found, and offers a retry
        only when it did not happen. Without it, an unknown outcome is only reported."""
        ...

    def refresh_pane(self, pane: str) -> None:
        """Refresh one pane now (or right after the refresh already running)."""
        ...

    def jump(self, pane: str, key: str) -> None:
        """Focus `pane` and put its cursor on the row keyed `key`, now or once the pane knows it."""
        ...

    def follow_job(self, job_id: str) -> None:
        """Select the job in the jobs pane and open its output, as soon as `qstat` knows it."""
        ...

    def action_started(self) -> None:
        """Count work in flight (the header shows it; quitting asks while it runs)."""
        ...

    def action_finished(self) -> None:
        """The work counted by `action_started` ended (successfully or not)."""
        ...


def console_host(app: object) -> ConsoleHost:
    """`app` as a ConsoleHost; a clear error when a screen is shown by an app that is not one."""
    if not isinstance(app, ConsoleHost):
        raise TypeError(f"{type(app).__name__} does not implement daostui.host.ConsoleHost")
    return app
