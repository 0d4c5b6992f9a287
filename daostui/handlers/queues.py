"""The queues view: PBS's queues as `qstat -Qf` reports them, with the limits that bind the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from daostui.app import DaosTui


def show(app: DaosTui) -> None:
    from daostui.screens.queues import QueuesScreen

    pbs = app.session.pbs
    app.push_screen(QueuesScreen([pbs.argv_queues(), pbs.argv_server()]))
