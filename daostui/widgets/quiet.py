"""A Static that repaints only when its content really changes.

`Static.update` always asks for a layout pass, which re-arranges the whole screen. Titles, tabs and
hints are set on every refresh and every age tick with the same text most of the time; skipping those
no-op updates is what keeps frames short while many commands complete at once.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer, Static


class QuietStatic(Static):
    """`FIXED_HEIGHT`: one-line widgets whose size never depends on their text skip the layout pass."""

    FIXED_HEIGHT = False
    _shown: Any = None

    def __init__(self, content: Any = "", **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        if content:
            self._shown = content  # showing the same again changes nothing

    def show(self, content: Any) -> None:
        if content == self._shown:
            return
        self._shown = content
        self.update(content, layout=not self.FIXED_HEIGHT)


class QuietFooter(Footer):
    """A Footer that rebuilds its keys only when the keys it would show changed.

    Textual's Footer recomposes (unmounts and mounts a widget per key, ~15 ms with the console's ten
    keys) every time the screen's bindings are refreshed — after each focus change, after a screen
    is pushed — even when the keys, their labels and their enabled state are all the same. At
    start-up that is one rebuild too many before the first frame.
    """

    _shown_keys: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    def _keys(self) -> tuple[Any, ...]:
        """What `compose` reads: the shown bindings in order, enabled or not, and the palette's."""
        app = self.app
        bindings = self.screen.active_bindings
        palette = bindings.get(app.COMMAND_PALETTE_BINDING)
        return (
            self.compact,
            self.show_command_palette and app.ENABLE_COMMAND_PALETTE,
            tuple(
                (key, binding, enabled, tooltip, app.get_key_display(binding))
                for key, (_node, binding, enabled, tooltip) in bindings.items()
                if binding.show or binding is (palette and palette[1])
            ),
        )

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown_keys:
            return
        self._shown_keys = keys
        await self.recompose()
