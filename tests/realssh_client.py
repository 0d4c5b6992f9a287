"""The client side of the real OpenSSH login node (tests/realssh.py): a user at the passcode prompt, and
a laptop set up the way `ssh` users are (a Host alias in an ssh config, known_hosts from ssh-keyscan)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.realssh import ALIAS, Passcodes, RealSshServer


class CodePrompter:
    """A user at the passcode prompt: types the next code (or a wrong one first, or cancels)."""

    def __init__(
        self, codes: Passcodes, *, wrong_first: int = 0, cancel: bool = False, trust: bool = False
    ) -> None:
        self.codes = codes
        self.wrong_left = wrong_first
        self.cancel = cancel
        self.trust = trust
        self.prompts: list[list[tuple[str, bool]]] = []
        self.host_prompts: list[tuple[str, int, str, str]] = []

    async def keyboard_interactive(self, host, name, instructions, prompts):
        self.prompts.append(list(prompts))
        if self.cancel:
            return None
        if self.wrong_left:
            self.wrong_left -= 1
            return [self.codes.wrong() for _ in prompts]
        return [self.codes.next() for _ in prompts]

    async def password(self, host, user):
        return None

    async def trust_host_key(self, host, port, key_type, fingerprint):
        self.host_prompts.append((host, port, key_type, fingerprint))
        return self.trust


@dataclass
class RealSshClient:
    """A client of the real login node, set up as a user would be: ssh config alias + keyscan'd known_hosts."""

    server: RealSshServer
    directory: Path
    config: Path
    known_hosts: Path
    prompter: CodePrompter

    def transport(self, *, prelude: object = "site", target: str = ALIAS, **options: object):
        from daostui.core.site import SiteProfile
        from daostui.transport.base import Prelude
        from daostui.transport.ssh import SshTarget, SshTransport

        if prelude == "site":
            prelude = Prelude(lines=tuple(SiteProfile().module_prelude))
        return SshTransport(
            SshTarget.parse(target),
            prelude=prelude,  # type: ignore[arg-type]
            prompter=self.prompter,
            config_files=[self.config],
            extra_options={"agent_path": None},
            **options,  # type: ignore[arg-type]
        )

    def session(self, config, *, log_path: Path, workdir: Path):
        """A console session on the login node, built as `daostui --ssh testlogin` builds it; the
        simulated site's files (mounts table, flare) are the account's remote paths."""
        import dataclasses

        from daostui.core.session import ssh_session
        from daostui.transport.log import CommandLog

        site = {
            **config.site,
            "mounts_table": str(self.server.demo_dir / "mounts"),
            "flare_projects_root": str(self.server.demo_dir / "lus" / "flare" / "projects"),
            # where the account's simulated launch-dfuse.sh mounts (its DAOSTUI_SIM_COMPUTE_ROOT)
            "compute_mount_root": str(self.server.home / "compute"),
        }
        session = ssh_session(
            ALIAS,
            config=dataclasses.replace(config, site=site, project=config.project or "hpc_demo"),
            log=CommandLog(log_path),
            prompter=self.prompter,
            config_files=[self.config],
            extra_options={"agent_path": None},
        )
        session.workdir = workdir
        return session
