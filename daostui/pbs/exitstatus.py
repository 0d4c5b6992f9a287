"""What a PBS `Exit_status` means.

Three ranges, as OpenPBS sets them (v23.06.06 and master agree):
- negative: PBS's own `JOB_EXEC_*` codes (`src/include/job.h`), set by MoM or the server when
  the job could not start, was requeued, or was killed for a limit. The table below is that
  header, every code, in its words (`JOB_EXEC_UPDATE_ALPS_RESV_ID = 1` is an internal message
  between MoMs, never an exit status, so 1 stays the script's own status);
- 0..255: the job script's own exit status; by the shell's convention a status above 128 is
  usually its last command killed by signal `status - 128` (137 = SIGKILL, e.g. out of memory);
- 256 and above: the job's top shell itself was killed by signal `status - 256`
  (`resmom/linux/mom_start.c`: `WTERMSIG(statloc) + 0x100`), e.g. 271 = SIGTERM after `qdel`.
"""

from __future__ import annotations

import signal

#: name, meaning: `src/include/job.h` "Special Job Exit Values", every one of them.
JOB_EXEC_CODES: dict[int, tuple[str, str]] = {
    0: ("JOB_EXEC_OK", "job exec successful"),
    -1: ("JOB_EXEC_FAIL1", "job exec failed, before files, no retry"),
    -2: ("JOB_EXEC_FAIL2", "job exec failed, after files, no retry"),
    -3: ("JOB_EXEC_RETRY", "job execution failed, do retry"),
    -4: ("JOB_EXEC_INITABT", "job aborted on MoM initialization"),
    -5: ("JOB_EXEC_INITRST", "job aborted on MoM initialization, checkpoint, no migrate"),
    -6: ("JOB_EXEC_INITRMG", "job aborted on MoM initialization, checkpoint, ok migrate"),
    -7: ("JOB_EXEC_BADRESRT", "job restart failed"),
    -10: ("JOB_EXEC_FAILUID", "invalid uid/gid for job"),
    -11: ("JOB_EXEC_RERUN", "job rerun"),
    -12: ("JOB_EXEC_CHKP", "job was checkpointed and killed"),
    -13: ("JOB_EXEC_FAIL_PASSWORD", "job failed due to a bad password"),
    -14: ("JOB_EXEC_RERUN_SIS_FAIL", "job rerun (a sister MoM failed)"),
    -15: ("JOB_EXEC_QUERST", "requeue job for restart from checkpoint"),
    -16: (
        "JOB_EXEC_FAILHOOK_RERUN",
        "job exec failed due to a hook rejection, requeue job for later retry",
    ),
    -17: ("JOB_EXEC_FAILHOOK_DELETE", "job exec failed due to a hook rejection, delete the job at end"),
    -18: ("JOB_EXEC_HOOK_RERUN", "a hook requested for job to be requeued"),
    -19: ("JOB_EXEC_HOOK_DELETE", "a hook requested for job to be deleted"),
    -20: ("JOB_EXEC_RERUN_MS_FAIL", "mother superior connection failed"),
    -21: ("JOB_EXEC_FAIL_SECURITY", "security breach in PBS directory"),
    -22: (
        "JOB_EXEC_HOOKERROR",
        "job exec failed due to unexpected exception or hook execution timed out",
    ),
    -23: ("JOB_EXEC_FAIL_KRB5", "no Kerberos credentials supplied"),
    -24: ("JOB_EXEC_KILL_NCPUS_BURST", "job killed for exceeding ncpus (burst)"),
    -25: ("JOB_EXEC_KILL_NCPUS_SUM", "job killed for exceeding ncpus (sum)"),
    -26: ("JOB_EXEC_KILL_VMEM", "job killed for exceeding vmem"),
    -27: ("JOB_EXEC_KILL_MEM", "job killed for exceeding mem"),
    -28: ("JOB_EXEC_KILL_CPUT", "job killed for exceeding cput"),
    -29: ("JOB_EXEC_KILL_WALLTIME", "job killed for exceeding walltime"),
    -30: ("JOB_EXEC_JOINJOB", "job exec failed due to join job error"),
}
#: What to do next, for the codes where the user can act.
_ADVICE = {
    -3: "PBS requeues it and retries",
    -10: "your account is not valid on the compute nodes: contact support",
    -11: "PBS requeued it to run again",
    -14: "PBS requeued it to run again",
    -16: "a site hook refused to start it; PBS retries later",
    -17: "a site hook refused to start it: see the job's comment",
    -18: "a site hook requeued it",
    -19: "a site hook deleted it: see the job's comment",
    -20: "a node failed; PBS requeued it",
    -22: "a site hook failed: contact support if it persists",
    -24: "use fewer CPUs or ask for more",
    -25: "use fewer CPUs or ask for more",
    -26: "ask for more vmem or use less memory",
    -27: "ask for more mem or use less memory",
    -28: "ask for more cput",
    -29: "ask for a longer walltime (the .e file says how long it ran)",
}


#: A few words per code for the jobs pane's narrow Exit column (the detail gives the full sentence).
SHORT_MEANINGS: dict[int, str] = {
    -1: "exec failed",
    -2: "exec failed",
    -3: "retrying",
    -4: "MoM init abort",
    -5: "MoM init abort",
    -6: "MoM init abort",
    -7: "restart failed",
    -10: "bad uid/gid",
    -11: "rerun",
    -12: "checkpointed",
    -13: "bad password",
    -14: "rerun: node lost",
    -15: "requeued",
    -16: "hook: retry",
    -17: "hook rejected",
    -18: "hook requeued",
    -19: "hook deleted",
    -20: "node failed",
    -21: "security",
    -22: "hook error",
    -23: "no Kerberos",
    -24: "ncpus burst",
    -25: "ncpus exceeded",
    -26: "vmem exceeded",
    -27: "mem exceeded",
    -28: "cput exceeded",
    -29: "walltime",
    -30: "join job error",
}


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def describe_pbs_code(code: int) -> str:
    """`JOB_EXEC_*` name and meaning of a PBS code (0 or negative)."""
    name, meaning = JOB_EXEC_CODES.get(code, ("", ""))
    if not name:
        return f"PBS failure {code} (not a JOB_EXEC_* code this console knows)"
    advice = _ADVICE.get(code)
    return f"{name}: {meaning}" + (f"; {advice}" if advice else "")


def decode_exit_status(code: int | None) -> str:
    """`Exit_status` as a sentence: the number first (what `qstat` shows), then its meaning."""
    if code is None:
        return ""
    if code == 0:
        return "0 (success)"
    if code < 0:
        return f"{code} ({describe_pbs_code(code)})"
    if code < 256:
        if code > 128:
            name = _signal_name(code - 128)
            return f"{code} (script exited {code}: by the shell's convention its last command died of {name})"
        return f"{code} (script exited {code})"
    name = _signal_name(code - 256)
    extra = ", as qdel does" if code - 256 == signal.SIGTERM else ""
    return f"{code} (job shell killed by {name}{extra})"


def short_exit_status(code: int | None) -> str:
    """`Exit_status` in a few words for a table cell: `0 ok`, `3`, `-29 walltime`, `271 SIGTERM`.

    The same three ranges as `decode_exit_status`; a script status above 128 names the signal its
    last command probably died of with a `?` (it is the shell's convention, not a certainty).
    """
    if code is None:
        return ""
    if code == 0:
        return "0 ok"
    if code < 0:
        return f"{code} {SHORT_MEANINGS.get(code, 'PBS failure')}"
    if code < 256:
        name = _signal_name(code - 128) if code > 128 else ""
        return f"{code} {name}?" if name.startswith("SIG") else str(code)
    return f"{code} {_signal_name(code - 256)}"


#: An array parent's `Exit_status`, as the server sets it (server/array_func.c update_sj_parent).
ARRAY_EXIT = {
    0: "the last subjob to end exited 0",
    1: "a subjob exited with a non-zero status",
    2: "a subjob ended with a PBS failure (negative JOB_EXEC_* status)",
}


def decode_array_exit(code: int | None) -> str:
    """A job array's own `Exit_status`, which is not a script's status.

    PBS documents it as non-zero when any subjob's is; OpenPBS 23.06 sets it each time a subjob
    ends (1 for a positive status, 2 for a negative one, 0 otherwise), so it reflects the last
    subjob to end: a 0 does not prove every subjob succeeded. The subjobs' own statuses do.
    """
    if code is None:
        return ""
    return f"{code} (array: {ARRAY_EXIT.get(code, 'status set by PBS')})"
