"""Host keys and ~/.ssh/config like OpenSSH, against asyncssh servers on 127.0.0.1 (fast; tests/test_realssh.py
does the same against Debian's sshd)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import asyncssh
import pytest

from daostui.core.config import Config, SshEntry
from daostui.core.errors import TransportError
from daostui.transport.hostkeys import KnownHosts, file_is_hashed, hash_name
from daostui.transport.ssh import SshTarget, SshTransport
from daostui.transport.ssh_config import SshTarget as Target
from daostui.transport.ssh_config import resolve
from tests.sshserver import SshTestServer
from tests.test_transport_ssh import Prompter


def transport(srv: SshTestServer, known: Path, prompter: Prompter | None = None, **options) -> SshTransport:
    return SshTransport(
        SshTarget("127.0.0.1", srv.username, srv.port),
        prompter=prompter or Prompter(trust=False),
        known_hosts=known,
        client_keys=[str(srv.user_key_path)],
        config_files=[],
        extra_options={"agent_path": None},
        **options,
    )


@pytest.fixture
async def multi(tmp_path):
    """A login node with three host keys, like Debian's sshd (ed25519, ecdsa, rsa)."""
    srv = SshTestServer(tmp_path / "srv", host_key_types=("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"))
    await srv.start()
    yield srv
    await srv.stop()


def other(kind: str = "ssh-ed25519") -> asyncssh.SSHKey:
    return asyncssh.generate_private_key(kind, **({"key_size": 2048} if kind == "ssh-rsa" else {}))


async def connects_quietly(t: SshTransport) -> None:
    try:
        result = await t.run(["true"])
        assert result.ok, result.error
        assert t.prompter.host_prompts == [], "no question for a known key"
    finally:
        await t.close()


async def test_a_hashed_ed25519_only_known_hosts_is_trusted(multi, tmp_path) -> None:
    """What `ssh` records (hashed, ed25519) for a server that also has RSA and ECDSA keys."""
    known = tmp_path / "known_hosts"
    known.write_text(multi.known_hosts_line_for(multi.host_keys[0], hash_name(f"[127.0.0.1]:{multi.port}")))
    await connects_quietly(transport(multi, known))


@pytest.mark.parametrize("index", [1, 2])
async def test_the_key_type_known_is_the_one_asked_for(multi, tmp_path, index) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(multi.known_hosts_line_for(multi.host_keys[index]))
    await connects_quietly(transport(multi, known))


async def test_a_different_key_of_the_negotiated_type_is_changed_and_refused(multi, tmp_path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(multi.known_hosts_line_for(other("ssh-rsa")))
    t = transport(multi, known, Prompter(trust=True))
    r = await t.run(["true"])
    assert not r.ok and "ssh-rsa host key" in r.error and "CHANGED" in r.error
    assert t.prompter.host_prompts == [], "a changed key is never offered for trust"
    assert t.link.needs_reconnect and t.link.reason == "host key changed"
    assert known.read_text().count("\n") == 1


async def test_a_new_key_type_on_a_known_host_is_asked_not_changed(tmp_path) -> None:
    srv = SshTestServer(tmp_path / "srv")  # ed25519 only
    await srv.start()
    known = tmp_path / "known_hosts"
    known.write_text(srv.known_hosts_line_for(other("ecdsa-sha2-nistp256")))
    t = transport(srv, known)
    try:
        r = await t.run(["true"])
    finally:
        await srv.stop()
    assert "unknown" in r.error and "known_hosts has its ecdsa-sha2-nistp256 key" in r.error
    assert t.prompter.host_prompts and t.prompter.host_prompts[0][0] == "ssh-ed25519"


async def test_a_port_22_entry_is_not_the_entry_of_another_port(tmp_path) -> None:
    srv = SshTestServer(tmp_path / "srv")
    await srv.start()
    known = tmp_path / "known_hosts"
    known.write_text(srv.known_hosts_line_for(other(), "127.0.0.1"))  # another sshd on port 22
    prompter = Prompter(trust=True)
    t = transport(srv, known, prompter)
    try:
        assert (await t.run(["true"])).ok
    finally:
        await t.close()
        await srv.stop()
    assert len(prompter.host_prompts) == 1, "unknown for [127.0.0.1]:port, as OpenSSH says"
    lines = known.read_text().splitlines()
    assert lines[0].startswith("127.0.0.1 ") and lines[1].startswith(f"[127.0.0.1]:{srv.port} ssh-ed25519 ")


async def test_a_revoked_key_is_refused_without_a_question(tmp_path) -> None:
    srv = SshTestServer(tmp_path / "srv")
    await srv.start()
    known = tmp_path / "known_hosts"
    known.write_text("@revoked " + srv.known_hosts_line)
    t = transport(srv, known, Prompter(trust=True))
    try:
        r = await t.run(["true"])
    finally:
        await srv.stop()
    assert "revoked" in r.error and t.prompter.host_prompts == []


async def test_a_host_certificate_from_a_trusted_ca_needs_no_question(tmp_path) -> None:
    ca = asyncssh.generate_private_key("ssh-ed25519")
    srv = SshTestServer(tmp_path / "srv", host_ca=ca)
    await srv.start()
    known = tmp_path / "known_hosts"
    known.write_text("@cert-authority " + srv.known_hosts_line_for(ca))
    try:
        await connects_quietly(transport(srv, known))
    finally:
        await srv.stop()


async def test_a_trusted_key_is_recorded_hashed_when_the_file_is_hashed(tmp_path) -> None:
    srv = SshTestServer(tmp_path / "srv")
    await srv.start()
    known = tmp_path / "known_hosts"
    known.write_text(f"{hash_name('elsewhere.example')} {other().export_public_key('openssh').decode()}")
    t = transport(srv, known, Prompter(trust=True))
    try:
        assert (await t.run(["true"])).ok
        t2 = transport(srv, known)
        await connects_quietly(t2)  # the recorded (hashed) entry is found again
    finally:
        await t.close()
        await srv.stop()
    lines = known.read_text().splitlines()
    assert len(lines) == 2 and all(line.startswith("|1|") for line in lines)
    assert KnownHosts([known]).lookup(f"[127.0.0.1]:{srv.port}").host_keys == (
        srv.host_key.convert_to_public(),
    )


def test_hashed_names_are_found_by_openssh_s_own_ssh_keygen(tmp_path) -> None:
    if not shutil.which("ssh-keygen"):
        pytest.skip("ssh-keygen (openssh-client) is not installed")
    known = tmp_path / "known_hosts"
    key = " ".join(other().export_public_key("openssh").decode().split()[:2])
    known.write_text(f"{hash_name('[login.example]:2222')} {key}\n")
    found = subprocess.run(
        ["ssh-keygen", "-F", "[login.example]:2222", "-f", str(known)], capture_output=True, text=True
    )
    assert found.returncode == 0 and key in found.stdout
    missing = subprocess.run(["ssh-keygen", "-F", "login.example", "-f", str(known)], capture_output=True)
    assert missing.returncode != 0
    book = KnownHosts([])
    assert book.algorithms("nowhere")[:2] == ["ssh-ed25519", "ecdsa-sha2-nistp256"], "OpenSSH's order"


def test_unreadable_lines_are_skipped_like_openssh(tmp_path) -> None:
    known = tmp_path / "known_hosts"
    key = other()
    known.write_text(f"garbage\n@bogus x y\nhost.example {key.export_public_key('openssh').decode()}")
    book = KnownHosts([known])
    assert book.lookup("host.example").host_keys == (key.convert_to_public(),)
    assert len(book.skipped) >= 1
    assert not file_is_hashed(known)


# ---------------------------------------------------------------------------------- ~/.ssh/config


def write_config(
    tmp_path: Path, srv: SshTestServer, known: Path, *, alias: str = "aurora", extra: str = ""
) -> Path:
    included = tmp_path / "ssh" / "config.d" / "aurora.conf"
    included.parent.mkdir(parents=True, exist_ok=True)
    included.write_text(
        f"Host {alias}\n    HostName 127.0.0.1\n    Port {srv.port}\n    User {srv.username}\n"
        f"    IdentityFile {srv.user_key_path}\n    UserKnownHostsFile {known}\n{extra}"
    )
    config = tmp_path / "ssh" / "config"
    config.write_text(f"Include {included}\n")
    return config


async def test_an_alias_from_ssh_config_with_include(server_and_known) -> None:
    srv, known, tmp_path = server_and_known
    config = write_config(tmp_path, srv, known)
    resolved = resolve(Target("aurora"), [config])
    assert (resolved.hostname, resolved.port, resolved.user) == ("127.0.0.1", srv.port, srv.username)
    assert resolved.identity_files == (str(srv.user_key_path),)
    assert resolved.user_known_hosts == (known,) and resolved.known_hosts_name == f"[127.0.0.1]:{srv.port}"
    t = SshTransport(
        SshTarget("aurora"), prompter=Prompter(), config_files=[config], extra_options={"agent_path": None}
    )
    assert t.where == f"ssh:{srv.username}@127.0.0.1:{srv.port}" and t.identity.user == srv.username
    await connects_quietly(t)


async def test_an_alias_trusted_on_first_use_is_recorded_under_its_hostname_and_hashed_if_configured(
    tmp_path,
) -> None:
    srv = SshTestServer(tmp_path / "srv")
    await srv.start()
    known = tmp_path / "known_hosts"
    config = write_config(tmp_path, srv, known, extra="    HashKnownHosts yes\n")
    prompter = Prompter(trust=True)
    t = SshTransport(
        SshTarget("aurora"), prompter=prompter, config_files=[config], extra_options={"agent_path": None}
    )
    try:
        assert (await t.run(["true"])).ok
    finally:
        await t.close()
        await srv.stop()
    assert prompter.host_prompts and known.read_text().startswith("|1|")
    assert KnownHosts([known]).lookup(f"[127.0.0.1]:{srv.port}").host_keys
    assert not KnownHosts([known]).lookup("aurora").host_keys, "the HostName is recorded, not the alias"


async def test_a_config_ssh_entry_naming_an_alias_resolves_through_ssh_config(server_and_known) -> None:
    from daostui.core.session import ssh_session
    from daostui.transport.log import CommandLog

    srv, known, tmp_path = server_and_known
    config_file = write_config(tmp_path, srv, known)
    config = Config(ssh={"polaris": SshEntry(host="aurora", prelude=("module load daos",))})
    session = ssh_session(
        "polaris",
        config=config,
        log=CommandLog(None),
        config_files=[config_file],
        extra_options={"agent_path": None},
    )
    assert (session.host, session.user) == ("127.0.0.1", srv.username)
    assert session.transport.prelude.lines == ("module load daos",)
    assert session.pbs.user == session.mounts.user == srv.username


def test_a_bad_config_names_its_file_and_line(tmp_path) -> None:
    config = tmp_path / "config"
    config.write_text("Host aurora\n    Port notanumber\n")
    with pytest.raises(TransportError, match="line 2"):
        resolve(Target("aurora"), [config])


async def test_proxy_jump_goes_through_the_jump_host_checking_both_keys(tmp_path) -> None:
    jump = SshTestServer(tmp_path / "jump")
    target = SshTestServer(tmp_path / "target", same_keys_as=None)
    await jump.start()
    await target.start()
    known = tmp_path / "known_hosts"
    known.write_text(jump.known_hosts_line + target.known_hosts_line)
    config = tmp_path / "config"
    config.write_text(
        f"Host bastion\n    HostName 127.0.0.1\n    Port {jump.port}\n    User {jump.username}\n"
        f"    IdentityFile {jump.user_key_path}\n    UserKnownHostsFile {known}\n"
        f"Host login\n    HostName 127.0.0.1\n    Port {target.port}\n    User {target.username}\n"
        f"    IdentityFile {target.user_key_path}\n    UserKnownHostsFile {known}\n    ProxyJump bastion\n"
    )
    t = SshTransport(
        SshTarget("login"), prompter=Prompter(), config_files=[config], extra_options={"agent_path": None}
    )
    try:
        r = await t.run(["echo", "through"])
        assert r.ok and r.stdout == "through\n", r.error
        assert jump.config.forwarded == [("127.0.0.1", target.port)]
        assert any("through" in c for c in target.config.commands)
        assert not any("through" in c for c in jump.config.commands)
    finally:
        await t.close()
        await jump.stop()
        await target.stop()


@pytest.fixture
async def server_and_known(tmp_path):
    srv = SshTestServer(tmp_path / "srv")
    await srv.start()
    known = tmp_path / "known_hosts"
    known.write_text(srv.known_hosts_line)
    yield srv, known, tmp_path
    await srv.stop()
