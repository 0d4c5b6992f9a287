"""`decode` walks big documents value by value and must read exactly as `json.loads` does."""

from __future__ import annotations

import json
from json.decoder import JSONDecodeError
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from daostui.core import json_decode
from daostui.core.json_decode import decode
from daostui.pbs.parse import keep_repeated
from tests.test_parse_properties import PROFILE

FIXTURES = Path(__file__).parent / "fixtures"

_leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
_values = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=24,
)


def _outcome(fn, text: str, **options):  # type: ignore[no-untyped-def]
    try:
        return "ok", fn(text, **options)
    except JSONDecodeError as exc:
        return "error", exc.msg, exc.pos


@PROFILE
@given(_values, st.sampled_from([None, 0, 2]), st.booleans())
def test_documents_read_as_json_loads_reads_them(value: object, indent: int | None, spaced: bool) -> None:
    text = json.dumps(value, indent=indent, separators=(", ", ": ") if spaced else (",", ":"))
    assert _outcome(decode, text, walk_above=0) == _outcome(json.loads, text)


@PROFILE
@given(_values, st.data())
def test_broken_documents_fail_as_json_loads_fails(value: object, data: st.DataObject) -> None:
    """The same error message at the same position, wherever the document is cut or spoilt."""
    text = json.dumps({"Jobs": {"1.x": value, "2.x": [value, value]}}, indent=2)
    cut = data.draw(st.integers(0, len(text)))
    spoilt = text[:cut] + data.draw(st.sampled_from(["", ",", "}", "]", ":", '"', "x", "\\", "\n"]))
    spoilt += text[cut + data.draw(st.integers(0, 3)) :]
    assert _outcome(decode, spoilt, walk_above=0) == _outcome(json.loads, spoilt)


def test_duplicate_keys_and_the_json_options_are_those_of_json_loads() -> None:
    text = (FIXTURES / "pbs" / "qstat_Qf_duplicate_keys.json").read_text()
    options = {"object_pairs_hook": keep_repeated, "strict": False, "parse_float": str, "parse_constant": str}
    assert decode(text, walk_above=0, **options) == json.loads(text, **options)
    assert decode('{"a": 1, "a": 2}', walk_above=0) == {"a": 2}
    assert decode("[NaN, 1.5]", walk_above=0, parse_constant=str, parse_float=str) == ["NaN", "1.5"]


def _c_call_spans(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """From now on, the characters each C decoding call reads, in order."""
    spans: list[int] = []
    raw_decode = json.JSONDecoder.raw_decode

    def measured(self, s, idx=0):  # type: ignore[no-untyped-def]
        value, end = raw_decode(self, s, idx)
        spans.append(end - idx)
        return value, end

    monkeypatch.setattr(json.JSONDecoder, "raw_decode", measured)
    return spans


def test_a_big_document_is_decoded_in_many_small_c_calls(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The interpreter lock is only held for one C call at a time: walked value by value, no call
    decodes more than one container of `daos cont list` (one `json.loads` would be all 10^4)."""
    text = json.dumps(
        {"response": [{"uuid": f"{i:036d}", "label": f"c{i}"} for i in range(10_000)], "status": 0}
    )
    expected = json.loads(text)
    spans = _c_call_spans(monkeypatch)
    assert decode(text, walk_above=0) == expected
    assert len(spans) > 10_000 and max(spans) < 100
    spans.clear()
    assert decode(text) == expected and len(spans) == 1  # small: one json.loads


def _qstat_like(count: int) -> str:
    """Jobs laid out as qstat's writer lays them out: every closing bracket on a line of its own."""
    jobs = {
        f"{n}.pbs": {
            "Job_Name": f"job {n}",
            "Resource_List": {"ncpus": 208, "walltime": "01:00:00"},
            "x": 1.5,
        }
        for n in range(count)
    }
    return json.dumps({"timestamp": 1, "Jobs": jobs}, indent=4)


def test_a_document_laid_out_as_qstat_s_is_decoded_in_runs_of_values(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """One C call per job re-made every key of every job (twice json.loads' time at 10^4 jobs):
    runs of jobs go in one call, each run at most `CHUNK_CHARS` long."""
    text = _qstat_like(2_000)
    expected = json.loads(text, parse_float=str)
    monkeypatch.setattr(json_decode, "CHUNK_CHARS", 4096)
    spans = _c_call_spans(monkeypatch)
    assert decode(text, walk_above=0, parse_float=str) == expected
    assert len(spans) < 2_000 / 10  # runs of jobs, not job by job
    assert max(spans) <= 4096 + 2  # the run and its two brackets


@PROFILE
@given(_values, st.data())
def test_runs_cut_anywhere_read_as_json_loads_reads_them(value: object, data: st.DataObject) -> None:
    """Closing lines inside strings, runs past the object's end, spoilt documents: runs that are
    not whole values are decoded value by value, with json.loads' result or error."""
    members = {
        f"{n}": {"v": value, "s": data.draw(st.sampled_from(["a", "}\n    }", "\n        }"]))}
        for n in range(6)
    }
    text = json.dumps({"Jobs": members, "Other": {"1": {"v": value}}}, indent=4)
    text = text.replace("\\n", "\n")  # raw newlines in strings, as strict=False lets qstat print them
    cut = data.draw(st.integers(0, len(text)))
    spoilt = text[:cut] + data.draw(st.sampled_from(["", ",", "}", "]", '"', "\n        }"])) + text[cut:]
    chunk = data.draw(st.sampled_from([1, 40, 200, 10_000]))
    saved = json_decode.CHUNK_CHARS
    json_decode.CHUNK_CHARS = chunk
    try:
        for document in (text, spoilt):
            assert _outcome(decode, document, walk_above=0, strict=False) == _outcome(
                json.loads, document, strict=False
            )
    finally:
        json_decode.CHUNK_CHARS = saved
