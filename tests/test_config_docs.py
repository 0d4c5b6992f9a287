"""Config parsing, site profile validation, and the README sections generated from the code.

The README's keys and config tables come from the action registry and `CONFIG_REFERENCE`; these
tests fail when either drifts, and when the README's example config would not load.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from daostui.core.actions import keys_markdown
from daostui.core.config import CONFIG_REFERENCE, ConfigError, load_config, parse_config, save_project
from daostui.core.site import SiteProfile, choose_daos_filesystem

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_readme_embeds_the_generated_keys_and_config_tables():
    assert keys_markdown() in README, (
        "regenerate the README's Keys table from daostui.core.actions.keys_markdown()"
    )
    assert CONFIG_REFERENCE in README, "copy daostui.core.config.CONFIG_REFERENCE into the README"


def test_readme_example_config_loads():
    example = re.search(r"```toml\n(.*?)```", README, re.S)
    assert example is not None
    config = parse_config(tomllib.loads(example.group(1)))
    assert config.project == "hpc_demo" and config.refresh.jobs == 15
    assert config.site_profile().add_daos_resource is False
    assert config.ssh["aurora"].host == "aurora.alcf.anl.gov"


def test_readme_quick_start_has_exactly_two_commands():
    block = README.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()]
    assert len(commands) == 2
    assert commands[0].endswith("daostui --demo") and "pytest" in commands[1]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"projet": "x"}, "projet"),
        ({"readonly": "yes"}, "readonly"),
        ({"refresh": {"jobs": 0}}, "refresh.jobs"),
        ({"refresh": {"qstat": 5}}, "refresh.qstat"),
        ({"site": {"login_mount_root": 3}}, "site.login_mount_root"),
        ({"ssh": {"aurora": {"user": "a"}}}, "ssh.aurora.host"),
    ],
)
def test_a_bad_key_is_named(data, key):
    with pytest.raises(ConfigError) as raised:
        parse_config(data)
    assert key in str(raised.value)


def test_missing_file_means_defaults_and_bad_toml_is_named(tmp_path: Path):
    assert load_config(tmp_path / "none.toml").project == ""
    bad = tmp_path / "bad.toml"
    bad.write_text("project = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_save_project_keeps_other_lines(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n\n[refresh]\njobs = 10\n')
    save_project(path, "my_proj")
    config = load_config(path)
    assert (config.project, config.theme, config.refresh.jobs) == ("my_proj", "nord", 10)
    save_project(path, "other")
    assert load_config(path).project == "other"


def test_site_profile_mount_points_and_filesystem_choice():
    site = SiteProfile()
    assert site.login_mount_point("alice", "pool", "cont") == "/tmp/alice/pool/cont"
    assert site.validate_mount_point("/tmp/alice/pool/cont", "alice", home="/home/alice")
    for bad in ("relative/path", "/tmp/alice/../bob/x", "/etc/x"):
        with pytest.raises(Exception, match="mount point"):
            site.validate_mount_point(bad, "alice", home="/home/alice")
    assert choose_daos_filesystem(["home", "flare", "daos_user_fs"], site) == "daos_user_fs"
    assert choose_daos_filesystem(["home", "flare", "daos_user"], site) == "daos_user"


# ---------------------------------------------------------------------- values that hurt the site (issue 13)
@pytest.mark.parametrize(
    ("value", "key", "floor"),
    [
        (float("nan"), "jobs", "10"),
        (float("inf"), "jobs", "10"),
        (0, "jobs", "10"),
        (5, "jobs", "10"),
        (-1, "pools", "2"),
        (1.5, "mounts", "2"),
        (float("nan"), "containers", "2"),
    ],
)
def test_refresh_intervals_are_finite_and_above_a_floor(value, key: str, floor: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config({"refresh": {key: value}})
    message = str(refused.value)
    assert f"'refresh.{key}'" in message and repr(value) in message and f"at least {floor}" in message
    assert refused.value.field == f"refresh.{key}"


def test_refresh_floors_themselves_are_accepted() -> None:
    config = parse_config({"refresh": {"jobs": 10, "pools": 2, "containers": 2.0, "mounts": 2}})
    assert (config.refresh.jobs, config.refresh.pools) == (10.0, 2.0)


@pytest.mark.parametrize(
    ("data", "key", "shown"),
    [
        (
            {"site": {"module_prelude": ["module use /soft/modulefiles", "# module load daos"]}},
            "site.module_prelude",
            "'# module load daos'",
        ),
        ({"site": {"module_prelude": ["", "module load daos"]}}, "site.module_prelude", "''"),
        (
            {"site": {"module_prelude": ["module load daos # the new one"]}},
            "site.module_prelude",
            "# the new one",
        ),
        ({"site": {"module_prelude": ['echo "unclosed']}}, "site.module_prelude", "unclosed"),
        ({"site": {"module_prelude": ["module load daos \\"]}}, "site.module_prelude", "backslash"),
        ({"site": {"job_modules": ["module load daos\n#PBS -q prod"]}}, "site.job_modules", "line break"),
        (
            {"ssh": {"aurora": {"host": "h", "prelude": ["#!/bin/bash"]}}},
            "ssh.aurora.prelude",
            "'#!/bin/bash'",
        ),
        ({"ssh": {"aurora": {"host": "h", "prelude": ["   "]}}}, "ssh.aurora.prelude", "'   '"),
        ({"site": {"daos_filesystem": "daos_user\n#PBS -q prod"}}, "site.daos_filesystem", "daos_user"),
        ({"site": {"launch_dfuse": "launch-dfuse.sh; rm -rf ~"}}, "site.launch_dfuse", "rm -rf"),
        ({"theme": 3}, "theme", "3"),
        ({"projet": "x"}, "projet", "'x'"),
    ],
)
def test_lines_that_could_swallow_the_command_are_refused(data, key: str, shown: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(data)
    assert refused.value.field == key
    assert key.split(".")[-1] in str(refused.value) and shown in str(refused.value)


def test_prelude_lines_that_are_fine() -> None:
    lines = [
        "module use /soft/modulefiles",
        "module load daos/base || module load daos",
        "export X=a#b",
        'echo "#x"',
    ]
    config = parse_config({"site": {"module_prelude": lines}, "ssh": {"a": {"host": "h", "prelude": lines}}})
    assert config.site_profile().module_prelude == tuple(lines)


# ---------------------------------------------------------------------- the site layer (issue 15 item 25)
def test_site_config_under_the_user_config(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(
        '[site]\ndaos_filesystem = "daos_user_fs"\nadd_daos_resource = false\n'
        'module_prelude = ["module use /soft/modulefiles", "module load daos"]\n'
        '[ssh.aurora]\nhost = "aurora.alcf.anl.gov"\n[refresh]\njobs = 60\n'
    )
    user = tmp_path / "user.toml"
    user.write_text('project = "mine"\n[site]\nadd_daos_resource = true\n[ssh.aurora]\nuser = "alice"\n')
    config = load_config(user, site_path=site)
    profile = config.site_profile()
    assert profile.daos_filesystem == "daos_user_fs"  # from the site
    assert profile.add_daos_resource is True  # the user's own choice wins
    assert profile.module_prelude == ("module use /soft/modulefiles", "module load daos")
    assert (config.ssh["aurora"].host, config.ssh["aurora"].user) == ("aurora.alcf.anl.gov", "alice")
    assert config.refresh.jobs == 60 and config.project == "mine"
    assert config.files_read == [site, user] and config.path == user


def test_site_config_from_the_environment_and_its_errors_name_the_file(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[refresh]\njobs = 1\n")
    monkeypatch.setenv("DAOSTUI_SITE_CONFIG", str(site))
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path / "none.toml")
    assert str(refused.value).startswith(f"config {site}:") and "'refresh.jobs'" in str(refused.value)
    site.write_text("[refresh]\njobs = 20\n")
    user = tmp_path / "user.toml"
    user.write_text("[refresh]\njobs = 2\n")
    with pytest.raises(ConfigError, match=f"config {user}:"):
        load_config(user)
    monkeypatch.setenv("DAOSTUI_SITE_CONFIG", "")
    assert load_config(tmp_path / "none.toml").layers[0].layer == "user"


def test_default_site_config_path(monkeypatch) -> None:
    from daostui.core import paths

    monkeypatch.delenv("DAOSTUI_SITE_CONFIG", raising=False)
    assert paths.site_config_file() == Path("/etc/daostui/config.toml")


def test_doctor_shows_the_config_files_read(tmp_path: Path, demo_dir: Path, monkeypatch, capsys) -> None:
    from daostui import cli

    site = tmp_path / "site.toml"
    site.write_text('[site]\ndaos_filesystem = "daos_user_fs"\n')
    monkeypatch.setenv("DAOSTUI_SITE_CONFIG", str(site))
    monkeypatch.setenv("DAOSTUI_CONFIG", str(tmp_path / "missing.toml"))
    cli.main(["--demo", "--demo-dir", str(demo_dir), "doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["config_files"] == [
        {"layer": "site", "path": str(site), "read": True},
        {"layer": "user", "path": str(tmp_path / "missing.toml"), "read": False},
    ]
    cli.main(["--demo", "--demo-dir", str(demo_dir), "doctor"])
    text = capsys.readouterr().out
    assert f"config: site {site}; user {tmp_path / 'missing.toml'} (not found)" in text.splitlines()


def test_readme_site_config_example_loads(tmp_path: Path) -> None:
    block = next(b for b in re.findall(r"```toml\n(.*?)```", README, re.S) if "/etc/daostui/config.toml" in b)
    site = tmp_path / "site.toml"
    site.write_text(block)
    profile = load_config(tmp_path / "none.toml", site_path=site).site_profile()
    assert (profile.daos_filesystem, profile.add_daos_resource) == ("daos_user_fs", False)


def test_readme_tells_how_to_reach_serve_from_a_laptop() -> None:
    section = README.split("## In a browser tab", 1)[1].split("\n## ", 1)[0]
    assert (
        "ssh -L 8123:localhost:8123" in section
        and "--unix-socket" in section
        and "ssh -L 8123:/tmp/" in section
    )
    install = README.split("## Installing on a login node", 1)[1].split("\n## ", 1)[0]
    assert (
        "uvx daostui" in install
        and "pipx install daostui" in install
        and "/etc/daostui/config.toml" in install
    )
