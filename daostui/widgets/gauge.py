"""A storage tier gauge: how full a tier is, and how full its fullest target is.

DAOS fails writes when one target is full even if the pool total is not (aurora-daos.md: "a small
min free per target means the pool is effectively full"), so the gauge shows both numbers.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from daostui.core.units import human_bytes

__all__ = ["bar", "human_bytes", "tier_gauge"]


def bar(fraction: float, width: int, *, warn: float = 0.8, danger: float = 0.9) -> Text:
    fraction = min(max(fraction, 0.0), 1.0)
    filled = round(fraction * width)
    style = "red" if fraction >= danger else "yellow" if fraction >= warn else "green"
    text = Text()
    text.append("█" * filled, style=style)
    text.append("░" * (width - filled), style="dim")
    return text


def tier_gauge(name: str, total: int, free: int, min_free: int, mean_free: int, width: int = 40) -> Group:
    used = (total - free) / total if total else 0.0
    line = Text(f"{name:<5} ")
    line.append_text(bar(used, width))
    line.append(f" {used * 100:5.1f}% used  {human_bytes(free)} free of {human_bytes(total)}")
    spread = Text("      per target: ", style="dim")
    ratio = (min_free / mean_free) if mean_free else 1.0
    style = "bold red" if ratio < 0.05 else "yellow" if ratio < 0.5 else ""
    spread.append(f"min free {human_bytes(min_free)}", style=style)
    spread.append(f", mean free {human_bytes(mean_free)}", style="dim")
    return Group(line, spread)
