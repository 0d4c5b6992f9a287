"""The layering and style rules, checked on every test run (not only by a developer's habit).

import-linter enforces the architecture (a Textual-free core, a simulator that is a separate
program, screens that reach the app only through the ConsoleHost protocol, widgets that never run
commands); grimp proves the package has no import cycle; ruff keeps every tracked Python file
clean and formatted; no module of the package grows past 500 lines.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINTED = ("daostui", "tests", "benchmarks", "tools")
MAX_LINES = 500


def tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def python_files() -> list[str]:
    """Every tracked .py file under the linted folders, by explicit path: an exclude pattern in the
    config cannot hide one (it once hid all of daostui/screens/). Outside a git checkout (an
    unpacked sdist) the folders themselves."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--", *(f"{folder}/*.py" for folder in LINTED)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        listed = []
    return listed or [folder for folder in LINTED if (ROOT / folder).is_dir()]


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)


def test_import_contracts_are_kept():
    result = run([tool("lint-imports")])
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean():
    result = run([tool("ruff"), "check", "--no-cache", *python_files()])
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = run([tool("ruff"), "format", "--check", "--no-cache", *python_files()])
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_of_the_package_is_over_500_lines():
    too_long = {}
    for path in sorted((ROOT / "daostui").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long[name] = lines
    assert not too_long, f"split these modules (one job each): {too_long}"


def test_the_package_has_no_import_cycle():
    """No module imports (directly or through others) a module that imports it back, counting
    imports inside functions too; only `if TYPE_CHECKING:` imports are left out (never run)."""
    grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter")
    graph = grimp.build_graph("daostui", exclude_type_checking_imports=True)
    modules = set(graph.modules)
    cycles = set()
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module) & modules:
            if imported != module and graph.chain_exists(importer=imported, imported=module):
                cycles.add(tuple(sorted((module, imported))))
    assert not cycles, "import cycles (each pair imports the other): " + ", ".join(
        f"{a} <-> {b}" for a, b in sorted(cycles)
    )
