"""The one registry of user actions.

Keys, the footer, the help screen and the command palette are all generated from `ACTIONS`, so
they cannot drift apart, and `--readonly` is enforced here — at the command layer — rather than per
view (k9s leaked mutating actions through individual views for years: #857, #3822). A destructive
action always goes through a confirmation; the app refuses to dispatch a mutating action in
read-only mode even if something reached it.
"""

from __future__ import annotations

from dataclasses import dataclass

PANES = ("pools", "containers", "mounts", "jobs")


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

    @property
    def binding_action(self) -> str:
        return f"app.do('{self.id}')"


ACTIONS: tuple[Action, ...] = (
    # global
    Action("focus.pools", "1", "Pools", "Focus the pools pane", footer=False),
    Action("focus.containers", "2", "Containers", "Focus the containers pane", footer=False),
    Action("focus.mounts", "3", "Mounts", "Focus the dfuse mounts pane", footer=False),
    Action("focus.jobs", "4", "Jobs", "Focus the jobs pane", footer=False),
    Action("refresh", "r", "Refresh", "Refresh every pane now"),
    Action("filter", "slash", "Filter", "Filter the focused pane (esc clears)"),
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
    Action("help", "question_mark", "Help", "Keys and what each column means"),
    Action("quit", "q", "Quit", "Quit (asks when work is still running)"),
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
    ),
    Action(
        "cont.mount",
        "m",
        "Mount",
        "Mount the selected container with start-dfuse.sh",
        pane="containers",
        mutates=True,
    ),
    Action(
        "cont.unmount",
        "u",
        "Unmount",
        "Unmount the selected container (fusermount3 -u)",
        pane="containers",
        mutates=True,
        destructive=True,
    ),
    Action(
        "cont.copy",
        "c",
        "Copy to/from flare",
        "Back up the container to your flare project dir, or stage data in (daos filesystem copy)",
        pane="containers",
        mutates=True,
    ),
    # viewing is allowed read-only: the ACL screen disables its own changes then
    Action("cont.acl", "A", "Share (ACL)", "Show and change who may use the container", pane="containers"),
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
    ),
    Action("job.hold", "h", "Hold", "Hold the selected queued job (qhold)", pane="jobs", mutates=True),
    Action("job.release", "x", "Release", "Release the selected held job (qrls)", pane="jobs", mutates=True),
    Action("job.output", "o", "Output", "Follow the selected job's .o/.e output live", pane="jobs"),
    Action(
        "job.array",
        "space",
        "Open array",
        "Open or close the selected job array (qsub -J): its subjobs listed beneath it",
        pane="jobs",
        # in help, the palette and the Job column's help; the footer would show it on every row
        footer=False,
    ),
    Action(
        "job.nodes",
        "N",
        "Nodes",
        "The running job's compute nodes: is the container mounted on each (clush), remount where lost",
        pane="jobs",
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


def allowed(action: Action, *, readonly: bool) -> bool:
    """Whether the action may run at all in this session."""
    return not (readonly and action.mutates)


def key_label(key: str) -> str:
    return {"slash": "/", "question_mark": "?", "enter": "enter"}.get(key, key)


def keys_markdown() -> str:
    """The README's keys table, generated from the registry so the two cannot drift apart."""
    lines = ["| key | where | action |", "|---|---|---|"]
    for action in ACTIONS:
        note = " (asks first)" if action.destructive else ""
        note += " — hidden in `--readonly`" if action.mutates else ""
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
