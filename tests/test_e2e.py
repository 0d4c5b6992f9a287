"""End to end: the installed `daostui` in a real pseudo-terminal, and in a real browser.

The pty test starts the console the way a user does (`daostui --demo`), types keys, and reads the
screen through a terminal emulator (pyte), including the quit path. The browser test starts
`daostui serve`, opens the page in headless Chromium (driven over the DevTools protocol), checks
the console's frames arrive and that a key press is answered, then shuts everything down.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pexpect
import pyte
import pytest

pytestmark = pytest.mark.e2e

ROWS, COLS = 35, 120


def installed_daostui() -> str:
    """The console script installed next to this interpreter (what the README's setup installs)."""
    candidate = Path(sys.executable).parent / "daostui"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("daostui")
    if not found:
        pytest.skip("the daostui console script is not installed")
    return found


def seeded_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    from daostui.sim import bindir, seed

    demo = tmp_path / "demo"
    seed.reset(demo, seed=0)
    bindir.prepare(demo, seed=0)
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": str(COLS),
        "LINES": str(ROWS),
        "DAOSTUI_STATE_DIR": str(tmp_path / "state"),
        "DAOSTUI_CONFIG": str(tmp_path / "none.toml"),
    }
    return env, demo


class Terminal:
    """A pexpect child whose output feeds a pyte screen we can read like a user."""

    def __init__(
        self, argv: list[str], env: dict[str, str], cwd: Path, *, rows: int = ROWS, cols: int = COLS
    ) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, cwd=str(cwd), dimensions=(rows, cols))
        #: Every byte the console wrote, to catch what was on screen only between two reads.
        self.written = bytearray()

    def pump(self, seconds: float = 0.2) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                data = self.child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return
            self.written += data
            self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 20.0, what: str = "") -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.2)
            text = self.text()
            if predicate(text):
                return text
        raise AssertionError(f"screen never showed {what}:\n{self.text()}")

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def quit(self, answer: str = "q") -> None:
        """`q`, the quit question (it always asks), `answer`: the console ends with status 0."""
        self.send("q")
        self.wait_for(lambda t: "Quit daostui?" in t, what="the quit question")
        self.send(answer)
        self.child.expect(pexpect.EOF, timeout=15)
        self.child.close()
        assert self.child.exitstatus == 0


def test_console_in_a_real_terminal(tmp_path: Path):
    env, demo = seeded_env(tmp_path)
    term = Terminal([installed_daostui(), "--demo", "--demo-dir", str(demo)], env, tmp_path)
    try:
        screen = term.wait_for(lambda t: "hpc_demo" in t and "datascience" in t, what="the pools")
        assert "DEMO" in screen, "demo mode must be impossible to miss"
        assert "Degraded" in screen
        term.wait_for(lambda t: "checkpoints" in t, what="the containers of hpc_demo")
        term.send("?")
        term.wait_for(lambda t: "Keys" in t or "keys" in t, what="the help screen")
        term.send("\x1b")
        term.wait_for(lambda t: "checkpoints" in t and "Degraded" in t, what="the console again")
        term.send("2")  # containers pane
        term.send("n")  # create container form
        term.wait_for(lambda t: "New POSIX container" in t, what="the create form")
        term.send("e2e_cont\r")
        term.wait_for(lambda t: "Created container e2e_cont" in t, what="the create outcome")
        term.send("\x1b")
        term.wait_for(lambda t: "e2e_cont" in t and "New POSIX" not in t, what="the new row")
        term.quit()
    finally:
        if term.child.isalive():
            term.child.kill(signal.SIGKILL)
    from daostui.sim import daos_state  # noqa: F401 - the sim state is what the user changed

    listing = subprocess.run(
        ["daos", "container", "list", "hpc_demo"],
        env={**env, **__import__("daostui.sim", fromlist=["environment"]).environment(demo)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "e2e_cont" in listing.stdout


def test_a_first_start_at_80x24_offers_the_wizard_and_never_says_empty_before_loading(tmp_path: Path):
    """Issue 15 (6, 13, 17): a newcomer's very first start, fresh state, in a small real terminal."""
    env, demo = seeded_env(tmp_path)
    env.update(COLUMNS="80", LINES="24")
    argv = [installed_daostui(), "--demo", "--demo-dir", str(demo)]
    term = Terminal(argv, env, tmp_path, rows=24, cols=80)
    try:
        screen = term.wait_for(lambda t: "hpc_demo" in t and "Degraded" in t, what="the pools")
        screen = term.wait_for(lambda t: "2 Containers (1)" in t, what="the containers of hpc_demo loaded")
        flat = " ".join(screen.split())
        assert "Press w for the guided setup" in flat, "the first-start offer is on screen"
        footer = term.text().splitlines()[-1]
        assert "? Help" in footer and "q Quit" in footer, f"the footer keeps ? and q: {footer!r}"
        # the project has containers, yet the offer stays until answered
        term.send("4")
        term.wait_for(lambda t: "Press w for the guided setup" in " ".join(t.split()), what="the offer")
        term.send("\x1b")  # esc dismisses it
        term.wait_for(lambda t: "guided setup" not in " ".join(t.split()), what="the offer dismissed")
        assert b"No pools visible" not in term.written, "never 'empty' before the first answer"
        term.quit("y")
    finally:
        if term.child.isalive():
            term.child.kill(signal.SIGKILL)
    assert (tmp_path / "state" / "wizard-offer-answered").read_text() == "dismissed\n"


def test_interactive_job_suspends_the_console_and_resumes(tmp_path: Path):
    """`i` in the jobs pane: qsub -I in this terminal, the container mounted, `exit` comes back."""
    env, demo = seeded_env(tmp_path)
    env["DAOSTUI_SIM_COMPUTE_ROOT"] = str(tmp_path / "compute")
    (tmp_path / "compute").mkdir()
    term = Terminal([installed_daostui(), "--demo", "--demo-dir", str(demo)], env, tmp_path)
    try:
        term.wait_for(lambda t: "checkpoints" in t, what="the console")
        term.send("2")
        term.wait_for(lambda t: "Copy to/from flare" in t, what="the containers pane's keys")
        term.send("4")
        term.send("i")
        term.wait_for(lambda t: "Interactive job (qsub -I)" in t, what="the interactive form")
        term.wait_for(lambda t: "qsub -I -A hpc_demo" in t, what="the qsub -I preview")
        term.send("\r")
        term.wait_for(lambda t: "is running" in t, what="the job's shell", timeout=30)
        term.wait_for(lambda t: "container mounted at" in t, what="launch-dfuse in the job", timeout=15)
        term.send("echo inside-job-$PBS_JOBID\r")
        term.wait_for(lambda t: "inside-job-" in t and "aurora-pbs" in t, what="a command run in the job")
        term.send("exit\r")
        term.wait_for(lambda t: "My jobs" in t and "Pools" in t, what="the console again", timeout=20)
        term.wait_for(lambda t: "ended" in t, what="the outcome notification")
        term.quit()
    finally:
        if term.child.isalive():
            term.child.kill(signal.SIGKILL)
    assert list((tmp_path / "compute").glob("hpc_demo/checkpoints")), "launch-dfuse.sh mounted it on the node"


def test_tutorial_commands_in_demo_shell(tmp_path: Path):
    """The tutorial's own sequence, typed in `daostui demo-shell` as a new user would."""
    env, demo = seeded_env(tmp_path)
    env["SHELL"] = "/bin/bash"
    env["HOME"] = str(tmp_path)
    mnt = tmp_path / "mnt" / "hpc_demo" / "mycont"
    (tmp_path / "job.sh").write_text("#!/bin/bash\necho tutorial job on $(hostname)\n")
    child = pexpect.spawn(
        installed_daostui(),
        ["demo-shell", "--demo-dir", str(demo)],
        env=env,
        cwd=str(tmp_path),
        dimensions=(ROWS, COLS),
        encoding="utf-8",
        timeout=20,
    )
    prompt = r"\(aurora-demo\).*\$ "

    def run(command: str) -> str:
        child.sendline(command)
        child.expect(prompt)
        return child.before

    try:
        child.expect(prompt)
        assert "hpc_demo" in run("daos pool list")
        assert "Degraded" in run("daos pool query datascience")
        assert "Successfully created container" in run(
            "daos container create --type POSIX hpc_demo mycont --properties rd_fac:1"
        )
        assert "mycont" in run("daos cont list hpc_demo")
        run(f"mkdir -p {mnt} && start-dfuse.sh -m {mnt} --pool hpc_demo --cont mycont")
        assert f"dfuse on {mnt} type fuse.daos (rw,nosuid,nodev,noatime," in run("mount | grep dfuse")
        assert "hello" in run(f"echo hello > {mnt}/hello.txt && cat {mnt}/hello.txt")
        run(f"fusermount3 -u {mnt}; echo unmounted=$?")
        assert "unmounted=0" in child.before
        out = run(
            "qsub -A hpc_demo -q debug -l select=1,walltime=00:10:00,filesystems=home:flare:daos_user "
            "-l daos=daos_user job.sh"
        )
        assert ".aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov" in out
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        if child.isalive():
            child.kill(signal.SIGKILL)


# ---------------------------------------------------------------------- browser
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium installed (.ci/run installs Debian's chromium)")


class DevTools:
    """The few Chrome DevTools protocol calls the test needs, over aiohttp's websocket client."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.next_id = 0
        self.frames: list[str] = []

    async def call(self, method: str, **params) -> dict:
        self.next_id += 1
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        while True:
            message = await self.ws.receive_json(timeout=20)
            self._event(message)
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def _event(self, message: dict) -> None:
        if message.get("method") == "Network.webSocketFrameReceived":
            response = message["params"]["response"]
            data = response.get("payloadData", "")
            if response.get("opcode") == 2:
                data = base64.b64decode(data).decode("utf-8", "replace")
            self.frames.append(data)

    async def wait_frames(self, needle: str, timeout: float = 30.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while needle not in "".join(self.frames):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"the browser never received {needle!r}")
            try:
                self._event(await self.ws.receive_json(timeout=remaining))
            except TimeoutError:
                continue


async def drive_browser(browser: str, url: str, profile: Path) -> list[str]:
    import aiohttp

    port = free_port()
    process = subprocess.Popen(
        [
            browser,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={port}",
            "--window-size=1400,900",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_port(port, timeout=30)
        async with aiohttp.ClientSession() as http:
            targets = []
            for _ in range(100):
                async with http.get(f"http://127.0.0.1:{port}/json/list") as response:
                    targets = [t for t in await response.json() if t.get("type") == "page"]
                if targets:
                    break
                await asyncio.sleep(0.1)
            async with http.ws_connect(targets[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                tools = DevTools(ws)
                await tools.call("Network.enable")
                await tools.call("Page.enable")
                await tools.call("Page.navigate", url=url)
                await tools.wait_frames("hpc_demo")  # the console rendered its pools
                await asyncio.sleep(1.0)
                for key in ("?",):
                    await tools.call(
                        "Runtime.evaluate", expression="document.querySelector('textarea')?.focus()"
                    )
                    await tools.call("Input.dispatchKeyEvent", type="keyDown", key=key, text=key)
                    await tools.call("Input.dispatchKeyEvent", type="keyUp", key=key)
                await tools.wait_frames("daostui help")  # the help screen opened
                # what the page itself can see: the address without the token, no readable cookie
                seen = await tools.call(
                    "Runtime.evaluate", expression="location.href + ' cookie=' + document.cookie"
                )
                tools.frames.append("page: " + str(seen.get("result", {}).get("value", "")))
                return tools.frames
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def served_address(output: Path, server: subprocess.Popen, timeout: float = 30.0) -> str:
    """The tokenised address `daostui serve` prints for its owner."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"http://\S+/\?token=\S+", output.read_text())
        if found:
            return found.group(0)
        assert server.poll() is None, output.read_text()
        time.sleep(0.1)
    raise AssertionError(f"serve printed no address:\n{output.read_text()}")


async def status_of(url: str) -> int:
    import aiohttp

    async with aiohttp.ClientSession() as http, http.get(url, allow_redirects=False) as response:
        return response.status


def test_serve_in_headless_chromium(tmp_path: Path):
    """The owner opens the tokenised address the server printed; the bare address is refused."""
    browser = chromium()
    env, demo = seeded_env(tmp_path)
    port = free_port()
    output = tmp_path / "serve.out"
    server = subprocess.Popen(
        [
            installed_daostui(),
            "serve",
            "--demo",
            "--demo-dir",
            str(demo),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        cwd=tmp_path,
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_port(port)
        url = served_address(output, server)
        token = url.split("token=", 1)[1]
        assert asyncio.run(status_of(f"http://127.0.0.1:{port}/")) == 403
        frames = asyncio.run(drive_browser(browser, url, tmp_path / "chromium"))
        assert frames[-1] == f"page: http://127.0.0.1:{port}/ cookie=", "token left in the address or cookie"
        log = (tmp_path / "state" / "commands.jsonl").read_text()
        assert any(json.loads(line)["argv"][:3] == ["daos", "-j", "pool"] for line in log.splitlines())
        assert token not in log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    assert server.returncode is not None
