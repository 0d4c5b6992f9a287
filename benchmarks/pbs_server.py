"""The jobs pane's cost per refresh against a real OpenPBS server, for 10 / 100 / 1,000 own jobs.

"Cheap on the PBS server" (pbs.md §6.6) measured rather than promised: the commands one refresh
issues, their wall time, and the CPU time `pbs_server` itself spent answering them, for a user
with N queued (held) jobs — the worst case, since unfinished jobs are asked again on every
refresh — and once they are finished (then only `qselect` runs). For scale, the same figures for
what the console never does: `qstat -f -F json -x` of every job on the server.

Needs the real site of .ci/setup.d/20-realpbs.sh (DAOSTUI_TEST_PBS_BIN, _USER, _WORKDIR;
DAOSTUI_TEST_PBS_SERVER_PID for the server's CPU time); says why and skips without it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections import Counter
from pathlib import Path

from benchmarks.common import report

SIZES = (10, 100, 1000)
SUBMIT_PARALLEL = 8


def _server_cpu(pid: str | None) -> float | None:
    """utime + stime of pbs_server in seconds (/proc/PID/stat fields 14 and 15)."""
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Site:
    def __init__(self) -> None:
        from daostui.pbs.client import PbsClient
        from daostui.transport.local import LocalTransport

        self.bin = os.environ["DAOSTUI_TEST_PBS_BIN"]
        self.user = os.environ["DAOSTUI_TEST_PBS_USER"]
        self.work = Path(os.environ["DAOSTUI_TEST_PBS_WORKDIR"]) / "benchmark"
        self.server_pid = os.environ.get("DAOSTUI_TEST_PBS_SERVER_PID")
        self.transport = LocalTransport(env={"PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}"})
        self.client = PbsClient(self.transport, user=self.user, timeout=300)
        self.commands: list = []
        self.transport.add_listener(self.commands.append)

    async def submit_held(self, count: int) -> list[str]:
        self.work.mkdir(exist_ok=True)
        shutil.chown(self.work, user=self.user)
        argv = ["qsub", "-h", "-k", "doe", "-l", "walltime=00:05:00", "--", "/bin/true"]
        ids: list[str] = []
        while len(ids) < count:
            batch = min(SUBMIT_PARALLEL, count - len(ids))
            results = await asyncio.gather(
                *(self.transport.run(argv, cwd=str(self.work), timeout=120) for _ in range(batch))
            )
            ids += [r.stdout.strip() for r in results if r.ok]
        return ids

    async def delete(self, ids: list[str], *options: str) -> None:
        """qdel in chunks (`-x`: also from the history, so the site is left as it was)."""
        for start in range(0, len(ids), 200):
            await self.transport.run(["qdel", *options, *ids[start : start + 200]], timeout=300)

    async def measure(self, action) -> tuple[float, float | None, Counter, int]:  # type: ignore[no-untyped-def]
        """(wall seconds, server CPU seconds, commands by program, bytes received) of `action()`."""
        self.commands.clear()
        cpu = _server_cpu(self.server_pid)
        start = time.perf_counter()
        await action()
        wall = time.perf_counter() - start
        after = _server_cpu(self.server_pid)
        programs = Counter(" ".join(r.argv[:2]) if r.argv[0] == "qstat" else r.argv[0] for r in self.commands)
        received = sum(len(r.stdout) for r in self.commands)
        return wall, (after - cpu if cpu is not None and after is not None else None), programs, received


def _line(site: Site, label: str, figures: tuple[float, float | None, Counter, int]) -> None:
    wall, cpu, programs, received = figures
    server = f", server CPU {cpu * 1000:.0f} ms" if cpu is not None else ""
    commands = ", ".join(f"{count}× {name}" for name, count in sorted(programs.items()))
    report(label, wall * 1000, "ms")
    print(f"{'':<44}   {sum(programs.values())} commands ({commands}), {received / 1e6:.2f} MB{server}")


async def _run() -> None:
    from daostui.pbs.tracker import JobTracker

    site = Site()
    if site.server_pid is None:
        print("# DAOSTUI_TEST_PBS_SERVER_PID not set: pbs_server's CPU time is not measured")
    previous: list[str] = []
    for size in SIZES:
        ids = previous + await site.submit_held(size - len(previous))
        previous = ids
        tracker = JobTracker(site.client)
        print(f"\n# {size} own jobs, all queued (held): every one can change, so every refresh asks them all")
        _line(site, f"{size:>5} jobs: first refresh", await site.measure(tracker.refresh))
        _line(site, f"{size:>5} jobs: next refresh", await site.measure(tracker.refresh))
        assert len(tracker.jobs()) >= size
        everything = await site.measure(
            lambda: site.transport.run(["qstat", "-f", "-F", "json", "-x"], timeout=300)
        )
        _line(site, f"{size:>5} jobs: qstat -f -F json -x (all)", everything)
    await site.delete(previous, "-W", "force")
    await tracker.refresh()  # learns they finished
    print(f"\n# the same {len(previous)} jobs finished: known finished jobs are never asked again")
    _line(site, f"{len(previous):>5} jobs: refresh", await site.measure(tracker.refresh))
    await site.delete(previous, "-x")


def main() -> None:
    missing = [
        name
        for name in ("DAOSTUI_TEST_PBS_BIN", "DAOSTUI_TEST_PBS_USER", "DAOSTUI_TEST_PBS_WORKDIR")
        if not os.environ.get(name)
    ]
    if missing:
        print(
            f"skipped: no real OpenPBS site ({', '.join(missing)} not set; .ci/setup.d/20-realpbs.sh starts one)"
        )
        return
    asyncio.run(_run())


if __name__ == "__main__":
    main()
