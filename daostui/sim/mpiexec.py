"""A stand-in for Cray PALS `mpiexec`: runs the program as its ranks, locally.

Accepts the flags ALCF scripts use (`-n/-np`, `-ppn/--ppn`, `--cpu-bind[=]...`, `--depth`,
`--no-vni`, `--env K=V`, `-env K V`, `-genvall`, `--hostfile`). At most `MAX_CONCURRENT` ranks run
at once (a laptop is not 12 cores × N nodes); each gets `PMI_RANK`, `PALS_RANKID`, `PMI_SIZE`. The
exit status is the worst rank's. Without `--no-vni` it prints, as a teaching warning, the symptom
users meet on Aurora (`NA_HOSTUNREACH`); that line is simulated.
"""

from __future__ import annotations

import os
import subprocess
import sys

MAX_CONCURRENT = 4
VALUE_FLAGS = {
    "-n",
    "-np",
    "--np",
    "-ppn",
    "--ppn",
    "--depth",
    "-d",
    "--hostfile",
    "-hostfile",
    "--cpu-bind",
    "--gpu-bind",
    "--mem-bind",
}


def main(program: str, args: list[str]) -> int:
    ranks = 1
    env = dict(os.environ)
    no_vni = False
    index = 0
    while index < len(args):
        arg = args[index]
        name, eq, value = arg.partition("=")
        if name in ("-n", "-np", "--np"):
            value = value if eq else args[index + 1] if index + 1 < len(args) else "1"
            ranks = int(value) if value.isdigit() else 1
            index += 1 if eq else 2
        elif name in ("--env", "-env", "-genv"):
            if eq:
                key, _, val = value.partition("=")
                index += 1
            elif "=" in (args[index + 1] if index + 1 < len(args) else ""):
                key, _, val = args[index + 1].partition("=")
                index += 2
            else:
                key, val = args[index + 1], args[index + 2] if index + 2 < len(args) else ""
                index += 3
            env[key] = val
        elif name == "--no-vni":
            no_vni = True
            index += 1
        elif name in VALUE_FLAGS:
            index += 1 if eq else 2
        elif name.startswith("-"):
            index += 1
        else:
            break
    command = args[index:]
    if not command:
        sys.stderr.write("mpiexec: no executable specified\n")
        return 1
    if not no_vni:
        sys.stderr.write(
            "mpiexec (simulated): without --no-vni, DAOS I/O on Aurora fails with NA_HOSTUNREACH errors\n"
        )
    worst = 0
    running: list[subprocess.Popen[bytes]] = []
    for rank in range(ranks):
        rank_env = {
            **env,
            "PMI_RANK": str(rank),
            "PALS_RANKID": str(rank),
            "PMI_SIZE": str(ranks),
            "PALS_LOCAL_RANKID": str(rank),
        }
        try:
            running.append(subprocess.Popen(command, env=rank_env))
        except OSError as exc:
            sys.stderr.write(f"mpiexec: {command[0]}: {exc.strerror}\n")
            return 127
        if len(running) >= MAX_CONCURRENT:
            worst = max(worst, running.pop(0).wait())
    for proc in running:
        worst = max(worst, proc.wait())
    return worst
