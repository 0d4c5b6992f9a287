"""Step 2, pool: pick the pool for the data, with its size, free space and health explained."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from daostui.core.units import human_bytes
from daostui.screens.wizard.step import WizardStep

if TYPE_CHECKING:
    from daostui.daos.models import Pool


def pool_note(pool: Pool) -> str:
    """What a pool's flags mean for the user, in one or two sentences."""
    notes = []
    if pool.degraded:
        notes.append(
            f"{pool.name} is Degraded ({pool.disabled_targets} target(s) disabled): data is being rebuilt "
            "from redundancy; it works but is slower, and containers with rd_fac:0 may have lost data."
        )
    if pool.rebuilding:
        notes.append(f"{pool.name} is rebuilding: expect lower bandwidth until it finishes.")
    if pool.nearly_full:
        notes.append(
            f"{pool.name} is nearly full (min free per target {human_bytes(pool.min_free_per_target)}): "
            "writes fail with DER_NOSPACE when any one target fills up. Clean up or ask for more space."
        )
    return "\n".join(notes)


def pool_line(pool: Pool) -> str:
    """One option: name, size, free, used and state, then the flags that need attention."""
    flags = [
        flag
        for flag, raised in (
            ("DEGRADED", pool.degraded),
            ("REBUILD", pool.rebuilding),
            ("NEARLY FULL", pool.nearly_full),
        )
        if raised
    ]
    return (
        f"{pool.name:<18} size {human_bytes(pool.size):>9}  free {human_bytes(pool.free):>9}  "
        f"used {pool.used_pct:>3}%  {pool.state}" + (f"  ⚠ {' '.join(flags)}" if flags else "")
    )


class PoolStep(WizardStep):
    STEP_ID = "pool"

    def compose(self) -> ComposeResult:
        yield Label("Pick the pool for your data:")
        yield OptionList(id="pools")
        yield Static("", id="pool-note", classes="note")

    def _pools(self) -> list[Pool]:
        """The pools the environment check found (else what the pools pane knows)."""
        return self.wizard.pools or self.host.data.pools

    def enter(self) -> None:
        options = self.query_one("#pools", OptionList)
        options.clear_options()
        for pool in self._pools():
            options.add_option(Option(escape(pool_line(pool)), id=pool.name))
        index = 0
        if self.state.pool:
            try:
                index = options.get_option_index(self.state.pool)
            except OptionDoesNotExist:  # the pool vanished: the user picks again
                self.state.pool = ""
        if options.option_count:
            options.highlighted = index
            self.state.pool = options.get_option_at_index(index).id or ""
        self._show_note()
        self.focus_later(options)

    def problem(self) -> str:
        return "" if self.state.pool else "Pick a pool first."

    @on(OptionList.OptionHighlighted, "#pools")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = event.option.id or ""
        if name != self.state.pool:
            # another pool: what was chosen in the old one no longer applies
            self.state.pool = name
            self.state.container = ""
            self.state.created_container = False
            self.state.mount_path = ""
        self._show_note()

    @on(OptionList.OptionSelected, "#pools")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.state.pool = event.option.id or ""
        self.wizard.next()

    def _show_note(self) -> None:
        pool = next((p for p in self._pools() if p.name == self.state.pool), None)
        self.query_one("#pool-note", Static).update(escape(pool_note(pool) if pool is not None else ""))
        daos = self.host.session.daos
        self.wizard.set_commands([daos.argv_pool_query(self.state.pool)] if self.state.pool else [])
