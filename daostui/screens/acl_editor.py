"""Share a container: its ACL in words, add or change an entry, remove one.

Sharing on Aurora is `daos cont update-acl --entry A::alice@:rwt` (or `A:G:users@:rwta`) and
`daos cont delete-acl --principal u:alice@` (aurora-daos.md "Sharing"). The letters are cryptic
and case-sensitive (t get-prop, T set-prop), so every entry is explained, names and letters are
checked before anything runs, removal asks first, and the POSIX step people forget (the ACL opens
the container, the files keep their modes) is spelled out.
"""

from __future__ import annotations

import shlex

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Collapsible, DataTable, Input, Label, RadioButton, RadioSet, Static

from daostui.core.errors import ValidationError
from daostui.core.failures import report_failure
from daostui.daos.acl import (
    OWNER,
    POSIX_ADVICE,
    PRESETS,
    Ace,
    advice,
    describe_permissions,
    make_ace,
    normalize_permissions,
    parse_acl,
    permissions_legend,
    short_permissions,
)
from daostui.screens.base import DialogScreen
from daostui.screens.dialogs import ConfirmScreen

CUSTOM = "custom"


class AclScreen(DialogScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close"), Binding("delete", "remove", "Remove entry")]

    def __init__(self, pool: str, cont: str) -> None:
        super().__init__()
        self.pool = pool
        self.cont = cont
        self.entries: list[Ace] = []
        self.loaded = False
        self.load_error = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide -tall"):
            yield Label(f"Share container {self.pool}/{self.cont}", classes="title")
            # the form scrolls; its buttons stay in view (a 24-line terminal too)
            with VerticalScroll(id="body"):
                yield from self._form()
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close")
                yield Button("Remove selected", id="remove", variant="error", disabled=True)
                yield Button("Add / update", id="add", variant="primary", disabled=True)

    def _form(self) -> ComposeResult:
        yield Static("Loading the ACL…", id="owner")
        table: DataTable[str] = DataTable(id="acl", cursor_type="row", zebra_stripes=True)
        table.add_columns("Entry", "Who", "Grants")
        yield table
        yield Label("Add or change an entry (same principal: its letters are replaced):")
        with RadioSet(id="kind"):
            yield RadioButton("user", value=True, name="user")
            yield RadioButton("group (G flag)", name="group")
        yield Input(placeholder="ALCF user or group name, e.g. alice (or EVERYONE@)", id="name")
        with RadioSet(id="preset"):
            for index, (key, (letters, why)) in enumerate(PRESETS.items()):
                yield RadioButton(f"{key} ({letters}): {why}", value=index == 0, name=key)
            yield RadioButton("custom letters", name=CUSTOM)
        yield Input(value=next(iter(PRESETS.values()))[0], placeholder="rwdtTaAo", id="perms")
        yield Static("", id="meaning")
        yield Static(escape("Letters: " + permissions_legend()), id="legend")
        yield Static("", id="problem")
        yield Static("", id="notes")
        yield Static("", id="preview")
        with Collapsible(title="After sharing: POSIX modes of the shared directory (chmod)", collapsed=True):
            yield Static(escape(POSIX_ADVICE), id="posix")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self._update()
        self.reload()

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        """Read the ACL again from `daos cont get-prop` (after a change, or on open)."""
        self.run_worker(self._load, group="acl", exclusive=True, exit_on_error=False)

    async def _load(self) -> None:
        daos = self.host.session.daos
        try:
            props = await daos.cont_get_prop(self.pool, self.cont)
        except Exception as exc:  # noqa: BLE001 - any failure is shown in the dialog
            failure = report_failure(exc, f"ACL of {self.pool}/{self.cont}", timings=self.host.show_timings)
            self.load_error = failure.headline
            self.loaded = True
            self.query_one("#owner", Static).update(escape(failure.text(prefix="✗ ", limit=4)))
            return
        self.load_error = ""
        self.entries = parse_acl(props.acl)
        group = str(props.get("group") or "")
        owner = props.owner
        self.query_one("#owner", Static).update(
            escape(f"Owner: {owner or '?'}   Owner group: {group or '?'}   ({len(self.entries)} entries)")
        )
        table = self.query_one("#acl", DataTable)
        table.clear()
        for ace in self.entries:
            special = ace.kind not in ("user", "group")
            who = f"{ace.principal} ({ace.kind})" if special else f"{ace.kind} {ace.principal}"
            table.add_row(str(ace), who, short_permissions(ace.permissions), key=str(ace))
        self.loaded = True
        self._update()

    # ------------------------------------------------------------------ form
    def _kind(self) -> str:
        pressed = self.query_one("#kind", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else "user"

    def entry(self) -> Ace:
        """The entry the form describes; ValidationError names the broken rule."""
        return make_ace(
            self._kind(), self.query_one("#name", Input).value, self.query_one("#perms", Input).value
        )

    def selected(self) -> Ace | None:
        table = self.query_one("#acl", DataTable)
        if not self.entries or table.row_count == 0:
            return None
        row = table.cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    @on(RadioSet.Changed, "#preset")
    def _preset(self, event: RadioSet.Changed) -> None:
        key = event.pressed.name or ""
        if key in PRESETS:
            self.query_one("#perms", Input).value = PRESETS[key][0]
        else:
            self.query_one("#perms", Input).focus()
        self._update()

    @on(Input.Changed)
    @on(RadioSet.Changed, "#kind")
    @on(DataTable.RowHighlighted)
    def _update(self) -> None:
        problem, preview, notes, meaning = "", "", [], ""
        perms = self.query_one("#perms", Input).value.strip()
        if perms:
            meaning = "Grants: " + describe_permissions(perms)
        name = self.query_one("#name", Input).value.strip()
        try:
            ace = self.entry()
        except ValidationError as exc:
            problem = str(exc) if name else ""
            if not name and perms:
                try:
                    normalize_permissions(perms)
                except ValidationError as perms_exc:
                    problem = str(perms_exc)
        else:
            meaning = ace.describe()
            notes = advice(ace)
            preview = "$ " + shlex.join(
                self.host.session.daos.argv_cont_update_acl(self.pool, self.cont, str(ace))
            )
        readonly = self.host.session.readonly
        if readonly:
            problem = "read-only session: the ACL cannot be changed"
        self.query_one("#meaning", Static).update(escape(meaning))
        self._show("#problem", problem)
        self._show("#notes", "\n".join(f"! {n}" for n in notes))
        self.query_one("#preview", Static).update(escape(preview))
        self.query_one("#add", Button).disabled = bool(problem) or not preview or readonly
        self.query_one("#remove", Button).disabled = readonly or self.selected() is None

    def _show(self, selector: str, text: str) -> None:
        """Empty messages take no room: the form is long enough already."""
        widget = self.query_one(selector, Static)
        widget.update(escape(text))
        widget.display = bool(text)

    # ------------------------------------------------------------------ actions
    @on(Input.Submitted)
    @on(Button.Pressed, "#add")
    def action_add(self) -> None:
        if self.host.session.readonly:
            return
        try:
            ace = self.entry()
        except ValidationError as exc:
            self._show("#problem", str(exc))
            return
        daos = self.host.session.daos
        pool, cont, text = self.pool, self.cont, str(ace)
        self.host.run_with_dialog(
            f"Share {pool}/{cont}: {text}",
            lambda: daos.cont_update_acl(pool, cont, text),
            commands=[daos.argv_cont_update_acl(pool, cont, text)],
            success=lambda _r: f"Added {text}: {ace.describe()}.\n\n{POSIX_ADVICE}",
            refresh=("containers",),
            then=lambda _r: self.reload(),
        )

    @on(Button.Pressed, "#remove")
    def action_remove(self) -> None:
        if self.host.session.readonly:
            return
        ace = self.selected()
        if ace is None:
            self.app.notify("Select an entry in the table first.", severity="warning")
            return
        if ace.principal == OWNER:
            self._show(
                "#problem", "OWNER@ is not removed from here: it could lock you out of your own container."
            )
            return
        daos = self.host.session.daos
        pool, cont, principal = self.pool, self.cont, ace.delete_principal
        argv = daos.argv_cont_delete_acl(pool, cont, principal)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            self.host.run_with_dialog(
                f"Unshare {pool}/{cont}: {principal}",
                lambda: daos.cont_delete_acl(pool, cont, principal),
                commands=[argv],
                success=lambda _r: f"Removed {principal} from the ACL of {cont}.",
                refresh=("containers",),
                then=lambda _r: self.reload(),
            )

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {ace.principal} from {cont}'s ACL?",
                f"{ace.describe()}. After removal they can no longer open the container "
                "(unless another entry, e.g. a group or EVERYONE@, still grants it).",
                [argv],
                confirm_label="Remove",
                danger=True,
            ),
            answered,
        )

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
