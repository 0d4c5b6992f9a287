"""Run the test suite several times in a row on a loaded machine, to catch tests that depend on timing.

    .venv/bin/python tools/stress.py                 # the whole suite 3 times, one core kept busy
    .venv/bin/python tools/stress.py -n 5 -- tests/test_wizard.py -k resume

The suite must pass every time on 2 cores while another process keeps one of them busy (a login
node is shared; CI machines are small). While the runs go, a busy loop (a second Python process
spinning at 100 %) competes for the CPU; it is started and killed by this tool. Each run's output
goes to its own log file; the tool prints every run's summary and the tests that failed, then a
verdict, and exits with status 0 only when every run passed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: pytest's short summary lines for failed and erroring tests (`-ra` is in the project's addopts).
FAILED = re.compile(r"^(FAILED|ERROR) (\S+)")
#: pytest's last line, e.g. "3 failed, 512 passed, 4 skipped in 401.2s (0:06:41)".
SUMMARY = re.compile(r"\d+ (passed|failed|errors?|skipped|deselected)\b.* in [\d.]+s")


def busy_loop(cores: int) -> list[subprocess.Popen[bytes]]:
    """Processes that each keep one core at 100 % until killed."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(cores)]


def run_suite(pytest_args: list[str], log: Path) -> tuple[int, str, list[str], float]:
    """(exit status, summary line, failed test ids, seconds) of one run of the suite."""
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        status = subprocess.call(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    failed = [m.group(2) for line in lines if (m := FAILED.match(line))]
    summary = next(
        (m.group(0) for line in reversed(lines) if (m := SUMMARY.search(line))),
        f"no pytest summary (exit status {status})",
    )
    return status, summary, failed, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=3, help="how many runs in a row (default 3)")
    parser.add_argument(
        "--busy", type=int, default=1, help="cores to keep 100%% busy meanwhile (default 1; 0: none)"
    )
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest after `--` (default: everything)")
    args = parser.parse_args(argv)
    logs = Path(tempfile.mkdtemp(prefix="daostui-stress-"))
    print(
        f"stress: {args.runs} run(s) of the suite, {args.busy} core(s) kept busy; logs in {logs}", flush=True
    )
    spinners = busy_loop(args.busy)
    results = []
    try:
        for run in range(1, args.runs + 1):
            log = logs / f"run-{run}.log"
            status, summary, failed, seconds = run_suite(args.pytest_args, log)
            verdict = "passed" if status == 0 else "FAILED"
            print(f"run {run}/{args.runs}: {verdict} in {seconds:.0f}s — {summary}", flush=True)
            for test in failed:
                print(f"    {test}", flush=True)
            results.append((status, failed))
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    passed = sum(1 for status, _ in results if status == 0)
    if passed == len(results):
        print(f"verdict: {passed}/{len(results)} runs passed under load")
        return 0
    flaky = sorted({test for _, failed in results for test in failed})
    print(f"verdict: {passed}/{len(results)} runs passed under load; failed at least once:")
    for test in flaky:
        print(f"    {test}")
    print(f"(full output of each run in {logs})")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
