"""Step 1, environment: `daos` runs, the DAOS agent answers, and which pools the user can see.

When `daos` is missing it says which module provides it and offers to run the site's module
prelude before every command; when no pool is visible it offers the allocation request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from daostui.core.errors import CommandError, DaosError, TransportError
from daostui.screens.wizard.step import Wizard, WizardStep

if TYPE_CHECKING:
    from daostui.daos.models import Pool


class EnvironmentStep(WizardStep):
    STEP_ID = "environment"

    def __init__(self, wizard: Wizard) -> None:
        super().__init__(wizard)
        #: True once `daos` ran, the agent answered and at least one pool is visible.
        self.ok = False

    def compose(self) -> ComposeResult:
        yield Static("", id="env-status")
        with Horizontal(classes="row"):
            yield Button("Check again", id="env-check")
            yield Button("Use the module prelude", id="env-prelude")
            yield Button("Request a pool allocation", id="env-request")

    def enter(self) -> None:
        self.query_one("#env-request").display = False
        self.query_one("#env-prelude").display = False
        if not self.ok:
            self.check()

    def problem(self) -> str:
        return "" if self.ok else "DAOS is not usable yet: fix what the check says, then Check again."

    @on(Button.Pressed, "#env-check")
    def check(self) -> None:
        session = self.host.session
        daos = session.daos
        commands = [daos.argv_version(), daos.argv_pool_list()]
        self.query_one("#env-status", Static).update("Checking DAOS…")

        async def work() -> list[Pool]:
            await daos.version()
            return await daos.pool_list()

        def done(pools: list[Pool]) -> str:
            self.wizard.pools = pools
            self.ok = True
            lines = ["✓ `daos` runs" + (" (through the module prelude)" if session.uses_prelude else "")]
            lines.append("✓ the DAOS agent answers")
            if pools:
                lines.append(f"✓ {len(pools)} pool(s) visible: " + ", ".join(p.name for p in pools))
            else:
                self.ok = False
                lines.append(
                    "✗ no pool is visible to you. Pools are allocated by ALCF support: send them a request "
                    "(project, user names, total space, justification, preferred pool name)."
                )
                self.query_one("#env-request").display = True
            self.query_one("#env-status", Static).update(escape("\n".join(lines)))
            return "Environment checked." if pools else "No pool yet: request one to continue."

        def failed(exc: BaseException) -> None:
            self.ok = False
            self.query_one("#env-status", Static).update(escape(self._advice(exc)))

        self.wizard.run("Checking the environment", commands, work, done, failed)

    def _advice(self, exc: BaseException) -> str:
        """What the failed check means on Aurora, and what to do about it."""
        session = self.host.session
        prelude = "; ".join(session.site.module_prelude)
        if isinstance(exc, CommandError) and exc.result is not None and exc.result.exit_status == 127:
            can_offer = hasattr(session.transport, "prelude") and not session.uses_prelude
            self.query_one("#env-prelude").display = can_offer
            return (
                "✗ `daos` was not found. On Aurora it comes from a module: run\n"
                f"    {prelude}\nbefore using DAOS."
                + (
                    " Press 'Use the module prelude' and daostui runs it before every command."
                    if can_offer
                    else ""
                )
            )
        if isinstance(exc, DaosError) and exc.der_name in (
            "DER_AGENT_COMM",
            "DER_AGENT_INCOMPAT",
            "DER_UNREACH",
        ):
            return (
                f"✗ the DAOS agent on this node did not answer ({exc.der_name}). Login nodes run it for you: "
                "try another login node, or report it to support@alcf.anl.gov."
            )
        if isinstance(exc, TransportError):
            return f"✗ could not run commands: {exc}"
        return "✗ DAOS check failed; the error below says what to do."

    @on(Button.Pressed, "#env-prelude")
    def _use_prelude(self) -> None:
        """From now on every command runs after the site's module lines (as on a login node)."""
        from daostui.transport.base import Prelude

        session = self.host.session
        session.transport.prelude = Prelude(lines=tuple(session.site.module_prelude))  # type: ignore[attr-defined]
        session.uses_prelude = True
        self.query_one("#env-prelude").display = False
        self.check()

    @on(Button.Pressed, "#env-request")
    def _request_pool(self) -> None:
        from daostui.screens.pool_request import PoolRequestScreen

        self.app.push_screen(PoolRequestScreen())
