"""A stand-in for Cray PALS `mpiexec`: runs the program as its ranks, locally.

Accepts the flags ALCF scripts use (`-n/-np`, `-ppn/--ppn`, `--cpu-bind[=]...`, `--depth`,
`--no-vni`, `--env K=V`, `-env K V`, `-genvall`, `--hostfile`). Every rank runs at once, as MPI
ranks do (a 40 s program takes 40 s whatever the rank count), up to `MAX_RANKS` processes, beyond
which it refuses rather than overload the machine. Each rank gets `PMI_RANK`, `PALS_RANKID`,
`PMI_SIZE`, `PALS_LOCAL_RANKID` (rank within its node, from `-ppn`) and `PALS_NODEID`. The exit
status is the worst rank's. Without `--no-vni` it prints, as a teaching warning, the symptom users
meet on Aurora (`NA_HOSTUNREACH`); that line is simulated.
"""

from __future__ import annotations

import os
import subprocess
import sys

#: More ranks than this are refused: each is a process on this one machine.
MAX_RANKS = 1024
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
    per_node = 0
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
        elif name in ("-ppn", "--ppn"):
            value = value if eq else args[index + 1] if index + 1 < len(args) else "0"
            per_node = int(value) if value.isdigit() else 0
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
    if ranks > MAX_RANKS:
        sys.stderr.write(
            f"mpiexec (simulated): {ranks} ranks is more than the simulator runs at once ({MAX_RANKS})\n"
        )
        return 1
    per_node = per_node or ranks
    running: list[subprocess.Popen[bytes]] = []
    for rank in range(ranks):
        rank_env = {
            **env,
            "PMI_RANK": str(rank),
            "PALS_RANKID": str(rank),
            "PMI_SIZE": str(ranks),
            "PALS_LOCAL_RANKID": str(rank % per_node),
            "PALS_NODEID": str(rank // per_node),
        }
        try:
            running.append(subprocess.Popen(command, env=rank_env))
        except OSError as exc:
            sys.stderr.write(f"mpiexec: {command[0]}: {exc.strerror}\n")
            for proc in running:
                proc.kill()
                proc.wait()
            return 127
    return max(proc.wait() for proc in running)
