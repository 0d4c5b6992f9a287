"""ssh mode against a real asyncssh server on 127.0.0.1 (random port, generated keys)."""

from __future__ import annotations

import asyncio
import sys

import pytest

from daostui.core.errors import TransportError
from daostui.transport.base import Prelude
from daostui.transport.ssh import SshTarget, SshTransport
from tests.sshserver import SshTestServer

PY = sys.executable


class Prompter:
    def __init__(self, *, passcode: str = "", trust: bool = True) -> None:
        self.passcode = passcode
        self.trust = trust
        self.host_prompts: list[tuple[str, str]] = []
        self.kbd_prompts: list[list[tuple[str, bool]]] = []

    async def keyboard_interactive(self, host, name, instructions, prompts):
        self.kbd_prompts.append(list(prompts))
        return [self.passcode for _ in prompts]

    async def password(self, host, user):
        return None

    async def trust_host_key(self, host, port, key_type, fingerprint):
        self.host_prompts.append((key_type, fingerprint))
        return self.trust


@pytest.fixture
async def server(tmp_path):
    srv = SshTestServer(tmp_path)
    await srv.start()
    yield srv
    await srv.stop()


def transport_for(srv: SshTestServer, tmp_path, prompter=None, *, trusted=True, prelude=None) -> SshTransport:
    known = tmp_path / "known_hosts"
    if trusted:
        known.write_text(srv.known_hosts_line)
    return SshTransport(
        SshTarget("127.0.0.1", srv.username, srv.port),
        prompter=prompter,
        known_hosts=known,
        client_keys=[str(srv.user_key_path)],
        prelude=prelude,
        config_files=[],
        extra_options={"agent_path": None},
    )


def test_target_parsing() -> None:
    assert SshTarget.parse("alice@aurora.alcf.anl.gov:2222") == SshTarget(
        "aurora.alcf.anl.gov", "alice", 2222
    )
    assert SshTarget.parse("aurora") == SshTarget("aurora")
    assert SshTarget.parse("bob@[::1]:22") == SshTarget("::1", "bob", 22)
    with pytest.raises(TransportError):
        SshTarget.parse("alice@host:port")


async def test_runs_commands_on_one_multiplexed_connection(server, tmp_path) -> None:
    t = transport_for(server, tmp_path)
    results = await asyncio.gather(*(t.run(["echo", f"hello {i}"]) for i in range(8)))
    assert [r.stdout for r in results] == [f"hello {i}\n" for i in range(8)]
    assert all(r.ok and r.where.startswith("ssh:") for r in results)
    assert t.connections_made == 1
    failing = await t.run(["bash", "-c", "echo oops >&2; exit 7"])
    assert failing.exit_status == 7 and failing.stderr == "oops\n" and not failing.ok
    await t.close()


async def test_hostile_arguments_execute_nothing_but_what_was_meant(server, tmp_path) -> None:
    canary = tmp_path / "canary"
    hostile = [
        f"'; touch {canary}; echo '",
        f"$(touch {canary})",
        f"`touch {canary}`",
        f"a\ntouch {canary}",
        f'"; touch {canary}; "',
        "lab;el",
    ]
    t = transport_for(server, tmp_path, prelude=Prelude(lines=("export DAOSTUI_PRE=1",)))
    r = await t.run(
        [PY, "-c", "import sys, os; print(os.environ['DAOSTUI_PRE']); print(repr(sys.argv[1:]))", *hostile]
    )
    assert r.ok, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "1"
    assert lines[1] == repr(hostile)
    assert not canary.exists()
    await t.close()


async def test_unknown_host_key_asks_and_adds_only_when_told(server, tmp_path) -> None:
    refuse = Prompter(trust=False)
    t = transport_for(server, tmp_path, refuse, trusted=False)
    r = await t.run(["true"])
    assert not r.ok and "unknown" in r.error
    assert refuse.host_prompts and refuse.host_prompts[0][1].startswith("SHA256:")
    assert not (tmp_path / "known_hosts").exists()

    accept = Prompter(trust=True)
    t2 = transport_for(server, tmp_path, accept, trusted=False)
    r2 = await t2.run(["echo", "ok"])
    assert r2.ok, r2.stderr
    assert f"[127.0.0.1]:{server.port}" in (tmp_path / "known_hosts").read_text()
    await t2.close()


async def test_changed_host_key_is_refused_with_explanation(server, tmp_path) -> None:
    import asyncssh

    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode().strip()
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{server.port} {other}\n")
    prompter = Prompter(trust=True)
    t = transport_for(server, tmp_path, prompter, trusted=False)
    r = await t.run(["true"])
    assert not r.ok
    assert "CHANGED" in r.error
    assert not prompter.host_prompts  # never offered to trust a changed key
    assert other in known.read_text() and known.read_text().count("\n") == 1


async def test_keyboard_interactive_passcode(tmp_path) -> None:
    srv = SshTestServer(tmp_path, passcode="123456")
    await srv.start()
    try:
        wrong = transport_for(srv, tmp_path, Prompter(passcode="000000"))
        r = await wrong.run(["true"])
        assert not r.ok and r.error
        good_prompter = Prompter(passcode="123456")
        t = transport_for(srv, tmp_path, good_prompter)
        r = await t.run(["echo", "in"])
        assert r.ok and r.stdout == "in\n"
        assert good_prompter.kbd_prompts == [[("Passcode: ", False)]]
        await t.close()
    finally:
        await srv.stop()


async def test_server_killed_mid_command_fails_then_reconnects(tmp_path) -> None:
    srv = SshTestServer(tmp_path)
    await srv.start()
    port = srv.port
    t = transport_for(srv, tmp_path)
    assert (await t.run(["true"])).ok
    running = asyncio.ensure_future(t.run(["sleep", "30"], timeout=60))
    await asyncio.sleep(0.5)
    await srv.stop()
    r = await asyncio.wait_for(running, 20)
    assert not r.ok, "a command cut off by a dead connection must not look like success"
    assert r.exit_status == 255 and "connection lost" in (r.error or r.stderr)
    # the login node comes back on the same port: the next command reconnects
    srv2 = SshTestServer(tmp_path, same_keys_as=srv)
    await srv2.start(port)
    try:
        r2 = await asyncio.wait_for(t.run(["echo", "back"]), 30)
        assert r2.ok and r2.stdout == "back\n"
        assert t.connections_made == 2
    finally:
        await t.close()
        await srv2.stop()


async def test_timeout_and_stream(server, tmp_path) -> None:
    t = transport_for(server, tmp_path)
    r = await t.run(["bash", "-c", "echo partial; sleep 30"], timeout=1)
    assert r.timed_out and not r.ok
    lines = [line async for line in t.stream(["bash", "-c", "echo a; echo b >&2; echo c"])]
    assert sorted(lines) == ["a", "b", "c"]
    await t.close()
