"""Everything the console needs to talk to the site, built once from the command line.

A `Session` bundles the mode, the transport (local subprocesses, ssh, or the simulator's
executables through the local transport), the command log, the DAOS/PBS/mount clients, the job
script store, the site profile and the config. It is Textual-free so the doctor and tests use the
very same wiring.

Who commands run as is one `Identity` shared by the session and every client: over ssh it starts
as the user ~/.ssh/config names and becomes what the login node says (`id -un`) once logged in,
so `qselect -u`, mount points and the header never use the laptop's name.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from daostui.core import paths
from daostui.core.config import Config, load_config
from daostui.core.errors import ValidationError
from daostui.core.readonly import Access
from daostui.core.site import SiteProfile
from daostui.daos.client import DaosClient
from daostui.mounts.client import MountsClient
from daostui.pbs.client import PbsClient
from daostui.transport.base import Identity, Prelude, Transport
from daostui.transport.local import LocalTransport
from daostui.transport.log import CommandLog

if TYPE_CHECKING:
    import argparse

    from daostui.nodes.client import NodesClient
    from daostui.pbs.script_store import ScriptStore

MODULES_ROOT = Path("/soft/modulefiles")


@dataclass
class Session:
    mode: str  # "local" | "demo" | "ssh"
    transport: Transport
    log: CommandLog
    daos: DaosClient
    pbs: PbsClient
    mounts: MountsClient
    config: Config
    site: SiteProfile
    #: Who commands run as, where they run (shared with the clients; learned at login over ssh).
    identity: Identity
    host: str
    project: str = ""
    #: Shared by the clients: read-only is enforced by them (see core/readonly.py).
    access: Access = field(default_factory=Access)
    #: True when commands run through the site's module prelude (`daos` was not on PATH).
    uses_prelude: bool = False
    demo_dir: Path | None = None
    #: Where daostui saves job scripts (local and demo modes) and requests by default.
    workdir: Path = field(default_factory=Path.cwd)
    #: Where `scripts` keeps its local copies (set by `build_clients`, from the state dir then).
    scripts_dir: Path | None = None
    _scripts: ScriptStore | None = field(default=None, init=False, repr=False)
    _nodes: NodesClient | None = field(default=None, init=False, repr=False)

    # `scripts` and `nodes` are built on first use: neither is needed for the first frame, and
    # their modules (job-script directives, ClusterShell probes) are a tenth of daostui's start-up.
    @property
    def scripts(self) -> ScriptStore:
        """Saves job scripts where `qsub` runs."""
        if self._scripts is None:
            from daostui.pbs.script_store import ScriptStore

            # over ssh scripts go to ~/daostui/jobs on the login node; locally, where the user started
            local_workdir = None if self.mode == "ssh" else (lambda: str(self.workdir))
            local_dir = self.scripts_dir or paths.state_dir() / "scripts"
            self._scripts = ScriptStore(
                self.transport, local_dir=local_dir, workdir=local_workdir, access=self.access
            )
        return self._scripts

    @scripts.setter
    def scripts(self, value: ScriptStore) -> None:
        self._scripts = value

    @property
    def nodes(self) -> NodesClient:
        """A running job's compute nodes, through `clush` where commands run."""
        if self._nodes is None:
            from daostui.nodes.client import NodesClient

            self._nodes = NodesClient(
                self.transport,
                self.site,
                self.config.nodes,
                program=clush_program(self.mode),
                access=self.access,
            )
        return self._nodes

    @nodes.setter
    def nodes(self, value: NodesClient) -> None:
        self._nodes = value

    @property
    def user(self) -> str:
        return self.identity.user

    @user.setter
    def user(self, value: str) -> None:
        self.identity.user = value

    async def reconnect(self) -> None:
        """Connect again after a cancelled passcode or a refused login (ssh); nothing to do locally."""
        await self.transport.reconnect()

    @property
    def readonly(self) -> bool:
        return self.access.readonly

    @readonly.setter
    def readonly(self, value: bool) -> None:
        self.access.readonly = bool(value)

    @property
    def badge(self) -> str:
        if self.mode == "demo":
            return "DEMO"
        if self.mode == "ssh":
            return f"SSH {self.user}@{self.host}"
        return f"LOCAL {self.host}" + (" (module prelude)" if self.uses_prelude else "")

    async def close(self) -> None:
        await self.transport.close()


def choose_mode(*, local: bool, demo: bool, ssh: str | None) -> tuple[str, bool]:
    """(mode, uses_prelude): explicit flags win; else local when DAOS is reachable, else demo."""
    if ssh:
        return "ssh", True
    if demo:
        return "demo", False
    if shutil.which("daos"):
        return "local", False
    if local or MODULES_ROOT.is_dir():
        return "local", not shutil.which("daos")
    return "demo", False


def clush_program(mode: str) -> str:
    """The `clush` a session runs: the login node's over ssh, the simulator's in demo mode; locally
    the site's when there is one, else the one installed with daostui's ClusterShell."""
    if mode != "local" or shutil.which("clush"):
        return "clush"
    bundled = Path(sys.executable).parent / "clush"
    return str(bundled) if bundled.exists() else "clush"


def build_clients(
    *,
    mode: str,
    transport: Transport,
    config: Config,
    site: SiteProfile,
    user: str,
    host: str,
    project: str,
    readonly: bool,
    uses_prelude: bool,
    log: CommandLog,
    demo_dir: Path | None = None,
) -> Session:
    transport.add_listener(log.record)
    identity = transport.identity
    if not identity.learned:
        identity.user = user
    access = Access(readonly=readonly)
    session = Session(
        mode=mode,
        transport=transport,
        log=log,
        daos=DaosClient(transport, access=access),
        pbs=PbsClient(transport, user=identity, access=access),
        mounts=MountsClient(
            transport,
            site,
            user=identity,
            table_path=site.mounts_table,
            owned_file=paths.owned_mounts_file(),
            access=access,
        ),
        config=config,
        site=site,
        identity=identity,
        host=host,
        project=project,
        access=access,
        uses_prelude=uses_prelude,
        demo_dir=demo_dir,
        scripts_dir=paths.state_dir() / "scripts",
    )
    return session


def demo_session(
    demo_dir: Path,
    *,
    config: Config | None = None,
    seed: int = 0,
    readonly: bool = False,
    log: CommandLog | None = None,
) -> Session:
    """A session whose commands are the simulator's executables (demo mode, and the tests)."""
    from daostui import sim
    from daostui.sim import bindir

    bindir.prepare(demo_dir, seed=seed)
    info = sim.site_info(demo_dir)
    config = config or Config()
    # the simulated flare lives in the demo dir: a demo copy must never write to a real /lus; the
    # simulated compute nodes mount where the simulator's launch-dfuse.sh does
    site = config.site_profile()
    site = site.with_overrides(
        mounts_table=str(demo_dir / "mounts"),
        flare_projects_root=str(demo_dir / "lus" / "flare" / "projects"),
        compute_mount_root=sim.compute_root(),
    )
    transport = LocalTransport(env=sim.environment(demo_dir), where="demo")
    return build_clients(
        mode="demo",
        transport=transport,
        config=config,
        site=site,
        user=info.get("user") or getpass.getuser(),
        host="aurora-uan-0009 (simulated)",
        project=config.project or info.get("project", ""),
        readonly=readonly or config.readonly,
        uses_prelude=False,
        log=log if log is not None else CommandLog(paths.command_log_file()),
        demo_dir=demo_dir,
    )


def build_session(args: argparse.Namespace) -> Session:
    config = load_config(args.config)
    mode, uses_prelude = choose_mode(local=args.local, demo=args.demo, ssh=args.ssh)
    readonly = bool(args.readonly or config.readonly)
    if mode == "demo":
        return demo_session(
            args.demo_dir or paths.demo_dir(), config=config, seed=args.demo_seed, readonly=readonly
        )
    if mode == "ssh":
        return ssh_session(args.ssh, config=config, readonly=readonly)
    site = config.site_profile()
    prelude = Prelude(lines=tuple(site.module_prelude)) if uses_prelude else None
    user = getpass.getuser()
    if not config.project and not os.environ.get("DAOSTUI_PROJECT"):
        project = ""
    else:
        project = config.project or os.environ.get("DAOSTUI_PROJECT", "")
    try:
        return build_clients(
            mode="local",
            transport=LocalTransport(prelude=prelude),
            config=config,
            site=site,
            user=user,
            host=socket.gethostname(),
            project=project,
            readonly=readonly,
            uses_prelude=uses_prelude,
            log=CommandLog(paths.command_log_file()),
        )
    except OSError as exc:
        raise ValidationError(f"cannot start: {exc}") from exc


def ssh_session(
    target_text: str,
    *,
    config: Config,
    readonly: bool = False,
    log: CommandLog | None = None,
    **transport_options: Any,
) -> Session:
    """A session whose commands run on a login node.

    `target_text` is an `[ssh.NAME]` entry of the config, a Host alias of ~/.ssh/config, or
    `[USER@]HOST[:PORT]`; either way ~/.ssh/config applies (an entry's host may itself be an alias).
    """
    from daostui.transport.ssh import SshTarget, SshTransport

    entry = config.ssh.get(target_text) if hasattr(config, "ssh") else None
    if entry is not None:
        target = SshTarget(host=entry.host, user=entry.user or None, port=entry.port or None)
        prelude_lines = tuple(entry.prelude) if entry.prelude else None
    else:
        target = SshTarget.parse(target_text)
        prelude_lines = None
    site = config.site_profile()
    prelude = Prelude(lines=prelude_lines or tuple(site.module_prelude))
    transport = SshTransport(target, prelude=prelude, **transport_options)
    return build_clients(
        mode="ssh",
        transport=transport,
        config=config,
        site=site,
        user=transport.resolved.user,
        host=transport.resolved.hostname,
        project=config.project,
        readonly=readonly,
        uses_prelude=True,
        log=log if log is not None else CommandLog(paths.command_log_file()),
    )
