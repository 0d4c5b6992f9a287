"""Keep snapshot baselines in the top-level `snapshots/` folder (not tests/__snapshots__).

pytest-textual-snapshot hard-codes syrupy's default location; this extension overrides the
directory so baselines live where the project keeps them, one SVG per test.
"""

from __future__ import annotations

from pathlib import Path

from pytest_textual_snapshot import SVGImageExtension

SNAPSHOT_ROOT = Path(__file__).resolve().parent.parent / "snapshots"


class TopLevelSVGExtension(SVGImageExtension):
    @classmethod
    def dirname(cls, *, test_location) -> str:  # type: ignore[override]
        return str(SNAPSHOT_ROOT / Path(test_location.filepath).stem)
