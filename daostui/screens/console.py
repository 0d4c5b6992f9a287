"""The main console: four resource panes visible at once, the command log drawer, a hint line.

On a narrow terminal (< 100 columns) the panes become tabs: only the focused one is shown, with a
tab strip naming the four (a pane whose refresh failed is marked ✗ there). Pane keys come from the
action registry, so the footer always shows exactly what the focused pane can do — greyed out when
the selected row's state does not allow it — and always keeps `?` and `q` (see ConsoleFooter).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget

from daostui.core.actions import actions_for_pane
from daostui.widgets.command_log import CommandLogPanel
from daostui.widgets.footer import ConsoleFooter
from daostui.widgets.header import StatusHeader
from daostui.widgets.pane import ResourcePane
from daostui.widgets.quiet import QuietStatic
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
    #: esc reaches the screen when no pane has a filter to clear: it hides the hint line.
    BINDINGS = [Binding("escape", "dismiss_hint", "Hide the hint", show=False)]

    class HintDismissed(Message):
        """The user hid the hint line (the app remembers that the offer was answered)."""

    def __init__(self, *, hint: str = "", identity: dict[str, str] | None = None) -> None:
        """`hint` and `identity` (the header's badge, host, user, project): shown from the first frame."""
        super().__init__()
        self._first_hint = hint
        self._identity = identity or {}

    def compose(self) -> ComposeResult:
        header = StatusHeader(id="header")
        for name, value in self._identity.items():
            header.set_reactive(getattr(StatusHeader, name), value)
        yield header
        yield TabStrip(id="tabs")
        hint = HintLine(self._first_hint, id="hint")
        hint.display = bool(self._first_hint)
        yield hint
        with Grid(id="panes"):
            yield PoolsPane(
                "pools",
                "Pools",
                1,
                POOL_COLUMNS,
                pool_key,
                empty_text="No pools visible. Press a to write an allocation request.",
                noun="pools",
            )
            yield ContainersPane(
                "containers",
                "Containers",
                2,
                CONTAINER_COLUMNS,
                container_key,
                empty_text="No containers in this pool — press n to create one.",
                noun="containers",
            )
            yield MountsPane(
                "mounts",
                "dfuse mounts",
                3,
                MOUNT_COLUMNS,
                mount_key,
                empty_text="No dfuse mounts here: press m on a container to mount it.",
                noun="dfuse mounts",
            )
            yield JobsPane(
                "jobs",
                "My jobs",
                4,
                JOB_COLUMNS,
                job_key,
                empty_text="No jobs — press n here to write and submit a job script.",
                search=job_search,
                noun="jobs",
            )
        yield CommandLogPanel(id="log")
        yield ConsoleFooter()

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

    def focused_filterable(self) -> ResourcePane[Any] | CommandLogPanel | None:
        """The table container `/` filters: the focused pane, or the command log when it has focus."""
        node: Widget | None = self.focused
        while node is not None:
            if isinstance(node, (ResourcePane, CommandLogPanel)):
                return node
            node = node.parent if isinstance(node.parent, Widget) else None
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
            if pane.failed:
                text.append("✗ ", style="bold red")
        self.query_one(TabStrip).show(text)

    def show_hint(self, message: str) -> None:
        hint = self.query_one(HintLine)
        hint.show(message)
        if hint.display != bool(message):
            hint.display = bool(message)

    @property
    def hint_shown(self) -> bool:
        return bool(self.query_one(HintLine).display)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dismiss_hint":
            return self.hint_shown
        return True

    def action_dismiss_hint(self) -> None:
        self.show_hint("")
        self.post_message(self.HintDismissed())
