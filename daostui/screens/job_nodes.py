"""A running job's compute nodes and their dfuse mounts, grouped like `clush -b` groups output.

"508 nodes: mounted, ok · 3 nodes: not mounted · 1 node: hung": a handful of rows whatever the
job's size, each expandable to its NodeSet and what those nodes really printed. The view probes on
open, on `r`, and again every `[nodes] interval` seconds while it is open (a one-shot timer re-armed
when a probe ends: probes of one job never overlap; a failing fan-out backs off). `m` remounts the
container on exactly the nodes that lost it, `c` unmounts it on every node (what clean-dfuse.sh
does), `p` picks the container to check; each shows its exact `clush` command first.
"""

from __future__ import annotations

import shlex
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Collapsible, Footer, Label, Static

from daostui.nodes.models import OK, Group, JobContainer
from daostui.nodes.watch import JobNodesWatch, NodesView
from daostui.pbs import hosts
from daostui.screens.base import HostAccess

if TYPE_CHECKING:
    from daostui.nodes.models import ActionResult

#: Characters of a group's node set shown on its (one-line) title; the rest when expanded.
TITLE_NODES = 60
MARKS = {OK: ("✔", "green")}
BAD = ("✘", "red")


def group_title(group: Group) -> Content:
    mark, style = MARKS.get(group.state, BAD)
    nodes = group.nodes if len(group.nodes) <= TITLE_NODES else group.nodes[: TITLE_NODES - 1] + "…"
    return Content.assemble((mark, style), " ", (group.label, "bold"), "   ", (nodes, "dim"))


def group_body(group: Group) -> list[Static]:
    parts = [Static(Text(f"nodes ({group.count}): {group.nodes}"), classes="group-nodes")]
    for variant in group.raw:
        head = f"{variant.count} node{'' if variant.count == 1 else 's'} printed ({variant.nodes}):"
        if "%h" in variant.text:  # outputs that differ only by the node's own name are one variant
            head += "  (%h: each node's name)"
        parts.append(Static(Text(f"{head}\n{variant.text}"), classes="group-raw"))
    return parts


class JobNodesScreen(Screen[None], HostAccess):
    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("r", "reprobe", "Probe again"),
        Binding("m", "remount", "Remount missing"),
        Binding("c", "clean", "Unmount on all"),
        Binding("p", "pick", "Pick container"),
    ]

    def __init__(self, job_id: str, job_name: str = "") -> None:
        super().__init__()
        self.job_id = job_id
        self.job_name = job_name
        self.watch: JobNodesWatch | None = None
        self._timer: Timer | None = None
        self._expanded: set[str] = set()
        #: Changes every time the groups are shown (tests wait for it).
        self.shown = 0

    def compose(self) -> ComposeResult:
        short = self.job_id.split(".", 1)[0]
        name = f" ({self.job_name})" if self.job_name else ""
        yield Label(f"Compute nodes of job {short}{name}", id="title")
        yield Static("", id="about")
        yield Static("", id="status")
        yield Static("", id="headline")
        yield VerticalScroll(id="groups")
        with Collapsible(title="clush command", id="command"):
            yield Static("", id="command-line")
        yield Footer()

    def on_mount(self) -> None:
        session = self.host.session
        self.watch = JobNodesWatch(
            self.job_id, pbs=session.pbs, nodes=session.nodes, interval=session.config.nodes.interval
        )
        self.action_reprobe()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # hidden in read-only (the client would refuse them anyway)
        return not (action in ("remount", "clean") and self.host.session.readonly)

    # ------------------------------------------------------------------ probing
    def action_reprobe(self) -> None:
        assert self.watch is not None
        if self.watch.policy.running:
            self.notify("A probe of these nodes is already running.", timeout=3)
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._status("probing…")
        self.run_worker(self._cycle, group="nodes-probe", exit_on_error=False)

    async def _cycle(self) -> None:
        assert self.watch is not None
        view = await self.watch.cycle()
        if not self.is_attached:
            return
        await self._show(view)
        if self.watch.live and self.host.session.config.nodes.interval > 0:
            delay = self.watch.next_delay()
            self._timer = self.set_timer(delay, self.action_reprobe)

    def _status(self, text: str) -> None:
        for widget in self.query("#status").results(Static):
            widget.update(Text(text, style="dim"))

    async def _show(self, view: NodesView) -> None:
        assert self.watch is not None
        about = self.query_one("#about", Static)
        about.update(self._about(view))
        result = view.result
        if view.error is not None:
            retry = int(self.watch.next_delay())
            self._status(f"probe failed, retrying in {retry}s")
            self.query_one("#headline", Static).update(Text(view.note, style="red"))
        elif result is None:
            self._status("not probed")
            self.query_one("#headline", Static).update(Text(view.note, style="yellow"))
        else:
            self._status(self._probed(result.duration))
            style = "green" if result.all_ok else "bold red" if result.containers else "yellow"
            self.query_one("#headline", Static).update(Text(result.headline, style=style))
            self.query_one("#command-line", Static).update(Text("$ " + shlex.join(result.command)))
        await self._show_groups(result.groups if result else [])
        self.shown += 1

    def _probed(self, duration: float) -> str:
        interval = self.watch.policy.interval if self.watch else 0
        live = f"again every {int(interval)}s while open" if self.watch and self.watch.live else "not live"
        if not self.host.show_timings:
            return f"probed with clush, {live}"
        return f"probed with clush at {time.strftime('%H:%M:%S')} in {duration:.1f}s, {live}"

    def _about(self, view: NodesView) -> Text:
        text = Text()
        if view.hosts:
            text.append(f"{len(view.hosts)} node{'' if len(view.hosts) == 1 else 's'}", style="bold")
        result = view.result
        containers = result.containers if result else view.containers
        if containers:
            names = ", ".join(f"{c.name or c.path} at {c.path}" for c in containers)
            text.append(f" · container {names}")
            if result is not None and result.discovered:
                text.append(" (read off the nodes' mount tables; p to choose)", style="dim")
            elif self.watch is not None and self.watch.chosen is not None:
                text.append(" (chosen)", style="dim")
            elif view.learned.source:
                text.append(f" (from {view.learned.source})", style="dim")
        elif view.hosts:
            why = view.learned.source or "the job's script did not say"
            text.append(f" · container not known ({why}): press p to choose it", style="yellow")
        return text

    async def _show_groups(self, groups: list[Group]) -> None:
        holder = self.query_one("#groups", VerticalScroll)
        for collapsible in holder.query(Collapsible):
            if not collapsible.collapsed:
                self._expanded.add(str(collapsible.name))
            else:
                self._expanded.discard(str(collapsible.name))
        await holder.remove_children()
        widgets = []
        for group in groups:
            key = f"{group.state}|{group.summary}"
            widgets.append(
                Collapsible(
                    *group_body(group),
                    title=group_title(group),  # type: ignore[arg-type]
                    collapsed=key not in self._expanded,
                    name=key,
                    classes="group",
                )
            )
        await holder.mount_all(widgets)

    # ------------------------------------------------------------------ actions
    def _result_or_say(self) -> NodesView | None:
        view = self.watch.view if self.watch else None
        if view is None or view.result is None:
            self.notify("Probe the nodes first (r).", severity="warning")
            return None
        return view

    def action_remount(self) -> None:
        from daostui.screens.dialogs import ConfirmScreen

        view = self._result_or_say()
        if view is None or view.result is None:
            return
        nodes_client = self.host.session.nodes
        plans = [(c, self._union(view.result.missing_nodes(c))) for c in view.result.containers if c.pool]
        plans = [(container, nodes) for container, nodes in plans if nodes]
        if not plans:
            self.notify("No node lacks the container: nothing to remount.", timeout=4)
            return
        commands = [nodes_client.argv_remount(nodes, container) for container, nodes in plans]
        count = sum(len(self._expand(nodes)) for _c, nodes in plans)
        where = "; ".join(f"{container.name} on {nodes}" for container, nodes in plans)

        async def work() -> list[ActionResult]:
            return [await nodes_client.remount(nodes, container) for container, nodes in plans]

        def answered(yes: bool | None) -> None:
            if yes:
                self.host.run_with_dialog(
                    f"Remount on {count} node{'' if count == 1 else 's'}",
                    work,
                    commands=commands,
                    success=lambda results: (
                        "\n".join(r.summary() for r in results)
                        + "\n\nstart-dfuse.sh exits 0 even when dfuse fails: the nodes are probed again now."
                    ),
                    then=lambda _r: self.action_reprobe(),
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Remount on the {count} node{'' if count == 1 else 's'} that lost the container?",
                f"start-dfuse.sh runs on those nodes only, as launch-dfuse.sh does: {where}.",
                commands,
                confirm_label="Remount",
            ),
            answered,
        )

    def action_clean(self) -> None:
        from daostui.screens.dialogs import ConfirmScreen

        view = self._result_or_say()
        if view is None or view.result is None:
            return
        containers = [c for c in view.result.containers if c.pool]
        if not containers:
            self.notify("The container is not known: pick it first (p).", severity="warning")
            return
        nodes_client = self.host.session.nodes
        folded = self._union([g.nodes for g in view.result.groups])
        commands = [nodes_client.argv_clean(folded, container) for container in containers]
        names = ", ".join(c.name for c in containers)

        async def work() -> list[ActionResult]:
            return [await nodes_client.clean(folded, container) for container in containers]

        def answered(yes: bool | None) -> None:
            if yes:
                self.host.run_with_dialog(
                    f"Unmount {names} on {view.result.nodes if view.result else 0} nodes",
                    work,
                    commands=commands,
                    success=lambda results: "\n".join(r.summary() for r in results),
                    then=lambda _r: self.action_reprobe(),
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Unmount {names} on every node of the job?",
                "What clean-dfuse.sh does at the end of a job (after an interactive job, before you "
                "leave it): fusermount3 -u on each node. Programs still using it there will fail.",
                commands,
                confirm_label="Unmount everywhere",
                danger=True,
            ),
            answered,
        )

    def action_pick(self) -> None:
        from daostui.screens.pick_container import PickContainerScreen

        view = self.watch.view if self.watch else None
        seen = [c for c in (view.result.containers if view and view.result else ()) if c.pool]

        def picked(choice: tuple[JobContainer, ...] | None) -> None:
            if choice is None or self.watch is None:
                return
            self.watch.choose(choice)  # () checks whatever dfuse mounts the nodes have
            self.action_reprobe()

        self.app.push_screen(PickContainerScreen(seen), picked)

    @staticmethod
    def _expand(nodes: str) -> list[str]:
        return hosts.expand(nodes)

    @staticmethod
    def _union(node_sets: list[str]) -> str:
        return hosts.fold(name for nodes in node_sets for name in hosts.expand(nodes))

    def action_close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.dismiss(None)
