"""Job arrays and master's qstat against a real OpenPBS 23.06.06 server (see tests/realpbs.py).

Arrays: the parent is `N[]` with its counts, subjobs `N[i]` list with `qstat -t`, one subjob can be
deleted, each writes `.o`/`.e` files named with its index. master's qstat (the cJSON writer) as a
client of the same server prints only the first of several jobs asked with `-F json`: the client
must still find them all, and the jobs pane must never call one unknown or lost.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from daostui.pbs.tracker import JobTracker
from tests.realpbs import Site, cleanup, client_for, connection, pbs, site, wait_for, wait_until

__all__ = ["connection", "pbs", "site"]  # fixtures used by the tests below

pytestmark = pytest.mark.realpbs


ARRAY_SCRIPT = """#!/bin/sh
echo "subjob $PBS_ARRAY_INDEX of $PBS_ARRAY_ID"
sleep 4
echo "subjob $PBS_ARRAY_INDEX done"
"""


async def test_array_parent_subjobs_and_deleting_one(site: Site, pbs) -> None:
    directory = site.job_dir("array")
    script = site.write(directory, "arr.sh", ARRAY_SCRIPT)
    array_id = await pbs.submit(
        str(script), cwd=str(directory), extra_args=["-J", "1-4", "-k", "doe", "-l", "walltime=00:05:00"]
    )
    number = array_id.split("[", 1)[0]
    assert array_id == f"{number}[].pbshost"
    assert array_id in await pbs.my_job_ids()  # qselect lists the parent, never a bare number

    tracker = JobTracker(pbs)
    begun = await wait_until(
        lambda: _parent_in(tracker, array_id, "B"), "the array began (one subjob started)"
    )
    assert begun.seq == f"{number}[]" and begun.is_array
    assert begun.array_indices_submitted == "1-4" and begun.array_size == 4
    counts = begun.array_state_count
    assert set(counts) == {"Queued", "Running", "Exiting", "Expired"} and sum(counts.values()) == 4
    assert counts["Running"] >= 1
    assert begun.comment.startswith("Job Array Began at ")
    assert begun.output_path.endswith(f"/arr.sh.o{number}.^array_index^")

    subjobs = await tracker.expand(array_id)
    assert [job.seq for job in subjobs] == [f"{number}[{i}]" for i in range(1, 5)]
    assert [job.seq for job in tracker.rows()][:5] == [
        f"{number}[]",
        *(f"{number}[{i}]" for i in range(1, 5)),
    ]
    waiting = [job for job in subjobs if job.state == "Q"]
    assert waiting, [job.state for job in subjobs]  # two CPUs: at most two subjobs run at once
    victim = waiting[-1].array_index
    await pbs.delete_subjob(array_id, victim)
    deleted = await wait_for(pbs, f"{number}[{victim}].pbshost", "X")
    assert deleted.comment == "Subjob finished"

    finished = await wait_for(pbs, array_id, "F", deadline=180)
    assert finished.comment.endswith(" and finished")  # deleting a queued subjob does not terminate it
    assert finished.exit_status == 0 and finished.array_indices_remaining == "-"
    done = await pbs.subjobs(array_id)
    assert [job.state for job in done] == ["F"] * 4
    for job in done:
        path = Path(job.output_path)
        assert (
            path
            == Path(finished.output_path_for(job.array_index))
            == directory / f"arr.sh.o{number}.{job.array_index}"
        )
        if job.array_index == victim:
            assert job.exit_status == 0 and not path.exists()  # never ran
        else:
            assert job.exit_status == 0 and job.comment.endswith(" and finished")
            assert (
                path.read_text() == f"subjob {job.array_index} of {array_id}\nsubjob {job.array_index} done\n"
            )
            assert job.array_parent_id == array_id


async def _parent_in(tracker: JobTracker, array_id: str, states: str):
    await tracker.refresh()
    job = tracker.get(array_id)
    return job if job is not None and job.state in states else None


async def test_deleting_the_whole_array(site: Site, pbs) -> None:
    directory = site.job_dir("array-all")
    script = site.write(directory, "arr.sh", ARRAY_SCRIPT)
    array_id = await pbs.submit(
        str(script), cwd=str(directory), extra_args=["-J", "1-3", "-h", "-l", "walltime=00:05:00"]
    )
    held = await wait_for(pbs, array_id, "H")
    assert held.array_state_count["Queued"] == 3
    await pbs.delete(array_id)
    gone = await wait_for(pbs, array_id, "F")
    assert gone.is_array and gone.history_timestamp is not None


# ---------------------------------------------------------------------- master's qstat
@pytest.fixture
async def master(site: Site, tmp_path: Path):
    if site.master_qstat is None:
        pytest.skip("DAOSTUI_TEST_PBS_MASTER_QSTAT not set: OpenPBS master was not built")
    first = tmp_path / "master-first"
    first.mkdir()
    (first / "qstat").symlink_to(site.master_qstat)
    client, recorder = client_for(site, path_first=first)
    yield client, recorder
    await cleanup(client)


async def _three_held(site: Site, client) -> list[str]:  # type: ignore[no-untyped-def]
    directory = site.job_dir("master")
    script = site.write(directory, "quick.sh", "#!/bin/sh\necho hi\n")
    return [
        await client.submit(str(script), cwd=str(directory), extra_args=["-h", "-l", "walltime=00:05:00"])
        for _ in range(3)
    ]


async def test_master_qstat_with_express_prints_every_job(site: Site, master) -> None:
    """The client's usual request, `qstat -E -f -F json -x A B C` (one request for all ids), is
    answered in full by master's cJSON writer too: one command, every job."""
    client, recorder = master
    ids = await _three_held(site, client)
    result = await client.status([*ids, "999999.pbshost"])
    assert sorted(job.id for job in result.jobs) == sorted(ids) and result.unknown_ids == ["999999.pbshost"]
    qstats = recorder.argvs("qstat")
    assert (
        qstats[0][:5] == ["qstat", "-f", "-F", "json", "-E"] and client.express and not client.json_first_only
    )
    assert qstats[1] == ["qstat", "-f", "-x", "999999.pbshost"]  # -E said nothing of it: asked once more


async def test_master_qstat_without_express_finds_every_job_and_loses_none(site: Site, master) -> None:
    """Without -E (a qstat that refused it), master prints only A of `A B C`; the client asks B and
    C again, once, and then asks several ids in text directly. No job turns unknown or LOST."""
    client, recorder = master
    client.express = False
    client.lost_after = 0  # any id left unknown would show as LOST at once
    ids = await _three_held(site, client)
    result = await client.status(ids)
    assert sorted(job.id for job in result.jobs) == sorted(ids)
    assert result.unknown_ids == [] and all(job.state == "H" for job in result.jobs)
    assert client.json_first_only
    qstats = recorder.argvs("qstat")
    assert qstats[0][:4] == ["qstat", "-f", "-F", "json"] and qstats[1][:3] == ["qstat", "-f", "-x"]
    assert sorted(qstats[1][3:]) == sorted(ids[1:])  # only the ids master's JSON left out

    tracker = JobTracker(client)
    jobs = await tracker.refresh()
    assert {job.id for job in jobs} >= set(ids)
    assert all(job.state != "L" for job in jobs)


async def test_master_qstat_json_really_prints_one_job(site: Site, master) -> None:
    """The behaviour the client works around, seen directly (if master is fixed, this says so)."""
    # 23.06.06's qstat prints both; master's only the first
    client, _recorder = master
    directory = site.job_dir("master-raw")
    script = site.write(directory, "quick.sh", "#!/bin/sh\necho hi\n")
    ids = [
        await client.submit(str(script), cwd=str(directory), extra_args=["-h", "-l", "walltime=00:05:00"])
        for _ in range(2)
    ]
    result = await client.transport.run(["qstat", "-f", "-F", "json", *ids])
    assert result.ok and result.stdout.count('"Job_Name"') == 1  # without -E
    assert "\t" in result.stdout  # cJSON's layout
