"""Step 4, mount on the login node: dfuse makes the container a directory here; a write/read check
proves it works. Optional for the job itself (jobs mount it on their own nodes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from daostui.screens.wizard.step import WizardStep

if TYPE_CHECKING:
    from daostui.mounts.models import Mount


class MountStep(WizardStep):
    STEP_ID = "mount"

    def compose(self) -> ComposeResult:
        yield Static("", id="mount-status")
        with Horizontal(classes="row"):
            yield Button("Mount", id="mount", variant="primary")
            yield Button("Write/read check", id="write-check")

    def _existing_mount(self) -> str:
        """Where the container is already mounted here, per the mounts table ("" when it is not)."""
        return self.host.data.mount_for(self.state.pool, self.state.container)

    def enter(self) -> None:
        mounts = self.host.session.mounts
        existing = self._existing_mount()
        path = (
            existing
            or self.state.mount_path
            or mounts.default_mount_point(self.state.pool, self.state.container)
        )
        if not existing and self.state.mount_path and not self.state.mounted_by_wizard:
            self.state.mount_path = ""
        lines = [f"Container {self.state.pool}/{self.state.container}", f"Mount point: {path}"]
        if existing:
            self.state.mount_path = existing
            lines.append("✓ already mounted here (a fuse.daos entry is in the mounts table).")
        lines.append(f"To unmount later: fusermount3 -u {path}   (or press d in the mounts pane)")
        lines.append("Mounting is optional for the job itself: jobs mount the container on their own nodes.")
        self.query_one("#mount-status", Static).update(escape("\n".join(lines)))
        self.query_one("#mount", Button).disabled = bool(existing)
        self.query_one("#write-check", Button).disabled = not (existing or self.state.mount_path)
        if not existing:
            self.wizard.set_commands(mounts.argv_mount(self.state.pool, self.state.container, path))
        self.call_after_refresh(self.query_one("#write-check" if existing else "#mount", Button).focus)

    @on(Button.Pressed, "#mount")
    def _mount(self) -> None:
        mounts = self.host.session.mounts
        pool, cont = self.state.pool, self.state.container
        path = mounts.default_mount_point(pool, cont)

        def done(mount: Mount) -> str:
            self.state.mount_path = mount.path or path
            self.state.mounted_by_wizard = True
            self.host.refresh_pane("mounts")
            self.query_one("#mount", Button).disabled = True
            self.query_one("#write-check", Button).disabled = False
            self.query_one("#write-check", Button).focus()
            return f"Mounted: the dfuse entry for {self.state.mount_path} is in the mounts table."

        self.wizard.run(
            f"Mounting {pool}/{cont}",
            mounts.argv_mount(pool, cont, path),
            lambda: mounts.mount(pool, cont, path),
            done,
        )

    @on(Button.Pressed, "#write-check")
    def _write_check(self) -> None:
        mounts = self.host.session.mounts
        path = self.state.mount_path or self._existing_mount()
        if not path:
            return

        def done(text: str) -> str:
            self.state.write_checked = True
            self.wizard.focus_next_button()
            return f"Wrote and read back {mounts.check_file(path)}: {text.strip()!r}. The mount works."

        self.wizard.run(
            "Write/read check", mounts.argv_write_check(path), lambda: mounts.write_check(path), done
        )
