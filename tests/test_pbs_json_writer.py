"""OpenPBS 23.06's JSON writer prints some values bare; every one of them must parse, from its own rule.

The writer (`src/lib/Libcmds/pbs_json.c` `add_json_node()`, v23.06.06) prints a value verbatim and
unquoted when glibc `strtod()` consumes all of it but trailing C white space, and it does not start
with `0` unless it is below 1. The strategy below is written from that rule, not from examples:
it builds every form strtod's grammar (C99 7.20.1.3) accepts — optional C white space, a sign,
decimal with leading or trailing dots and exponents, hexadecimal floats with binary exponents,
`inf`/`infinity`/`nan`/`nan(chars)` in any case — computes the value strtod gives, and keeps the
ones the first-character test lets through. Each is printed into a `qstat -f -F json` document by
the simulator's port of the writer (itself checked against a real server's bytes in
test_parse_pbs_real.py) as a `Variable_List`, `Resource_List` and custom-resource value, and the
parser must return exactly what the user typed (or the number JSON gives a valid JSON number)
with no fallback to text.
"""

from __future__ import annotations

import math
import os
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from daostui.pbs.jsonrepair import C_SPACE, JSON_NUMBER, STRTOD_NUMBER
from daostui.pbs.parse import parse_jobs_json
from daostui.sim import pbs_writer

SLOW = os.environ.get("DAOSTUI_SLOW") == "1"
EXAMPLES = 10_000 if SLOW else 300

C_WHITE = " \t\n\v\f\r"
DIGITS = "0123456789"
HEX_DIGITS = "0123456789abcdefABCDEF"


def _case(word: str) -> st.SearchStrategy[str]:
    """`word` in any mix of upper and lower case (strtod compares case-insensitively)."""
    return st.tuples(*(st.sampled_from([c.lower(), c.upper()]) for c in word)).map("".join)


def _exponent(letters: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(""),
        st.tuples(
            st.sampled_from(letters), st.sampled_from(["", "+", "-"]), st.text(DIGITS, min_size=1, max_size=3)
        ).map("".join),
    )


def _mantissa(alphabet: str) -> st.SearchStrategy[str]:
    """Digits with an optional dot anywhere, at least one digit: `5`, `5.`, `5.25`, `.25`."""
    some = st.text(alphabet, min_size=1, max_size=6)
    maybe = st.text(alphabet, max_size=6)
    return st.one_of(
        st.tuples(some, st.sampled_from(["", "."]), maybe).map("".join), some.map(lambda s: "." + s)
    )


#: (text, value) of each number form strtod accepts, sign not included.
DECIMAL = st.tuples(_mantissa(DIGITS), _exponent("eE")).map(lambda p: (p[0] + p[1], float(p[0] + p[1])))


def _hex_value(mantissa: str, exponent: str) -> float:
    try:
        return float.fromhex("0x" + mantissa + exponent)
    except OverflowError:  # strtod gives HUGE_VAL
        return math.inf


HEXADECIMAL = st.tuples(st.sampled_from(["0x", "0X"]), _mantissa(HEX_DIGITS), _exponent("pP")).map(
    lambda p: ("".join(p), _hex_value(p[1], p[2]))
)
INFINITY = st.one_of(_case("inf"), _case("infinity")).map(lambda t: (t, math.inf))
NOT_A_NUMBER = st.tuples(
    _case("nan"), st.one_of(st.just(""), st.text(DIGITS + "_abcXYZ", max_size=4).map("({})".format))
).map(lambda p: ("".join(p), math.nan))


@st.composite
def bare_values(draw: st.DrawFn) -> str:
    """A value the 23.06 writer prints unquoted, built from strtod's grammar and the writer's test."""
    lead = draw(st.text(C_WHITE, max_size=2))
    sign = draw(st.sampled_from(["", "+", "-"]))
    body, value = draw(st.one_of(DECIMAL, HEXADECIMAL, INFINITY, NOT_A_NUMBER))
    trail = draw(st.text(C_WHITE, max_size=2))
    text = lead + sign + body + trail
    value = -value if sign == "-" else value
    # add_json_node(): `(*value != '0') || (val < 1)`
    if text[0] == "0" and not value < 1:
        text = "+" + text  # the same number with a sign: then the first character is not '0'
    return text


def expected(text: str) -> str:
    """How the parser's value must read: a valid JSON number as JSON has it (an integer's digits, a
    float's own text), anything else exactly what the writer printed, i.e. what the user typed."""
    number = text.strip(" \t\n\r")
    if JSON_NUMBER.fullmatch(text):
        return str(int(number)) if re.fullmatch(r"-?[0-9]+", number) else number
    if number in ("NaN", "Infinity", "-Infinity"):
        return number  # constants Python's json reads (JSON white space around them is JSON's)
    return text


def document(values: dict[str, str]) -> str:
    """A real-layout `qstat -f -F json` of one job holding `values` where users put them."""
    attrs = {
        "Job_Name": "job.sh",
        "job_state": "Q",
        "Resource_List": {"ncpus": "1", "select": "1", "walltime": "00:05:00", **values},
        "Variable_List": ",".join(f"{k}={v.replace(',', chr(92) + ',')}" for k, v in values.items()),
        "custom": values.get("A", "x"),
    }
    return pbs_writer.json_document("Jobs", {"1.pbshost": attrs}, now=0, version="23.06.06", server="pbshost")


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(bare_values(), min_size=1, max_size=4))
def test_every_bare_value_parses_without_text_fallback(values: list[str]) -> None:
    named = {chr(ord("A") + i): value for i, value in enumerate(values)}
    text = document(named)
    for value in values:
        assert pbs_writer.prints_bare(value), value  # the writer's port agrees it is printed bare
    (job,) = parse_jobs_json(text)  # a ParseError here is what made the client ask again in text
    for key, value in named.items():
        assert str(job.raw["Variable_List"][key]) == expected(value)
        assert str(job.raw["Resource_List"][key]) == expected(value)
    assert str(job.raw["custom"]) == expected(named["A"])
    assert job.variables == {**job.variables, **{k: expected(v) for k, v in named.items()}}
    assert job.raw["Resource_List"]["walltime"] == "00:05:00"


#: Text biased towards what strtod reads, to compare the two implementations of the writer's test.
NUMBERISH = st.text(alphabet=C_WHITE + DIGITS + "+-.eEpPxXaAfFiInNtTyY()_ ,#", max_size=12)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(NUMBERISH, bare_values()))
def test_parser_rule_and_writer_port_agree(text: str) -> None:
    """The repair's regex (parser) and the simulator's character-by-character strtod port are
    written independently from the same C; they must agree on what the writer prints bare."""
    number = re.fullmatch(f"{C_SPACE}*({STRTOD_NUMBER}){C_SPACE}*", text)
    if number is None or not text.strip(C_WHITE):
        by_regex = False
    else:
        by_regex = text[0] != "0" or pbs_writer.strtod(number.group(1))[0] < 1
    assert pbs_writer.prints_bare(text) == by_regex


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(max_size=20))
def test_quoted_values_round_trip(text: str) -> None:
    """Whatever is printed as a string comes back as the same string, except what the writer
    itself cannot print faithfully: quotes and backslashes (its JSON_ESCAPE rules), control
    characters other than the five it escapes, and non-ASCII (show_nonprint_chars)."""
    unprintable = any((ord(c) < 32 and c not in "\b\f\n\r\t") or ord(c) > 127 for c in text)
    if pbs_writer.prints_bare(text) or unprintable or any(c in text for c in '"\\'):
        return
    (job,) = parse_jobs_json(document({"A": text}))
    assert str(job.raw["custom"]) == text
