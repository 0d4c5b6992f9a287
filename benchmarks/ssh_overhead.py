"""Per-command overhead of ssh mode vs a bare asyncssh exec, against the local test ssh server.

Both use one already-open connection; the difference is what daostui adds per command (quoting,
the login-shell prelude, the command log, result objects). Sequential and 8-way concurrent.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.common import report

RUNS = 40


async def _measure() -> tuple[float, float, float, float]:
    import asyncssh

    from daostui.transport.ssh import SshTarget, SshTransport
    from tests.sshserver import SshTestServer

    with tempfile.TemporaryDirectory() as tmp:
        server = SshTestServer(Path(tmp))
        await server.start()
        known = Path(tmp) / "known_hosts"
        known.write_text(server.known_hosts_line)
        try:
            async with asyncssh.connect(
                "127.0.0.1",
                server.port,
                username=server.username,
                client_keys=[str(server.user_key_path)],
                known_hosts=str(known),
                config=[],
                agent_path=None,
            ) as conn:
                await conn.run("true")
                start = time.perf_counter()
                for _ in range(RUNS):
                    await conn.run("true")
                bare = (time.perf_counter() - start) / RUNS
                start = time.perf_counter()
                await asyncio.gather(*(conn.run("true") for _ in range(RUNS)))
                bare_parallel = (time.perf_counter() - start) / RUNS
            transport = SshTransport(
                SshTarget("127.0.0.1", server.username, server.port),
                known_hosts=known,
                client_keys=[str(server.user_key_path)],
                extra_options={"config": [], "agent_path": None},
            )
            await transport.run(["true"])
            start = time.perf_counter()
            for _ in range(RUNS):
                await transport.run(["true"])
            ours = (time.perf_counter() - start) / RUNS
            start = time.perf_counter()
            await asyncio.gather(*(transport.run(["true"]) for _ in range(RUNS)))
            ours_parallel = (time.perf_counter() - start) / RUNS
            await transport.close()
        finally:
            await server.stop()
    return bare, ours, bare_parallel, ours_parallel


def main() -> None:
    bare, ours, bare_parallel, ours_parallel = asyncio.run(_measure())
    report("bare asyncssh exec, sequential", bare * 1000, "ms/cmd")
    report("daostui ssh transport, sequential", ours * 1000, "ms/cmd", baseline=bare * 1000, base_name="bare")
    report("bare asyncssh exec, 40 concurrent", bare_parallel * 1000, "ms/cmd")
    report(
        "daostui ssh transport, 40 concurrent",
        ours_parallel * 1000,
        "ms/cmd",
        baseline=bare_parallel * 1000,
        base_name="bare",
    )


if __name__ == "__main__":
    main()
