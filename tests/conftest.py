"""Shared test setup: isolated XDG dirs, a fresh simulated Aurora per test, deterministic apps."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_textual_snapshot

from tests.snapshot_ext import TopLevelSVGExtension

# Every run ends with how many tests ran against real OpenPBS, OpenSSH and a terminal.
pytest_plugins = ["tests.real_world_summary"]

# Snapshot baselines live in the top-level snapshots/ folder (see tests/snapshot_ext.py).
pytest_textual_snapshot.SVGImageExtension = TopLevelSVGExtension

# Never touch the developer's real state/config, and keep rendering deterministic.
_ISOLATED = Path(tempfile.mkdtemp(prefix="daostui-tests-"))
os.environ["DAOSTUI_STATE_DIR"] = str(_ISOLATED / "state")
os.environ["DAOSTUI_CONFIG"] = str(_ISOLATED / "no-config.toml")
os.environ["DAOSTUI_SITE_CONFIG"] = str(_ISOLATED / "no-site-config.toml")
os.environ["TEXTUAL_ANIMATIONS"] = "none"
# The same user name and time zone on every machine: both show up in snapshots and mount paths.
os.environ["USER"] = os.environ["LOGNAME"] = "aurora_user"
os.environ["TZ"] = "UTC"
time.tzset()
os.environ.setdefault("DAOSTUI_SIM_QUEUE_WAIT", "0.5")
# The simulator makes real FUSE mounts where it can; tests get table-file mounts unless they ask
# (tests/test_sim_fuse.py does, where DAOSTUI_TEST_FUSE says the machine can).
os.environ["DAOSTUI_SIM_FUSE"] = "0"


def _no_cursor_blink() -> None:
    """A blinking cursor is visible or not depending on when the shot is taken: keep it shown."""
    from textual.widgets import Input, TextArea

    Input._toggle_cursor = lambda self: None  # type: ignore[method-assign]
    TextArea._toggle_cursor_blink_visible = lambda self: None  # type: ignore[method-assign]


_no_cursor_blink()

FROZEN_TIME = 1_795_000_000.0  # 2026-11-19 08:53:20 UTC: snapshots show this clock


@pytest.fixture(autouse=True)
def _no_remembered_state() -> None:
    """Forms remember their last values, the wizard its progress (`w` then asks resume or start
    over) and the first-start offer its answer, all in the state dir the whole run shares: each
    test starts with none of them (tests of that memory write it themselves)."""
    from daostui.core import first_start, paths

    paths.form_memory_file().unlink(missing_ok=True)
    paths.wizard_state_file().unlink(missing_ok=True)
    first_start.answered_file().unlink(missing_ok=True)


@pytest.fixture
def compute_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The simulated compute nodes mount containers here, not under the machine's /tmp (requested
    before the session fixtures, so the demo site's compute mount root is this one too)."""
    root = tmp_path / "compute"
    root.mkdir()
    monkeypatch.setenv("DAOSTUI_SIM_COMPUTE_ROOT", str(root))
    return root


@pytest.fixture
def demo_dir(tmp_path: Path) -> Iterator[Path]:
    """A freshly seeded simulated Aurora (seed 0) in a temporary directory."""
    from daostui.sim import bindir, seed

    directory = tmp_path / "demo"
    seed.reset(directory, seed=0)
    bindir.prepare(directory, seed=0)
    yield directory
    seed.release_mounts(directory)  # nothing stays mounted after a test (real FUSE mounts lazily)


@pytest.fixture
def demo_session(demo_dir: Path, tmp_path: Path):
    from daostui.core.session import demo_session as make
    from daostui.transport.log import CommandLog

    session = make(demo_dir, log=CommandLog(tmp_path / "commands.jsonl"))
    session.workdir = tmp_path / "work"
    session.workdir.mkdir()
    session.site = session.site.with_overrides(
        login_mount_root=str(tmp_path / "mnt" / "{user}"), allowed_mount_roots=(str(tmp_path / "mnt"),)
    )
    session.mounts.site = session.site
    return session


def make_app(session, *, frozen: bool = True, auto_refresh: bool = False, first_start: bool = False):
    """The console as a later start sees it (`first_start=True`: a newcomer's first start)."""
    from daostui.app import DaosTui

    return DaosTui(
        session,
        clock=(lambda: FROZEN_TIME) if frozen else __import__("time").time,
        auto_refresh=auto_refresh,
        show_host=False,
        show_timings=False,
        first_start=first_start,
    )


@pytest.fixture(params=["demo", "ssh"])
async def mode_session(request, demo_session, demo_dir: Path, tmp_path: Path):
    """The same console scenarios in demo mode and in ssh mode (and, where asked, real OpenSSH).

    In ssh mode every command goes over one asyncssh connection to an asyncssh server on
    127.0.0.1 (tests/sshserver.py) whose commands find the simulator first on PATH, wrapped in
    the site's module prelude exactly as on a login node. A test adds the real login node with
    `@pytest.mark.parametrize("mode_session", ["demo", "ssh", "realssh"], indirect=True)`:
    Debian's sshd, another account with its own simulated site and files, a banner, and a
    passcode (tests/realssh.py); skipped with the reason where it cannot run.
    """
    if request.param == "demo":
        yield demo_session
        return
    if request.param == "realssh":
        client = request.getfixturevalue("realssh")
        session = client.session(
            demo_session.config, log_path=tmp_path / "realssh-commands.jsonl", workdir=demo_session.workdir
        )
        yield session
        await session.close()
        return
    from daostui import sim
    from tests.sshserver import SshTestServer

    server = SshTestServer(tmp_path / "ssh", env=sim.environment(demo_dir))
    await server.start()
    session = ssh_session_for(server, demo_session, tmp_path, trusted=True)
    yield session
    await session.close()
    await server.stop()


def ssh_session_for(server, demo_session, tmp_path: Path, *, trusted: bool):
    """A console session whose commands go to `server` (its known_hosts trusting it, or empty)."""
    from daostui.core.session import build_clients
    from daostui.transport.base import Prelude
    from daostui.transport.log import CommandLog
    from daostui.transport.ssh import SshTarget, SshTransport

    known = server.tmp / "known_hosts"
    known.write_text(server.known_hosts_line if trusted else "")
    # not a login shell: the test machine's /etc/profile would reset PATH and hide the simulator
    transport = SshTransport(
        SshTarget("127.0.0.1", server.username, server.port),
        known_hosts=known,
        client_keys=[str(server.user_key_path)],
        prelude=Prelude(lines=tuple(demo_session.site.module_prelude), login=False),
        config_files=[],
        extra_options={"agent_path": None},
    )
    session = build_clients(
        mode="ssh",
        transport=transport,
        config=demo_session.config,
        site=demo_session.site,
        user=demo_session.user,
        host="127.0.0.1",
        project=demo_session.project,
        readonly=False,
        uses_prelude=True,
        log=CommandLog(tmp_path / "ssh-commands.jsonl"),
        demo_dir=demo_session.demo_dir,
    )
    session.workdir = demo_session.workdir
    return session


@pytest.fixture(scope="session")
def realssh_server(tmp_path_factory: pytest.TempPathFactory):
    """Debian's sshd on 127.0.0.1 with a throwaway account, its own simulated Aurora and a passcode.

    Root only (skipped with the reason otherwise); the client's temporary and state directories are
    hidden from it (a private mount namespace) where `unshare -m` works."""
    from tests import realssh

    reason = realssh.missing()
    if reason:
        pytest.skip(reason)
    basetemp = tmp_path_factory.getbasetemp()
    # pytest-of-USER (0700) holds every run's temporary dirs: hidden whole, a laptop path is "No such file"
    hide = [basetemp.parent if basetemp.parent.name.startswith("pytest-of-") else basetemp]
    hide.append(Path(os.environ["DAOSTUI_STATE_DIR"]).parent)
    server = realssh.start(hide)
    yield server
    realssh.stop(server)


@pytest.fixture
def realssh(realssh_server, tmp_path: Path):
    """A client of the real login node (ssh config alias, keyscan'd known_hosts) with a fresh site."""
    from tests.realssh_client import CodePrompter, RealSshClient

    realssh_server.reset_demo()
    config, known_hosts = realssh_server.client_files(tmp_path / "client-ssh")
    return RealSshClient(
        realssh_server,
        tmp_path / "client-ssh",
        config,
        known_hosts,
        CodePrompter(realssh_server.passcodes),
    )
