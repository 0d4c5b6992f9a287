"""The console's footer: the keys that apply here, and always `?` Help and `q` Quit.

Textual's Footer lists the focused widget's keys first and the app's last, and a narrow terminal
cuts the line at its right edge: at 80 columns `? Help` and `q Quit` — the two keys a newcomer
needs to find everything else and to leave — were the ones cut. This footer measures the entries
and, when they do not fit, first packs them tighter, then leaves out the least specific ones
(the app's own keys, from the last) until they fit, never `?` and `q`. What it leaves out is still
in `?` help and the command palette.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets._footer import FooterKey

from daostui.widgets.quiet import QuietFooter

#: Kept whatever the width: help and quit.
PINNED = frozenset({"question_mark", "q"})
#: The command palette key docked at the right: border, padding and `^p palette`.
PALETTE_WIDTH = 14


def entry_width(key_display: str, description: str, *, compact: bool) -> int:
    """Columns one footer entry takes (FooterKey's padding and, compact, its margin)."""
    if compact:
        return cell_len(key_display) + 1 + cell_len(description) + 1
    return cell_len(key_display) + 2 + cell_len(description) + 1


class ConsoleFooterKey(FooterKey):
    """A footer entry styled once, packed or not from the start.

    Textual's entries start packed, then follow the footer's `compact` through a data binding:
    each change restyles the entry, so one footer build styled every entry up to three times (a
    third of the console's first frame). This footer rebuilds its entries whenever `compact`
    changes (it is decided in `compose`), so an entry is made with its final class instead."""

    def __init__(self, *args: Any, compact: bool, classes: str = "", **kwargs: Any) -> None:
        super().__init__(*args, classes=f"{classes} -compact" if compact else classes, **kwargs)
        self.set_reactive(FooterKey.compact, compact)


class ConsoleFooter(QuietFooter):
    """A Footer that drops entries instead of cutting `?` and `q` off (see the module), rebuilt only
    when its keys changed (QuietFooter) or its width did (`on_resize`)."""

    def _keys(self) -> tuple[Any, ...]:
        # `compact` is this footer's own choice, made in `compose` from the width: not an input
        return super()._keys()[1:]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._laid_out_for = 0

    def fit(self, entries: list[tuple[Binding, bool, str, bool]], width: int) -> tuple[list[Any], bool]:
        """The entries to show at `width` and whether to pack them (compact).

        `entries` are (binding, enabled, tooltip, general) in display order; `general` marks the
        app's own keys, which go first when something must go."""
        displays = [self.app.get_key_display(b) for b, *_ in entries]
        for compact in (False, True):
            total = sum(
                entry_width(d, b.description, compact=compact)
                for d, (b, *_rest) in zip(displays, entries, strict=True)
            )
            if total <= width:
                return entries, compact
        kept = list(entries)
        order = [i for i in reversed(range(len(entries))) if entries[i][3]]
        order += [i for i in reversed(range(len(entries))) if not entries[i][3]]
        dropped: set[int] = set()
        for index in order:
            if entries[index][0].key in PINNED:
                continue
            dropped.add(index)
            kept = [e for i, e in enumerate(entries) if i not in dropped]
            total = sum(
                entry_width(self.app.get_key_display(b), b.description, compact=True) for b, *_ in kept
            )
            if total <= width:
                break
        return kept, True

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        shown = [(n, b, e, t) for n, b, e, t in active.values() if b.show]
        # one entry per description: `q` and the priority `ctrl+q` both quit, and `q` is shown
        preferred: dict[str, Binding] = {}
        for _node, binding, _enabled, _tooltip in shown:
            if binding.description not in preferred or preferred[binding.description].priority:
                preferred[binding.description] = binding
        entries: list[tuple[Binding, bool, str, bool]] = [
            (binding, enabled, tooltip, node is self.app)
            for node, binding, enabled, tooltip in shown
            if preferred[binding.description] is binding
        ]
        width = self.size.width or self.app.size.width
        palette = self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE
        kept, compact = self.fit(entries, width - (PALETTE_WIDTH if palette else 0))
        self._laid_out_for = width
        self.compact = compact
        for binding, enabled, tooltip, _general in kept:
            yield ConsoleFooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                compact=compact,
                disabled=not enabled,
                tooltip=tooltip,
            )
        if palette:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._laid_out_for and self._bindings_ready:
            self.call_after_refresh(self._recompose_for_width)

    async def _recompose_for_width(self) -> None:
        # the first size arrives with the first bindings, whose rebuild may already have used it
        if self.is_attached and self.size.width != self._laid_out_for:
            await self.recompose()
