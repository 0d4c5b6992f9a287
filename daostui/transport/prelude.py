"""Module preludes: shell lines run before every command, built so that none can swallow the command.

On Aurora `daos` comes from `module load daos/base`, so commands run after the site's module lines.
Those lines come from config files; a careless one must never decide whether *our* command runs.
So the lines are joined with newlines (a comment can only hide itself), each line must be a
complete command on its own (no line continuation, trailing `&&`/`||`/`|`, here-document or open
quote that would capture the lines after it), comment lines are refused outright, and the command
itself is passed as positional parameters and started last with `exec "$@"`, after the framing
marker (see `framing`) that proves it was reached. No user-supplied value is ever interpreted by
the shell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from daostui.core.errors import ValidationError
from daostui.transport.framing import marker_command

#: Operators that make bash read on into the next line.
_CONTINUING = ("&&", "||", "|&", "|")


def line_problem(line: str) -> str:
    """Why `line` could affect the lines after it ("" when it is a complete, standalone command)."""
    if line.lstrip().startswith("#"):
        return "is a comment: prelude lines must be commands (remove it)"
    if "\n" in line or "\r" in line:
        return "spans several lines: give each command as its own list item"
    quote = ""
    index, length = 0, len(line)
    while index < length:
        char = line[index]
        if quote == "'":
            quote = "" if char == "'" else quote
        elif quote in ('"', "$'"):
            if char == "\\":
                index += 1
            elif char == quote[-1]:
                quote = ""
        elif char == "\\":
            if index == length - 1:
                return "ends with a backslash, which would join it to the next line"
            index += 1
        elif char == "'":
            quote = "'"
        elif char == "$" and line.startswith("$'", index):
            quote, index = "$'", index + 1
        elif char == '"':
            quote = '"'
        elif char == "#" and (index == 0 or line[index - 1] in " \t;&|()"):
            break  # a comment to the end of this line hides nothing else
        elif line.startswith("<<<", index):
            index += 2  # a here-string is one word, not a here-document
        elif line.startswith("<<", index):
            return "starts a here-document, which would swallow the lines after it"
        index += 1
    if quote:
        return "has an unclosed quote, which would swallow the lines after it"
    code = line[:index].rstrip()
    for operator in _CONTINUING:
        if code.endswith(operator):
            return f"ends with `{operator}`, which would join it to the next line"
    return ""


def validate_lines(lines: Sequence[str], *, name: str = "prelude") -> tuple[str, ...]:
    """The non-blank lines, stripped; a ValidationError naming the first line that is unsafe."""
    kept: list[str] = []
    for number, line in enumerate(lines, 1):
        if not isinstance(line, str):
            raise ValidationError(f"{name} line {number} is not text: {line!r}", field=name, rule="text")
        if not line.strip():
            continue
        problem = line_problem(line)
        if problem:
            raise ValidationError(f"{name} line {number} {line.strip()!r} {problem}", field=name, rule="line")
        kept.append(line.strip())
    return tuple(kept)


@dataclass(frozen=True)
class Prelude:
    """Shell lines run before every command (e.g. the site's `module load`), argv-safe.

    Raises ValidationError when built with a line that could swallow what follows it.
    """

    lines: Sequence[str] = field(default_factory=tuple)
    shell: str = "bash"
    login: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", validate_lines(self.lines))

    def script(self, *, marker: str = "", merge_stderr: bool = False) -> str:
        """The shell text: the lines, the marker, then `exec "$@"` — one command per line."""
        steps = list(self.lines)
        if merge_stderr:
            steps.append("exec 2>&1")
        if marker:
            steps.append(marker_command(marker, stderr=not merge_stderr))
        steps.append('exec "$@"')
        return "\n".join(steps)

    def wrap(self, argv: Sequence[str], *, marker: str = "", merge_stderr: bool = False) -> list[str]:
        """`argv` run through the shell after the lines (and after `marker`, when given).

        `merge_stderr` sends the command's stderr into its stdout (for `stream()`), so whatever still
        arrives on stderr is login noise printed before the wrapper took over.
        """
        args = [str(a) for a in argv]
        if not self.lines and not marker:
            return args
        flag = "-lc" if self.login else "-c"
        return [self.shell, flag, self.script(marker=marker, merge_stderr=merge_stderr), "daostui", *args]
