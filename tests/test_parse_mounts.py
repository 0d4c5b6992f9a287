"""`/proc/mounts` parser: dfuse mounts are found by fstype `fuse.daos` (daos-cli.md §7.3) and paths
with spaces come octal-escaped (`\\040`); getting either wrong hides or mangles a user's mount.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from daostui.core.errors import ParseError
from daostui.mounts.parse import dfuse_mounts, parse_mounts, unescape

FIXTURES = Path(__file__).parent / "fixtures" / "mounts"


def fixture(name: str) -> str:
    with open(FIXTURES / name, newline="") as fh:
        return fh.read()


def test_proc_mounts_all_lines() -> None:
    """Every well-formed line becomes an entry, in order."""
    entries = parse_mounts(fixture("proc_mounts.txt"))
    assert [e.fstype for e in entries] == [
        "sysfs",
        "proc",
        "tmpfs",
        "lustre",
        "fuse.daos",
        "fuse.daos",
        "fusectl",
    ]
    lustre = entries[3]
    assert (lustre.source, lustre.path) == ("10.140.0.1@tcp:/flare", "/lus/flare")
    assert (lustre.freq, lustre.passno) == (0, 0)


def test_dfuse_mounts_keep_fuse_daos_only() -> None:
    """The dfuse line of daos-cli.md §7.3: source `dfuse`, options with user_id and noatime."""
    mounts = dfuse_mounts(parse_mounts(fixture("proc_mounts.txt")))
    assert [m.path for m in mounts] == ["/tmp/datascience/mycont", "/tmp/jdoe/datascience/my cont\tx"]
    first, second = mounts
    assert first.source == "dfuse" and first.is_dfuse
    assert first.option("user_id") == "4211"
    assert first.option("group_id") == "100"
    assert first.option("default_permissions") == ""
    assert first.option("allow_other") is None
    assert "noatime" in first.options and "rw" in first.options
    assert "ro" in second.options and second.option("allow_other") == ""


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("my\\040cont", "my cont"),
        ("a\\011b", "a\tb"),
        ("a\\012b", "a\nb"),
        ("back\\134slash", "back\\slash"),
        ("plain", "plain"),
        ("\\04", "\\04"),
        ("\\999", "\\999"),
    ],
)
def test_unescape_octal(field: str, expected: str) -> None:
    """The kernel escapes space, tab, newline and backslash as 3-digit octal; nothing else is touched."""
    assert unescape(field) == expected


def test_partial_lines_are_skipped() -> None:
    """A partial read may cut the last line; the complete lines still count."""
    text = fixture("proc_mounts.txt")
    cut = text[: text.index("fusectl") + 20]
    assert len(parse_mounts(cut)) == 6
    assert parse_mounts("") == []
    assert parse_mounts("\n\n") == []


def test_mount8_format_is_refused() -> None:
    """`mount | grep dfuse` output is not the mounts table: refuse it rather than misread it."""
    with pytest.raises(ParseError):
        parse_mounts(fixture("mount_grep_dfuse.txt"))


def test_non_ascii_digits_in_numeric_fields() -> None:
    """`²` is a digit to str.isdigit() but not to int(); such a line is skipped, not a crash."""
    line = "dfuse /tmp/p/c fuse.daos rw 0 ²\n"
    with pytest.raises(ParseError):
        parse_mounts(line)
    assert len(parse_mounts(line + fixture("proc_mounts.txt"))) == 7


def test_kernel_fuse_line_as_the_demo_table_carries_it() -> None:
    """The kernel's own line for a FUSE mount made with dfuse's options (the demo's real mounts)."""
    (entry,) = dfuse_mounts(parse_mounts(fixture("proc_mounts_kernel_fuse.txt")))
    assert (entry.source, entry.path, entry.fstype) == ("dfuse", "/tmp/hd2/mnt/a b/checkpoints", "fuse.daos")
    assert entry.options == (
        "rw",
        "nosuid",
        "nodev",
        "noatime",
        "user_id=0",
        "group_id=0",
        "default_permissions",
    )
    assert (entry.option("user_id"), entry.option("group_id")) == ("0", "0")
