"""DAOS, PBS and mounts clients against FakeTransport: argv, parsing, error mapping, fallbacks.

Fixture texts are real-format samples (daos-cli.md, pbs.md); nothing is spawned.
"""

from __future__ import annotations

import json

import pytest

from daostui.core.errors import DaosError, MountError, PbsError, ValidationError
from daostui.core.site import SiteProfile
from daostui.daos.client import MODULE_HINT, DaosClient, harmless_noise
from daostui.daos.presets import PRESETS, ContainerCreateRequest
from daostui.mounts.client import MountsClient
from daostui.pbs.client import STATUS_CHUNK, PbsClient
from daostui.transport.fake import FakeTransport, Reply

POOL_UUID = "751f934f-9ab3-4611-b10e-4d2fc9ac0129"
CONT_UUID = "64125a7c-4750-4ef1-bd02-af04c8b246a8"
SERVER = "aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"


def envelope(response: object = None, error: str | None = None, status: int = 0) -> str:
    return json.dumps({"response": response, "error": error, "status": status}, indent=2) + "\n"


def failed(message: str, status: int) -> Reply:
    return Reply(stdout=envelope(None, message, status), stderr=f"ERROR: daos: {message}\n", exit_status=1)


POOL_INFO = {
    "query_mask": "rebuild,space",
    "state": "Degraded",
    "uuid": POOL_UUID,
    "total_targets": 4096,
    "active_targets": 4064,
    "total_engines": 128,
    "disabled_targets": 32,
    "version": 67,
    "svc_ldr": 190,
    "rebuild": {"status": 0, "state": "done", "objects": 0, "records": 0, "total_objects": 0},
    "tier_stats": [
        {"total": 3000000000000, "free": 2600000000000, "min": 644000000, "max": 649000000,
         "mean": 649000000, "media_type": "scm"},
        {"total": 96000000000000, "free": 96000000000000, "min": 21000000000, "max": 24000000000,
         "mean": 24000000000, "media_type": "nvme"},
    ],
    "pool_layout_ver": 0,
    "upgrade_layout_ver": 0,
}  # fmt: skip
POOL_LIST_TEXT = (
    "Pool        Size   State    Used Imbalance Disabled \n"
    "----        ----   -----    ---- --------- -------- \n"
    "datascience 96 TB  Degraded 11%  11%       32/4096  \n"
    "hacc        200 TB Ready    3%   1%        0/4096   \n"
    "\n"
)
CONT_LIST_TEXT = (
    "UUID                                 Label      \n"
    "----                                 -----      \n"
    "64125a7c-4750-4ef1-bd02-af04c8b246a8 LLM-GPT-1T \n"
    "22677585-b8f1-4616-b73b-375f91674a94 ior_1      \n"
    "d106b9f3-2f78-4699-8f10-dc285d134da5 softwares  \n"
)
CREATED = {
    "pool_uuid": POOL_UUID,
    "container_uuid": CONT_UUID,
    "container_label": "mycont",
    "latest_snapshot": 0,
    "redundancy_factor": 1,
    "num_handles": 1,
    "num_snapshots": 0,
    "open_time": 0,
    "close_modify_time": 0,
    "container_type": "POSIX",
    "chunk_size": 1048576,
}


@pytest.fixture
def fake() -> FakeTransport:
    return FakeTransport()


# ---------------------------------------------------------------------- DAOS argv
def test_daos_argv_builders(fake: FakeTransport) -> None:
    daos = DaosClient(fake)
    assert daos.argv_pool_list() == ["daos", "-j", "pool", "list"]
    assert daos.argv_pool_query("datascience") == ["daos", "-j", "pool", "query", "datascience"]
    assert daos.argv_cont_list("datascience") == ["daos", "-j", "container", "list", "datascience"]
    assert daos.argv_cont_get_prop("p", "c") == ["daos", "-j", "container", "get-prop", "p", "c"]
    assert daos.argv_cont_set_prop("p", "c", {"status": "healthy"}) == [
        "daos", "container", "set-prop", "p", "c", "status:healthy",
    ]  # fmt: skip
    assert daos.argv_cont_destroy("p", "c") == ["daos", "container", "destroy", "p", "c"]
    assert daos.argv_cont_destroy("p", "c", force=True)[-1] == "--force"
    assert daos.argv_fs_check("p", "c") == ["daos", "filesystem", "check", "p", "c", "--flags=evict"]
    assert daos.argv_version() == ["daos", "version"]


def test_alcf_preset_argv_is_the_guide_command(fake: FakeTransport) -> None:
    request = PRESETS["alcf"].request("datascience", "mycont")
    assert DaosClient(fake).argv_cont_create(request) == [
        "daos", "container", "create", "--type=POSIX", "datascience", "mycont", "--chunk-size=2097152",
        "--properties=rd_fac:3,ec_cell_sz:131072,cksum:crc32,srv_cksum:on",
        "--file-oclass=EC_16P3G32", "--dir-oclass=RP_4G1",
    ]  # fmt: skip


async def test_cont_create_argv_and_result(fake: FakeTransport) -> None:
    fake.on(["daos", "-j", "container", "create"], Reply(stdout=envelope(CREATED)))
    daos = DaosClient(fake)
    info = await daos.cont_create(ContainerCreateRequest("hpc_demo", "mycont", properties={"rd_fac": "1"}))
    assert fake.calls == [
        [
            "daos",
            "-j",
            "container",
            "create",
            "--type",
            "POSIX",
            "hpc_demo",
            "mycont",
            "--properties",
            "rd_fac:1",
        ]
    ]
    assert info.uuid == CONT_UUID and info.label == "mycont" and info.redundancy_factor == 1


async def test_cont_create_refuses_bad_label_before_running(fake: FakeTransport) -> None:
    with pytest.raises(ValidationError):
        await DaosClient(fake).cont_create(ContainerCreateRequest("hpc_demo", "bad label!"))
    assert fake.calls == []


# ---------------------------------------------------------------------- DAOS results and errors
async def test_pool_list_and_query_json(fake: FakeTransport) -> None:
    fake.on(
        ["daos", "-j", "pool", "list"],
        Reply(stdout=envelope({"pools": [{"label": "datascience", **POOL_INFO, "svc_reps": [0, 1, 2]}]})),
    )
    fake.on(["daos", "-j", "pool", "query"], Reply(stdout=envelope(POOL_INFO)))
    daos = DaosClient(fake)
    pools = await daos.pool_list()
    assert [(p.label, p.state, p.disabled_targets) for p in pools] == [("datascience", "Degraded", 32)]
    pool = await daos.pool_query("datascience")
    assert pool.uuid == POOL_UUID and pool.leader == 190 and pool.version == 67
    assert [t.media_type.lower() for t in pool.tiers] == ["scm", "nvme"]
    assert pool.rebuild is not None and pool.rebuild.state == "done"


async def test_pool_list_empty(fake: FakeTransport) -> None:
    fake.on(["daos", "-j", "pool", "list"], Reply(stdout=envelope({"pools": None})))
    assert await DaosClient(fake).pool_list() == []


async def test_text_fallback_when_json_fails(fake: FakeTransport) -> None:
    fake.on(["daos", "-j", "pool", "list"], Reply(stdout=POOL_LIST_TEXT))
    fake.on(["daos", "-j", "container", "list"], Reply(stdout=CONT_LIST_TEXT))
    daos = DaosClient(fake)
    pools = await daos.pool_list()
    assert [(p.label, p.state) for p in pools] == [("datascience", "Degraded"), ("hacc", "Ready")]
    conts = await daos.cont_list("datascience")
    assert [(c.uuid, c.label) for c in conts] == [
        (CONT_UUID, "LLM-GPT-1T"),
        ("22677585-b8f1-4616-b73b-375f91674a94", "ior_1"),
        ("d106b9f3-2f78-4699-8f10-dc285d134da5", "softwares"),
    ]


async def test_garbage_output_is_an_error_not_a_crash(fake: FakeTransport) -> None:
    fake.on(["daos"], Reply(stdout="\x00garbage{{{ not the format you expect\n"))
    daos = DaosClient(fake)
    with pytest.raises(DaosError) as bad:
        await daos.pool_query("datascience")
    assert "unexpected output" in str(bad.value)
    with pytest.raises(DaosError):
        await daos.cont_list("datascience")


async def test_envelope_with_wrong_response_shape(fake: FakeTransport) -> None:
    fake.on(["daos", "-j", "pool", "query"], Reply(stdout=envelope(["not", "a", "pool"])))
    with pytest.raises(DaosError) as bad:
        await DaosClient(fake).pool_query("datascience")
    assert "unexpected output" in str(bad.value)


@pytest.mark.parametrize(
    ("message", "status", "name", "hint_word"),
    [
        ("failed to connect to pool nosuch: DER_NONEXIST(-1005): The specified entity does not exist",
         -1005, "DER_NONEXIST", "daos pool list"),
        ("failed to connect to pool hacc: DER_NO_PERM(-1001): Operation not permitted", -1001, "DER_NO_PERM",
         "ACL"),
        ("failed to create container: DER_EXIST(-1004): Entity already exists", -1004, "DER_EXIST",
         "another label"),
        ("failed to destroy container c: DER_BUSY(-1012): Device or resource busy", -1012, "DER_BUSY", "--force"),
        ("failed to initialize DAOS API: DER_UNREACH(-1006): Unreachable node", -1006, "DER_UNREACH",
         "daos_agent"),
    ],
)  # fmt: skip
async def test_der_errors_mapped(
    fake: FakeTransport, message: str, status: int, name: str, hint_word: str
) -> None:
    fake.on(["daos"], failed(message, status))
    with pytest.raises(DaosError) as error:
        await DaosClient(fake).pool_query("x")
    assert error.value.der_name == name
    assert error.value.der_code == status
    assert str(error.value) == message
    assert hint_word in error.value.hint
    assert error.value.command_line.startswith("daos -j pool query")


async def test_plain_command_error_from_stderr(fake: FakeTransport) -> None:
    fake.on(
        ["daos", "container", "destroy"],
        Reply(
            stderr="ERROR: daos: failed to destroy container c: DER_BUSY(-1012): Device or resource busy\n",
            exit_status=1,
        ),
    )
    with pytest.raises(DaosError) as error:
        await DaosClient(fake).cont_destroy("p", "c")
    assert str(error.value) == "failed to destroy container c: DER_BUSY(-1012): Device or resource busy"
    assert error.value.der_name == "DER_BUSY" and error.value.der_code == -1012


async def test_error_amid_libdaos_log_lines(fake: FakeTransport) -> None:
    stderr = (
        "2026/09/14 15:27:49.533565 daos-dev-control-plane DAOS[28/28/0] mgmt ERR  src/mgmt/cli_mgmt.c:374 "
        "get_attach_info() GetAttachInfo((null)) failed: DER_UNREACH(-1006): 'Unreachable node'\n"
        "ERROR: daos: failed to initialize DAOS API: DER_UNREACH(-1006): Unreachable node\n"
    )
    fake.on(["daos"], Reply(stderr=stderr, exit_status=1))
    with pytest.raises(DaosError) as error:
        await DaosClient(fake).cont_set_prop("p", "c", {"status": "healthy"})
    assert str(error.value) == "failed to initialize DAOS API: DER_UNREACH(-1006): Unreachable node"
    assert error.value.der_name == "DER_UNREACH"


async def test_harmless_stderr_noise_does_not_fail(fake: FakeTransport) -> None:
    noise = (
        "04/02-11:03:16.60 x4319c0s0b0n0 DAOS[53174/53174/0] object ERR  src/object/cli_shard.c:858 "
        "dc_rw_cb()   DER_FETCH_AGAIN(-2032): 'Fetch again'\n"
    )
    fake.on(["daos", "-j", "pool", "query"], Reply(stdout=envelope(POOL_INFO), stderr=noise))
    pool = await DaosClient(fake).pool_query("datascience")
    assert pool.state == "Degraded"
    assert harmless_noise(noise) == ["DER_FETCH_AGAIN log lines: harmless, the client retries"]
    assert harmless_noise("") == []


async def test_timeout_is_an_error(fake: FakeTransport) -> None:
    fake.on(["daos"], Reply(stdout=envelope(POOL_INFO), timed_out=True))
    daos = DaosClient(fake)
    with pytest.raises(DaosError) as late:
        await daos.pool_query("datascience")
    assert "timed out" in str(late.value)
    with pytest.raises(DaosError):
        await daos.cont_destroy("p", "c")
    with pytest.raises(DaosError):
        await daos.version()


async def test_missing_daos_points_at_module(fake: FakeTransport) -> None:
    daos = DaosClient(fake)  # no rule: FakeTransport answers 127 "command not found"
    with pytest.raises(DaosError) as missing:
        await daos.pool_list()
    assert missing.value.hint == MODULE_HINT
    assert "could not be run" in str(missing.value)


async def test_version_and_set_prop_success(fake: FakeTransport) -> None:
    fake.on(["daos", "version"], Reply(stdout="DAOS CLI version 2.6.4, libdaos v2.7.0\n"))
    fake.on(["daos", "container", "set-prop"], Reply(stdout="Properties were successfully set\n"))
    daos = DaosClient(fake)
    version = await daos.version()
    assert "2.6.4" in str(getattr(version, "version", version))
    await daos.cont_set_prop("p", "c", {"status": "healthy"})
    assert fake.calls[-1] == ["daos", "container", "set-prop", "p", "c", "status:healthy"]


async def test_properties_json(fake: FakeTransport) -> None:
    response = [
        {"value": "rd_fac3", "name": "rd_fac", "description": "Redundancy Factor"},
        {"value": "UNCLEAN", "name": "status", "description": "Health"},
        {"value": "POSIX (1)", "name": "layout_type", "description": "Layout Type"},
        {
            "value": ["A::OWNER@:rwdtTaAo", "A:G:GROUP@:rwtT"],
            "name": "acl",
            "description": "Access Control List",
        },
    ]
    fake.on(["daos", "-j", "container", "get-prop"], Reply(stdout=envelope(response)))
    props = await DaosClient(fake).cont_get_prop("p", "c")
    assert props.rd_fac == 3 and props.unclean and props.layout == "POSIX"
    assert props.acl == ["A::OWNER@:rwdtTaAo", "A:G:GROUP@:rwtT"]


# ---------------------------------------------------------------------- PBS
def qstat_json(*jobs: tuple[str, dict]) -> str:
    return json.dumps(
        {
            "timestamp": 1795000000,
            "pbs_version": "2022.1.1.20220926110806",
            "pbs_server": SERVER,
            "Jobs": dict(jobs),
        },
        indent=4,
    )


def job_attrs(state: str = "R", **extra: object) -> dict:
    return {
        "Job_Name": "daos_job",
        "Job_Owner": "alice@aurora-uan-0009.hostmgmt.cm.aurora.alcf.anl.gov",
        "job_state": state,
        "queue": "debug",
        "Account_Name": "hpc_demo",
        "Resource_List": {"select": "1", "nodect": 1, "walltime": "00:10:00",
                          "filesystems": "home:flare:daos_user"},
        "Output_Path": "aurora-uan-0009.hostmgmt.cm.aurora.alcf.anl.gov:/home/alice/daos_job.o8875201",
        **extra,
    }  # fmt: skip


def test_pbs_argv_builders(fake: FakeTransport) -> None:
    pbs = PbsClient(fake, user="alice")
    assert pbs.argv_my_job_ids() == ["qselect", "-u", "alice", "-x"]
    assert pbs.argv_status(["1", "2"]) == ["qstat", "-f", "-F", "json", "-E", "-x", "1", "2"]
    assert pbs.argv_status(["1", "2"], express=False) == ["qstat", "-f", "-F", "json", "-x", "1", "2"]
    assert pbs.argv_status(["1"]) == ["qstat", "-f", "-F", "json", "-x", "1"]  # one id: one request anyway
    assert pbs.argv_submit("job.pbs") == ["qsub", "job.pbs"]
    assert pbs.argv_delete("1") == ["qdel", "1"]
    assert pbs.argv_hold("1") == ["qhold", "1"] and pbs.argv_release("1") == ["qrls", "1"]
    assert pbs.argv_interactive(
        project="hpc_demo", queue="debug", nodes=1, walltime="01:00:00", filesystems="home:flare:daos_user"
    ) == [
        "qsub", "-I", "-A", "hpc_demo", "-q", "debug", "-l", "select=1", "-l", "walltime=01:00:00",
        "-l", "filesystems=home:flare:daos_user", "-l", "place=scatter", "-k", "doe",
    ]  # fmt: skip


async def test_submit_ok_and_rejected(fake: FakeTransport) -> None:
    pbs = PbsClient(fake, user="alice")
    fake.on(["qsub"], Reply(stdout=f"8875201.{SERVER}\n"))
    job_id = await pbs.submit("job.pbs", cwd="/home/alice")
    assert job_id == f"8875201.{SERVER}"
    assert pbs.submitted_ids() == [job_id]

    fake.on(["qsub"], Reply(stderr="qsub: Account_Name is required to be set.\n", exit_status=1))
    with pytest.raises(PbsError) as rejected:
        await pbs.submit("job.pbs")
    assert str(rejected.value) == "qsub: Account_Name is required to be set."
    assert "-A <project>" in rejected.value.hint

    fake.on(["qsub"], Reply(stderr="qsub: Invalid filesystem identifiers gila\n", exit_status=1))
    with pytest.raises(PbsError) as invalid:
        await pbs.submit("job.pbs")
    assert "valid_filesystems" in invalid.value.hint

    fake.on(["qsub"], Reply(stdout="no id here\n"))
    with pytest.raises(PbsError):
        await pbs.submit("job.pbs")


async def test_status_json_and_unknown(fake: FakeTransport) -> None:
    pbs = PbsClient(fake, user="alice", lost_after=0)
    known = f"8875201.{SERVER}"
    fake.on(
        ["qstat"],
        Reply(
            stdout=qstat_json((known, job_attrs("F", Exit_status=271))),
            stderr="qstat: Unknown Job Id 8875202.aurora-pbs-0001\n",
            exit_status=153,
        ),
    )
    result = await pbs.status([known, "8875202.aurora-pbs-0001"])
    assert [j.id for j in result.jobs] == [known]
    job = result.jobs[0]
    assert job.state == "F" and job.exit_status == 271 and "SIGTERM" in job.exit_text
    assert job.output_path == "/home/alice/daos_job.o8875201"
    assert result.unknown_ids == ["8875202.aurora-pbs-0001"]


async def test_status_lost_after_submission(fake: FakeTransport) -> None:
    pbs = PbsClient(fake, user="alice", lost_after=0)
    fake.on(["qsub"], Reply(stdout=f"8875203.{SERVER}\n"))
    job_id = await pbs.submit("job.pbs")
    fake.on(["qstat"], Reply(stderr=f"qstat: Unknown Job Id {job_id}\n", exit_status=153))
    result = await pbs.status([job_id])
    assert [(j.id, j.state) for j in result.jobs] == [(job_id, "L")]


async def test_status_chunks_ids(fake: FakeTransport) -> None:
    pbs = PbsClient(fake, user="alice")
    ids = [f"{8000000 + i}.{SERVER}" for i in range(STATUS_CHUNK + 5)]
    fake.on(["qstat"], lambda argv, _stdin: Reply(stdout=qstat_json(*((i, job_attrs()) for i in argv[6:]))))
    result = await pbs.status(ids)
    assert len(result.jobs) == len(ids)
    assert [len(call) - 6 for call in fake.calls] == [STATUS_CHUNK, 5]


async def test_status_falls_back_to_text(fake: FakeTransport) -> None:
    pbs = PbsClient(fake, user="alice")
    text = (
        f"Job Id: 8875201.{SERVER}\n"
        "    Job_Name = daos_job\n"
        "    Job_Owner = alice@aurora-uan-0009.hostmgmt.cm.aurora.alcf.anl.gov\n"
        "    job_state = Q\n"
        "    queue = debug\n"
        "    Account_Name = hpc_demo\n"
        "    Resource_List.select = 1\n"
        "\n"
    )
    fake.on(["qstat", "-f", "-F", "json"], Reply(stdout="{ this is not json"))
    fake.on(["qstat", "-f", "-x"], Reply(stdout=text))
    result = await pbs.status([f"8875201.{SERVER}"])
    assert [(j.state, j.name, j.account) for j in result.jobs] == [("Q", "daos_job", "hpc_demo")]
    assert fake.calls[-1][:3] == ["qstat", "-f", "-x"]


REAL_PBS = __import__("pathlib").Path(__file__).parent / "fixtures" / "pbs" / "real"


async def test_status_survives_the_cjson_writer(fake: FakeTransport) -> None:
    """master's qstat answered only the first of `5 6 7` (real capture, asked without -E): the rest
    are asked again in text, all in one call, and from then on several ids go to text directly."""
    pbs = PbsClient(fake, user="pbsuser", lost_after=0)
    pbs.express = False  # a qstat that refused -E (with -E master prints every job: test_realpbs_arrays)
    fake.on(
        ["qstat", "-f", "-F", "json"],
        Reply(stdout=(REAL_PBS / "master_qstat_fx_json_history.json").read_text()),
    )
    blocks = (REAL_PBS / "master_qstat_fx_history.txt").read_text().split("\n\n")
    fake.on(
        ["qstat", "-f", "-x"],
        lambda argv, _stdin: Reply(
            stdout="".join(b + "\n\n" for b in blocks if b.split("\n", 1)[0][8:] in argv)
        ),
    )
    ids = ["5.pbshost", "6.pbshost", "7.pbshost"]
    result = await pbs.status(ids)
    assert sorted(job.id for job in result.jobs) == ids
    assert result.unknown_ids == [] and pbs.json_first_only
    assert [call[:3] for call in fake.calls] == [["qstat", "-f", "-F"], ["qstat", "-f", "-x"]]  # no -E
    assert fake.calls[1][3:] == ["6.pbshost", "7.pbshost"]
    walltime = next(job for job in result.jobs if job.id == "6.pbshost")
    assert walltime.exit_status == -29 and walltime.raw["Exit_status"] == "-29"  # text: strings

    fake.calls.clear()
    again = await pbs.status(ids)
    assert len(again.jobs) == 3 and [call[:3] for call in fake.calls] == [["qstat", "-f", "-x"]]
    fake.calls.clear()
    await pbs.status(["5.pbshost"])  # one id: JSON is complete with either writer
    assert fake.calls[0][:4] == ["qstat", "-f", "-F", "json"]


async def test_status_without_express_option(fake: FakeTransport) -> None:
    """A qstat that refuses -E (usage, exit 2): asked again without it, and never with it again."""
    pbs = PbsClient(fake, user="pbsuser")
    fake.on(["qstat"], Reply(stdout=(REAL_PBS / "qstat_f_json_bare_values.json").read_text()))
    fake.on(
        ["qstat", "-f", "-F", "json", "-E"],
        Reply(stderr="qstat: invalid option -- 'E'\nusage: \nqstat [-f]\n", exit_status=2),
    )
    result = await pbs.status(["5.pbshost", "5"])  # two ids: -E is tried first
    assert [job.id for job in result.jobs] == ["5.pbshost"] and pbs.express is False
    await pbs.status(["5.pbshost", "5"])
    assert [call[4] for call in fake.calls] == ["-E", "-x", "-x"]


async def test_express_leaves_unknown_ids_out_silently(fake: FakeTransport) -> None:
    """With -E a real server prints the jobs it found and says nothing of the others: those are
    asked again without -E, which names them; only then are they unknown."""
    pbs = PbsClient(fake, user="pbsuser")
    fake.on(
        ["qstat", "-f", "-F", "json", "-E"],
        Reply(stdout=(REAL_PBS / "qstat_f_json_bare_values.json").read_text()),
    )
    fake.on(["qstat", "-f", "-x"], Reply(stderr="qstat: Unknown Job Id 999.pbshost\n", exit_status=153))
    result = await pbs.status(["5.pbshost", "999.pbshost"])
    assert [job.id for job in result.jobs] == ["5.pbshost"] and result.unknown_ids == ["999.pbshost"]
    assert fake.calls[1] == ["qstat", "-f", "-x", "999.pbshost"] and not pbs.json_first_only


async def test_status_unknown_ids_are_not_asked_again(fake: FakeTransport) -> None:
    """Ids qstat names as unknown are unknown: no second command (23.06 prints every job it found)."""
    pbs = PbsClient(fake, user="pbsuser", lost_after=0)
    text = (REAL_PBS / "qstat_f_json_bare_values.json").read_text()
    fake.on(["qstat"], Reply(stdout=text, stderr="qstat: Unknown Job Id 999.pbshost\n", exit_status=153))
    result = await pbs.status(["5.pbshost", "999"])
    assert [job.id for job in result.jobs] == ["5.pbshost"]
    assert result.unknown_ids == ["999"] and len(fake.calls) == 1 and not pbs.json_first_only
    assert result.jobs[0].variables["SEED"] == "+42"  # repaired, no text fallback


async def test_subjobs_and_deleting_one(fake: FakeTransport) -> None:
    pbs = PbsClient(fake, user="pbsuser")
    fake.on(["qstat", "-t"], Reply(stdout=(REAL_PBS / "qstat_tfx_json_array.json").read_text()))
    fake.on(["qdel"], Reply())
    subjobs = await pbs.subjobs("8[].pbshost")
    assert [job.id for job in subjobs] == ["8[1].pbshost", "8[2].pbshost", "8[3].pbshost"]
    assert fake.calls[0] == ["qstat", "-t", "-f", "-F", "json", "-x", "8[].pbshost"]
    await pbs.delete_subjob("8[].pbshost", 2)
    await pbs.delete("8[].pbshost")
    assert fake.calls[1:] == [["qdel", "8[2].pbshost"], ["qdel", "8[].pbshost"]]


async def test_tracker_shows_arrays_and_open_subjobs(fake: FakeTransport) -> None:
    """The jobs pane's data: the array parent as `8[]` with its counts; its subjobs once opened,
    fetched with one `qstat -t` per refresh only while they can change."""
    from daostui.pbs.tracker import JobTracker

    pbs = PbsClient(fake, user="pbsuser")
    array_text = (REAL_PBS / "qstat_tfx_json_array.json").read_text()
    parent_only = array_text.split('        "8[1].pbshost"')[0].rstrip().rstrip(",") + "\n    }\n}\n"
    fake.on(["qselect"], Reply(stdout="8[].pbshost\n"))
    fake.on(["qstat", "-f", "-F", "json"], Reply(stdout=parent_only))
    fake.on(["qstat", "-t"], Reply(stdout=array_text))
    tracker = JobTracker(pbs)
    (parent,) = await tracker.refresh()
    assert parent.seq == "8[]" and parent.array_progress == "3/3 done"
    assert [job.id for job in tracker.rows()] == ["8[].pbshost"]
    await tracker.expand("8[].pbshost")
    assert [job.seq for job in tracker.rows()] == ["8[]", "8[1]", "8[2]", "8[3]"]
    assert tracker.get("8[2].pbshost").output_path == "/tmp/hpbs-site/work/STDIN.o8.2"
    fake.calls.clear()
    await tracker.refresh()  # everything finished: nothing is asked again but qselect
    assert [call[0] for call in fake.calls] == ["qselect"]
    tracker.collapse("8[].pbshost")
    assert [job.id for job in tracker.rows()] == ["8[].pbshost"] and tracker.expanded == set()


async def test_qselect_and_qdel_errors(fake: FakeTransport) -> None:
    pbs = PbsClient(fake, user="alice")
    fake.on(["qselect"], Reply(stdout=f"8875201.{SERVER}\n8875202.{SERVER}\n"))
    assert await pbs.my_job_ids() == [f"8875201.{SERVER}", f"8875202.{SERVER}"]
    fake.on(["qdel"], Reply(stderr="qdel: Unknown Job Id 1.aurora-pbs-0001\n", exit_status=153))
    with pytest.raises(PbsError) as error:
        await pbs.delete("1.aurora-pbs-0001")
    assert "no longer knows" in error.value.hint
    fake.on(["qhold"], Reply(timed_out=True))
    with pytest.raises(PbsError) as late:
        await pbs.hold("1")
    assert "timed out" in str(late.value)


async def test_pbs_missing(fake: FakeTransport) -> None:
    with pytest.raises(PbsError) as missing:
        await PbsClient(fake, user="alice").my_job_ids()
    assert "login node" in missing.value.hint


# ---------------------------------------------------------------------- mounts
MOUNTS = (
    "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
    "dfuse /tmp/alice/hpc_demo/checkpoints fuse.daos rw,nosuid,nodev,noatime,user_id=1000,group_id=1000,"
    "default_permissions 0 0\n"
    "dfuse /home/alice/my\\040dir fuse.daos ro,nosuid,user_id=1000,group_id=1000 0 0\n"
)


async def test_mounts_list_and_argv(fake: FakeTransport) -> None:
    mounts = MountsClient(fake, SiteProfile(), user="alice")
    fake.on(["cat", "/proc/mounts"], Reply(stdout=MOUNTS))
    listed = await mounts.list()
    assert [(m.path, m.pool, m.container, m.read_only) for m in listed] == [
        ("/tmp/alice/hpc_demo/checkpoints", "hpc_demo", "checkpoints", False),
        ("/home/alice/my dir", "", "", True),
    ]
    assert listed[0].user_id == "1000"
    assert mounts.argv_mount("p", "c", "/tmp/alice/p/c") == [
        ["stat", "--printf", r"%u\t%U\t%a\t%F\t%n\n", "--", "/tmp/alice", "/tmp/alice/p", "/tmp/alice/p/c"],
        ["start-dfuse.sh", "-m", "/tmp/alice/p/c", "--pool", "p", "--cont", "c"],
    ]
    assert mounts.argv_unmount("/tmp/alice/p/c") == ["fusermount3", "-u", "/tmp/alice/p/c"]
    assert mounts.default_mount_point("p", "c") == "/tmp/alice/p/c"


async def test_mount_failure_is_reported(fake: FakeTransport) -> None:
    mounts = MountsClient(fake, SiteProfile(), user="alice")
    fake.on(["id", "-u"], Reply(stdout="1000\n"))
    # every directory down to the mount point exists and is alice's (the ownership check passes)
    fake.on(
        ["stat"],
        lambda argv, _in: Reply(stdout="".join(f"1000\talice\t700\tdirectory\t{p}\n" for p in argv[4:])),
    )
    fake.on(
        ["start-dfuse.sh"],
        Reply(
            stdout="Failed to connect to container: 2 (No such file or directory)\nExiting -1005 DER_NONEXIST\n"
        ),
    )
    fake.on(["cat"], Reply(stdout=""))
    with pytest.raises(MountError) as failed_mount:
        await mounts.mount("hpc_demo", "nosuch")
    assert "Exiting -1005 DER_NONEXIST" in str(failed_mount.value)
    assert "exits 0 even when dfuse fails" in failed_mount.value.hint
    with pytest.raises(ValidationError):
        await mounts.mount("p", "c", "/etc/p/c")


async def test_probe_states(fake: FakeTransport) -> None:
    mounts = MountsClient(fake, SiteProfile(), user="alice")
    fake.on(["ls"], Reply(timed_out=True))
    assert (await mounts.probe("/tmp/alice/p/c", timeout=1)).state == "hung"
    fake.on(["ls"], Reply(stderr="ls: cannot access '/tmp/alice/p/c': Transport endpoint is not connected\n",
                          exit_status=2))  # fmt: skip
    assert (await mounts.probe("/tmp/alice/p/c")).state == "stale"
    fake.on(["ls"], Reply(stderr="ls: cannot access '/x': No such file or directory\n", exit_status=2))
    assert (await mounts.probe("/x")).state == "missing"
    fake.on(["ls"], Reply(stdout="a\nb\n"))
    health = await mounts.probe("/tmp/alice/p/c")
    assert (health.state, health.detail) == ("ok", "2 entries")


async def test_unmount_busy(fake: FakeTransport) -> None:
    mounts = MountsClient(fake, SiteProfile(), user="alice")
    fake.on(
        ["fusermount3"],
        Reply(
            stderr="fusermount3: failed to unmount /tmp/alice/p/c: Device or resource busy\n", exit_status=1
        ),
    )
    with pytest.raises(MountError) as busy:
        await mounts.unmount("/tmp/alice/p/c")
    assert str(busy.value).endswith("it is busy")
    assert "cd out of it" in busy.value.hint
