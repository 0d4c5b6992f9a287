"""Step 4, mount on the login node: dfuse makes the container a directory here; a write/read check
proves it works. Optional for the job itself (jobs mount it on their own nodes).

The step never trusts what it remembers: a mount made days ago may be gone (unmounted, a reboot
of the login node), and a write into a bare directory "works" while nothing reaches the
container. So entering the step reads the mounts table again, and the write/read check goes
through `MountsClient.write_check`, which first confirms a dfuse mount is there (and refuses,
saying so, when it is not).
"""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from daostui.core.errors import OutcomeUnknownError
from daostui.mounts.models import Mount
from daostui.screens.wizard.step import WizardStep


class MountStep(WizardStep):
    STEP_ID = "mount"

    def compose(self) -> ComposeResult:
        yield Static("", id="mount-status")
        with Horizontal(classes="row"):
            yield Button("Mount", id="mount", variant="primary")
            yield Button("Write/read check", id="write-check")

    def _path(self) -> str:
        return self.state.mount_path or self.host.session.mounts.default_mount_point(
            self.state.pool, self.state.container
        )

    def _show(self, path: str, mounted: bool | None, note: str = "") -> None:
        """The status lines and buttons for `path`: mounted, not mounted, or not known yet (None)."""
        lines = [f"Container {self.state.pool}/{self.state.container}", f"Mount point: {path}"]
        if mounted:
            lines.append("✓ mounted here (a fuse.daos entry is in the mounts table).")
        elif mounted is False:
            lines.append(note or "Not mounted here yet: press Mount.")
        lines.append(f"To unmount later: fusermount3 -u {path}   (or press d in the mounts pane)")
        lines.append("Mounting is optional for the job itself: jobs mount the container on their own nodes.")
        self.query_one("#mount-status", Static).update(escape("\n".join(lines)))
        self.query_one("#mount", Button).disabled = mounted is not False
        self.query_one("#write-check", Button).disabled = not mounted

    def enter(self) -> None:
        mounts = self.host.session.mounts
        pool, cont = self.state.pool, self.state.container
        self._show(self._path(), None)

        def done(table: list[Mount]) -> str:
            found = next((m.path for m in table if m.pool == pool and m.container == cont), "")
            if found:
                self.state.mount_path = found
                self._show(found, True)
                self.focus_later(self.query_one("#write-check", Button))
                return f"{pool}/{cont} is mounted at {found}."
            note = ""
            if self.state.mount_path:
                # mounted by an earlier visit (or found then), gone now: nothing written there is in the container
                note = (
                    f"✗ {self.state.mount_path} is no longer a dfuse mount (unmounted since): "
                    "press Mount to mount it again."
                )
                self.state.mounted_by_wizard = False
                self.state.write_checked = False
            self._show(self._path(), False, note)
            self.wizard.set_commands(mounts.argv_mount(pool, cont, self._path()))
            self.focus_later(self.query_one("#mount", Button))
            return f"{pool}/{cont} is not mounted here."

        self.wizard.run("Reading the mounts table", [mounts.argv_list()], mounts.list, done)

    @on(Button.Pressed, "#mount")
    def _mount(self) -> None:
        mounts = self.host.session.mounts
        pool, cont = self.state.pool, self.state.container
        path = self._path()

        def done(mount: Mount) -> str:
            self.state.mount_path = mount.path or path
            self.state.mounted_by_wizard = True
            self.host.refresh_pane("mounts")
            self._show(self.state.mount_path, True)
            self.query_one("#write-check", Button).focus()
            return f"Mounted: the dfuse entry for {self.state.mount_path} is in the mounts table."

        def failed(exc: BaseException) -> None:
            if isinstance(exc, OutcomeUnknownError):
                # start-dfuse.sh may have run: look at the mounts table before mounting again
                self.wizard.verify(
                    f"Checking whether {path} was mounted",
                    [mounts.argv_list()],
                    lambda: mounts.check_mounted(path),
                    lambda _check: done(Mount(path=path, pool=pool, container=cont)),
                )

        self.wizard.run(
            f"Mounting {pool}/{cont}",
            mounts.argv_mount(pool, cont, path),
            lambda: mounts.mount(pool, cont, path),
            done,
            failed,
        )

    @on(Button.Pressed, "#write-check")
    def _write_check(self) -> None:
        mounts = self.host.session.mounts
        path = self._path()

        def done(text: str) -> str:
            self.state.write_checked = True
            self.wizard.focus_next_button()
            return f"Wrote and read back {mounts.check_file(path)}: {text.strip()!r}. The mount works."

        def failed(_exc: BaseException) -> None:
            # the check refused or failed: it proved nothing, and the table may have changed: look again
            self.state.write_checked = False

        self.wizard.run(
            "Write/read check",
            mounts.argv_write_check(path),
            lambda: mounts.write_check(path),
            done,
            failed,
        )
