"""Actions on dfuse mounts: mount (from the containers pane) and unmount, after confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from daostui.handlers.selection import selected_key

if TYPE_CHECKING:
    from daostui.app import DaosTui


def new(app: DaosTui) -> None:
    app.main_screen.focus_pane("containers")
    app.notify("Select the container to mount, then press m.", timeout=4)


def unmount_selected(app: DaosTui) -> None:
    path = selected_key(app, "mounts")
    if path:
        confirm_unmount(app, path)


def confirm_unmount(app: DaosTui, path: str) -> None:
    """Unmount `path` once the user said yes (the containers pane's `u` comes here too)."""
    from daostui.screens.dialogs import ConfirmScreen

    mounts = app.session.mounts

    def answered(yes: bool | None) -> None:
        if yes:
            app.run_with_dialog(
                f"Unmount {path}",
                lambda: mounts.unmount(path),
                commands=[mounts.argv_unmount(path)],
                success=lambda _r: f"Unmounted {path}.",
                refresh=("mounts",),
                check=lambda: mounts.check_mounted(path, mounted=False),
            )

    app.push_screen(
        ConfirmScreen(
            f"Unmount {path}?",
            "Processes using files under it will get errors. On login nodes, unmounting what you mounted "
            "matters (ALCF asks users to clean up).",
            [mounts.argv_unmount(path)],
            confirm_label="Unmount",
            cancel_label="Keep mounted",
            danger=True,
        ),
        answered,
    )
