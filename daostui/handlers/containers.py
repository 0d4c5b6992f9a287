"""Actions on containers: create, destroy, mount, unmount, copy to or from flare, share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from daostui.handlers.mounts import confirm_unmount
from daostui.handlers.selection import selected_container

if TYPE_CHECKING:
    from daostui.app import DaosTui
    from daostui.daos.copying import CopyRequest
    from daostui.daos.presets import ContainerCreateRequest


def create(app: DaosTui) -> None:
    from daostui.screens.create_container import CreateContainerScreen

    pool = app.data.selected_pool
    if not pool:
        app.notify("Select a pool first (1).", severity="warning")
        return
    existing = {r.label for r in app.data.containers.get(pool, [])}

    def created(request: ContainerCreateRequest | None) -> None:
        if request is None:
            return
        daos = app.session.daos
        app.run_with_dialog(
            f"Create container {request.label} in {pool}",
            lambda: daos.cont_create(request),
            commands=[daos.argv_cont_create(request)],
            success=lambda info: f"Created container {request.label} ({getattr(info, 'uuid', '')}).",
            refresh=("containers", "pools"),
            then=lambda _info: app.jump("containers", request.label),
            check=lambda: daos.check_container(pool, request.label, created=True),
        )

    app.push_screen(CreateContainerScreen(pool, existing), created)


def destroy(app: DaosTui) -> None:
    from daostui.screens.dialogs import TypeToConfirmScreen

    row = selected_container(app)
    if row is None:
        return
    pool, daos = row.pool, app.session.daos
    label = row.label or row.uuid
    # the checkbox label stays short (a Checkbox does not wrap): where it is mounted goes in the message
    mounted = "destroy it although it is mounted" if row.mount_path else ""
    where = (
        f"\n\nIt is mounted at {row.mount_path}: destroying it needs --force, and open files under it "
        "then get errors."
        if row.mount_path
        else ""
    )

    def answered(value: tuple[bool, bool] | None) -> None:
        if not value or not value[0]:
            return
        force = value[1]
        app.run_with_dialog(
            f"Destroy container {label}",
            lambda: daos.cont_destroy(pool, label, force=force),
            commands=[daos.argv_cont_destroy(pool, label, force=force)],
            success=lambda _r: f"Destroyed container {label}.",
            refresh=("containers", "pools", "mounts"),
            check=lambda: daos.check_container(pool, label, created=False),
        )

    app.push_screen(
        TypeToConfirmScreen(
            f"Destroy container {label}?",
            f"This permanently deletes container {label} ({row.uuid}) in pool {pool} and ALL its data."
            + where,
            label,
            lambda force: [daos.argv_cont_destroy(pool, label, force=force)],
            offer_force=mounted,
            confirm_label="Destroy container",
            cancel_label="Keep container",
        ),
        answered,
    )


def mount(app: DaosTui) -> None:
    row = selected_container(app)
    if row is None:
        return
    pool, mounts = row.pool, app.session.mounts
    label = row.label or row.uuid
    path = mounts.default_mount_point(pool, label)
    app.run_with_dialog(
        f"Mount {pool}/{label}",
        lambda: mounts.mount(pool, label, path),
        commands=mounts.argv_mount(pool, label, path),
        success=lambda _m: f"Mounted at {path}. Unmount with: fusermount3 -u {path}",
        refresh=("mounts",),
        check=lambda: mounts.check_mounted(path, mounted=True),
    )


def unmount(app: DaosTui) -> None:
    row = selected_container(app)
    if row is not None and row.mount_path:  # the registry refused it otherwise (`applies`)
        confirm_unmount(app, row.mount_path)


def copy(app: DaosTui) -> None:
    """Back up a container to flare, or stage data from flare into it (`daos filesystem copy`)."""
    from daostui.daos import copying
    from daostui.screens.copy_data import CopyDataScreen

    row = selected_container(app)
    if row is None:
        return
    daos = app.session.daos

    def chosen(request: CopyRequest | None) -> None:
        if request is None:
            return
        app.run_with_dialog(
            request.title,
            lambda: copying.perform_copy(daos, request),
            commands=copying.copy_commands(daos, request),
            success=lambda report: report.summary(timings=app.show_timings),
            refresh=("containers", "pools") if request.direction == copying.FROM_FLARE else (),
        )

    app.push_screen(CopyDataScreen(row.pool, row.label or row.uuid), chosen)


def share(app: DaosTui) -> None:
    """Show who may open the container and share it (`daos cont update-acl` / `delete-acl`)."""
    from daostui.screens.acl_editor import AclScreen

    row = selected_container(app)
    if row is not None:
        app.push_screen(AclScreen(row.pool, row.label or row.uuid))
