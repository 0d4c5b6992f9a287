"""The demo's bin directory: every simulated command, and what it starts, yields the CPU to the console.

The simulated Aurora stands for other machines; on a 2-core machine eight simulated commands
starting at once used to take the console's core (issue 17's frame stalls). daostui starts each
command in a session of its own, which the kernel's autogroup makes a scheduling group of its
own: there the command lowers its group, since nice alone only orders processes within one group.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from daostui.sim import bindir

AUTOGROUP = Path("/proc/self/autogroup")
#: What a rank prints, one line each: its autogroup (empty where the kernel has none, or where the
#: process is in the default group: a session that descends from init's without a `setsid`, as
#: in many CI containers), its nice value, and the command line of its parent (the simulated mpiexec) as
#: `ps` shows it.
PROBE = (
    "echo \"$(cat /proc/self/autogroup 2>/dev/null)\"; cut -d' ' -f19 /proc/self/stat;"
    " tr '\\0' ' ' < /proc/$PPID/cmdline"
)


def _my_autogroup() -> str:
    """This process's autogroup line, or "" where the kernel has none or this is the default group."""
    try:
        return AUTOGROUP.read_text().strip()
    except OSError:
        return ""


def _rank_reports(demo_dir: Path, *, new_session: bool) -> list[str]:
    env = {**os.environ, "DAOSTUI_SIM_DIR": str(demo_dir)}
    command = [str(demo_dir / "bin" / "mpiexec"), "-n", "1", "--no-vni", "sh", "-c", PROBE]
    done = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        start_new_session=new_session,
    )
    return done.stdout.split("\n")


def test_simulated_commands_and_their_children_run_niced(demo_dir: Path) -> None:
    mine = os.nice(0)
    lines = _rank_reports(demo_dir, new_session=False)
    assert int(lines[-2]) == min(19, mine + bindir.NICENESS)
    # the interpreter runs the tool's own file: `ps` names the tool, as a real one's would be
    assert f"{demo_dir}/bin/mpiexec -n 1 --no-vni" in lines[-1]
    assert os.nice(0) == mine  # the console keeps its own priority
    # not a session of its own: the console's group (if any) is left as it was
    assert lines[0] == _my_autogroup()


def test_a_command_in_its_own_session_lowers_its_scheduling_group(demo_dir: Path) -> None:
    before = _my_autogroup()
    lines = _rank_reports(demo_dir, new_session=True)
    if not lines[0]:
        pytest.skip(
            "autogroup is not in effect here (no /proc/self/autogroup, or disabled, or new sessions"
            " stay in the default group): nice alone orders the processes"
        )
    assert lines[0].endswith(f"nice {bindir.NICENESS}") and lines[0] != before
    assert _my_autogroup() == before
