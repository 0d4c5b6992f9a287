"""Mount points are real directories owned by the user, checked where the mount happens.

Another account that creates `/tmp/<you>` first -- as a symlink to its own directory, or as its own
directory -- used to receive the mount and the write/read check's file. The decision is unit-tested
on parsed `stat` output; the real thing runs through the demo and ssh transports (ordinary `id`,
`stat` and `mkdir` commands, never Python on the login node). Another real account's attempts are
in test_second_account.py.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from daostui.core.errors import MountError, ParseError
from daostui.mounts import safety
from daostui.mounts.safety import PathInfo, decide

UID = 1000


def info(
    path: str, *, uid: int = UID, mode: int = 0o700, kind: str = "directory", owner: str = "alice"
) -> PathInfo:
    return PathInfo(path, uid, owner, mode, kind)


CHAIN = ["/tmp/alice", "/tmp/alice/pool", "/tmp/alice/pool/cont"]


def test_argv_and_parsers() -> None:
    assert safety.argv_stat(["/a", "/a/b"]) == [
        "stat",
        "--printf",
        r"%u\t%U\t%a\t%F\t%n\n",
        "--",
        "/a",
        "/a/b",
    ]
    assert safety.argv_mkdir("/a/b") == ["mkdir", "-m", "0700", "--", "/a/b"]
    assert safety.argv_uid() == ["id", "-u"]
    parsed = safety.parse_stat(
        "1000\talice\t700\tdirectory\t/tmp/alice\n1001\tmallory\t777\tsymbolic link\t/tmp/alice/p q\n"
    )
    assert parsed["/tmp/alice"] == info("/tmp/alice")
    assert parsed["/tmp/alice/p q"] == info(
        "/tmp/alice/p q", uid=1001, owner="mallory", mode=0o777, kind="symbolic link"
    )
    assert safety.parse_uid("1000\n") == 1000
    with pytest.raises(ParseError):
        safety.parse_stat("stat: cannot statx\n")
    with pytest.raises(ParseError):
        safety.parse_uid("alice")


def test_chain_and_root() -> None:
    assert safety.chain("/tmp/alice", "/tmp/alice/pool/cont") == CHAIN
    assert safety.chain("/tmp/alice", "/tmp/alice") == ["/tmp/alice"]
    assert (
        safety.allowed_root("/tmp/alice/p/c", ["/tmp/alice", "/home/alice", "/tmp/alice/p"]) == "/tmp/alice/p"
    )
    assert safety.allowed_root("/etc/x", ["/tmp/alice"]) == ""


def test_all_good_and_missing() -> None:
    assert decide(CHAIN, {p: info(p) for p in CHAIN}, UID).ok
    partial = decide(CHAIN, {CHAIN[0]: info(CHAIN[0])}, UID)
    assert partial.missing == CHAIN[1:] and not partial.problem
    assert decide(CHAIN, {}, UID).missing == CHAIN


def test_a_symlink_planted_by_another_account() -> None:
    decision = decide(
        CHAIN, {CHAIN[0]: info(CHAIN[0], uid=1001, owner="mallory", kind="symbolic link", mode=0o777)}, UID
    )
    assert "/tmp/alice is a symbolic link made by another account, mallory (uid 1001)" in decision.problem
    assert "login_mount_root" in decision.advice and not decision.missing


def test_a_symlink_of_our_own() -> None:
    decision = decide(CHAIN, {CHAIN[0]: info(CHAIN[0]), CHAIN[1]: info(CHAIN[1], kind="symbolic link")}, UID)
    assert "/tmp/alice/pool is a symbolic link, not a real directory" in decision.problem
    assert "rm /tmp/alice/pool" in decision.advice


def test_a_directory_of_someone_else() -> None:
    decision = decide(CHAIN, {CHAIN[0]: info(CHAIN[0], uid=1001, owner="mallory", mode=0o755)}, UID)
    assert "/tmp/alice belongs to mallory (uid 1001), not to you (uid 1000)" in decision.problem


def test_a_directory_others_can_write() -> None:
    decision = decide(CHAIN, {CHAIN[0]: info(CHAIN[0], mode=0o777)}, UID)
    assert "mode 0777" in decision.problem and "chmod go-w /tmp/alice" in decision.advice


def test_a_file_in_the_way() -> None:
    decision = decide(CHAIN, {CHAIN[0]: info(CHAIN[0]), CHAIN[1]: info(CHAIN[1], kind="regular file")}, UID)
    assert "/tmp/alice/pool is a regular file" in decision.problem


def test_a_root_owned_sticky_root_is_trusted_but_only_as_the_root() -> None:
    chain = ["/tmp", "/tmp/pool"]
    assert decide(
        chain, {"/tmp": info("/tmp", uid=0, owner="root", mode=0o1777), "/tmp/pool": info("/tmp/pool")}, UID
    ).ok
    below = decide(
        chain,
        {"/tmp": info("/tmp", uid=0, mode=0o1777), "/tmp/pool": info("/tmp/pool", uid=0, mode=0o1777)},
        UID,
    )
    assert "belongs to" in below.problem


def test_a_live_mount_leaf_is_not_checked_but_its_parents_are() -> None:
    infos = {p: info(p) for p in CHAIN[:-1]}
    infos[CHAIN[-1]] = info(CHAIN[-1], uid=2000, kind="symbolic link")  # the mounted container's root
    assert decide(CHAIN, infos, UID, leaf_is_mount=True).ok
    infos[CHAIN[0]] = info(CHAIN[0], kind="symbolic link", uid=1001)
    assert "symbolic link" in decide(CHAIN, infos, UID, leaf_is_mount=True).problem
    assert (
        "nothing is mounted"
        in decide(CHAIN, {p: info(p) for p in CHAIN[:-1]}, UID, leaf_is_mount=True).problem
    )


# ---------------------------------------------------------------------- through the real transports
def mount_root(session) -> Path:
    return Path(session.site.expand(session.site.login_mount_root, session.user))


def ran(session, program: str) -> list[list[str]]:
    return [list(r.argv) for r in session.log.entries() if r.argv and r.argv[0] == program]


async def test_missing_directories_are_created_0700_and_the_mount_works(mode_session) -> None:
    session = mode_session
    previous = os.umask(0)
    try:
        mount = await session.mounts.mount("hpc_demo", "checkpoints")
    finally:
        os.umask(previous)
    root = mount_root(session)
    for directory in (root.parent, root, root / "hpc_demo"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    assert mount.path == str(root / "hpc_demo" / "checkpoints")
    assert ran(session, "stat") and ran(session, "id")
    assert all("-p" not in argv for argv in ran(session, "mkdir"))
    assert (await session.mounts.write_check(mount.path)).startswith("hello")


async def test_a_planted_symlink_is_refused_and_nothing_is_written(mode_session, tmp_path: Path) -> None:
    session = mode_session
    root = mount_root(session)
    decoy = tmp_path / "someone-elses"
    decoy.mkdir()
    root.parent.mkdir(parents=True, exist_ok=True)
    root.symlink_to(decoy)
    with pytest.raises(MountError) as refused:
        await session.mounts.mount("hpc_demo", "checkpoints")
    assert f"{root} is a symbolic link" in str(refused.value)
    assert refused.value.hint
    assert list(decoy.iterdir()) == [], "nothing may be created through the link"
    assert not ran(session, "start-dfuse.sh") and not ran(session, "mkdir")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a directory to another account (chown)")
async def test_a_directory_of_another_account_is_refused(demo_session) -> None:
    root = mount_root(demo_session)
    root.mkdir(parents=True)
    os.chown(root, 65534, 65534)
    with pytest.raises(MountError) as refused:
        await demo_session.mounts.mount("hpc_demo", "checkpoints")
    assert f"{root} belongs to" in str(refused.value) and "uid 65534" in str(refused.value)
    assert list(root.iterdir()) == []


async def test_write_check_refuses_a_bare_directory(demo_session) -> None:
    """After an unmount the directory is still there: writing into it would not test the mount."""
    session = demo_session
    mount = await session.mounts.mount("hpc_demo", "checkpoints")
    await session.mounts.unmount(mount.path)
    with pytest.raises(MountError) as refused:
        await session.mounts.write_check(mount.path)
    assert "is not a dfuse mount" in str(refused.value)
    assert list(Path(mount.path).iterdir()) == []
    assert not ran(session, "tee")


async def test_write_check_checks_the_directories_again(demo_session, tmp_path: Path) -> None:
    """A parent swapped for a link after the mount is caught before anything is written."""
    session = demo_session
    mount = await session.mounts.mount("hpc_demo", "checkpoints")
    root = mount_root(session)
    moved = tmp_path / "moved"
    root.rename(moved)
    root.symlink_to(moved)
    with pytest.raises(MountError) as refused:
        await session.mounts.write_check(mount.path)
    assert "symbolic link" in str(refused.value)
    assert not ran(session, "tee")


async def test_already_mounted_is_said_plainly(demo_session) -> None:
    mount = await demo_session.mounts.mount("hpc_demo", "checkpoints")
    with pytest.raises(MountError, match="already a dfuse mount"):
        await demo_session.mounts.mount("hpc_demo", "checkpoints")
    owned = json.loads(Path(demo_session.mounts.owned_file).read_text())
    assert mount.path in owned
