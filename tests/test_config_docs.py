"""Config parsing, site profile validation, and the README sections generated from the code.

The README's keys and config tables come from the action registry and `CONFIG_REFERENCE`; these
tests fail when either drifts, and when the README's example config would not load.
"""

from __future__ import annotations

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
