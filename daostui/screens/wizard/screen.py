"""The guided wizard: environment → pool → container → mount → job script → submit and monitor.

Each step says in a few lines what it does and why, shows the exact commands before running them,
runs them in an App-owned worker (the UI never waits) and shows the outcome with the same failure
text as every other action. Progress is saved to the state dir after every change, so `esc`
leaves without losing anything and reopening offers to resume. State and the summary live in the
Textual-free `daostui.core.wizard_progress`; this screen only shows them and sends intents to the clients.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Input,
    Label,
    LoadingIndicator,
    OptionList,
    RadioButton,
    RadioSet,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from daostui.core import paths
from daostui.core.errors import CommandError, DaosError, DaostuiError, TransportError, ValidationError
from daostui.core.failures import report_failure
from daostui.core.units import human_bytes
from daostui.core.wizard_progress import STEPS, WizardState, clear_state, load_state, save_state, summary
from daostui.daos.labels import label_problem
from daostui.daos.models import ContainerRef
from daostui.daos.presets import PRESETS, ContainerCreateRequest
from daostui.pbs.jobscript import save_script, script_filename
from daostui.screens.base import HostAccess
from daostui.screens.dialogs import ConfirmScreen, command_lines
from daostui.widgets.job_form import JobDefaults, JobForm

JOB_FIELDS = ("project", "queue", "name", "nodes", "walltime", "ranks", "interception", "program", "args")
NEW_CONTAINER = "__new__"


def pool_note(pool: Any) -> str:
    """What a pool's flags mean for the user, in one or two sentences."""
    notes = []
    if pool.degraded:
        notes.append(
            f"{pool.name} is Degraded ({pool.disabled_targets} target(s) disabled): data is being rebuilt "
            "from redundancy; it works but is slower, and containers with rd_fac:0 may have lost data."
        )
    if pool.rebuilding:
        notes.append(f"{pool.name} is rebuilding: expect lower bandwidth until it finishes.")
    if pool.nearly_full:
        notes.append(
            f"{pool.name} is nearly full (min free per target {human_bytes(pool.min_free_per_target)}): "
            "writes fail with DER_NOSPACE when any one target fills up. Clean up or ask for more space."
        )
    return "\n".join(notes)


class WizardScreen(Screen[str | None], HostAccess):
    """Dismissed with the id of the job it submitted when the user presses Finish (else None)."""

    BINDINGS = [
        Binding("escape", "leave", "Leave (saved)"),
        Binding("ctrl+n", "next", "Next step"),
        Binding("ctrl+b", "back", "Previous step"),
    ]

    def __init__(self, *, resume: bool | None = None) -> None:
        super().__init__()
        self.state_file = paths.wizard_state_file()
        self.state = WizardState()
        self._ask_resume = resume
        self.busy = False
        self._pools: list[Any] = []
        self._containers: list[Any] = []
        self.env_ok = False

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Label("", id="wiz-title")
        with Horizontal(id="wiz-main"):
            yield Static("", id="steps")
            with VerticalScroll(id="body"):
                yield Static("", id="why")
                with ContentSwitcher(initial="step-environment"):
                    with Vertical(id="step-environment"):
                        yield Static("", id="env-status")
                        with Horizontal(classes="row"):
                            yield Button("Check again", id="env-check")
                            yield Button("Use the module prelude", id="env-prelude")
                            yield Button("Request a pool allocation", id="env-request")
                    with Vertical(id="step-pool"):
                        yield Label("Pick the pool for your data:")
                        yield OptionList(id="pools")
                        yield Static("", id="pool-note", classes="note")
                    with Vertical(id="step-container"):
                        yield Label("Use an existing container, or create a new one:")
                        yield OptionList(id="containers")
                        with Vertical(id="new-container"):
                            yield Label("New container label (1–127 of A–Z a–z 0–9 . _ : -, not a UUID):")
                            yield Input(placeholder="e.g. my_experiment", id="label")
                            yield Static("", id="label-problem", classes="problem")
                            with RadioSet(id="preset"):
                                for index, (key, preset) in enumerate(PRESETS.items()):
                                    yield RadioButton(
                                        f"{preset.title} — {preset.tradeoff}", value=index == 0, name=key
                                    )
                            yield Button("Create container", id="create", variant="primary", disabled=True)
                    with Vertical(id="step-mount"):
                        yield Static("", id="mount-status")
                        with Horizontal(classes="row"):
                            yield Button("Mount", id="mount", variant="primary")
                            yield Button("Write/read check", id="write-check")
                    with Vertical(id="step-job"):
                        yield Static("", id="job-form-slot")
                        yield Label("Script preview (saved before anything is submitted):")
                        yield TextArea("", read_only=True, id="script-preview")
                        with Horizontal(classes="row"):
                            yield Button("Save script", id="save-script")
                        yield Static("", id="saved", classes="note")
                    with Vertical(id="step-submit"):
                        yield Static("", id="submit-status")
                        with Horizontal(classes="row"):
                            yield Button("Submit with qsub", id="submit", variant="primary")
                            yield Button("Finish: follow my job", id="finish", variant="success")
                        yield Static("", id="summary")
                yield Static("", id="commands")
                yield LoadingIndicator(id="progress")
                yield Static("", id="outcome")
        with Horizontal(id="nav"):
            yield Button("◀ Back", id="back")
            yield Button("Next ▶", id="next", variant="primary")
            yield Button("Leave (esc)", id="leave")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        saved = load_state(self.state_file)
        if saved.resumable and self._ask_resume is None:

            def answered(yes: bool | None) -> None:
                self._start(saved if yes else WizardState())

            self.app.push_screen(
                ConfirmScreen(
                    "Resume the guided setup?",
                    f"You left at step {saved.step + 1} ({STEPS[saved.step].title})"
                    + (f" with pool {saved.pool}" if saved.pool else "")
                    + (f" and container {saved.container}" if saved.container else "")
                    + ". Resume there, or start over?",
                    confirm_label="Resume",
                ),
                answered,
            )
        else:
            self._start(saved if (self._ask_resume and saved.resumable) else WizardState())

    def _start(self, state: WizardState) -> None:
        self.state = state
        self._show_step()

    # ------------------------------------------------------------------ navigation
    def _show_step(self) -> None:
        step = STEPS[self.state.step]
        self.query_one("#wiz-title", Label).update(
            f"Guided setup — step {self.state.step + 1} of {len(STEPS)}: {step.title}"
        )
        lines = []
        for index, item in enumerate(STEPS):
            mark = "▶" if index == self.state.step else ("✓" if index < self.state.step else " ")
            lines.append(f"{mark} {index + 1}. {item.title}")
        self.query_one("#steps", Static).update("\n".join(lines))
        self.query_one("#why", Static).update(escape(step.why))
        self.query_one(ContentSwitcher).current = f"step-{step.id}"
        self._set_commands([])
        self._set_outcome("", "")
        self.query_one("#back", Button).disabled = self.state.step == 0
        self.query_one("#next", Button).display = self.state.step < len(STEPS) - 1
        getattr(self, f"_enter_{step.id}")()
        save_state(self.state_file, self.state)

    def _can_leave_step(self) -> str:
        """Why Next is refused on this step ('' when it is allowed)."""
        step = self.state.step_id
        if step == "environment" and not self.env_ok:
            return "DAOS is not usable yet: fix what the check says, then Check again."
        if step == "pool" and not self.state.pool:
            return "Pick a pool first."
        if step == "container" and not self.state.container:
            return "Pick an existing container or create one first."
        if step == "job" and not self.state.script_path:
            return self._save_script() or ""
        return ""

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        if self.busy or self.state.step >= len(STEPS) - 1:
            return
        problem = self._can_leave_step()
        if problem:
            self._set_outcome("✗ " + problem, "error")
            return
        self.state.step += 1
        self._show_step()

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        if self.busy or self.state.step == 0:
            return
        if self.state.step_id == "job":
            self._remember_job_fields()
        self.state.step -= 1
        self._show_step()

    @on(Button.Pressed, "#leave")
    def action_leave(self) -> None:
        if self.state.step_id == "job":
            self._remember_job_fields()
        if not self.state.finished:
            save_state(self.state_file, self.state)
            self.notify("Guided setup saved: press w to resume where you left off.", timeout=4)
        self.dismiss(None)

    # ------------------------------------------------------------------ running commands
    def _set_commands(self, commands: Sequence[Sequence[str]]) -> None:
        text = ("Runs:\n" + command_lines(commands)) if commands else ""
        self.query_one("#commands", Static).update(escape(text))

    def _set_outcome(self, text: str, css: str) -> None:
        outcome = self.query_one("#outcome", Static)
        outcome.set_classes(css)
        outcome.update(escape(text))

    def _run(
        self,
        title: str,
        commands: Sequence[Sequence[str]],
        work: Callable[[], Awaitable[Any]],
        done: Callable[[Any], str],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Show the commands, run `work` in the background with progress, show the outcome."""
        if self.busy:
            return
        self.busy = True
        self._set_commands(commands)
        self._set_outcome(f"{title}…", "")
        self.query_one("#progress").display = True

        async def runner() -> None:
            try:
                value = await work()
            except Exception as exc:  # noqa: BLE001 - every failure is shown, none ends the app
                failure = report_failure(exc, f"wizard: {title}", timings=self.host.show_timings)
                if self.is_attached:
                    self._set_outcome(failure.text(prefix="✗ "), "error")
                if failed is not None:
                    failed(exc)
            else:
                message = done(value)
                if self.is_attached:
                    self._set_outcome("✓ " + message, "ok")
            finally:
                self.busy = False
                self.host.action_finished()
                if self.is_attached:
                    self.query_one("#progress").display = False
                    save_state(self.state_file, self.state)

        self.host.action_started()
        self.app.run_worker(runner(), group="wizard", exit_on_error=False, description=title)

    # ------------------------------------------------------------------ 1. environment
    def _enter_environment(self) -> None:
        self.query_one("#env-request").display = False
        self.query_one("#env-prelude").display = False
        if not self.env_ok:
            self._check_environment()

    @on(Button.Pressed, "#env-check")
    def _check_environment(self) -> None:
        session = self.host.session
        daos = session.daos
        commands = [daos.argv_version(), daos.argv_pool_list()]
        self.query_one("#env-status", Static).update("Checking DAOS…")

        async def work() -> list[Any]:
            await daos.version()
            return await daos.pool_list()

        def done(pools: list[Any]) -> str:
            self._pools = pools
            self.env_ok = True
            lines = ["✓ `daos` runs" + (" (through the module prelude)" if session.uses_prelude else "")]
            lines.append("✓ the DAOS agent answers")
            if pools:
                lines.append(f"✓ {len(pools)} pool(s) visible: " + ", ".join(p.name for p in pools))
            else:
                self.env_ok = False
                lines.append(
                    "✗ no pool is visible to you. Pools are allocated by ALCF support: send them a request "
                    "(project, user names, total space, justification, preferred pool name)."
                )
                self.query_one("#env-request").display = True
            self.query_one("#env-status", Static).update(escape("\n".join(lines)))
            return "Environment checked." if pools else "No pool yet: request one to continue."

        def failed(exc: BaseException) -> None:
            self.env_ok = False
            self.query_one("#env-status", Static).update(escape(self._environment_advice(exc)))

        self._run("Checking the environment", commands, work, done, failed)

    def _environment_advice(self, exc: BaseException) -> str:
        site = self.host.session.site
        prelude = "; ".join(site.module_prelude)
        if isinstance(exc, CommandError) and exc.result is not None and exc.result.exit_status == 127:
            transport = self.host.session.transport
            can_offer = hasattr(transport, "prelude") and not self.host.session.uses_prelude
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
        self._check_environment()

    @on(Button.Pressed, "#env-request")
    def _request_pool(self) -> None:
        from daostui.screens.pool_request import PoolRequestScreen

        self.app.push_screen(PoolRequestScreen())

    # ------------------------------------------------------------------ 2. pool
    def _enter_pool(self) -> None:
        options = self.query_one("#pools", OptionList)
        options.clear_options()
        for pool in self._pools or self.host.data.pools:
            flags = [
                f
                for f, on_ in (
                    ("DEGRADED", pool.degraded),
                    ("REBUILD", pool.rebuilding),
                    ("NEARLY FULL", pool.nearly_full),
                )
                if on_
            ]
            text = (
                f"{pool.name:<18} size {human_bytes(pool.size):>9}  free {human_bytes(pool.free):>9}  "
                f"used {pool.used_pct:>3}%  {pool.state}" + (f"  ⚠ {' '.join(flags)}" if flags else "")
            )
            options.add_option(Option(escape(text), id=pool.name))
        index = 0
        if self.state.pool:
            try:
                index = options.get_option_index(self.state.pool)
            except Exception:  # noqa: BLE001 - the pool vanished: the user picks again
                self.state.pool = ""
        if options.option_count:
            options.highlighted = index
            self.state.pool = options.get_option_at_index(index).id or ""
        self._pool_note()
        self.call_after_refresh(options.focus)

    def _pool_by_name(self, name: str) -> Any:
        for pool in self._pools or self.host.data.pools:
            if pool.name == name:
                return pool
        return None

    @on(OptionList.OptionHighlighted, "#pools")
    def _pool_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = event.option.id or ""
        if name != self.state.pool:
            self.state.pool = name
            self.state.container = ""
            self.state.created_container = False
            self.state.mount_path = ""
        self._pool_note()

    @on(OptionList.OptionSelected, "#pools")
    def _pool_selected(self, event: OptionList.OptionSelected) -> None:
        self.state.pool = event.option.id or ""
        self.action_next()

    def _pool_note(self) -> None:
        pool = self._pool_by_name(self.state.pool)
        note = pool_note(pool) if pool is not None else ""
        self.query_one("#pool-note", Static).update(escape(note))
        daos = self.host.session.daos
        self._set_commands([daos.argv_pool_query(self.state.pool)] if self.state.pool else [])

    # ------------------------------------------------------------------ 3. container
    def _enter_container(self) -> None:
        daos = self.host.session.daos
        pool = self.state.pool
        options = self.query_one("#containers", OptionList)
        options.clear_options()
        options.add_option(Option("(loading containers…)", id="__loading__", disabled=True))
        self._label_changed()

        async def work() -> list[Any]:
            return await daos.cont_list(pool)

        def done(refs: list[Any]) -> str:
            self._containers = refs
            options.clear_options()
            options.add_option(Option("+ Create a new container (type its label below)", id=NEW_CONTAINER))
            for ref in refs:
                options.add_option(Option(escape(f"{ref.label:<24} {ref.uuid}"), id=ref.label or ref.uuid))
            if self.state.container:
                try:
                    options.highlighted = options.get_option_index(self.state.container)
                except Exception:  # noqa: BLE001 - it was destroyed meanwhile
                    self.state.container = ""
            self._label_changed()
            return f"{len(refs)} container(s) in {pool}."

        self._run(f"Listing containers of {pool}", [daos.argv_cont_list(pool)], work, done)
        self.call_after_refresh(self.query_one("#label", Input).focus)

    @on(OptionList.OptionSelected, "#containers")
    def _container_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == NEW_CONTAINER:
            self.query_one("#label", Input).focus()
            return
        self.state.container = event.option.id or ""
        self.state.created_container = False
        self._set_outcome(f"✓ Using existing container {self.state.container}. Press Next.", "ok")
        save_state(self.state_file, self.state)

    def _preset_key(self) -> str:
        pressed = self.query_one("#preset", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else next(iter(PRESETS))

    def _create_request(self) -> tuple[ContainerCreateRequest | None, str]:
        label = self.query_one("#label", Input).value.strip()
        if not label:
            return None, ""
        problem = label_problem(label)
        if problem:
            return None, problem
        if any(label == ref.label for ref in self._containers):
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
        self.query_one("#create", Button).disabled = request is None or self.busy
        if request is not None:
            self._set_commands([self.host.session.daos.argv_cont_create(request)])

    @on(Input.Submitted, "#label")
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        request, problem = self._create_request()
        if request is None:
            if problem:
                self._set_outcome("✗ " + problem, "error")
            return
        daos = self.host.session.daos

        def done(info: Any) -> str:
            self.state.container = request.label
            self.state.created_container = True
            self.state.preset = self._preset_key()
            self._containers.append(ContainerRef(uuid=getattr(info, "uuid", ""), label=request.label))
            self.host.refresh_pane("containers")
            self.host.refresh_pane("pools")
            self.query_one("#next", Button).focus()
            return f"Created container {request.label} in {request.pool}. Press Next to mount it."

        self._run(
            f"Creating container {request.label}",
            [daos.argv_cont_create(request)],
            lambda: daos.cont_create(request),
            done,
        )

    # ------------------------------------------------------------------ 4. mount
    def _existing_mount(self) -> str:
        return self.host.data.mount_for(self.state.pool, self.state.container)

    def _enter_mount(self) -> None:
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
            self._set_commands(mounts.argv_mount(self.state.pool, self.state.container, path))
        self.call_after_refresh(self.query_one("#write-check" if existing else "#mount", Button).focus)

    @on(Button.Pressed, "#mount")
    def _mount(self) -> None:
        mounts = self.host.session.mounts
        pool, cont = self.state.pool, self.state.container
        path = mounts.default_mount_point(pool, cont)

        def done(mount: Any) -> str:
            self.state.mount_path = getattr(mount, "path", path) or path
            self.state.mounted_by_wizard = True
            self.host.refresh_pane("mounts")
            self.query_one("#mount", Button).disabled = True
            self.query_one("#write-check", Button).disabled = False
            self.query_one("#write-check", Button).focus()
            return f"Mounted: the dfuse entry for {self.state.mount_path} is in the mounts table."

        self._run(
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
            self.query_one("#next", Button).focus()
            return f"Wrote and read back {mounts.check_file(path)}: {text.strip()!r}. The mount works."

        self._run("Write/read check", mounts.argv_write_check(path), lambda: mounts.write_check(path), done)

    # ------------------------------------------------------------------ 5. job
    def _enter_job(self) -> None:
        data = self.host.data
        session = self.host.session
        existing = self._job_form()
        if existing is not None:
            # coming back (or forward again): same form, the pool/container may have changed
            existing.query_one("#pool", Input).value = self.state.pool
            existing.query_one("#container", Input).value = self.state.container
            self.call_after_refresh(self._restore_job_fields)
            return
        slot = self.query_one("#job-form-slot")
        defaults = JobDefaults(
            project=self.state.job.get("project") or session.project or session.config.project,
            queues=data.queue_limits(),
            queue=self.state.job.get("queue") or session.config.default_queue or "debug",
            pool=self.state.pool,
            container=self.state.container,
            site=data.job_site(),
        )
        form = JobForm(defaults, id="wizard-job-form")
        self.mount(form, before=slot)
        self.call_after_refresh(self._restore_job_fields)

    def _job_form(self) -> JobForm | None:
        forms = list(self.query(JobForm))
        return forms[0] if forms else None

    def _restore_job_fields(self) -> None:
        form = self._job_form()
        if form is None:
            return
        for key, value in self.state.job.items():
            if key in ("queue", "interception"):
                continue
            try:
                form.query_one(f"#{key}", Input).value = value
            except Exception:  # noqa: BLE001 - a field from an older version
                continue
        interception = self.state.job.get("interception")
        if interception:
            from textual.widgets import Select

            form.query_one("#interception", Select).value = interception
        for field_id in ("pool", "container"):
            form.query_one(f"#{field_id}", Input).disabled = True
        self._job_changed()
        form.query_one("#project", Input).focus()

    def _remember_job_fields(self) -> None:
        form = self._job_form()
        if form is None:
            return
        self.state.job = {key: form.value(key) for key in JOB_FIELDS}

    @on(Input.Changed, "#wizard-job-form Input")
    def _job_input_changed(self) -> None:
        self._job_changed()

    def _job_changed(self) -> None:
        form = self._job_form()
        if form is None or self.state.step_id != "job":
            return
        request, text = form.show_status()
        if request is not None:
            self.query_one("#script-preview", TextArea).text = text
        self.query_one("#save-script", Button).disabled = request is None
        if self.state.script_path:
            # the script on disk no longer matches the form: it is saved again (new name) on Next
            self.state.script_path = ""
            self.query_one("#saved", Static).update("")

    def on_select_changed(self, _event: Any) -> None:
        self._job_changed()

    @on(Button.Pressed, "#save-script")
    def _save_pressed(self) -> None:
        problem = self._save_script()
        if problem:
            self._set_outcome("✗ " + problem, "error")

    def _save_script(self) -> str:
        """Save the script (never overwriting); '' on success, else the problem."""
        form = self._job_form()
        if form is None:
            return "The job form is not ready."
        request, text = form.show_status()
        if request is None:
            return text
        self._remember_job_fields()
        session = self.host.session
        if request.project and not session.project:
            session.project = request.project
            self._remember_project(request.project)
        path = save_script(text, session.workdir, script_filename(request))
        self.state.script_path = str(path)
        self.query_one("#saved", Static).update(escape(f"✓ saved {path}"))
        save_state(self.state_file, self.state)
        return ""

    def _remember_project(self, project: str) -> None:
        """Asked once, remembered: the project goes into the config file for next time."""
        from daostui.core.config import save_project

        session = self.host.session
        if session.mode == "demo":
            return
        try:
            save_project(session.config.path or paths.config_file(), project)
        except OSError as exc:
            self.notify(f"Could not remember the project in the config: {exc}", severity="warning")

    # ------------------------------------------------------------------ 6. submit
    def _enter_submit(self) -> None:
        pbs = self.host.session.pbs
        script = self.state.script_path
        lines = [f"Script: {script}"]
        if self.state.job_id:
            lines.append(f"✓ Submitted as job {self.state.job_id}.")
        self.query_one("#submit-status", Static).update(escape("\n".join(lines)))
        self.query_one("#submit", Button).disabled = bool(self.state.job_id)
        self.query_one("#finish", Button).disabled = not self.state.job_id
        self._set_commands([pbs.argv_submit(script)])
        self._show_summary()
        self.call_after_refresh(
            (self.query_one("#finish") if self.state.job_id else self.query_one("#submit")).focus
        )

    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        session = self.host.session
        pbs = session.pbs
        script = self.state.script_path
        if not script or not Path(script).exists():
            self._set_outcome("✗ The script file is missing: go Back and save it again.", "error")
            return

        def done(job_id: Any) -> str:
            self.state.job_id = str(job_id)
            self.query_one("#submit", Button).disabled = True
            self.query_one("#finish", Button).disabled = False
            self.query_one("#finish").focus()
            self.host.refresh_pane("jobs")
            self._show_summary()
            return f"Submitted job {job_id}. Press Finish to follow it in the jobs pane."

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DaostuiError):
                self.query_one("#submit-status", Static).update(
                    escape(
                        f"Script: {script}\nqsub refused the job. Fix it with Back (your entries are kept), "
                        "then Next and Submit again."
                    )
                )

        self._run(
            "Submitting",
            [pbs.argv_submit(script)],
            lambda: pbs.submit(script, cwd=str(session.workdir)),
            done,
            failed,
        )

    def _show_summary(self) -> None:
        session = self.host.session
        state = self.state
        create_argv = None
        if state.created_container:
            request = PRESETS.get(state.preset, PRESETS["simple"]).request(state.pool, state.container)
            create_argv = request.argv()
        mounts = session.mounts
        items, commands = summary(
            state,
            prelude=[]
            if session.mode == "demo" and not session.uses_prelude
            else list(session.site.module_prelude),
            create_argv=create_argv,
            mount_argvs=mounts.argv_mount(state.pool, state.container, state.mount_path)
            if state.mount_path
            else [],
            unmount_argv=mounts.argv_unmount(state.mount_path) if state.mount_path else None,
            submit_argv=session.pbs.argv_submit(state.script_path) if state.script_path else None,
            status_argv=["qstat", "-f", state.job_id] if state.job_id else None,
        )
        text = ["Summary — what the guided setup created or used:"]
        text += [f"  {item.what:<11} {item.detail}" for item in items]
        text += ["", "To do it again by hand:"] + [f"  $ {line}" for line in commands]
        self.query_one("#summary", Static).update(escape("\n".join(text)))

    @on(Button.Pressed, "#finish")
    def _finish(self) -> None:
        if not self.state.job_id:
            return
        self.state.finished = True
        clear_state(self.state_file)
        self.dismiss(self.state.job_id)
