"""Another local account, for real: what a hostile neighbour on a login node can and cannot do.

When the tests run as root, a throwaway account is created (`useradd`, removed afterwards) and
commands run as it through `setpriv` (its own uid, gid and groups, a clean environment, the
system's Python with the standard library only). As that account:
- the served console's page, static files and WebSocket are refused without the token (403, no
  101 upgrade), a cross-origin WebSocket is refused even with the token, and the unix socket
  cannot even be connected to;
- a symlink (or a directory) planted at `/tmp/<victim>` does not catch the victim's mount, and
  nothing is written in the planted directory;
- the victim's state files (command log, errors.log, wizard progress, owned mounts, saved
  requests, job scripts) cannot be read, nor the state dir listed.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from daostui.core import errorlog, paths, wizard_progress
from daostui.core.errors import MountError
from daostui.pbs.jobscript import save_script
from daostui.transport.base import CommandResult
from daostui.transport.log import CommandLog
from tests.test_serve import Served, wait_listening

SYSTEM_PYTHON = "/usr/bin/python3"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0
    or not (shutil.which("useradd") and shutil.which("setpriv") and os.path.exists(SYSTEM_PYTHON)),
    reason="needs root, useradd, setpriv and /usr/bin/python3 to act as a throwaway second account",
)


class Account:
    """A throwaway local account and a way to run things as it."""

    def __init__(self) -> None:
        self.name = "dtsec" + secrets.token_hex(4)
        subprocess.run(
            ["useradd", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", self.name],
            check=True,
            capture_output=True,
        )
        import pwd

        entry = pwd.getpwnam(self.name)
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        # a place both accounts can read: the attacker's scripts, the victim's traversable dirs
        self.shared = Path(tempfile.mkdtemp(prefix="daostui-2nd-", dir="/tmp"))
        self.shared.chmod(0o755)
        #: The other account's own directory (where it keeps its traps)
        self.own = self.shared / "theirs"
        self.own.mkdir()
        os.chown(self.own, self.uid, self.gid)

    def run(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--init-groups", "--", *argv],
            env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"},
            capture_output=True,
            text=True,
            timeout=60,
            **kwargs,
        )

    def python(self, code: str, *args: str) -> dict:
        script = self.shared / f"attack-{secrets.token_hex(4)}.py"
        script.write_text(code)
        script.chmod(0o644)
        result = self.run([SYSTEM_PYTHON, "-I", str(script), *args])
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def remove(self) -> None:
        shutil.rmtree(self.shared, ignore_errors=True)
        subprocess.run(["userdel", self.name], capture_output=True)


@pytest.fixture(scope="module")
def other():
    account = Account()
    yield account
    account.remove()


def test_the_account_is_really_someone_else(other: Account) -> None:
    result = other.run(["id", "-u"])
    assert result.stdout.strip() == str(other.uid) and other.uid != os.geteuid()


# ---------------------------------------------------------------------- serve
ATTACK_HTTP = r"""
import base64, json, os, socket, sys
host, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def exchange(path, headers):
    with socket.create_connection((host, port), timeout=20) as sock:
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}"] + [f"{k}: {v}" for k, v in headers.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1])

upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()}
same = f"http://{host}:{port}"
print(json.dumps({
    "page": exchange("/", {}),
    "static": exchange("/static/js/textual.js", {}),
    "wrong token": exchange("/?token=guess", {}),
    "websocket": exchange("/ws", {**upgrade, "Origin": same}),
    "cross-origin websocket with the token": exchange(
        f"/ws?token={token}", {**upgrade, "Origin": "http://evil.example", "Cookie": "x=1"}),
    "same-origin websocket with the token": exchange(f"/ws?token={token}", {**upgrade, "Origin": same}),
}))
"""


def test_another_account_cannot_drive_the_served_console(
    other: Account, tmp_path: Path, demo_dir: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = Served(tmp_path, demo_dir, "--host", "127.0.0.1", "--port", str(port))
    try:
        wait_listening(lambda: socket.create_connection(("127.0.0.1", port), timeout=1))
        results = other.python(ATTACK_HTTP, "127.0.0.1", str(port), served.token)
    finally:
        served.stop()
    assert results == {
        "page": 403,
        "static": 403,
        "wrong token": 403,
        "websocket": 403,
        "cross-origin websocket with the token": 403,
        # the control: the same request with the token and the right Origin is upgraded
        "same-origin websocket with the token": 101,
    }


ATTACK_UNIX = r"""
import json, socket, sys
sock = socket.socket(socket.AF_UNIX)
try:
    sock.connect(sys.argv[1])
    print(json.dumps("connected"))
except OSError as exc:
    print(json.dumps(exc.strerror))
"""


def test_another_account_cannot_connect_to_the_unix_socket(
    other: Account, tmp_path: Path, demo_dir: Path
) -> None:
    path = other.shared / "console.sock"
    served = Served(tmp_path, demo_dir, "--unix-socket", str(path))
    try:
        served.wait_socket(path)
        assert other.python(ATTACK_UNIX, str(path)) == "Permission denied"
    finally:
        served.stop()


def test_a_socket_path_planted_by_another_account_is_refused(
    other: Account, tmp_path: Path, demo_dir: Path
) -> None:
    """The socket path a user would pick in /tmp, taken first by the other account: a link, or its own file."""
    for kind in ("symlink", "socket"):
        planted = Path("/tmp") / f"daostui-{secrets.token_hex(4)}.sock"
        try:
            if kind == "symlink":
                made = other.run(["ln", "-s", str(tmp_path / "victim.sock"), str(planted)])
            else:
                code = "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])"
                made = other.run([SYSTEM_PYTHON, "-I", "-c", code, str(planted)])
            assert made.returncode == 0, made.stderr
            assert os.lstat(planted).st_uid == other.uid
            result = subprocess.run(
                [sys.executable, "-m", "daostui", "serve", "--demo", "--demo-dir", str(demo_dir),
                 "--unix-socket", str(planted)],
                capture_output=True, text=True, timeout=60, env={**os.environ, "DAOSTUI_STATE_DIR": str(tmp_path / "s")},
            )  # fmt: skip
            assert result.returncode == 2, result.stderr
            assert ("symbolic link" if kind == "symlink" else f"belongs to uid {other.uid}") in result.stderr
            assert os.lstat(planted).st_uid == other.uid, "the other account's file is left alone"
        finally:
            planted.unlink(missing_ok=True)
    assert not (tmp_path / "victim.sock").exists()


# ---------------------------------------------------------------------- mounts
@pytest.fixture
def victim(demo_session):
    """The demo session mounting under the real /tmp/<victim name>, as on a login node."""
    name = "dtvictim" + secrets.token_hex(4)
    site = demo_session.site.with_overrides(
        login_mount_root="/tmp/{user}", allowed_mount_roots=("/tmp/{user}",)
    )
    demo_session.site = demo_session.mounts.site = site
    demo_session.user = name  # the one identity the session and its clients share
    yield demo_session, Path("/tmp") / name
    target = Path("/tmp") / name
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)


@pytest.mark.parametrize("planted", ["symlink", "directory"])
async def test_a_planted_tmp_dir_does_not_catch_the_mount(other: Account, victim, planted: str) -> None:
    session, root = victim
    trap = other.own / f"trap-{planted}"
    assert other.run(["mkdir", "-m", "0777", str(trap)]).returncode == 0
    if planted == "symlink":
        assert other.run(["ln", "-s", str(trap), str(root)]).returncode == 0
    else:
        assert other.run(["mkdir", "-m", "0777", str(root)]).returncode == 0
    assert os.lstat(root).st_uid == other.uid
    with pytest.raises(MountError) as refused:
        await session.mounts.mount("hpc_demo", "checkpoints")
    message = str(refused.value)
    assert other.name in message and f"uid {other.uid}" in message, message
    assert "another account" in message and refused.value.hint
    with pytest.raises(MountError):
        await session.mounts.write_check(str(root / "hpc_demo" / "checkpoints"))
    assert list(trap.iterdir()) == [], "nothing may be written where the other account points"
    if planted == "directory":
        assert list(root.iterdir()) == []
    ran = [r.argv[0] for r in session.log.entries()]
    assert "start-dfuse.sh" not in ran and "tee" not in ran and "mkdir" not in ran


# ---------------------------------------------------------------------- state files
ATTACK_FILES = r"""
import json, os, sys
results = {}
for path in sys.argv[1:]:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path).read()
        results[path] = "read"
    except OSError as exc:
        results[path] = exc.strerror
print(json.dumps(results))
"""


def test_another_account_cannot_read_the_state_files(other: Account, monkeypatch) -> None:
    state = other.shared / "victim-state"
    monkeypatch.setenv("DAOSTUI_STATE_DIR", str(state))
    previous = os.umask(0o022)  # the usual umask: what used to leave everything world-readable
    try:
        CommandLog(paths.command_log_file()).record(
            CommandResult(("daos", "pool", "list"), 0, "private output", "", 0.1, 0.0, "local")
        )
        try:
            raise RuntimeError("a bug")
        except RuntimeError as exc:
            errorlog.record(exc, "test")
        wizard_progress.save_state(paths.wizard_state_file(), wizard_progress.WizardState(pool="hpc_demo"))
        paths.write_private(paths.owned_mounts_file(), "{}")
        paths.write_private(paths.requests_dir() / "daos-pool-request.txt", "Project Name: secret\n")
        project = other.shared / "victim-project"
        project.mkdir()
        project.chmod(0o755)  # the user's own, readable working directory
        script = save_script("#!/bin/bash -l\n#PBS -A secret\n", project, "job.pbs")
    finally:
        os.umask(previous)
    targets = [
        state,
        paths.command_log_file(),
        paths.error_log_file(),
        paths.wizard_state_file(),
        paths.owned_mounts_file(),
        paths.requests_dir() / "daos-pool-request.txt",
        script,
    ]
    for target in targets:
        assert target.exists(), target
    results = other.python(ATTACK_FILES, *map(str, targets))
    assert results == {str(t): "Permission denied" for t in targets}
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
