"""The one registry of user actions.

Keys, the footer, the help screen and the command palette are all generated from `ACTIONS`, so
they cannot drift apart, and `--readonly` is enforced here — at the command layer — rather than per
view (k9s leaked mutating actions through individual views for years: #857, #3822). A destructive
action always goes through a confirmation; the app refuses to dispatch a mutating action in
read-only mode even if something reached it.

An action that acts on the row under a pane's cursor says when it applies (`applies`): the footer
greys it out when the row's state does not allow it (no `h` hold on a running job), and pressing it
anyway is refused with the same reason, before any command runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from daostui.pbs.models import FINISHED_STATES

PANES = ("pools", "containers", "mounts", "jobs")

#: Why an action does not apply to a row (None: it applies). The row is the model under the pane's
#: cursor (a `ContainerRow`, a `Mount`, a `Job`), or None when the pane has no row.
Applies = Callable[[Any], str | None]


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    key: str
    title: str
    description: str
    #: The pane the action applies to (its key works when that pane has focus), or "" for global.
    pane: str = ""
    mutates: bool = False
    destructive: bool = False
    #: Shown in the footer (the rest are in help and the palette).
    footer: bool = True
    #: Why it does not apply to the row under the cursor (see `Applies`); None: no row needed.
    applies: Applies | None = None
    #: The session modes it exists in ("ssh", ...); empty: every mode.
    modes: tuple[str, ...] = ()

    @property
    def binding_action(self) -> str:
        return f"app.do('{self.id}')"


def _row(what: str) -> str | None:
    return f"Select {what} first."


def any_container(row: Any) -> str | None:
    return _row("a container (2)") if row is None else None


def unmounted_container(row: Any) -> str | None:
    if row is None:
        return any_container(row)
    return f"{row.label or row.uuid} is already mounted at {row.mount_path}." if row.mount_path else None


def mounted_container(row: Any) -> str | None:
    if row is None:
        return any_container(row)
    return None if row.mount_path else f"{row.label or row.uuid} is not mounted here."


def any_mount(row: Any) -> str | None:
    return _row("a dfuse mount (3)") if row is None else None


def _job(row: Any, *, allowed: set[str], why: str) -> str | None:
    if row is None:
        return _row("a job (4)")
    if row.state in allowed:
        return None
    return f"Job {row.short_id} is {row.state_name.lower()}: {why}."


def holdable_job(row: Any) -> str | None:
    return _job(row, allowed={"Q", "W"}, why="only a queued job can be held")


def held_job(row: Any) -> str | None:
    return _job(row, allowed={"H"}, why="only a held job can be released")


def running_job(row: Any) -> str | None:
    return _job(row, allowed={"R"}, why="it has compute nodes only while it runs")


def array_job(row: Any) -> str | None:
    if row is None:
        return _row("a job (4)")
    if row.is_array or row.is_subjob:
        return None
    return f"Job {row.short_id} is not a job array (qsub -J): it has no subjobs to open."


def unfinished_job(row: Any) -> str | None:
    if row is not None and row.state in FINISHED_STATES:
        return f"Job {row.short_id} has already finished: there is nothing to cancel."
    return _row("a job (4)") if row is None else None


def job_with_output(row: Any) -> str | None:
    if row is None:
        return _row("a job (4)")
    if row.is_array:
        return (
            f"{row.seq} is a job array: each subjob writes its own .o/.e. Open the array (space) "
            "and follow one subjob's output."
        )
    if not (row.output_path or row.error_path):
        return f"PBS has not said where job {row.short_id} writes its output yet."
    return None


ACTIONS: tuple[Action, ...] = (
    # global
    Action("focus.pools", "1", "Pools", "Focus the pools pane", footer=False),
    Action("focus.containers", "2", "Containers", "Focus the containers pane", footer=False),
    Action("focus.mounts", "3", "Mounts", "Focus the dfuse mounts pane", footer=False),
    Action("focus.jobs", "4", "Jobs", "Focus the jobs pane", footer=False),
    Action("refresh", "r", "Refresh", "Refresh every pane now"),
    Action("filter", "slash", "Filter", "Filter the focused pane or the command log (esc clears)"),
    Action("maximize", "z", "Zoom", "Maximize the focused pane (again to restore)"),
    Action("details", "enter", "Details", "Details of the selected row"),
    Action("log", "l", "Log", "Show or hide the command log"),
    Action("wizard", "w", "Wizard", "Guided setup: container, mount, job script, submit", mutates=True),
    Action("doctor", "D", "Doctor", "Run the DAOS troubleshooting checklist"),
    Action(
        "pool_request", "a", "Pool request", "Write a pool allocation request for ALCF support", footer=False
    ),
    Action(
        "queues",
        "Q",
        "Queues",
        "PBS queues: jobs per state, node and walltime bounds, your limits",
        footer=False,
    ),
    Action("sort", "s", "Sort", "Sort the focused table by its next column (again: reverse)", footer=False),
    Action("help", "question_mark", "Help", "Keys and what each column means"),
    Action(
        "quit",
        "q",
        "Quit",
        "Quit (asks first, naming running work and daostui's own mounts; q q quits; ctrl+q anywhere)",
    ),
    Action(
        "reconnect",
        "ctrl+r",
        "Reconnect",
        "Log in to the login node again (after a cancelled passcode or a refused login)",
        modes=("ssh",),
    ),
    # containers pane
    Action(
        "cont.create",
        "n",
        "New container",
        "Create a container in the selected pool",
        pane="containers",
        mutates=True,
    ),
    Action(
        "cont.destroy",
        "d",
        "Destroy",
        "Destroy the selected container (type its label to confirm)",
        pane="containers",
        mutates=True,
        destructive=True,
        applies=any_container,
    ),
    Action(
        "cont.mount",
        "m",
        "Mount",
        "Mount the selected container with start-dfuse.sh",
        pane="containers",
        mutates=True,
        applies=unmounted_container,
    ),
    Action(
        "cont.unmount",
        "u",
        "Unmount",
        "Unmount the selected container (fusermount3 -u)",
        pane="containers",
        mutates=True,
        destructive=True,
        applies=mounted_container,
    ),
    Action(
        "cont.copy",
        "c",
        "Copy to/from flare",
        "Back up the container to your flare project dir, or stage data in (daos filesystem copy)",
        pane="containers",
        mutates=True,
        applies=any_container,
    ),
    # viewing is allowed read-only: the ACL screen disables its own changes then
    Action(
        "cont.acl",
        "A",
        "Share (ACL)",
        "Show and change who may use the container",
        pane="containers",
        applies=any_container,
    ),
    # mounts pane
    Action("mount.new", "n", "Mount", "Mount a container of the selected pool", pane="mounts", mutates=True),
    Action(
        "mount.unmount",
        "d",
        "Unmount",
        "Unmount the selected dfuse mount (fusermount3 -u)",
        pane="mounts",
        mutates=True,
        destructive=True,
        applies=any_mount,
    ),
    # jobs pane
    Action(
        "job.new",
        "n",
        "New job",
        "Write a job script (live preview), save and submit it",
        pane="jobs",
        mutates=True,
    ),
    Action(
        "job.cancel",
        "d",
        "Cancel",
        "Cancel the selected job (qdel)",
        pane="jobs",
        mutates=True,
        destructive=True,
        applies=unfinished_job,
    ),
    Action(
        "job.hold",
        "h",
        "Hold",
        "Hold the selected queued job (qhold)",
        pane="jobs",
        mutates=True,
        applies=holdable_job,
    ),
    Action(
        "job.release",
        "x",
        "Release",
        "Release the selected held job (qrls)",
        pane="jobs",
        mutates=True,
        applies=held_job,
    ),
    Action(
        "job.output",
        "o",
        "Output",
        "Follow the selected job's .o/.e output live",
        pane="jobs",
        applies=job_with_output,
    ),
    Action(
        "job.array",
        "space",
        "Open array",
        "Open or close the selected job array (qsub -J): its subjobs listed beneath it",
        pane="jobs",
        # in help, the palette and the Job column's help; the footer would show it on every row
        footer=False,
        applies=array_job,
    ),
    Action(
        "job.nodes",
        "N",
        "Nodes",
        "The running job's compute nodes: is the container mounted on each (clush), remount where lost",
        pane="jobs",
        applies=running_job,
    ),
    Action(
        "job.interactive",
        "i",
        "Interactive",
        "Start an interactive job (qsub -I) and get its shell, container mounted",
        pane="jobs",
        mutates=True,
    ),
)

BY_ID: dict[str, Action] = {action.id: action for action in ACTIONS}


def actions_for_pane(pane: str) -> list[Action]:
    return [action for action in ACTIONS if action.pane == pane]


def global_actions() -> list[Action]:
    return [action for action in ACTIONS if not action.pane]


def allowed(action: Action, *, readonly: bool, mode: str = "") -> bool:
    """Whether the action may run at all in this session (`mode`: "" checks read-only only)."""
    if mode and action.modes and mode not in action.modes:
        return False
    return not (readonly and action.mutates)


def refusal(action: Action, row: Any) -> str | None:
    """Why `action` does not apply to `row` (the model under its pane's cursor), or None."""
    return action.applies(row) if action.applies is not None else None


def key_label(key: str) -> str:
    return {"slash": "/", "question_mark": "?", "enter": "enter"}.get(key, key)


def keys_markdown() -> str:
    """The README's keys table, generated from the registry so the two cannot drift apart."""
    lines = ["| key | where | action |", "|---|---|---|"]
    for action in ACTIONS:
        note = " (asks first)" if action.destructive else ""
        note += " — hidden in `--readonly`" if action.mutates else ""
        note += f" — {' and '.join(action.modes)} mode only" if action.modes else ""
        lines.append(
            f"| `{key_label(action.key)}` | {action.pane or 'anywhere'} | {action.description}{note} |"
        )
    lines.append(
        "| `ctrl+p` | anywhere | command palette: every action, jump to any pool, container or job |"
    )
    lines.append(
        "| `esc` | anywhere | close a dialog, clear a filter; in the wizard: leave (progress is saved) |"
    )
    return "\n".join(lines) + "\n"
