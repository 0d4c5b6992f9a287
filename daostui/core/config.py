"""The config files (TOML): strict, layered, with errors that name the file, the key and the value.

Layers, lowest first: built-in defaults < the site config (`$DAOSTUI_SITE_CONFIG`, else
/etc/daostui/config.toml: staff set the site's conventions once for everyone) < the user's config
(XDG config dir, `$DAOSTUI_CONFIG` or `--config`) < the command line. Unknown keys and wrong types
are refused rather than ignored -- a typo in `[refresh] jobs` must not silently leave the default
(harlequin's lesson) -- and so are values that would hurt a shared site: refresh intervals that are
not finite or below a floor (`nan` once ran `qselect` a hundred times in ten seconds), prelude
lines that would comment out the command after them. `CONFIG_REFERENCE` documents every key; the
README embeds it and a test keeps them in sync.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from daostui.core import paths
from daostui.core.errors import ValidationError
from daostui.core.site import SHELL_LINES, SiteProfile, validate_shell_lines


class ConfigError(ValidationError):
    """The config file is unreadable or has a bad key; the message names the key."""


@dataclass(frozen=True, slots=True)
class RefreshIntervals:
    pools: float = 60.0
    containers: float = 30.0
    mounts: float = 5.0
    jobs: float = 30.0


@dataclass(frozen=True, slots=True)
class NodesSettings:
    """How a job's compute nodes are probed (`[nodes]`): ClusterShell's fanout, the live re-probe
    interval, and how long one node may take to answer."""

    fanout: int = 64
    interval: float = 30.0
    timeout: float = 15.0


@dataclass(frozen=True, slots=True)
class SshEntry:
    host: str
    user: str = ""
    port: int = 0
    prelude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConfigLayer:
    """One config file looked at: which layer, where, and whether it existed (the doctor shows it)."""

    layer: str  # "site" | "user"
    path: Path
    read: bool

    def describe(self) -> str:
        return f"{self.layer} {self.path}" + ("" if self.read else " (not found)")


@dataclass(frozen=True)
class Config:
    project: str = ""
    default_queue: str = ""
    default_pool: str = ""
    theme: str = ""
    readonly: bool = False
    refresh: RefreshIntervals = field(default_factory=RefreshIntervals)
    nodes: NodesSettings = field(default_factory=NodesSettings)
    site: dict[str, Any] = field(default_factory=dict)
    ssh: dict[str, SshEntry] = field(default_factory=dict)
    #: The user's config file (where the wizard saves the project).
    path: Path | None = None
    #: The files looked at, lowest layer first (site, then user).
    layers: tuple[ConfigLayer, ...] = ()

    @property
    def files_read(self) -> list[Path]:
        return [layer.path for layer in self.layers if layer.read]

    def site_profile(self) -> SiteProfile:
        try:
            return SiteProfile().with_overrides(**self.site)
        except ValidationError as exc:
            raise ConfigError(
                f"config key 'site.{exc.field}': {exc}", field=f"site.{exc.field}", rule=exc.rule
            ) from None


CONFIG_REFERENCE = """\
| key | type | default | meaning |
|---|---|---|---|
| `project` | string | "" | your ALCF project (`qsub -A`); the wizard asks once and saves it here |
| `default_queue` | string | "" (debug) | queue preselected in job forms |
| `default_pool` | string | "" (first visible) | pool selected at start |
| `theme` | string | "" (textual-dark) | a Textual theme name (e.g. `nord`, `gruvbox`, `textual-light`) |
| `readonly` | bool | false | same as `--readonly`: hide and refuse every mutating action |
| `[refresh] pools` | seconds | 60 | pools pane refresh interval (at least 2) |
| `[refresh] containers` | seconds | 30 | containers pane refresh interval (at least 2) |
| `[refresh] mounts` | seconds | 5 | dfuse mounts pane refresh interval (at least 2) |
| `[refresh] jobs` | seconds | 30 | jobs pane refresh interval (`qselect` + `qstat -f` of changed jobs; at least 10: the PBS server is shared) |
| `[nodes] fanout` | int | 64 | compute nodes probed at once by `clush -f` (1 to 1024; ALCF's launch-dfuse.sh uses 208) |
| `[nodes] interval` | seconds | 30 | re-probe interval of an open job nodes view (at least 10: every node is asked each time) |
| `[nodes] timeout` | seconds | 15 | how long one node may take to answer (`clush -u`; 2 to 600); a mount listing gets a third of it |
| `[site] module_prelude` | list of strings | `["module use /soft/modulefiles", "module load daos/base \\|\\| module load daos"]` | run before every command when `daos` is not on PATH, and over ssh; one command per line, no comments or empty lines |
| `[site] job_modules` | list of strings | `["module use /soft/modulefiles", "module load daos/base"]` | module lines in generated job scripts (one command per line) |
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
| `[ssh.NAME] prelude` | list of strings | the site prelude | module lines for this host (one command per line, no comments) |
"""

_TOP = {"project": str, "default_queue": str, "default_pool": str, "theme": str, "readonly": bool}
#: The fastest refresh each pane may ask for: faster polling loads the site's servers for everyone
#: (the jobs pane asks the PBS server, shared by the whole machine).
REFRESH_FLOORS = {"pools": 2.0, "containers": 2.0, "mounts": 2.0, "jobs": 10.0}
#: `[nodes]` keys: (type, lowest, highest). Each probe asks every node of a job (thousands on
#: Aurora), so it may not run more often than every 10 s.
NODES_LIMITS: dict[str, tuple[type, float, float]] = {
    "fanout": (int, 1, 1024),
    "interval": (float, 10.0, 86400.0),
    "timeout": (float, 2.0, 600.0),
}


def _shown(value: Any) -> str:
    """The value as it appears in an error message (clipped: a message stays one line)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _expect(value: Any, kind: type | tuple[type, ...], key: str) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
    if isinstance(value, bool) and kind is not bool:
        raise ConfigError(
            f"config key {key!r} = {_shown(value)} must be {name}, not a boolean", field=key, rule="type"
        )
    if not isinstance(value, kind):
        raise ConfigError(
            f"config key {key!r} = {_shown(value)} must be {name}, not {type(value).__name__}",
            field=key,
            rule="type",
        )
    return value


def _unknown(key: str, value: Any) -> ConfigError:
    return ConfigError(f"unknown config key {key!r} (= {_shown(value)})", field=key, rule="known key")


def _interval(name: str, value: Any) -> float:
    key = f"refresh.{name}"
    seconds = _expect(value, float, key)
    floor = REFRESH_FLOORS[name]
    if not math.isfinite(seconds) or seconds < floor:
        raise ConfigError(
            f"config key {key!r} = {_shown(value)} must be a finite number of seconds, at least {floor:g} "
            "(faster refreshes load the site's servers for every user)",
            field=key,
            rule=f"at least {floor:g} seconds",
        )
    return seconds


def _nodes(table: Any) -> NodesSettings:
    _expect(table, dict, "nodes")
    values: dict[str, Any] = {}
    for name, value in table.items():
        if name not in NODES_LIMITS:
            raise _unknown(f"nodes.{name}", value)
        kind, low, high = NODES_LIMITS[name]
        key = f"nodes.{name}"
        number = _expect(value, kind, key)
        if not math.isfinite(number) or not low <= number <= high:
            raise ConfigError(
                f"config key {key!r} = {_shown(value)} must be between {low:g} and {high:g}",
                field=key,
                rule=f"{low:g} to {high:g}",
            )
        values[name] = number
    return NodesSettings(**values)


def _site(table: Any) -> dict[str, Any]:
    _expect(table, dict, "site")
    defaults = SiteProfile()
    result: dict[str, Any] = {}
    for key, value in table.items():
        if not hasattr(defaults, key):
            raise _unknown(f"site.{key}", value)
        default = getattr(defaults, key)
        if isinstance(default, tuple):
            _expect(value, list, f"site.{key}")
            for item in value:
                _expect(item, str, f"site.{key}[]")
            if key in SHELL_LINES:
                try:
                    validate_shell_lines(value, f"site.{key}")
                except ValidationError as exc:
                    raise ConfigError(f"config key {exc}", field=exc.field, rule=exc.rule) from None
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
        unknown = sorted(set(entry) - {"host", "user", "port", "prelude"})
        if unknown:
            raise _unknown(f"{key}.{unknown[0]}", entry[unknown[0]])
        if "host" not in entry:
            raise ConfigError(f"config key '{key}.host' is required", field=f"{key}.host", rule="required")
        prelude = entry.get("prelude", [])
        _expect(prelude, list, f"{key}.prelude")
        lines = tuple(_expect(p, str, f"{key}.prelude[]") for p in prelude)
        try:
            validate_shell_lines(lines, f"{key}.prelude")
        except ValidationError as exc:
            raise ConfigError(f"config key {exc}", field=exc.field, rule=exc.rule) from None
        entries[name] = SshEntry(
            host=_expect(entry["host"], str, f"{key}.host"),
            user=_expect(entry.get("user", ""), str, f"{key}.user"),
            port=_expect(entry.get("port", 0), int, f"{key}.port"),
            prelude=lines,
        )
    return entries


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    values: dict[str, Any] = {"path": path}
    for key, value in data.items():
        if key in _TOP:
            values[key] = _expect(value, _TOP[key], key)
        elif key == "refresh":
            _expect(value, dict, "refresh")
            intervals = {}
            for name, seconds in value.items():
                if name not in REFRESH_FLOORS:
                    raise _unknown(f"refresh.{name}", seconds)
                intervals[name] = _interval(name, seconds)
            values["refresh"] = RefreshIntervals(**intervals)
        elif key == "nodes":
            values["nodes"] = _nodes(value)
        elif key == "site":
            values["site"] = _site(value)
        elif key == "ssh":
            values["ssh"] = _ssh(value)
        else:
            raise _unknown(key, value)
    config = Config(**values)
    config.site_profile()  # validate now, not at first use
    return config


def _read_toml(path: Path) -> dict[str, Any] | None:
    """The file's tables, None when it does not exist; ConfigError naming the file otherwise."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc}", field="", rule="readable") from None
    import tomllib  # only when a config file exists

    try:
        return tomllib.loads(raw.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}", field="", rule="TOML") from None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`, table by table (a user's `[ssh.x] user` keeps the site's host)."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _defines(data: dict[str, Any], field: str) -> bool:
    """Whether `data` has the dotted key `field` (or the table holding it, for a missing key)."""
    node: Any = data
    parts = [p for p in field.split(".") if p]
    for index, part in enumerate(parts):
        part = part.split("[", 1)[0]
        if not isinstance(node, dict) or part not in node:
            return index > 0 and index == len(parts) - 1
        node = node[part]
    return bool(parts)


_UNSET: Any = object()


def load_config(path: Path | None = None, *, site_path: Path | None = _UNSET) -> Config:
    """Built-in defaults, then the site config (set by staff for everyone), then the user's.

    `path` is the user config (default: `$DAOSTUI_CONFIG`, else the XDG config file); `site_path`
    the site layer (default: `$DAOSTUI_SITE_CONFIG`, else /etc/daostui/config.toml). Missing files
    are layers that say nothing. An error names the file that set the bad key.
    """
    user_path = path or paths.config_file()
    site_file = paths.site_config_file() if site_path is _UNSET else site_path
    layers: list[tuple[str, Path, dict[str, Any]]] = []
    searched: list[ConfigLayer] = []
    for layer, candidate in (("site", site_file), ("user", user_path)):
        if candidate is None:
            continue
        data = _read_toml(candidate)
        if data is not None and layer == "site" and candidate == user_path:
            continue  # one file named twice is one layer
        searched.append(ConfigLayer(layer, candidate, data is not None))
        if data is None:
            continue
        try:
            parse_config(data, candidate)  # each layer valid on its own (ssh hosts may come later)
        except ConfigError as exc:
            if exc.rule != "required":
                raise ConfigError(f"config {candidate}: {exc}", field=exc.field, rule=exc.rule) from None
        layers.append((layer, candidate, data))
    merged: dict[str, Any] = {}
    for _layer, _file, data in layers:
        merged = _merge(merged, data)
    try:
        config = parse_config(merged, user_path)
    except ConfigError as exc:
        blamed = next((f for _l, f, d in reversed(layers) if _defines(d, exc.field)), user_path)
        raise ConfigError(f"config {blamed}: {exc}", field=exc.field, rule=exc.rule) from None
    return replace(config, layers=tuple(searched))


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
