"""A real OpenSSH login node for the tests: Debian's sshd, another account, a passcode through PAM.

What a user meets on Aurora, played on 127.0.0.1 (see tests/test_realssh.py for what is checked):

- `sshd` from the `openssh-server` package on a free port, with its own config and host keys
  (ed25519, ecdsa, rsa), started through a symlink so that its PAM service is our own file
  (Debian's sshd names its PAM service after argv[0]) — the system's sshd setup is untouched;
- authentication like ALCF's: public key *then* a one-time passcode (keyboard-interactive through
  PAM `pam_oath`, HOTP codes computed with `oathtool`);
- a throwaway account with its own home, whose `.bash_profile` prints a banner on both streams
  and puts the simulated Aurora (its own demo dir, in its home) on the login PATH;
- where `unshare -m` works, sshd runs in a private mount namespace in which the client's work and
  state directories are hidden under empty tmpfs mounts: the "login node" cannot see the laptop's
  files, so a path that is only valid on the laptop fails there as it would for real;
- the client side: a `~/.ssh/config`-style file with a Host alias (HostName, Port, User,
  IdentityFile, UserKnownHostsFile) and a known_hosts holding only the hashed ed25519 key that
  `ssh-keyscan -H -t ed25519` wrote — what `ssh` records on a first login.

Root is needed (sshd, useradd, a PAM service file); without it, or without the packages
(`.ci/setup.d/30-realssh.sh` installs them), the tests are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: The HOTP secret of the throwaway account (hex, as pam_oath's usersfile wants it).
SECRET = "3132333435363738393031323334353637383930"
ALIAS = "testlogin"
BANNER = "Welcome to the daostui test login node: this banner comes from .bash_profile"
BANNER_ERR = "module: chatter on stderr from .bash_profile"
#: A file in the account's home its profile sources last: per-test settings (RealSshServer.set_env).
TEST_ENV = ".daostui-test-env"
PAM_DIRS = (
    "/lib/x86_64-linux-gnu/security",
    "/usr/lib/x86_64-linux-gnu/security",
    "/lib/security",
    "/usr/lib/security",
)


def missing() -> str:
    """Why the real OpenSSH tests cannot run here ("" when they can)."""
    if os.geteuid() != 0:
        return "real OpenSSH tests need root (to start sshd, add a throwaway account and a PAM service)"
    for tool, env in (
        ("sshd", "DAOSTUI_REALSSH_SSHD"),
        ("oathtool", ""),
        ("ssh-keyscan", ""),
        ("useradd", ""),
    ):
        if not (os.environ.get(env) if env else "") and not _which(tool):
            return f"`{tool}` not found: install openssh-server, libpam-oath and oathtool (.ci/setup.d/30-realssh.sh)"
    if not _pam_oath():
        return "pam_oath.so not found: install libpam-oath (.ci/setup.d/30-realssh.sh)"
    if not account_python():
        return "no Python 3.11 that another account may run (the simulator runs as the test account)"
    return ""


def _which(tool: str) -> str:
    return shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") or ""


def _pam_oath() -> str:
    configured = os.environ.get("DAOSTUI_REALSSH_PAM_OATH", "")
    if configured and Path(configured).exists():
        return configured
    for directory in PAM_DIRS:
        if (Path(directory) / "pam_oath.so").exists():
            return str(Path(directory) / "pam_oath.so")
    return ""


def _run(argv: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), check=True, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Passcodes:
    """The one-time passcodes of the account, in order (each works once, like a token's)."""

    def __init__(self) -> None:
        self.counter = 0
        self.given: list[str] = []

    def next(self) -> str:
        code = _run(["oathtool", "--hotp", "-c", str(self.counter), SECRET]).stdout.strip()
        self.counter += 1
        self.given.append(code)
        return code

    def wrong(self) -> str:
        """A code outside the server's window of 20 (so it can never be right by accident)."""
        window = {
            _run(["oathtool", "--hotp", "-c", str(c), SECRET]).stdout.strip()
            for c in range(self.counter, self.counter + 21)
        }
        return next(code for code in (f"{n:06d}" for n in range(1000, 10**6, 7919)) if code not in window)


@dataclass
class RealSshServer:
    """One running sshd and its account; `client_files` prepares a client's ssh config for a test."""

    root: Path
    port: int
    user: str
    home: Path
    demo_dir: Path
    client_key: Path
    process: subprocess.Popen[bytes]
    pam_file: Path
    log: Path
    namespace: bool
    #: The Python the account runs the simulator with (one it can execute).
    python: str
    #: The real sshd binary (what the per-connection processes run).
    sshd: str
    passcodes: Passcodes = field(default_factory=Passcodes)

    @property
    def uid(self) -> int:
        return pwd.getpwnam(self.user).pw_uid

    # ------------------------------------------------------------------ client side
    def client_files(
        self, directory: Path, *, known: str = "keyscan", hash_known_hosts: bool = True
    ) -> tuple[Path, Path]:
        """(ssh config, known_hosts) for a client in `directory`; `known`: keyscan | empty."""
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        known_hosts = directory / "known_hosts"
        if known == "keyscan":
            known_hosts.write_text(self.keyscan("ed25519"))
        else:
            known_hosts.write_text("")
        config = directory / "config"
        config.write_text(
            f"Host {ALIAS}\n"
            f"    HostName 127.0.0.1\n"
            f"    Port {self.port}\n"
            f"    User {self.user}\n"
            f"    IdentityFile {self.client_key}\n"
            f"    UserKnownHostsFile {known_hosts}\n"
            f"    HashKnownHosts {'yes' if hash_known_hosts else 'no'}\n"
        )
        return config, known_hosts

    def keyscan(self, key_type: str) -> str:
        """What `ssh-keyscan -H -t TYPE` prints: the hashed line `ssh` itself records."""
        for _ in range(20):
            text = subprocess.run(
                ["ssh-keyscan", "-H", "-t", key_type, "-p", str(self.port), "127.0.0.1"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if text.strip():
                return text
            time.sleep(0.2)
        raise AssertionError(
            f"ssh-keyscan found no {key_type} key on port {self.port}: {self.log.read_text()[-2000:]}"
        )

    # ------------------------------------------------------------------ the login node side
    def reset_demo(self) -> None:
        """A freshly seeded simulated Aurora for the account (its own, in its home)."""
        from daostui.sim import seed

        _kill(_owned_by(self.uid))  # jobs and shells an earlier test left running
        if self.demo_dir.exists():
            shutil.rmtree(self.demo_dir)
        seed.reset(self.demo_dir, seed=0, user=self.user)
        _write_tools(self.demo_dir / "bin", self.python, self.home / "lib")
        (self.home / "compute").mkdir(exist_ok=True)
        self.set_env()
        _chown_tree(self.home, self.uid)

    def set_env(self, **values: str) -> None:
        """Environment the account's next logins export (after its profile), e.g. a longer
        DAOSTUI_SIM_QUEUE_WAIT for one test; no values: none (reset_demo starts there)."""
        path = self.home / TEST_ENV
        path.write_text("".join(f"export {name}={shlex.quote(value)}\n" for name, value in values.items()))
        os.chown(path, self.uid, -1)

    def give_back(self) -> None:
        """Files the test (root) wrote into the simulated site belong to the account again."""
        _chown_tree(self.demo_dir, self.uid)

    def session_pids(self) -> list[int]:
        """The per-connection sshd processes (the listener's descendants that are sshd): two per client."""
        children: dict[int, list[int]] = {}
        for pid, ppid in _processes():
            children.setdefault(ppid, []).append(pid)
        found, todo = [], list(children.get(self.process.pid, []))
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, []))
            with contextlib.suppress(OSError):
                if os.path.realpath(f"/proc/{pid}/exe") == self.sshd:
                    found.append(pid)
        return found

    def drop_connections(self) -> None:
        """The network goes away: the sshd processes of every connection die (the commands they ran
        are left running, as after a real network drop, until they notice)."""
        _kill(self.session_pids())

    def wait_dropped(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.session_pids() and time.monotonic() < deadline:
            time.sleep(0.05)

    def remote_path_exists(self, path: str) -> bool:
        """Whether `path` exists *as the account sees it* (inside the login node's namespace)."""
        command = ["test", "-e", path]
        if self.namespace:
            command = ["nsenter", "-t", str(self.process.pid), "-m", *command]
        return subprocess.run(command, check=False).returncode == 0

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def _processes() -> Iterator[tuple[int, int]]:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat_text.rsplit(")", 1)[1].split()
        yield int(entry.name), int(fields[1])


def _owned_by(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
    return pids


def _kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _chown_tree(path: Path, uid: int) -> None:
    gid = pwd.getpwuid(uid).pw_gid
    os.chown(path, uid, gid)
    for base, dirs, files in os.walk(path):
        for name in dirs + files:
            with contextlib.suppress(FileNotFoundError):
                os.lchown(os.path.join(base, name), uid, gid)


def account_python() -> str:
    """A Python 3.11+ any account can execute (the tests' own may live under root's 0700 home)."""
    for candidate in (sys.executable, "/usr/bin/python3", shutil.which("python3") or ""):
        if candidate and _others_can_run(Path(candidate)):
            version = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info >= (3, 11))"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            if version == "True":
                return str(Path(candidate).resolve())
    return ""


def _others_can_run(path: Path) -> bool:
    try:
        real = path.resolve(strict=True)
    except OSError:
        return False
    if not real.stat().st_mode & 0o001:
        return False
    return all(parent.stat().st_mode & 0o001 for parent in real.parents)


def _install_simulator(lib: Path) -> None:
    """The login node's own copy of the simulator (stdlib only): the tests' tree may be unreadable."""
    import daostui

    source = Path(daostui.__file__).parent
    target = lib / "daostui"
    target.mkdir(parents=True)
    shutil.copy2(source / "__init__.py", target / "__init__.py")
    shutil.copytree(source / "sim", target / "sim", ignore=shutil.ignore_patterns("__pycache__"))


def _write_tools(bin_dir: Path, python: str, lib: Path) -> None:
    """The simulated site's commands (as `daostui.sim.bindir` writes them), with the account's Python."""
    from daostui.sim.bindir import script
    from daostui.sim.entry import PROGRAMS

    bin_dir.mkdir(parents=True, exist_ok=True)
    for program in PROGRAMS:
        path = bin_dir / program
        path.write_text(script(program, python, str(lib)))
        path.chmod(0o755)


def _profile(demo_dir: Path, home: Path) -> str:
    """The account's .bash_profile: a talkative login, and the simulated Aurora first on PATH."""
    from daostui import sim

    env = sim.environment(demo_dir)
    exports = {
        "PATH": f"{env['PATH'].split(os.pathsep)[0]}:$PATH",
        "DAOSTUI_SIM_DIR": env["DAOSTUI_SIM_DIR"],
        "DAOS_AGENT_DRPC_DIR": env["DAOS_AGENT_DRPC_DIR"],
        "DAOSTUI_SIM_COMPUTE_ROOT": str(home / "compute"),
        "PYTHONPATH": str(home / "lib"),
    }
    for name, value in os.environ.items():
        if name.startswith("DAOSTUI_SIM_") and name not in exports:
            exports[name] = value
    lines = [f"echo {shlex.quote(BANNER)}", f"echo {shlex.quote(BANNER_ERR)} >&2"]
    for name, value in exports.items():
        quoted = value if name == "PATH" else shlex.quote(value)
        lines.append(f"export {name}={quoted}")
    lines.append(f'[ -r "$HOME/{TEST_ENV}" ] && . "$HOME/{TEST_ENV}"')
    return "\n".join(lines) + "\n"


def _sshd_config(root: Path, port: int, user: str) -> str:
    return "\n".join(
        [
            f"Port {port}",
            "ListenAddress 127.0.0.1",
            *(f"HostKey {root / f'ssh_host_{kind}_key'}" for kind in ("ed25519", "ecdsa", "rsa")),
            f"PidFile {root / 'sshd.pid'}",
            "UsePAM yes",
            "KbdInteractiveAuthentication yes",
            "PasswordAuthentication no",
            "PubkeyAuthentication yes",
            "AuthenticationMethods publickey,keyboard-interactive",
            f"AllowUsers {user}",
            "AuthorizedKeysFile .ssh/authorized_keys",
            "Subsystem sftp internal-sftp",
            "PrintMotd no",
            "MaxAuthTries 10",
            "LogLevel VERBOSE",
            "",
        ]
    )


def start(hide: Sequence[Path]) -> RealSshServer:
    """Create the account, keys and PAM service, and start sshd (in a private namespace if possible)."""
    import asyncssh

    root = Path(tempfile.mkdtemp(prefix="daostui-realssh-"))
    root.chmod(0o755)
    user = "dtrs" + secrets.token_hex(3)
    home = root / "home"
    _run(["useradd", "--home-dir", str(home), "--create-home", "--shell", "/bin/bash", "--user-group", user])
    _run(["usermod", "-p", "*", user])  # no password, not locked: public keys work
    uid = pwd.getpwnam(user).pw_uid
    demo_dir = home / "demo"
    (home / ".bash_profile").write_text(_profile(demo_dir, home))
    _install_simulator(home / "lib")
    ssh_dir = home / ".ssh"
    ssh_dir.mkdir(mode=0o700)
    client = asyncssh.generate_private_key("ssh-ed25519")
    (ssh_dir / "authorized_keys").write_bytes(client.export_public_key("openssh"))
    (ssh_dir / "authorized_keys").chmod(0o600)
    client_key = root / "client" / "id_ed25519"
    client_key.parent.mkdir(mode=0o700)
    client.write_private_key(str(client_key))
    client_key.chmod(0o600)
    for kind, bits in (("ed25519", []), ("ecdsa", ["-b", "256"]), ("rsa", ["-b", "2048"])):
        _run(["ssh-keygen", "-q", "-t", kind, *bits, "-N", "", "-f", str(root / f"ssh_host_{kind}_key")])
    users_file = root / "users.oath"
    users_file.write_text(f"HOTP {user} - {SECRET}\n")
    users_file.chmod(0o600)
    service = f"sshd-daostui-{user}"
    pam_file = Path("/etc/pam.d") / service
    pam_file.write_text(
        f"auth required {_pam_oath()} usersfile={users_file} window=20 digits=6\n"
        "account required pam_permit.so\n"
        "session required pam_permit.so\n"
    )
    sshd = root / service
    sshd.symlink_to(os.environ.get("DAOSTUI_REALSSH_SSHD") or _which("sshd"))
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    log = root / "sshd.log"
    namespace = (
        subprocess.run(["unshare", "-m", "--propagation", "private", "true"], check=False).returncode == 0
    )
    server: RealSshServer | None = None
    for _attempt in range(5):
        port = _free_port()
        config = root / "sshd_config"
        config.write_text(_sshd_config(root, port, user))
        command = [str(sshd), "-D", "-f", str(config), "-E", str(log)]
        if namespace:
            mounts = "".join(
                f"mount -t tmpfs -o size=1m,mode=755 daostui-hidden {shlex.quote(str(p))} && " for p in hide
            )
            command = [
                "unshare",
                "-m",
                "--propagation",
                "private",
                "sh",
                "-c",
                mounts + 'exec "$@"',
                "sh",
                *command,
            ]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        server = RealSshServer(
            root,
            port,
            user,
            home,
            demo_dir,
            client_key,
            process,
            pam_file,
            log,
            namespace,
            account_python(),
            os.path.realpath(sshd),
        )
        if _listening(port, process):
            break
        server.stop()
        server = None
    if server is None:
        cleanup_account(user, root, pam_file)
        raise RuntimeError(f"sshd did not start: {log.read_text()[-2000:] if log.exists() else 'no log'}")
    _chown_tree(home, uid)
    server.reset_demo()
    return server


def _listening(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
        time.sleep(0.05)
    return False


def stop(server: RealSshServer) -> None:
    server.stop()
    cleanup_account(server.user, server.root, server.pam_file)


def cleanup_account(user: str, root: Path, pam_file: Path) -> None:
    """Kill what the account still runs (by pid), remove it, its PAM service and the files."""
    with contextlib.suppress(KeyError):
        uid = pwd.getpwnam(user).pw_uid
        for _ in range(3):
            pids = _owned_by(uid)
            if not pids:
                break
            _kill(pids)
            time.sleep(0.2)
        subprocess.run(["userdel", "--force", user], check=False, capture_output=True)
    with contextlib.suppress(FileNotFoundError):
        pam_file.unlink()
    shutil.rmtree(root, ignore_errors=True)
