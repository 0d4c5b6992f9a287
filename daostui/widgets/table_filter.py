"""The `/` filter every table of the console has: the four panes and the command log alike.

One behaviour everywhere (the footer's `/ Filter` is true wherever the focus is): `/` opens a text
box above the table, what is typed filters at once (substring, regex, `!` inverts), Enter keeps the
filter and goes back to the table, esc clears it. While the box has the focus every key is text —
typing `qstat` never reaches the console's `q`. The owner's title shows the matches ("3 of 120").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Input

if TYPE_CHECKING:
    from daostui.widgets.resource_table import ResourceTable


class FilterBox(Input):
    """The filter text box (mounted on first use: a hidden Input per table costs start-up time)."""

    #: Its rules name the owner's `-filtering` class, outside the box itself.
    SCOPED_CSS = False
    DEFAULT_CSS = """
    FilterBox { display: none; height: 3; }
    .-filtering > FilterBox { display: block; }
    """


class Filterable:
    """Mixin for a container holding one `ResourceTable` (`table`): the filter box and its keys.

    List it after the Textual base (`class Pane(Vertical, Filterable)`). The owner binds esc to
    `clear_filter`, lets `check_action` answer through `filter_action_state`, and redraws its title
    in `filter_updated`."""

    filter_text: str = ""

    @property
    def table(self) -> ResourceTable[Any]:
        raise NotImplementedError

    @property
    def filtering(self) -> bool:
        """The box is open or a filter is applied."""
        return bool(self.filter_text) or self._owner.has_class("-filtering")

    @property
    def _owner(self) -> Any:
        return self

    def filter_updated(self) -> None:
        """The filter or its matches changed: the owner redraws its title."""

    def filter_action_state(self, action: str) -> bool | None:
        """`check_action` for the filter's own actions: esc clears only when there is a filter, so
        otherwise it reaches the screen (which may have its own use for it)."""
        if action == "clear_filter":
            return self.filtering
        return True

    def matches_text(self, total: int) -> str:
        """ "3 of 120" while filtering, else the total."""
        if not self.filter_text:
            return str(total)
        return f"{len(self.table.model)} of {total}"

    def _filter_box(self) -> FilterBox:
        owner = self._owner
        boxes = owner.query(FilterBox)
        if boxes:
            return boxes.first()
        box = FilterBox(placeholder="filter (substring, regex, !inverse) — enter keeps it, esc clears")
        owner.mount(box, before=self.table)
        return box

    def start_filter(self) -> None:
        self._owner.add_class("-filtering")
        box = self._filter_box()
        box.value = self.filter_text
        self._owner.call_after_refresh(box.focus)

    def on_input_changed(self, event: Input.Changed) -> None:
        if not isinstance(event.input, FilterBox):
            return
        event.stop()
        self.filter_text = event.value
        self.table.set_filter(event.value)
        self.filter_updated()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not isinstance(event.input, FilterBox):
            return
        event.stop()
        self._owner.remove_class("-filtering")
        self.table.focus()

    def action_clear_filter(self) -> None:
        if not self.filtering:
            return
        for box in self._owner.query(FilterBox):
            box.value = ""
        self.filter_text = ""
        self.table.set_filter("")
        self._owner.remove_class("-filtering")
        self.table.focus()
        self.filter_updated()
