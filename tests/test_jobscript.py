"""The Aurora DAOS job-script generator: golden scripts, directive round-trips, validation, saving.

The golden scripts in tests/golden/ were checked by hand against ALCF's guide (aurora-daos.md
"Jobs", daos-cli.md §8.1). Regenerate them with DAOSTUI_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daostui.core.errors import ValidationError
from daostui.core.site import SiteProfile
from daostui.pbs.jobscript import (
    CPU_BIND_12,
    JobRequest,
    cpu_binding,
    generate_script,
    parse_directives,
    request_options,
    save_script,
    script_filename,
    validate,
)
from daostui.pbs.limits import AURORA_DEFAULTS

GOLDEN = Path(__file__).parent / "golden"
TUTORIAL = SiteProfile()
CURRENT_GUIDE = SiteProfile().with_overrides(
    daos_filesystem="daos_user_fs",
    add_daos_resource=False,
    job_modules=("module use /soft/modulefiles", "module load daos"),
)
BINDING_12 = "--cpu-bind=list:4:9:14:19:20:25:56:61:66:71:74:79"


def base(**changes: object) -> JobRequest:
    values: dict[str, object] = dict(
        project="hpc_demo",
        queue="debug",
        nodes=2,
        walltime="00:30:00",
        program="./ior",
        args=("-a", "POSIX", "-w", "-r", "-o", "/tmp/hpc_demo/checkpoints/ior.dat"),
        pool="hpc_demo",
        container="checkpoints",
        job_name="ior_daos",
    )
    values.update(changes)
    return JobRequest(**values)  # type: ignore[arg-type]


CASES: dict[str, tuple[JobRequest, SiteProfile]] = {
    "tutorial_daos": (base(), TUTORIAL),
    "pil4dfs_env_modules": (
        base(
            program="python",
            args=("train.py", "--data", "/tmp/hpc_demo/checkpoints/data dir"),
            interception="pil4dfs",
            env={"D_IL_COMPATIBLE": "1", "MY_NOTE": "it's $(not) run"},
            extra_modules=("frameworks",),
            job_name="train",
            queue="capacity",
            nodes=4,
            walltime=7200,
        ),
        TUTORIAL,
    ),
    "ioil_caching_4ppn": (
        base(interception="ioil", caching_mount=True, ranks_per_node=4, nodes=1, job_name="ioil_run"),
        TUTORIAL,
    ),
    "no_daos": (
        base(pool="", container="", interception="pil4dfs", program="hostname", args=(), job_name="plain"),
        TUTORIAL,
    ),
    "current_guide": (base(queue="prod", nodes=512, walltime="01:00:00", ranks_per_node=24), CURRENT_GUIDE),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    request, site = CASES[name]
    text = generate_script(request, site)
    path = GOLDEN / f"{name}.sh"
    if os.environ.get("DAOSTUI_UPDATE_GOLDEN") or not path.exists():
        path.write_text(text)
    assert text == path.read_text(), f"{path} differs: regenerate with DAOSTUI_UPDATE_GOLDEN=1 and review"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_is_valid_bash(name: str) -> None:
    result = subprocess.run(["bash", "-n", str(GOLDEN / f"{name}.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_tutorial_script_structure() -> None:
    text = generate_script(base(), TUTORIAL)
    lines = _lines(text)
    assert lines[0] == "#!/bin/bash -l"
    # every #PBS directive comes before the first command
    first_command = next(i for i, ln in enumerate(lines) if ln.strip() and not ln.startswith("#"))
    assert max(i for i, ln in enumerate(lines) if ln.startswith("#PBS")) < first_command
    directives = [ln for ln in lines if ln.startswith("#PBS")]
    assert directives == [
        "#PBS -A hpc_demo",
        "#PBS -q debug",
        "#PBS -N ior_daos",
        "#PBS -l select=2",
        "#PBS -l walltime=00:30:00",
        "#PBS -l filesystems=home:flare:daos_user",
        "#PBS -l daos=daos_user",
        "#PBS -l place=scatter",
        "#PBS -k doe",
    ]
    assert lines[first_command : first_command + 2] == [
        "module use /soft/modulefiles",
        "module load daos/base",
    ]
    order = [
        'cd "${PBS_O_WORKDIR}"',
        'trap "clean-dfuse.sh ${DAOS_POOL}:${DAOS_CONT}" EXIT',
        "launch-dfuse.sh ${DAOS_POOL}:${DAOS_CONT}",
        'NNODES=$(wc -l < "${PBS_NODEFILE}")',
        "RANKS_PER_NODE=12",
        "NRANKS=$(( NNODES * RANKS_PER_NODE ))",
    ]
    positions = [lines.index(line) for line in order]
    assert positions == sorted(positions)
    assert "DAOS_POOL=hpc_demo" in lines and "DAOS_CONT=checkpoints" in lines
    mpi = next(ln for ln in lines if ln.startswith("mpiexec"))
    assert mpi.split()[:6] == ["mpiexec", "--no-vni", "-np", "${NRANKS}", "-ppn", "${RANKS_PER_NODE}"]
    assert BINDING_12 in mpi.split()
    assert "LD_PRELOAD" not in text
    assert lines[-1] == "exit ${status}"


@pytest.mark.parametrize(("interception", "library"), [("ioil", "libioil.so"), ("pil4dfs", "libpil4dfs.so")])
def test_interception_through_mpiexec_env(interception: str, library: str) -> None:
    text = generate_script(base(interception=interception), TUTORIAL)
    mpi = next(ln for ln in _lines(text) if ln.startswith("mpiexec")).split()
    index = mpi.index("--env")
    assert mpi[index + 1] == f"LD_PRELOAD=/usr/lib64/{library}"
    assert "export LD_PRELOAD" not in text  # only the ranks get the library, not launch/clean-dfuse


def test_caching_mount_uses_the_caching_wrapper() -> None:
    text = generate_script(base(caching_mount=True), TUTORIAL)
    assert "launch-dfuse-with-caching.sh ${DAOS_POOL}:${DAOS_CONT}" in _lines(text)
    assert 'trap "clean-dfuse.sh ${DAOS_POOL}:${DAOS_CONT}" EXIT' in _lines(text)


def test_no_daos_no_mount() -> None:
    text = generate_script(base(pool="", container=""), TUTORIAL)
    assert "#PBS -l filesystems=home:flare" in _lines(text)
    assert "daos=" not in text and "dfuse" not in text


def test_user_values_are_quoted() -> None:
    text = generate_script(
        base(program="./app; rm -rf ~", args=("$(whoami)", "a b"), env={"X": "`id`; echo"}), TUTORIAL
    )
    assert "    './app; rm -rf ~' '$(whoami)' 'a b'" in _lines(text)
    assert "export X='`id`; echo'" in _lines(text)


# ---------------------------------------------------------------------- cpu binding
def test_cpu_binding() -> None:
    assert cpu_binding(12) == [BINDING_12]
    for ranks in range(1, 12):
        (flag,) = cpu_binding(ranks)
        cores = [int(c) for c in flag.removeprefix("--cpu-bind=list:").split(":")]
        assert len(cores) == len(set(cores)) == ranks
        assert set(cores) <= set(CPU_BIND_12)
    assert cpu_binding(2) == ["--cpu-bind=list:4:56"]  # one per socket
    assert cpu_binding(24) == ["--cpu-bind", "depth", "--depth", "4"]
    assert cpu_binding(208) == ["--cpu-bind", "depth", "--depth", "1"]


# ---------------------------------------------------------------------- round trip (hypothesis)
names = st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,20}", fullmatch=True)
labels = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,30}", fullmatch=True)
daos_target = st.one_of(st.just(("", "")), st.tuples(labels, labels))
requests = st.builds(
    lambda project, queue, nodes, walltime, target, rpn, interception, caching, name, place, program: (
        JobRequest(
            project=project,
            queue=queue,
            nodes=nodes,
            walltime=walltime,
            program=program,
            pool=target[0],
            container=target[1],
            ranks_per_node=rpn,
            interception=interception,
            caching_mount=caching,
            job_name=name,
            place=place,
        )
    ),
    st.from_regex(r"[A-Za-z0-9_.-]{1,20}", fullmatch=True).filter(lambda p: not p.startswith("-")),
    st.sampled_from(["debug", "debug-scaling", "capacity", "prod", "visualization"]),
    st.integers(1, 10624),
    st.one_of(
        st.integers(1, 168 * 3600),
        st.builds(
            lambda h, m, s: f"{h:02d}:{m:02d}:{s:02d}",
            st.integers(0, 168),
            st.integers(0, 59),
            st.integers(1, 59),
        ),
    ),
    daos_target,
    st.integers(1, 208),
    st.sampled_from(["none", "ioil", "pil4dfs"]),
    st.booleans(),
    names,
    st.sampled_from(["scatter", "scatter:excl", "pack"]),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=30),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests, site=st.sampled_from([TUTORIAL, CURRENT_GUIDE]))
def test_directives_round_trip(request: JobRequest, site: SiteProfile) -> None:
    text = generate_script(request, site)
    assert parse_directives(text) == request_options(request, site)
    assert "--no-vni" in text
    if request.pool:
        assert f"launch-{'dfuse-with-caching' if request.caching_mount else 'dfuse'}.sh" in text
        assert request_options(request, site)["l:filesystems"].endswith(site.daos_filesystem)


@pytest.mark.parametrize("name", sorted(CASES))
def test_round_trip_goldens(name: str) -> None:
    request, site = CASES[name]
    assert parse_directives((GOLDEN / f"{name}.sh").read_text()) == request_options(request, site)


def test_parse_directives_stops_at_first_command() -> None:
    script = "#!/bin/bash\n#PBS -A a\n# note\n\n#PBS -l select=2,walltime=10:00\necho hi\n#PBS -q late\n"
    assert parse_directives(script) == {"-A": "a", "l:select": "2", "l:walltime": "10:00"}


# ---------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("changes", "field", "rule", "words"),
    [
        ({"walltime": "1:75:00"}, "walltime", "range", "below 60"),
        ({"walltime": "half an hour"}, "walltime", "format", "HH:MM:SS"),
        ({"walltime": 0}, "walltime", "positive", "positive"),
        ({"program": "   "}, "program", "non-empty", "empty"),
        ({"container": "my cont"}, "label", "allowed characters", "a space"),
        ({"pool": "bad/pool"}, "label", "allowed characters", "'/'"),
        ({"container": "12345678-1234-1234-1234-123456789abc"}, "label", "not a UUID", "UUID"),
        ({"container": "a:b"}, "container", "launch-dfuse.sh pool:cont", "':'"),
        ({"pool": ".."}, "pool", "launch-dfuse.sh pool:cont", "'..'"),
        ({"project": ""}, "project", "project name", "-A"),
        ({"project": "x; rm"}, "project", "project name", "-A"),
        ({"job_name": "9lives"}, "job_name", "job name", "start with a letter"),
        ({"nodes": 0}, "nodes", "positive", "at least 1"),
        ({"ranks_per_node": 209}, "ranks_per_node", "range", "208"),
        ({"interception": "darshan"}, "interception", "choice", "none, ioil, pil4dfs"),
        ({"env": {"BAD-KEY": "1"}}, "env", "name", "BAD-KEY"),
        ({"extra_modules": ("x; rm -rf ~",)}, "extra_modules", "name", "module"),
    ],
)
def test_validation_refusals(changes: dict, field: str, rule: str, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate(base(**changes))
    assert refused.value.rule == rule
    assert refused.value.field == field
    assert words in str(refused.value)
    with pytest.raises(ValidationError):
        generate_script(base(**changes), TUTORIAL)


def test_queue_limits() -> None:
    with pytest.raises(ValidationError) as too_many:
        validate(base(nodes=3), AURORA_DEFAULTS["debug"])
    assert too_many.value.rule == "queue limits"
    assert str(too_many.value) == "queue debug allows at most 2 nodes (asked 3)"
    with pytest.raises(ValidationError) as both:
        validate(base(queue="prod", nodes=4, walltime="30:00:00"), AURORA_DEFAULTS["prod"])
    assert str(both.value) == (
        "queue prod needs at least 256 nodes (asked 4); "
        "queue prod allows walltime of at most 24:00:00 (asked 30:00:00)"
    )
    validate(base(nodes=2), AURORA_DEFAULTS["debug"])  # within limits: no error


# ---------------------------------------------------------------------- saving
def test_save_script_never_overwrites(tmp_path: Path) -> None:
    request = base()
    name = script_filename(request)
    assert name == "ior_daos.pbs"
    first = save_script("one\n", tmp_path / "jobs", name)
    second = save_script("two\n", tmp_path / "jobs", name)
    third = save_script("three\n", tmp_path / "jobs", name)
    assert first == tmp_path / "jobs" / "ior_daos.pbs"
    assert second.name == "ior_daos-2.pbs" and third.name == "ior_daos-3.pbs"
    assert [p.read_text() for p in (first, second, third)] == ["one\n", "two\n", "three\n"]
    # private whatever the umask: qsub reads the script, nothing executes it directly
    assert [stat.S_IMODE(p.stat().st_mode) for p in (first, second, third)] == [0o600] * 3
    plain = save_script("x", tmp_path, "noext")
    assert save_script("y", tmp_path, "noext").name == "noext-2" and plain.read_text() == "x"


# ---------------------------------------------------------------------- injection (issue 13)
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"project": "hpc_demo\n"}, "project"),
        ({"queue": "debug\n#PBS -l select=9999"}, "queue"),
        ({"job_name": "run\n"}, "job_name"),
        ({"place": "scatter\n#PBS -W depend=afterok:1"}, "place"),
        ({"place": "scatter\nrm -rf ~"}, "place"),
        ({"place": "everywhere"}, "place"),
        ({"place": "scatter:pack"}, "place"),
        ({"env": {"X\n": "1"}}, "env"),
        ({"env": {"X": "a\nrm -rf ~"}}, "env"),
        ({"extra_modules": ("frameworks\n",)}, "extra_modules"),
        ({"program": "./a.out\nrm -rf ~"}, "program"),
        ({"args": ("ok", "x\ny")}, "args"),
        ({"walltime": "00:10:00\n"}, "walltime"),
    ],
)
def test_a_value_with_a_line_break_is_refused(changes: dict, field: str) -> None:
    """`re.match` with `^...$` accepted a trailing newline; `place` was not checked at all."""
    with pytest.raises(ValidationError) as refused:
        validate(base(**changes))
    assert refused.value.field == field


@pytest.mark.parametrize(
    "place", ["scatter", "scatter:excl", "pack", "free:shared", "vscatter:exclhost:group=rack"]
)
def test_valid_placements(place: str) -> None:
    assert f"#PBS -l place={place}" in generate_script(base(place=place), TUTORIAL).splitlines()


def test_workdir_is_quoted_so_a_space_does_not_send_the_job_home(tmp_path: Path) -> None:
    """Run the generated `cd` line with a working directory that has a space in it."""
    workdir = tmp_path / "my project"
    workdir.mkdir()
    line = next(ln for ln in generate_script(base(), TUTORIAL).splitlines() if ln.startswith("cd "))
    result = subprocess.run(
        ["bash", "-c", f"{line} && pwd"],
        env={"PBS_O_WORKDIR": str(workdir), "HOME": str(tmp_path), "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == str(workdir), result.stderr


def test_site_module_lines_cannot_add_lines() -> None:
    with pytest.raises(ValidationError) as refused:
        SiteProfile().with_overrides(job_modules=("module load daos\n#PBS -q prod",))
    assert refused.value.field == "job_modules"


def _structure(text: str) -> list[str]:
    """Each line reduced to its kind: what a value could change without adding a line."""
    kinds = []
    for line in text.splitlines():
        if line.startswith("#PBS"):
            kinds.append(
                "#PBS "
                + line.split()[1]
                + (" " + line.split()[2].split("=")[0] if line.split()[1] == "-l" else "")
            )
        elif line.startswith("export "):
            kinds.append("export")
        elif line.startswith("module load ") and line not in TUTORIAL.job_modules:
            kinds.append("module load")
        elif line.startswith(("DAOS_POOL=", "DAOS_CONT=", "RANKS_PER_NODE=")):
            kinds.append(line.split("=")[0])
        elif line.startswith("    "):
            kinds.append("program line")
        else:
            kinds.append(line)
    return kinds


any_text = st.text(min_size=0, max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    field=st.sampled_from(
        [
            "project",
            "queue",
            "job_name",
            "place",
            "program",
            "args",
            "env_key",
            "env_value",
            "module",
            "walltime",
        ]
    ),
    value=st.one_of(any_text, st.sampled_from(["x\n#PBS -q prod", "ok\r\necho pwned", "\n", "a\u2028b"])),
)
def test_no_value_adds_a_line_to_the_script(field: str, value: str) -> None:
    """Whatever one field holds, the script has the benign script's lines and structure, or the
    request is refused: no value can add a directive or a command."""
    benign = base(env={"MY_VAR": "1"}, extra_modules=("frameworks",))
    changes: dict[str, object] = {
        "args": {"args": ("-a", value)},
        "env_key": {"env": {value: "1"}},
        "env_value": {"env": {"MY_VAR": value}},
        "module": {"extra_modules": (value,)},
    }.get(field, {field: value})
    request = base(**{**dict(env={"MY_VAR": "1"}, extra_modules=("frameworks",)), **changes})
    try:
        text = generate_script(request, TUTORIAL)
    except ValidationError:
        return
    expected = generate_script(benign, TUTORIAL)
    assert len(text.splitlines()) == len(expected.splitlines())
    assert text.count("\n") == expected.count("\n")
    assert _structure(text) == _structure(expected)
