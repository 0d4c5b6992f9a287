"""The main console: four resource panes visible at once, the command log drawer, a hint line.

On a narrow terminal (< 100 columns) the panes become tabs: only the focused one is shown, with a
tab strip naming the four. Pane keys come from the action registry, so the footer always shows
exactly what the focused pane can do.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.message import Message
from textual.screen import Screen

from daostui.core.actions import actions_for_pane
from daostui.widgets.command_log import CommandLogPanel
from daostui.widgets.header import StatusHeader
from daostui.widgets.pane import ResourcePane
from daostui.widgets.quiet import QuietFooter, QuietStatic
from daostui.widgets.resource_columns import (
    CONTAINER_COLUMNS,
    JOB_COLUMNS,
    MOUNT_COLUMNS,
    POOL_COLUMNS,
    container_key,
    job_key,
    job_search,
    mount_key,
    pool_key,
)

NARROW_WIDTH = 100


def pane_bindings(pane: str) -> list[Binding]:
    return [
        Binding(action.key, action.binding_action, action.title, show=action.footer)
        for action in actions_for_pane(pane)
    ]


class PoolsPane(ResourcePane[Any]):
    BINDINGS = pane_bindings("pools")


class ContainersPane(ResourcePane[Any]):
    BINDINGS = pane_bindings("containers")


class MountsPane(ResourcePane[Any]):
    BINDINGS = pane_bindings("mounts")


class JobsPane(ResourcePane[Any]):
    BINDINGS = pane_bindings("jobs")


class TabStrip(QuietStatic):
    """Narrow terminals: the four panes as tabs, the focused one highlighted."""

    FIXED_HEIGHT = True


class HintLine(QuietStatic):
    """A non-blocking hint above the panes (the first-start offer of the guided setup)."""


class ConsoleScreen(Screen[None]):
    AUTO_FOCUS = "#pools-table"

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        yield TabStrip(id="tabs")
        yield HintLine(id="hint")
        with Grid(id="panes"):
            yield PoolsPane(
                "pools",
                "Pools",
                1,
                POOL_COLUMNS,
                pool_key,
                empty_text="No pools visible. Press a to write an allocation request.",
            )
            yield ContainersPane(
                "containers",
                "Containers",
                2,
                CONTAINER_COLUMNS,
                container_key,
                empty_text="No containers in this pool — press n to create one.",
            )
            yield MountsPane(
                "mounts",
                "dfuse mounts",
                3,
                MOUNT_COLUMNS,
                mount_key,
                empty_text="No dfuse mounts here: press m on a container to mount it.",
            )
            yield JobsPane(
                "jobs",
                "My jobs",
                4,
                JOB_COLUMNS,
                job_key,
                empty_text="No jobs — press n here to write and submit a job script.",
                search=job_search,
            )
        yield CommandLogPanel(id="log")
        yield QuietFooter()

    class Ready(Message):
        """The console is composed: the app fills the header and starts refreshing."""

    def on_mount(self) -> None:
        self._apply_width(self.size.width)
        self.post_message(self.Ready())

    def on_resize(self, event: Any) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW_WIDTH, "-narrow")
        self.update_tabs()

    def pane(self, pane_id: str) -> ResourcePane[Any]:
        return self.query_one(f"#{pane_id}", ResourcePane)

    def focused_pane(self) -> ResourcePane[Any] | None:
        node = self.focused
        while node is not None:
            if isinstance(node, ResourcePane):
                return node
            node = node.parent  # type: ignore[assignment]
        return None

    def focus_pane(self, pane_id: str) -> None:
        pane = self.pane(pane_id)
        for other in self.query(ResourcePane):
            other.set_class(other is pane, "-active")
        pane.table.focus()
        self.update_tabs()

    def on_descendant_focus(self, event: Any) -> None:
        pane = self.focused_pane()
        if pane is not None:
            for other in self.query(ResourcePane):
                other.set_class(other is pane, "-active")
            self.update_tabs()

    def update_tabs(self) -> None:
        active = self.focused_pane()
        text = Text(no_wrap=True)
        for pane in self.query(ResourcePane):
            style = "bold reverse" if pane is active else ""
            text.append(f" {pane.number} {pane.title_text} ({pane.count}) ", style=style)
        self.query_one(TabStrip).show(text)

    def show_hint(self, message: str) -> None:
        hint = self.query_one(HintLine)
        hint.show(message)
        if hint.display != bool(message):
            hint.display = bool(message)
