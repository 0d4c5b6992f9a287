"""Container ACL entries: parse, explain, validate and build them before any `daos` command runs.

Sharing a container is `daos cont update-acl --entry A::alice@:rwt POOL CONT` (or `A:G:users@:rwta`
for a group) and `daos cont delete-acl --principal u:alice@ POOL CONT`. A mistyped entry either fails
with a bare `invalid ACE` or, worse, grants something else than meant, so the console checks the
principal and the permission letters itself and says in words what an entry grants (daos-cli.md
§3.8, aurora-daos.md "Sharing"). Textual-free: the screen and the tests use the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from daostui.core.errors import ValidationError

#: Container permission letters in the order `daos` prints them, with what each allows.
PERMISSIONS: dict[str, str] = {
    "r": "read data",
    "w": "write data",
    "d": "delete the container",
    "t": "get properties (query, get-prop; dfuse reads them to mount)",
    "T": "set properties",
    "a": "get the ACL",
    "A": "set the ACL (can grant itself anything)",
    "o": "set the owner",
}
PERMISSION_ORDER = "rwdtTaAo"
#: The same, one word each (the daos command each letter unlocks): for tables.
PERMISSION_WORDS: dict[str, str] = {
    "r": "read",
    "w": "write",
    "d": "delete",
    "t": "get-prop",
    "T": "set-prop",
    "a": "get-acl",
    "A": "set-acl",
    "o": "set-owner",
}

#: ACE types: only Allow grants access; L/U are audit entries DAOS accepts but does not act on yet.
ACE_TYPES = {"A": "allow", "L": "audit log", "U": "alarm"}
#: ACE flags: G marks a group principal; S/F/P are audit/inheritance flags.
ACE_FLAGS = {"G": "group", "S": "audit success", "F": "audit failure", "P": "poison (no inheritance)"}

OWNER = "OWNER@"
GROUP = "GROUP@"
EVERYONE = "EVERYONE@"
SPECIAL = {
    OWNER: "the container's owner",
    GROUP: "the container's owner group",
    EVERYONE: "everyone else",
}
#: DAOS_ACL_MAX_PRINCIPAL_LEN: longer names are refused by libdaos.
MAX_PRINCIPAL_LEN = 255
#: A user or group name as Linux accepts it, then `@` and an optional domain (DAOS names are `name@`).
NAME_RE = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.-]*@[A-Za-z0-9_.-]*$")

#: Presets offered by the sharing form: letters and why one would pick them.
PRESETS: dict[str, tuple[str, str]] = {
    "read-only": ("rt", "read files and mount (get-prop is needed to open the container)"),
    "read-write": ("rwt", "read and write files; no delete, no ACL changes"),
    "collaborator": ("rwta", "read-write, and can list who has access (ALCF's example)"),
    "full": ("rwdtTaAo", "everything the owner can do, including deleting the container"),
}

#: What still stands between a new ACL entry and the files: the POSIX modes dfuse enforces.
POSIX_ADVICE = (
    "The ACL only lets them open the container. Files and directories inside keep their POSIX "
    "owner and mode, which dfuse enforces: on your mount, give your group access to the shared "
    "directory, e.g.\n"
    "  chmod -R g+rX <mount>/<dir>     (read-only)\n"
    "  chmod -R g+rwX <mount>/<dir>    (read-write; also chmod g+s on directories so new files "
    "keep the group)\n"
    "A user outside your group needs o+rX (or o+rwX), which opens the directory to everyone who can "
    "open the container."
)


@dataclass(frozen=True, slots=True)
class Ace:
    """One access control entry `type:flags:principal:permissions`, e.g. `A:G:users@:rwta`."""

    type: str
    flags: str
    principal: str
    permissions: str

    def __str__(self) -> str:
        return f"{self.type}:{self.flags}:{self.principal}:{self.permissions}"

    @property
    def is_group(self) -> bool:
        return "G" in self.flags

    @property
    def kind(self) -> str:
        """'owner', 'owner group', 'everyone', 'group' or 'user': what the table shows."""
        if self.principal == OWNER:
            return "owner"
        if self.principal == GROUP:
            return "owner group"
        if self.principal == EVERYONE:
            return "everyone"
        return "group" if self.is_group else "user"

    @property
    def delete_principal(self) -> str:
        """The `--principal` value `daos cont delete-acl` wants for this entry."""
        if self.principal in SPECIAL:
            return self.principal
        return ("g:" if self.is_group else "u:") + self.principal

    def describe(self) -> str:
        """In words: `user alice@ may: read data, write data, ...`."""
        who = SPECIAL.get(self.principal) or f"{'group' if self.is_group else 'user'} {self.principal}"
        verb = {"A": "may", "L": "is audited for", "U": "raises an alarm for"}.get(self.type, "?")
        return f"{who} {verb}: {describe_permissions(self.permissions)}"


def describe_permissions(perms: str) -> str:
    """Each letter in words, comma-separated; unknown letters are named, not dropped."""
    if not perms:
        return "nothing"
    return ", ".join(PERMISSIONS.get(letter, f"unknown letter {letter!r}") for letter in perms)


def short_permissions(perms: str) -> str:
    """`rwt` → `read write get-prop`: fits a table column."""
    return " ".join(PERMISSION_WORDS.get(letter, f"?{letter}") for letter in perms) or "nothing"


def permissions_legend() -> str:
    return "  ".join(f"{letter} {meaning.split(' (')[0]}" for letter, meaning in PERMISSIONS.items())


def normalize_permissions(perms: str) -> str:
    """The letters in DAOS's canonical order without repeats; ValidationError names a bad letter."""
    perms = perms.strip()
    if not perms:
        raise ValidationError(
            "permissions are required: letters from rwdtTaAo (e.g. rt read-only, rwt read-write)",
            field="permissions",
            rule="non-empty",
        )
    bad = sorted({letter for letter in perms if letter not in PERMISSIONS})
    if bad:
        raise ValidationError(
            f"unknown permission letter(s) {', '.join(repr(b) for b in bad)}: allowed are "
            f"{PERMISSION_ORDER} (letters are case-sensitive: t get-prop, T set-prop)",
            field="permissions",
            rule="letters rwdtTaAo",
        )
    return "".join(letter for letter in PERMISSION_ORDER if letter in perms)


def normalize_name(name: str) -> str:
    """`alice` or `alice@` → `alice@`; special principals kept; ValidationError names the rule."""
    name = name.strip()
    if not name:
        raise ValidationError("a user or group name is required", field="principal", rule="non-empty")
    if name.upper() in SPECIAL:
        return name.upper()
    if "@" not in name:
        name += "@"
    if len(name) > MAX_PRINCIPAL_LEN:
        raise ValidationError(
            f"principal {name[:20]!r}… is longer than {MAX_PRINCIPAL_LEN} characters",
            field="principal",
            rule="at most 255 characters",
        )
    if not NAME_RE.fullmatch(name):
        raise ValidationError(
            f"principal {name!r} is not a valid name: use letters, digits, '.', '_' or '-' "
            "(not starting with '-'), then '@' (e.g. alice@ or users@)",
            field="principal",
            rule="name@",
        )
    return name


def validate_ace(ace: Ace) -> Ace:
    """The entry with canonical permissions, or ValidationError naming what DAOS would refuse."""
    if ace.type not in ACE_TYPES:
        raise ValidationError(
            f"entry type {ace.type!r} is not one of A (allow), L (audit), U (alarm)",
            field="type",
            rule="type A|L|U",
        )
    bad_flags = sorted(set(ace.flags) - set(ACE_FLAGS))
    if bad_flags:
        raise ValidationError(
            f"unknown flag(s) {''.join(bad_flags)!r}: allowed are G (group), S, F, P",
            field="flags",
            rule="flags G|S|F|P",
        )
    principal = ace.principal
    if principal in (OWNER, EVERYONE) and ace.is_group:
        raise ValidationError(
            f"{principal} is not a group: drop the G flag", field="flags", rule="G only for groups"
        )
    if principal == GROUP and not ace.is_group:
        raise ValidationError("GROUP@ needs the G flag (A:G:GROUP@:...)", field="flags", rule="G for groups")
    if principal not in SPECIAL:
        if principal.upper() in SPECIAL:
            raise ValidationError(
                f"special principals are upper case: {principal.upper()}",
                field="principal",
                rule="OWNER@ GROUP@ EVERYONE@",
            )
        if "@" not in principal:
            raise ValidationError(
                f"principal {principal!r} must end with '@' (e.g. {principal}@)",
                field="principal",
                rule="name@",
            )
        normalize_name(principal)
    return Ace(ace.type, ace.flags, principal, normalize_permissions(ace.permissions))


def parse_ace(text: str) -> Ace:
    """`A::alice@:rw` → Ace; ValidationError (naming the rule) for anything DAOS would refuse."""
    parts = text.strip().split(":")
    if len(parts) != 4:
        raise ValidationError(
            f"entry {text.strip()!r} must have 4 fields TYPE:FLAGS:PRINCIPAL:PERMISSIONS (e.g. A::alice@:rwt)",
            field="entry",
            rule="4 fields",
        )
    return validate_ace(Ace(*parts))


def parse_acl(entries: list[str]) -> list[Ace]:
    """What get-prop reports, as entries (not re-validated: show what is there, even if odd)."""
    aces: list[Ace] = []
    for text in entries:
        parts = text.strip().split(":")
        if len(parts) == 4 and parts[2]:
            aces.append(Ace(*parts))
    return aces


def make_ace(kind: str, name: str, perms: str) -> Ace:
    """An Allow entry for `kind` ('user' or 'group') `name` with `perms`, validated.

    Special principals typed as the name (OWNER@, GROUP@, EVERYONE@) get the flags DAOS requires."""
    if kind not in ("user", "group"):
        raise ValidationError(
            f"principal type {kind!r} must be user or group", field="kind", rule="user|group"
        )
    principal = normalize_name(name)
    if principal == GROUP:
        flags = "G"
    elif principal in (OWNER, EVERYONE):
        flags = ""
    else:
        flags = "G" if kind == "group" else ""
    return validate_ace(Ace("A", flags, principal, perms))


def principal_for_delete(text: str) -> str:
    """`u:alice@`, `g:users@`, or a special principal; `alice` alone is taken as a user."""
    text = text.strip()
    if text.upper() in SPECIAL:
        return text.upper()
    prefix, sep, name = text.partition(":")
    if not sep:
        prefix, name = "u", text
    if prefix not in ("u", "g"):
        raise ValidationError(
            f"principal {text!r} must be u:NAME@, g:NAME@, OWNER@, GROUP@ or EVERYONE@",
            field="principal",
            rule="u:|g: prefix",
        )
    normal = normalize_name(name)
    if normal in SPECIAL:
        return normal
    return f"{prefix}:{normal}"


def advice(ace: Ace) -> list[str]:
    """Soft warnings about an entry that is valid but probably not what the user meant."""
    notes: list[str] = []
    perms = ace.permissions
    if "r" in perms and "t" not in perms:
        notes.append("without t (get-prop) dfuse may fail to mount the container for them; consider adding t")
    if "A" in perms:
        notes.append("A (set ACL) lets them grant themselves every other permission")
    if "d" in perms:
        notes.append("d lets them destroy the container and all its data")
    if ace.principal == EVERYONE and set(perms) & set("wdTAo"):
        notes.append("EVERYONE@ with write or admin letters opens the container to every user of the pool")
    return notes
