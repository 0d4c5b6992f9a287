"""What a PBS `Exit_status` means (pbs.md §6.5).

0..255 is the job script's exit code; 256+N means the top shell was killed by signal N (271 =
SIGTERM, the usual walltime kill); negative values are PBS failures with their own meaning.
"""

from __future__ import annotations

import signal

PBS_FAILURES = {
    -1: "PBS could not start the job (exec failed)",
    -2: "PBS could not start the job (exec failed)",
    -3: "PBS will retry the job",
    -4: "PBS: job aborted on start (no initial checkpoint)",
    -5: "PBS: job aborted on start (no initial checkpoint)",
    -6: "PBS: job could not be checkpointed",
    -7: "PBS: job could not be restarted",
    -8: "PBS: job could not be checkpointed/held",
    -9: "PBS: invalid account",
    -10: "PBS: bad user or group id",
    -11: "PBS: job to be rerun",
    -12: "PBS: job aborted by MoM on the mother superior",
    -13: "PBS: job aborted by MoM",
    -15: "PBS: job aborted: some job resource was not available",
    -20: "PBS: connection to the mother superior failed",
    -27: "PBS: job killed for exceeding its memory limit",
    -29: "PBS: job killed for exceeding its walltime",
}


def decode_exit_status(code: int | None) -> str:
    if code is None:
        return ""
    if code == 0:
        return "0 (success)"
    if 0 < code < 256:
        return f"{code} (script exited {code})"
    if code >= 256:
        number = code - 256
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        extra = ", typical of a walltime kill or qdel" if number == signal.SIGTERM else ""
        return f"{code} (killed by {name}{extra})"
    return f"{code} ({PBS_FAILURES.get(code, f'PBS failure {code}')})"
