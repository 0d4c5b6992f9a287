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
    assert r.exit_status == 255 and "connection lost" in r.stderr
    assert r.outcome_unknown and r.outcome == "outcome unknown" and not r.error, "never 'not run'"
    assert "it may have run on the login node" in r.stderr
    assert not t.link.connected and not t.link.needs_reconnect, "a network failure is retried on its own"
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


async def test_login_noise_never_reaches_the_output(tmp_path) -> None:
    srv = SshTestServer(tmp_path, noise="Welcome to Aurora: a banner")
    await srv.start()
    t = transport_for(srv, tmp_path, prelude=Prelude(lines=("echo 'module: loaded' >&2",), login=False))
    try:
        r = await t.run(["bash", "-c", "echo '{\"a\": 1}'; echo warn >&2"])
        lines = [line async for line in t.stream(["bash", "-c", "echo a; echo b >&2"])]
    finally:
        await t.close()
        await srv.stop()
    assert r.ok and r.stdout == '{"a": 1}\n' and r.stderr == "warn\n"
    assert "Welcome to Aurora" in r.login_noise and "module: loaded" in r.login_noise
    assert sorted(lines) == ["a", "b"]


async def test_the_remote_user_and_home_are_learned_once_at_login(server, tmp_path) -> None:
    t = transport_for(server, tmp_path)
    seen = []
    t.add_listener(seen.append)
    t.identity.user = "laptop_user"
    await t.run(["true"])
    await t.close()
    await t.run(["true"])  # a second login does not ask again
    await t.close()
    assert t.identity.learned and t.identity.user == server.username
    assert t.identity.home == str(server.home)
    assert [r.argv for r in seen].count(("sh", "-c", 'id -un && printf "%s\\n" "$HOME"')) == 1


async def test_a_connection_that_died_unnoticed_is_reopened_and_the_command_sent_once(
    server, tmp_path
) -> None:
    t = transport_for(server, tmp_path)
    conn = await t.connect()
    conn.close()  # gone, but its connection_lost has not run yet
    r = await t.run(["echo", "again"])
    assert r.ok and r.stdout == "again\n"
    assert server.config.commands.count(next(c for c in server.config.commands if "again" in c)) == 1
    await t.close()


async def test_cancelled_passcode_waits_for_reconnect_and_a_login_is_announced(tmp_path) -> None:
    srv = SshTestServer(tmp_path, passcode="123456")
    await srv.start()
    prompter = Prompter(passcode="123456")
    cancel = {"yes": True}

    async def answer(host, name, instructions, prompts):
        prompter.kbd_prompts.append(list(prompts))
        return None if cancel["yes"] else ["123456"]

    prompter.keyboard_interactive = answer
    t = transport_for(srv, tmp_path, prompter)
    links = []
    texts = []
    t.add_link_listener(links.append)
    t.state_listeners.append(texts.append)
    try:
        results = [await t.run(["true"]) for _ in range(5)]
        assert all(not r.ok and r.outcome == "not run" for r in results)
        assert len(prompter.kbd_prompts) == 1, "no automatic re-prompt after a cancel"
        assert t.link.needs_reconnect and t.link.reason == "passcode cancelled"
        t.reconnect_hint = "press ctrl+r to reconnect"
        assert t.state == "disconnected: passcode cancelled — press ctrl+r to reconnect"
        cancel["yes"] = False
        link = await t.reconnect()
        assert link.connected and link.logins == 1 and len(prompter.kbd_prompts) == 2
        assert (await t.run(["echo", "in"])).stdout == "in\n"
    finally:
        await t.close()
        await srv.stop()
    assert [x.status for x in links].count("connected") == 1
    assert "disconnected: passcode cancelled — reconnect to try again" in texts


async def test_a_wrong_passcode_is_not_retried_on_its_own(tmp_path) -> None:
    srv = SshTestServer(tmp_path, passcode="123456")
    await srv.start()
    prompter = Prompter(passcode="000000")
    t = transport_for(srv, tmp_path, prompter)
    try:
        first = await t.run(["true"])
        again = await t.run(["true"])
        assert "refused the login" in first.error and not again.ok
        assert len(prompter.kbd_prompts) == 3, "the client's three tries, then it stops asking"
        assert t.link.needs_reconnect and t.link.reason == "login refused"
        prompter.passcode = "123456"
        assert (await t.reconnect()).connected
    finally:
        await t.close()
        await srv.stop()


async def test_an_unreachable_host_is_retried_with_back_off(tmp_path) -> None:
    srv = SshTestServer(tmp_path)
    await srv.start()
    t = transport_for(srv, tmp_path)
    await srv.stop()
    r = await t.run(["true"])
    assert not r.ok and r.outcome == "not run" and "cannot connect" in r.error
    assert not t.link.needs_reconnect and t.link.retry_in == 1.0
    assert t.state.startswith("disconnected: cannot connect")


async def test_many_commands_at_once_stay_within_the_session_limit(server, tmp_path) -> None:
    t = transport_for(server, tmp_path)
    results = await asyncio.gather(*(t.run(["echo", str(i)]) for i in range(20)))
    assert [r.stdout for r in results] == [f"{i}\n" for i in range(20)]
    await t.close()


async def test_link_state_texts() -> None:
    from daostui.transport.link import Link, LinkState

    assert LinkState().text() == "connected"
    assert (
        LinkState(Link.RECONNECTING, "connection lost", retry_in=3.2).text()
        == "reconnecting in 4s (connection lost)"
    )
    assert LinkState(Link.DISCONNECTED, "login refused", needs_reconnect=True).text("press r") == (
        "disconnected: login refused — press r"
    )


async def test_a_command_cancelled_while_connecting_leaves_the_link_ready_for_the_next(tmp_path) -> None:
    srv = SshTestServer(tmp_path, passcode="123456")
    await srv.start()
    prompter = Prompter(passcode="123456")
    asked = asyncio.Event()
    never = asyncio.Event()

    async def slow_user(host, name, instructions, prompts):
        asked.set()
        await never.wait()  # the user walked away from the prompt

    real_answer = prompter.keyboard_interactive
    prompter.keyboard_interactive = slow_user
    t = transport_for(srv, tmp_path, prompter)
    try:
        pending = asyncio.ensure_future(t.run(["true"]))
        await asyncio.wait_for(asked.wait(), 20)
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
        assert t.link.status == "disconnected" and not t.link.needs_reconnect
        prompter.keyboard_interactive = real_answer
        assert (await t.run(["echo", "ok"])).ok
    finally:
        await t.close()
        await srv.stop()
