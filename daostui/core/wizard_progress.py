"""The guided wizard's steps, saved progress and final summary (Textual-free).

The screens (`daostui/screens/wizard/`, one widget per step) only show this state and send
intents. Keeping the state here, as a plain dataclass saved as JSON in the state dir, is what lets
a user leave with `esc` and resume days later, and lets tests check what the wizard remembers
without a terminal.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from daostui.core import paths


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    why: str


STEPS: tuple[Step, ...] = (
    Step(
        "environment",
        "Environment",
        "DAOS commands come from the `daos/base` module (`module use /soft/modulefiles; module load daos/base`). "
        "This step checks that `daos` runs, that the DAOS agent on this node answers, and which pools your "
        "project can see.",
    ),
    Step(
        "pool",
        "Pool",
        "A pool is storage ALCF allocates to your project (you cannot create one yourself). Containers live "
        "in a pool and share its space. A Degraded pool has lost targets and is rebuilding; a nearly full one "
        "fails writes even before 100% because space is per target.",
    ),
    Step(
        "container",
        "Container",
        "A container is your dataset: a POSIX namespace you mount like a directory. Its redundancy factor "
        "(rd_fac) says how many server failures it survives: rd_fac:1 is the tutorial's choice, rd_fac:3 "
        "survives more at the cost of space. The label is how you name it in every command.",
    ),
    Step(
        "mount",
        "Mount on the login node",
        "dfuse makes the container a directory, here under /tmp/$USER/<pool>/<cont> on this login node, so "
        "you can copy inputs in and look at results. Jobs mount it again on their compute nodes "
        "(launch-dfuse.sh). Unmount with `fusermount3 -u <dir>` when done: login nodes are shared.",
    ),
    Step(
        "job",
        "Job script",
        "An Aurora job that uses DAOS must ask for the DAOS filesystem (-l filesystems=...:daos_user and "
        "-l daos=daos_user), mount the container on every node (launch-dfuse.sh pool:cont), bind ranks to "
        "cores (12 per node by default) and unmount at the end (clean-dfuse.sh), even on failure.",
    ),
    Step(
        "submit",
        "Submit and monitor",
        "qsub hands the saved script to PBS and prints the job id. The job waits in the queue, runs, and "
        "writes its output to <name>.o<id> / .e<id> in this directory; the jobs pane follows it.",
    ),
)
STEP_IDS = tuple(step.id for step in STEPS)


@dataclass
class WizardState:
    """Everything the wizard has chosen or created so far; what resume restores."""

    step: int = 0
    pool: str = ""
    container: str = ""
    created_container: bool = False
    preset: str = "simple"
    mount_path: str = ""
    mounted_by_wizard: bool = False
    write_checked: bool = False
    job: dict[str, str] = field(default_factory=dict)
    #: The wizard's job script, where commands run (on the login node over ssh): its own file,
    #: rewritten by later saves.
    script_path: str = ""
    #: The form changed after the script was saved: Next saves it again before submitting.
    script_stale: bool = False
    job_id: str = ""
    finished: bool = False

    @property
    def step_id(self) -> str:
        return STEP_IDS[self.step]

    @property
    def resumable(self) -> bool:
        return not self.finished and (self.step > 0 or bool(self.pool))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> WizardState:
        """Lenient: unknown keys are ignored and bad values fall back to defaults (an old file
        from another version must not stop the wizard from opening)."""
        state = cls()
        if not isinstance(data, dict):
            return state
        for item in fields(cls):
            value = data.get(item.name)
            default = getattr(state, item.name)
            if value is None or type(value) is not type(default):
                continue
            if item.name == "job":
                value = {str(k): str(v) for k, v in value.items()}
            setattr(state, item.name, value)
        state.step = min(max(state.step, 0), len(STEPS) - 1)
        return state


def load_state(path: Path) -> WizardState:
    try:
        return WizardState.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return WizardState()


def save_state(path: Path, state: WizardState) -> None:
    """Atomically, and private to the user (it names their pools, containers and scripts)."""
    paths.write_private(path, json.dumps(state.to_json(), indent=2))


def clear_state(path: Path) -> None:
    path.unlink(missing_ok=True)


@dataclass(frozen=True)
class SummaryItem:
    what: str
    detail: str


def summary(
    state: WizardState,
    *,
    prelude: tuple[str, ...] | list[str],
    create_argv: list[str] | None,
    mount_argvs: list[list[str]],
    unmount_argv: list[str] | None,
    submit_argv: list[str] | None,
    status_argv: list[str] | None,
) -> tuple[list[SummaryItem], list[str]]:
    """(what the wizard created or used, the commands to do it all again by hand)."""
    items: list[SummaryItem] = []
    commands: list[str] = list(prelude)
    if state.pool:
        items.append(SummaryItem("pool", state.pool))
        commands.append(shlex.join(["daos", "pool", "query", state.pool]))
    if state.container:
        items.append(
            SummaryItem(
                "container", f"{state.container} ({'created' if state.created_container else 'existing'})"
            )
        )
        if create_argv and state.created_container:
            commands.append(shlex.join(create_argv))
    if state.mount_path:
        items.append(
            SummaryItem(
                "mount", state.mount_path + (" (mounted by the wizard)" if state.mounted_by_wizard else "")
            )
        )
        commands.extend(shlex.join(argv) for argv in mount_argvs)
        if state.write_checked:
            commands.append(f"echo hello > {shlex.quote(state.mount_path + '/hello.txt')}")
    if state.script_path:
        items.append(SummaryItem("job script", state.script_path))
    if state.job_id:
        items.append(SummaryItem("job", state.job_id))
    if submit_argv:
        if state.script_path:  # qsub ran there: PBS_O_WORKDIR, and where the .o/.e files land
            commands.append(shlex.join(["cd", posixpath.dirname(state.script_path)]))
        commands.append(shlex.join(submit_argv))
    if status_argv:
        commands.append(shlex.join(status_argv))
    if unmount_argv and state.mount_path:
        commands.append(shlex.join(unmount_argv) + "   # when you are done")
    return items, commands
