"""A job's detail: the full `qstat -f -x` status, read for a user rather than dumped.

What the jobs pane only hints at is spelled out here: the exit status with its `JOB_EXEC_*`
meaning, when a queued job is expected to start and why it waits, how long it has been eligible,
when it entered the history, its nodes folded (`x4102c3s[0-3]b0n0`), the `-v` variables it was
given (including the bare values the old JSON writer leaves unquoted), and for a job array its
indices and every subjob with its state and exit status (`qstat -t`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from daostui.core.together import all_of
from daostui.screens.detail_view import DetailScreen, kv_table, when
from daostui.widgets.resource_columns import JOB_STATE_STYLE

if TYPE_CHECKING:
    from daostui.host import ConsoleHost
    from daostui.pbs.models import Job

#: The detail lists the subjobs of arrays up to this size (`qstat -t` of a larger one is megabytes;
#: the jobs pane opens those).
SUBJOBS_LISTED = 1000


def _exit_text(job: Job) -> Text:
    """The exit status in full. An array's own status is not a script's: once its subjobs are
    listed, say how many failed (PBS sets the array's status from the last subjob to end)."""
    if not job.is_array:
        text = job.exit_text
        return Text(text, style="bold red" if job.failed else "green" if text else "")
    from daostui.pbs.exitstatus import decode_array_exit

    failed = job.array_failed
    if failed is None or job.exit_status is None:
        return Text(decode_array_exit(job.exit_status))
    if not failed:
        return Text(f"{job.exit_status} (no subjob failed)", style="green")
    text = Text(f"{job.exit_status} ({failed} of {job.array_size} subjobs failed)", style="bold red")
    if job.exit_status == 0:
        text.append("  PBS sets an array's status from the last subjob to end", style="dim")
    return text


def _nodes(job: Job) -> str:
    folded = job.nodes_folded
    count = job.nodes
    if folded:
        return f"{len(job.hosts)}: {folded}"
    return str(count) if count is not None else "-"


def _state(job: Job) -> Text:
    text = Text(job.state_name, style=JOB_STATE_STYLE.get(job.state, ""))
    index = job.array_index
    if index is not None:
        text.append(f"  (subjob {index} of array {job.array_parent_id.split('.', 1)[0]})", style="dim")
    return text


def _eligible(job: Job) -> str:
    from daostui.pbs.walltime import format_walltime

    seconds = job.eligible_time
    return format_walltime(seconds) if seconds is not None else ""


def job_rows(job: Job) -> list[tuple[str, Any]]:
    """The detail's lines for one job, those PBS left empty left out (a queued job has no end)."""
    rows: list[tuple[str, Any]] = [
        ("Job id", job.id),
        ("Name", job.name),
        ("State", _state(job)),
        ("Queue", job.queue),
        ("Project", job.account),
        ("Owner", job.owner),
        ("Nodes", _nodes(job)),
        ("Compute nodes", "N: their dfuse mounts, probed with clush" if job.state == "R" else ""),
        ("Walltime (req / used)", f"{job.walltime_requested_text} / {job.walltime_used_text}"),
        ("Submitted", when(job.qtime or job.ctime, "")),
        ("Eligible to run for", _eligible(job)),
    ]
    if job.state in ("Q", "H", "W", "T"):
        start = job.estimated_start
        planned = job.estimated_nodes
        estimate = (when(start) + (f" on {planned}" if planned else "")) if start else ""
        rows += [("Estimated start", estimate), ("Waiting because", job.waiting_reason)]
    rows += [
        ("Started", when(job.stime, "")),
        ("Ended", when(job.obittime, "")),
        ("In history since", when(job.history_timestamp, "")),
    ]
    if job.is_array:
        remaining = job.array_indices_remaining
        rows += [
            ("Array indices", f"{job.array_indices_submitted} ({job.array_size} subjobs)"),
            ("Not yet started", "none" if remaining == "-" else remaining),
            ("Subjobs", job.array_progress),
        ]
    rows += [
        ("Comment", "" if job.comment == job.waiting_reason else job.comment),
        ("Exit status", _exit_text(job)),
        ("Output", job.output_path),
        ("Error", job.error_path),
        ("Workdir", job.workdir),
    ]
    return [(name, value) for name, value in rows if str(value) not in ("", "None")]


def variables_table(job: Job) -> Table | None:
    """`-v`/`-V` variables (PBS's own PBS_* left out), values exactly as PBS holds them."""
    own = {name: value for name, value in job.variables.items() if not name.startswith("PBS_")}
    if not own:
        return None
    table = Table(title="Variables (qsub -v)", title_justify="left", expand=True)
    table.add_column("name", no_wrap=True)
    table.add_column("value")
    for name, value in sorted(own.items()):
        table.add_row(name, Text(value))
    return table


def subjobs_table(subjobs: list[Job]) -> Table:
    table = Table(title=f"Subjobs (qstat -t): {len(subjobs)}", title_justify="left", expand=True)
    for column in ("subjob", "state", "exit", "ran", "nodes"):
        table.add_column(column, no_wrap=column != "nodes")
    for job in subjobs:
        exit_style = "bold red" if job.failed else ""
        table.add_row(
            job.seq,
            Text(job.state_name, style=JOB_STATE_STYLE.get(job.state, "")),
            Text(job.exit_short, style=exit_style),
            job.walltime_used_text,
            job.nodes_folded,
        )
    return table


def resources_table(job: Job) -> Table:
    table = Table(title="Resource_List", title_justify="left", expand=True)
    table.add_column("resource")
    table.add_column("value")
    for name, value in sorted(job.resource_list.items()):
        table.add_row(name, str(value))
    return table


def job_body(job: Job, subjobs: list[Job] | None = None, note: Text | None = None) -> RenderableType:
    """Everything the detail shows for `job` (its subjobs when it is an array and they were listed)."""
    if subjobs is not None and job.is_array:
        job = job.with_failed_subjobs(sum(1 for sub in subjobs if sub.failed))
    parts: list[RenderableType] = [note] if note is not None else []
    parts.append(kv_table(job_rows(job)))
    if subjobs:
        parts += [Text(""), subjobs_table(subjobs)]
    variables = variables_table(job)
    if variables is not None:
        parts += [Text(""), variables]
    parts += [Text(""), resources_table(job)]
    return Group(*parts)


def job_detail(host: ConsoleHost, key: str) -> DetailScreen | None:
    pbs = host.session.pbs
    known = host.data.tracker.get(key)
    listed = known is not None and known.is_array and known.array_size <= SUBJOBS_LISTED
    commands = [pbs.argv_status([key])] + ([pbs.argv_subjobs(key)] if listed else [])

    async def load() -> RenderableType:
        subjobs: list[Job] | None = None
        if listed:
            result, subjobs = await all_of(pbs.status([key]), pbs.subjobs(key))
        else:
            result = await pbs.status([key])
        job = next((j for j in result.jobs if j.id == key), None)
        note: Text | None = None
        if job is None or job.state == "L":
            note = Text(
                f"qstat no longer knows job {key}: it may have been lost after routing "
                "(see ALCF's 'Job missing from queue').",
                style="yellow",
            )
            last = host.data.tracker.get(key)
            if last is None or last.state == "L":
                return note
            note.append(" Showing the last status seen.")
            job = last
        return job_body(job, subjobs, note)

    def nodes(screen: DetailScreen) -> None:
        from daostui.screens.job_nodes import JobNodesScreen

        last = host.data.tracker.get(key)
        screen.app.push_screen(JobNodesScreen(key, last.name if last else ""))

    return DetailScreen(f"Job {key}", commands, load, keys={"N": nodes})
