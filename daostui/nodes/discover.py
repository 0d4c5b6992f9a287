"""Which container a job mounts on its nodes, learned from the job itself.

PBS does not keep the script in `qstat -f`, but it keeps how the job was submitted:
`Submit_arguments` (`-l walltime=00:05:00 job.pbs`, as typed) and `PBS_O_WORKDIR` in the
`Variable_List`. The script named there is read where qsub ran (the login node) and its
`launch-dfuse.sh POOL:CONT` lines are read with the variables the script sets before them
(`DAOS_POOL=...`, the style of daostui's and ALCF's examples) on top of the job's own variables
(`qsub -v DAOS_POOL=...`). What cannot be resolved (a sourced env file, a computed name) is left
out: the nodes' mount tables then say what is mounted, and the user can pick the container.
Pure functions; the client reads the file.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass

#: qsub options that take a value (`qsub(1B)`): the token after them is not the script.
_VALUED = set("aAcCeJjkKlmMNoPpqrRSuvW")
_ASSIGN = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_SEPARATORS = {";", "&&", "||", "|", "&"}
#: Variable pairs ALCF's and users' scripts name the pool and container with.
VARIABLE_PAIRS = (("DAOS_POOL", "DAOS_CONT"), ("DAOS_POOL_NAME", "DAOS_CONT_NAME"))
#: The most of a job script read (a script is text; anything larger is not one).
MAX_SCRIPT = 256 * 1024


@dataclass(frozen=True, slots=True)
class Learned:
    """The job's containers as (pool, container) and where they were learned ("" when not)."""

    pairs: tuple[tuple[str, str], ...] = ()
    source: str = ""


def script_path(submit_arguments: str, workdir: str) -> str:
    """The job script `qsub` was given ("" for `qsub -- command`, `qsub -I` or stdin)."""
    tokens = submit_arguments.split()
    if not tokens or "--" in tokens or tokens[-1].startswith("-"):
        return ""
    before = tokens[-2] if len(tokens) > 1 else ""
    if before.startswith("-") and len(before) == 2 and before[1] in _VALUED:
        return ""  # the last token is an option's value: no script operand
    script = tokens[-1]
    if script.startswith("/"):
        return posixpath.normpath(script)
    return posixpath.normpath(posixpath.join(workdir, script)) if workdir else ""


def _resolve(text: str, known: dict[str, str]) -> str | None:
    """`text` with `$VAR` / `${VAR}` replaced, or None when a variable is not known."""
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1) or match.group(2)
        if name not in known:
            missing = True
            return ""
        return known[name]

    resolved = _VARIABLE.sub(value, text)
    return None if missing or "$" in resolved else resolved


def _unquote(text: str) -> str | None:
    """An assigned value as the shell reads it (`"x"  # note` is `x`); None when it is more than
    one word or not plain (a command substitution, an unclosed quote)."""
    try:
        words = shlex.split(text, comments=True)
    except ValueError:
        return None
    if not words:
        return ""
    return words[0] if len(words) == 1 and "$(" not in words[0] and "`" not in words[0] else None


def _pair(argument: str) -> tuple[str, str] | None:
    pool, sep, cont = argument.partition(":")
    if not sep or not pool or not cont or ":" in cont or "/" in argument:
        return None
    return pool, cont


def containers_in_script(
    text: str, variables: dict[str, str], launchers: tuple[str, ...]
) -> list[tuple[str, str]]:
    """Every `POOL:CONT` a launcher line of the script mounts, resolved as the script would."""
    known = dict(variables)
    found: list[tuple[str, str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        assigned = _ASSIGN.fullmatch(line)
        if assigned:
            plain = _unquote(assigned.group(2))
            value = _resolve(plain, known) if plain is not None else None
            if value is None:
                known.pop(assigned.group(1), None)  # computed: no longer known
            else:
                known[assigned.group(1)] = value
            continue
        try:
            words = shlex.split(stripped, comments=True)
        except ValueError:
            continue
        for index, word in enumerate(words):
            if posixpath.basename(word) not in launchers:
                continue
            for argument in words[index + 1 :]:
                if argument in _SEPARATORS:
                    break
                resolved = _resolve(argument.rstrip(";"), known)
                pair = _pair(resolved) if resolved else None
                if pair and pair not in found:
                    found.append(pair)
    return found


def containers_in_variables(variables: dict[str, str]) -> list[tuple[str, str]]:
    """`qsub -v DAOS_POOL=...,DAOS_CONT=...`: the pair the job was given, when it was."""
    for pool_key, cont_key in VARIABLE_PAIRS:
        pool, cont = variables.get(pool_key, ""), variables.get(cont_key, "")
        if pool and cont:
            return [(pool, cont)]
    return []
