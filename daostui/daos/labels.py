"""DAOS label rules, exactly as `daos_label_is_valid()` applies them (daos-cli.md §4).

Length 1..127; only ASCII letters, digits and `. _ : -`; and not something that parses as a UUID
(DAOS would take it as a UUID, never as a label). Checked before any command runs, as you type.
"""

from __future__ import annotations

import re

from daostui.core.errors import ValidationError

MAX_LABEL = 127
_ALLOWED = re.compile(r"[A-Za-z0-9._:-]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def looks_like_uuid(text: str) -> bool:
    return bool(_UUID.fullmatch(text))


def label_problem(label: str, kind: str = "container") -> str | None:
    """Why DAOS would reject `label`, or None when it is valid."""
    if not label:
        return f"a {kind} label cannot be empty"
    if len(label) > MAX_LABEL:
        return f"a {kind} label is at most {MAX_LABEL} characters (this one has {len(label)})"
    if not _ALLOWED.fullmatch(label):
        bad = next(ch for ch in label if not re.match(r"[A-Za-z0-9._:-]", ch))
        shown = {" ": "a space", "/": "'/'", "\t": "a tab", "\n": "a newline"}.get(bad, repr(bad))
        return f"{shown} is not allowed in a {kind} label (only letters, digits and . _ : -)"
    if "-" in label and looks_like_uuid(label):
        return f"a {kind} label cannot look like a UUID (DAOS would read it as one)"
    return None


def validate_label(label: str, kind: str = "container") -> None:
    problem = label_problem(label, kind)
    if problem:
        rule = (
            "length"
            if "characters" in problem or "empty" in problem
            else ("not a UUID" if "UUID" in problem else "allowed characters")
        )
        raise ValidationError(f"invalid {kind} label {label!r}: {problem}", field="label", rule=rule)


def is_valid_label(label: str) -> bool:
    return label_problem(label) is None
