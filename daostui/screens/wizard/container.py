"""Step 3, container: use an existing POSIX container or create one.

The label is checked as DAOS checks it (and against the pool's containers) as it is typed; the
presets explain their redundancy trade-off; the exact `daos container create` line is shown before
anything runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from daostui.core.errors import OutcomeUnknownError, ValidationError
from daostui.daos.labels import label_problem
from daostui.daos.models import ContainerRef
from daostui.daos.presets import PRESETS, ContainerCreateRequest
from daostui.screens.wizard.step import Wizard, WizardStep

if TYPE_CHECKING:
    from daostui.daos.models import ContainerInfo

#: The option id of "create a new container" in the list.
NEW_CONTAINER = "__new__"


class ContainerStep(WizardStep):
    STEP_ID = "container"

    def __init__(self, wizard: Wizard) -> None:
        super().__init__(wizard)
        #: The containers of the chosen pool (listed on entering the step).
        self.containers: list[ContainerRef] = []

    def compose(self) -> ComposeResult:
        yield Label("Use an existing container, or create a new one:")
        yield OptionList(id="containers")
        with Vertical(id="new-container"):
            yield Label("New container label (1–127 of A–Z a–z 0–9 . _ : -, not a UUID):")
            yield Input(placeholder="e.g. my_experiment", id="label")
            yield Static("", id="label-problem", classes="problem")
            with RadioSet(id="preset"):
                for index, (key, preset) in enumerate(PRESETS.items()):
                    yield RadioButton(f"{preset.title} — {preset.tradeoff}", value=index == 0, name=key)
            yield Button("Create container", id="create", variant="primary", disabled=True)

    def enter(self) -> None:
        daos = self.host.session.daos
        pool = self.state.pool
        options = self.query_one("#containers", OptionList)
        options.clear_options()
        options.add_option(Option("(loading containers…)", id="__loading__", disabled=True))
        self._label_changed()

        def done(refs: list[ContainerRef]) -> str:
            self.containers = list(refs)
            options.clear_options()
            options.add_option(Option("+ Create a new container (type its label below)", id=NEW_CONTAINER))
            for ref in refs:
                options.add_option(self._option(ref))
            options.highlighted = 0  # "+ Create a new container" unless one was chosen before
            if self.state.container:
                try:
                    options.highlighted = options.get_option_index(self.state.container)
                except OptionDoesNotExist:  # it was destroyed meanwhile
                    self.state.container = ""
            self._label_changed()
            # an existing container to pick: the list has the focus; none yet: straight to the label
            self.focus_later(options if refs else self.query_one("#label", Input))
            return f"{len(refs)} container(s) in {pool}."

        self.wizard.run(
            f"Listing containers of {pool}", [daos.argv_cont_list(pool)], lambda: daos.cont_list(pool), done
        )

    @staticmethod
    def _option(ref: ContainerRef) -> Option:
        return Option(escape(f"{ref.label:<24} {ref.uuid}"), id=ref.label or ref.uuid)

    def problem(self) -> str:
        return "" if self.state.container else "Pick an existing container or create one first."

    @on(OptionList.OptionSelected, "#containers")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == NEW_CONTAINER:
            self.query_one("#label", Input).focus()
            return
        self.state.container = event.option.id or ""
        self.state.created_container = False
        self.wizard.set_outcome(f"✓ Using existing container {self.state.container}. Press Next.", "ok")
        self.wizard.save()

    def _preset_key(self) -> str:
        pressed = self.query_one("#preset", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else next(iter(PRESETS))

    def _create_request(self) -> tuple[ContainerCreateRequest | None, str]:
        """(the request, "") when the label and preset make a valid one, else (None, the problem)."""
        label = self.query_one("#label", Input).value.strip()
        if not label:
            return None, ""
        problem = label_problem(label)
        if problem:
            return None, problem
        if any(label == ref.label for ref in self.containers):
            return (
                None,
                f"{label!r} already exists in {self.state.pool}: pick it above or choose another label",
            )
        request = PRESETS[self._preset_key()].request(self.state.pool, label)
        try:
            request.validate()
        except ValidationError as exc:
            return None, str(exc)
        return request, ""

    @on(Input.Changed, "#label")
    @on(RadioSet.Changed, "#preset")
    def _label_changed(self) -> None:
        request, problem = self._create_request()
        self.query_one("#label-problem", Static).update(escape(("✗ " + problem) if problem else ""))
        self.query_one("#create", Button).disabled = request is None or self.wizard.busy
        if request is not None:
            self.wizard.set_commands([self.host.session.daos.argv_cont_create(request)])

    @on(Input.Submitted, "#label")
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        request, problem = self._create_request()
        if request is None:
            if problem:
                self.wizard.set_outcome("✗ " + problem, "error")
            return
        daos = self.host.session.daos

        def done(info: ContainerInfo | ContainerRef) -> str:
            self.state.container = request.label
            self.state.created_container = True
            self.state.preset = self._preset_key()
            ref = ContainerRef(uuid=info.uuid, label=request.label)
            self.containers.append(ref)
            # the list shows it, chosen; the label field is emptied (it is no longer a new label)
            options = self.query_one("#containers", OptionList)
            options.add_option(self._option(ref))
            options.highlighted = options.get_option_index(request.label)
            self.query_one("#label", Input).value = ""
            self.host.refresh_pane("containers")
            self.host.refresh_pane("pools")
            self.wizard.focus_next_button()
            return f"Created container {request.label} in {request.pool}. Press Next to mount it."

        def failed(exc: BaseException) -> None:
            if isinstance(exc, OutcomeUnknownError):
                # a second create would fail with DER_EXIST (or make a twin): look first
                self.wizard.verify(
                    f"Checking whether {request.label} was created",
                    [daos.argv_cont_list(request.pool)],
                    lambda: daos.check_container(request.pool, request.label, created=True),
                    lambda _check: done(ContainerRef(uuid="", label=request.label)),
                )

        self.wizard.run(
            f"Creating container {request.label}",
            [daos.argv_cont_create(request)],
            lambda: daos.cont_create(request),
            done,
            failed,
        )
