"""The config file (TOML, XDG config dir): strict, with errors that name the key.

Unknown keys and wrong types are refused rather than ignored — a typo in `[refresh] jobs` must not
silently leave the default (harlequin's lesson). `CONFIG_REFERENCE` documents every key; the README
embeds it and a test keeps them in sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from daostui.core import paths
from daostui.core.errors import ValidationError
from daostui.core.site import SiteProfile


class ConfigError(ValidationError):
    """The config file is unreadable or has a bad key; the message names the key."""


@dataclass(frozen=True, slots=True)
class RefreshIntervals:
    pools: float = 60.0
    containers: float = 30.0
    mounts: float = 5.0
    jobs: float = 30.0


@dataclass(frozen=True, slots=True)
class SshEntry:
    host: str
    user: str = ""
    port: int = 0
    prelude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    project: str = ""
    default_queue: str = ""
    default_pool: str = ""
    theme: str = ""
    readonly: bool = False
    refresh: RefreshIntervals = field(default_factory=RefreshIntervals)
    site: dict[str, Any] = field(default_factory=dict)
    ssh: dict[str, SshEntry] = field(default_factory=dict)
    path: Path | None = None

    def site_profile(self) -> SiteProfile:
        try:
            return SiteProfile().with_overrides(**self.site)
        except ValidationError as exc:
            raise ConfigError(f"[site] {exc}", field=f"site.{exc.field}", rule=exc.rule) from None


CONFIG_REFERENCE = """\
| key | type | default | meaning |
|---|---|---|---|
| `project` | string | "" | your ALCF project (`qsub -A`); the wizard asks once and saves it here |
| `default_queue` | string | "" (debug) | queue preselected in job forms |
| `default_pool` | string | "" (first visible) | pool selected at start |
| `theme` | string | "" (textual-dark) | a Textual theme name (e.g. `nord`, `gruvbox`, `textual-light`) |
| `readonly` | bool | false | same as `--readonly`: hide and refuse every mutating action |
| `[refresh] pools` | seconds | 60 | pools pane refresh interval |
| `[refresh] containers` | seconds | 30 | containers pane refresh interval |
| `[refresh] mounts` | seconds | 5 | dfuse mounts pane refresh interval |
| `[refresh] jobs` | seconds | 30 | jobs pane refresh interval (`qselect` + `qstat -f` of changed jobs) |
| `[site] module_prelude` | list of strings | `["module use /soft/modulefiles", "module load daos/base \\|\\| module load daos"]` | run before every command when `daos` is not on PATH, and over ssh |
| `[site] job_modules` | list of strings | `["module use /soft/modulefiles", "module load daos/base"]` | module lines in generated job scripts |
| `[site] daos_filesystem` | string | `daos_user` | DAOS name in `-l filesystems=home:flare:NAME` (the server's list wins: `daos_user_fs` when it lists it) |
| `[site] add_daos_resource` | bool | true | also write `-l daos=daos_user` (the tutorial does; the current guide does not) |
| `[site] daos_resource` | string | `daos_user` | value of `-l daos=` |
| `[site] login_mount_root` | string | `/tmp/{user}` | login-node mount points are ROOT/pool/container |
| `[site] compute_mount_root` | string | `/tmp` | where launch-dfuse.sh mounts on compute nodes |
| `[site] allowed_mount_roots` | list of strings | `["/tmp/{user}", "{home}"]` | mount points must be under one of these |
| `[site] mounts_table` | string | `/proc/mounts` | the mounts table to read |
| `[site] flare_projects_root` | string | `/lus/flare/projects` | Lustre project directories (copy-to-flare destinations) |
| `[site] start_dfuse` / `launch_dfuse` / `launch_dfuse_caching` / `clean_dfuse` | string | ALCF script names | the dfuse wrapper scripts |
| `[site] ioil_lib` / `pil4dfs_lib` | string | `/usr/lib64/libioil.so`, `/usr/lib64/libpil4dfs.so` | interception libraries |
| `[ssh.NAME] host` | string | required | `daostui --ssh NAME` connects here |
| `[ssh.NAME] user` / `port` | string / int | from ~/.ssh/config | login user and port |
| `[ssh.NAME] prelude` | list of strings | the site prelude | module lines for this host |
"""

_TOP = {"project": str, "default_queue": str, "default_pool": str, "theme": str, "readonly": bool}


def _expect(value: Any, kind: type | tuple[type, ...], key: str) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) and kind is not bool:
        raise ConfigError(
            f"config key {key!r} must be {getattr(kind, '__name__', kind)}, not a boolean",
            field=key,
            rule="type",
        )
    if not isinstance(value, kind):
        name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(
            f"config key {key!r} must be {name}, got {type(value).__name__}", field=key, rule="type"
        )
    return value


def _site(table: Any) -> dict[str, Any]:
    _expect(table, dict, "site")
    defaults = SiteProfile()
    result: dict[str, Any] = {}
    for key, value in table.items():
        if not hasattr(defaults, key):
            raise ConfigError(f"unknown config key 'site.{key}'", field=f"site.{key}", rule="known key")
        default = getattr(defaults, key)
        if isinstance(default, tuple):
            _expect(value, list, f"site.{key}")
            for item in value:
                _expect(item, str, f"site.{key}[]")
            result[key] = tuple(value)
        else:
            result[key] = _expect(value, type(default), f"site.{key}")
    return result


def _ssh(table: Any) -> dict[str, SshEntry]:
    _expect(table, dict, "ssh")
    entries = {}
    for name, entry in table.items():
        key = f"ssh.{name}"
        _expect(entry, dict, key)
        unknown = set(entry) - {"host", "user", "port", "prelude"}
        if unknown:
            raise ConfigError(f"unknown config key '{key}.{sorted(unknown)[0]}'", field=key, rule="known key")
        if "host" not in entry:
            raise ConfigError(f"config key '{key}.host' is required", field=f"{key}.host", rule="required")
        prelude = entry.get("prelude", [])
        _expect(prelude, list, f"{key}.prelude")
        entries[name] = SshEntry(
            host=_expect(entry["host"], str, f"{key}.host"),
            user=_expect(entry.get("user", ""), str, f"{key}.user"),
            port=_expect(entry.get("port", 0), int, f"{key}.port"),
            prelude=tuple(_expect(p, str, f"{key}.prelude[]") for p in prelude),
        )
    return entries


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    values: dict[str, Any] = {"path": path}
    for key, value in data.items():
        if key in _TOP:
            values[key] = _expect(value, _TOP[key], key)
        elif key == "refresh":
            _expect(value, dict, "refresh")
            known = {f.name for f in fields(RefreshIntervals)}
            intervals = {}
            for name, seconds in value.items():
                if name not in known:
                    raise ConfigError(
                        f"unknown config key 'refresh.{name}'", field=f"refresh.{name}", rule="known key"
                    )
                seconds = _expect(seconds, float, f"refresh.{name}")
                if seconds <= 0:
                    raise ConfigError(
                        f"config key 'refresh.{name}' must be > 0 seconds",
                        field=f"refresh.{name}",
                        rule="positive",
                    )
                intervals[name] = seconds
            values["refresh"] = RefreshIntervals(**intervals)
        elif key == "site":
            values["site"] = _site(value)
        elif key == "ssh":
            values["ssh"] = _ssh(value)
        else:
            raise ConfigError(f"unknown config key {key!r}", field=key, rule="known key")
    config = Config(**values)
    config.site_profile()  # validate now, not at first use
    return config


def load_config(path: Path | None = None) -> Config:
    """The config at `path` (default: XDG config file); a missing file means defaults."""
    path = path or paths.config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc}", field="", rule="readable") from None
    import tomllib  # only when a config file exists

    try:
        data = tomllib.loads(raw.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}", field="", rule="TOML") from None
    try:
        return parse_config(data, path)
    except ConfigError as exc:
        raise ConfigError(f"config {path}: {exc}", field=exc.field, rule=exc.rule) from None


def save_project(path: Path, project: str) -> None:
    """Set `project = "..."` in the config file, keeping every other line as it is."""
    import json

    line = f"project = {json.dumps(project)}\n"
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        lines = []
    out: list[str] = []
    replaced = False
    seen_table = False
    for existing in lines:
        stripped = existing.strip()
        if stripped.startswith("["):
            seen_table = True
        if not seen_table and stripped.split("=", 1)[0].strip() == "project":
            if not replaced:
                out.append(line)
                replaced = True
            continue
        out.append(existing)
    if not replaced:
        out.insert(0, line)  # top-level keys must come before any [table]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(out), encoding="utf-8")
    import tomllib

    parse_config(tomllib.loads(path.read_text(encoding="utf-8")), path)
