"""Details of the selected row: the full query behind each resource.

Pools: `daos pool query` with tier gauges and rebuild state. Containers: `daos container query` and
every property (`get-prop`), health first. Mounts: the mounts-table entry and a listing probe.
Jobs: the full `qstat -f` status with Resource_List, paths, comment and the decoded exit status.
Each detail shows the command it ran and fetches in the background; `r` fetches again.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label, LoadingIndicator, Static

from daostui.core.failures import report_failure
from daostui.screens.base import DialogScreen
from daostui.widgets.gauge import human_bytes, tier_gauge

if TYPE_CHECKING:
    from daostui.host import ConsoleHost
    from daostui.transport.base import CommandResult


def kv_table(rows: Sequence[tuple[str, Any]]) -> Table:
    table = Table(show_header=False, box=None, expand=True, padding=(0, 1))
    table.add_column("name", style="bold", no_wrap=True, width=30)
    table.add_column("value")
    for name, value in rows:
        table.add_row(name, value if isinstance(value, Text) else Text(str(value)))
    return table


class DetailScreen(DialogScreen[None]):
    BINDINGS = [Binding("escape,q", "close", "Close"), Binding("r", "reload", "Reload")]

    def __init__(
        self, title: str, commands: Sequence[Sequence[str]], load: Callable[[], Awaitable[RenderableType]]
    ) -> None:
        super().__init__()
        self._title = title
        self._commands = commands
        self._load = load

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog -wide -tall -panel"):
            yield Label(self._title, classes="title")
            yield Static(
                escape("\n".join("$ " + shlex.join(list(c)) for c in self._commands)), classes="commands"
            )
            yield LoadingIndicator(id="loading")
            yield Static("", id="body")

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.query_one("#loading").display = True
        self.run_worker(self._fetch, exclusive=True, group="detail", exit_on_error=False)

    async def _fetch(self) -> None:
        try:
            body: RenderableType = await self._load()
        except Exception as exc:  # noqa: BLE001 - shown, never fatal
            failure = report_failure(exc, self._title, timings=self.host.show_timings)
            body = Text(failure.text(), style="red")
        self.query_one("#loading").display = False
        self.query_one("#body", Static).update(body)

    def action_close(self) -> None:
        self.dismiss(None)


# ---------------------------------------------------------------------- per resource
def pool_detail(host: ConsoleHost, key: str) -> DetailScreen:
    daos = host.session.daos

    async def load() -> RenderableType:
        pool = await daos.pool_query(key)
        state = Text(pool.state, style="bold red" if pool.degraded else "green")
        rebuild = pool.rebuild
        rows: list[tuple[str, Any]] = [
            ("Label", pool.name),
            ("UUID", pool.uuid),
            ("State", state),
            (
                "Targets",
                f"{pool.active_targets} active of {pool.total_targets}, "
                f"{pool.disabled_targets} disabled ({pool.servers} servers)",
            ),
            (
                "Rebuild",
                f"{rebuild.state}, {rebuild.objects} objs, {rebuild.records} recs" if rebuild else "unknown",
            ),
            ("Leader / version", f"{pool.leader} / {pool.version}"),
        ]
        parts: list[RenderableType] = [kv_table(rows), Text("")]
        for tier in pool.tiers:
            parts.append(tier_gauge(tier.media_type.upper(), tier.total, tier.free, tier.min, tier.mean))
        notes = []
        if pool.degraded:
            notes.append(
                "Degraded: some targets are disabled; data with enough redundancy is still readable, "
                "new data avoids them. Watch for 'Rebuild busy'."
            )
        if pool.rebuilding:
            notes.append("Rebuild busy: I/O may be slower until it is done.")
        if pool.nearly_full:
            notes.append(
                "Nearly full: a target with little free space makes writes fail even when the "
                "total looks fine. Clean up or copy data to flare."
            )
        for note in notes:
            parts.append(Text("⚠ " + note, style="yellow"))
        return Group(*parts)

    return DetailScreen(f"Pool {key}", [daos.argv_pool_query(key)], load)


def container_detail(host: ConsoleHost, key: str) -> DetailScreen | None:
    pool = host.data.selected_pool
    row = host.data.container(pool, key)
    if row is None:
        return None
    name = row.label or row.uuid
    daos = host.session.daos

    async def load() -> RenderableType:
        info = await daos.cont_query(pool, name)
        props = await daos.cont_get_prop(pool, name)
        host.data.props[(pool, name)] = props
        health = props.health or "?"
        rows: list[tuple[str, Any]] = [
            ("Health", Text(health, style="bold red" if props.unclean else "green")),
            ("Label", info.label),
            ("UUID", info.uuid),
            ("Type", info.type),
            ("Pool UUID", info.pool_uuid),
            ("Redundancy factor", info.redundancy_factor),
            ("Open handles", info.num_handles),
            ("Snapshots", info.num_snapshots),
            ("Object class (file/dir)", f"{info.file_object_class or '-'} / {info.dir_object_class or '-'}"),
            ("Chunk size", human_bytes(info.chunk_size) if info.chunk_size else "-"),
            ("Mounted here", row.mount_path or "no"),
        ]
        props_table = Table(title="Properties (get-prop)", title_justify="left", expand=True)
        props_table.add_column("Name")
        props_table.add_column("Value")
        for prop in props.items:
            value = ", ".join(prop.value) if isinstance(prop.value, list) else str(prop.value)
            style = "bold red" if prop.name == "status" and value == "UNCLEAN" else ""
            props_table.add_row(f"{prop.description} ({prop.name})", Text(value, style=style))
        parts: list[RenderableType] = [kv_table(rows), Text(""), props_table]
        if props.unclean:
            parts.append(
                Text(
                    "UNCLEAN: redundancy was lost; dfuse mounts fail with DER_RF. Fix: daos cont set-prop "
                    f"{pool} {name} status:HEALTHY, then daos fs check --flags=evict {pool} {name} "
                    "(the doctor, D, offers it).",
                    style="yellow",
                )
            )
        return Group(*parts)

    return DetailScreen(
        f"Container {name} in {pool}",
        [daos.argv_cont_query(pool, name), daos.argv_cont_get_prop(pool, name)],
        load,
    )


def mount_detail(host: ConsoleHost, key: str) -> DetailScreen | None:
    mount = host.data.mount(key)
    if mount is None:
        return None
    mounts = host.session.mounts

    async def load() -> RenderableType:
        health = await mounts.probe(mount.path)
        rows = [
            ("Path", mount.path),
            ("Pool / container", f"{mount.pool or '?'} / {mount.container or '?'}"),
            ("Type", "fuse.daos (dfuse)"),
            ("State", Text(health.state, style="green" if health.state == "ok" else "bold red")),
            ("Entries listed", health.detail),
            ("Made by daostui", "yes" if mount.owned else "no"),
            ("Unmount with", f"fusermount3 -u {mount.path}"),
        ]
        return kv_table(rows)

    return DetailScreen(f"dfuse mount {key}", [mounts.argv_probe(mount.path)], load)


def job_detail(host: ConsoleHost, key: str) -> DetailScreen | None:
    pbs = host.session.pbs

    async def load() -> RenderableType:
        result = await pbs.status([key])
        job = next((j for j in result.jobs if j.id == key), None)
        note: Text | None = None
        if job is None or job.state == "LOST":
            note = Text(
                f"qstat no longer knows job {key}: it may have been lost after routing "
                "(see ALCF's 'Job missing from queue').",
                style="yellow",
            )
            known = host.data.tracker.get(key)
            if known is None or known.state == "LOST":
                return note
            note.append(" Showing the last status seen.")
            job = known
        rows: list[tuple[str, Any]] = [
            ("Job id", job.id),
            ("Name", job.name),
            ("State", job.state_name),
            ("Queue", job.queue),
            ("Project", job.account),
            ("Owner", job.owner),
            ("Nodes", job.nodes),
            ("Walltime (req / used)", f"{job.walltime_requested_text} / {job.walltime_used_text}"),
            ("Comment", job.comment or ""),
            ("Exit status", job.exit_text),
            ("Output", job.output_path),
            ("Error", job.error_path),
            ("Workdir", job.workdir),
        ]
        res = Table(title="Resource_List", title_justify="left", expand=True)
        res.add_column("resource")
        res.add_column("value")
        for name, value in sorted(job.resource_list.items()):
            res.add_row(name, str(value))
        parts: list[RenderableType] = [note] if note is not None else []
        return Group(*parts, kv_table(rows), Text(""), res)

    return DetailScreen(f"Job {key}", [pbs.argv_status([key])], load)


def detail_screen_for(host: ConsoleHost, pane: str, key: str) -> DetailScreen | None:
    """The detail view of the row keyed `key` in `pane` (None when the row is gone)."""
    builders: dict[str, Callable[[ConsoleHost, str], DetailScreen | None]] = {
        "pools": pool_detail,
        "containers": container_detail,
        "mounts": mount_detail,
        "jobs": job_detail,
    }
    return builders[pane](host, key)


class CommandDetailScreen(DialogScreen[None]):
    """One command-log entry: the command (copyable), where and when it ran, stdout and stderr.

    Over ssh, what the login shell printed before the command (a banner, `module` chatter) is kept
    apart from its output: shown folded, labelled as never given to the parser."""

    BINDINGS = [Binding("escape,q", "close", "Close"), Binding("c", "copy", "Copy command")]

    def __init__(self, result: CommandResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        import time

        from textual.widgets import Collapsible

        r = self.result
        rows = [
            ("Command", r.command_line),
            ("Ran on", r.where),
            ("Started", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.started_at))),
            ("Duration", f"{r.duration:.3f}s"),
            ("Outcome", r.outcome),
        ]
        if r.origin:
            rows.append(("Run for", r.origin))
        if r.wrapped_argv:
            rows.append(("Executed as", shlex.join(r.wrapped_argv)))
        with VerticalScroll(classes="dialog -wide -tall -panel"):
            yield Static(kv_table(rows))
            yield Label("stdout")
            yield Static(Text(r.stdout[-20000:] or "(empty)"))
            yield Label("stderr")
            yield Static(Text((r.stderr or r.error)[-20000:] or "(empty)"))
            if r.login_noise:
                with Collapsible(title="login noise (not given to the parser)", id="login-noise"):
                    yield Static(Text(r.login_noise[-20000:]))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.result.command_line)
        self.notify("Command line copied.", timeout=2)

    def action_close(self) -> None:
        self.dismiss(None)
