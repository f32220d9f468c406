"""Property tests for JSON extraction: never raises, agrees with the standard decoder.

The oracle for arbitrary text is the definition itself: the first '{' or '[' at which
`json.JSONDecoder.raw_decode` succeeds (quadratic, but fine for short texts).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgejson.extract import JsonWatcher, extract_json

_DECODER = json.JSONDecoder()
# Pieces of JSON and near-JSON: brackets, strings, cut strings, escapes, numbers, literals.
_PIECES = ["{", "}", "[", "]", '"a"', '"', ",", ":", " ", "1", "-", "1.", "e5", "0", "x",
           "true", "tru", "NaN", "\\", '\\"', "\\u12", '"[', ']"', '"{"', "}}", "\n"]
_NOISE = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)
_SCALARS = (st.none() | st.booleans() | st.integers(-10**20, 10**20)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)
_CONTAINERS = st.one_of(st.lists(_VALUES, max_size=4),
                        st.dictionaries(st.text(max_size=6), _VALUES, max_size=4))



@st.composite
def _near_json(draw: st.DrawFn) -> str:
    """Valid JSON with one defect: cut short, or a piece inserted somewhere, amid noise."""
    body = json.dumps(draw(_CONTAINERS))
    where = draw(st.integers(0, len(body)))
    if draw(st.booleans()):
        body = body[:where]
    else:
        body = body[:where] + draw(st.sampled_from(_PIECES)) + body[where:]
    return draw(_NOISE) + body + draw(_NOISE)


_JSONISH = st.one_of(_NOISE, _near_json())


def _oracle(text: str) -> tuple[int, object] | None:
    for start, ch in enumerate(text):
        if ch in "{[":
            try:
                return start, _DECODER.raw_decode(text, start)[0]
            except json.JSONDecodeError:
                continue
    return None


@settings(max_examples=400, deadline=None)
@given(_JSONISH)
def test_matches_the_definition_on_json_like_text(text: str) -> None:
    found, expected = extract_json(text), _oracle(text)
    if expected is None:
        assert not found.ok and found.reason
    else:
        assert found.ok and found.start == expected[0]
        assert json.dumps(found.value) == json.dumps(expected[1])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    found = extract_json(text)
    assert found.ok == (found.value is not None or found.reason == "")
    JsonWatcher().complete(text)


@settings(max_examples=300, deadline=None)
@given(_CONTAINERS, st.sampled_from([None, 0, 2]), st.sampled_from([(",", ":"), (", ", ": ")]))
def test_agrees_with_json_loads_on_valid_json(value, indent, separators) -> None:
    text = json.dumps(value, indent=indent, separators=separators)
    found = extract_json(text)
    assert found.ok and (found.start, found.end) == (0, len(text))
    assert found.value == json.loads(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40).map(lambda s: s.replace("{", "(").replace("[", "(")),
       _CONTAINERS, st.text(max_size=40))
def test_finds_the_value_inside_arbitrary_text(prefix: str, value, suffix: str) -> None:
    body = json.dumps(value)
    found = extract_json(prefix + body + suffix)
    assert found.ok and found.start == len(prefix) and found.value == json.loads(body)


@settings(max_examples=300, deadline=None)
@given(_JSONISH, st.text(alphabet='{}[]",:01 ae\\', max_size=20))
def test_complete_means_more_text_changes_nothing(text: str, more: str) -> None:
    if JsonWatcher().complete(text):
        assert extract_json(text + more) == extract_json(text)


@settings(max_examples=200, deadline=None)
@given(_JSONISH)
def test_watcher_fed_growing_text_agrees_with_a_fresh_check(text: str) -> None:
    watcher = JsonWatcher()
    for i in range(1, len(text) + 1):
        assert watcher.complete(text[:i]) == JsonWatcher().complete(text[:i])


def _depth(value: object) -> int:
    depth = 0
    while isinstance(value, list | dict):
        value = value[0] if isinstance(value, list) else next(iter(value.values()))
        depth += 1
    return depth


@pytest.mark.parametrize("opener,closer", [("[", "]"), ('{"k": ', "}")])
def test_deep_nesting_returns_the_value_without_recursion(opener: str, closer: str) -> None:
    depth = 50_000
    found = extract_json("note: " + opener * depth + "0" + closer * depth + " end")
    assert found.ok and _depth(found.value) == depth


@pytest.mark.parametrize("text", ["[" * 50_000, '{"a": ' * 50_000, "{" * 50_000,
                                  "[" * 50_000 + "x" + "]" * 50_000])
def test_deep_nesting_without_a_value_says_so(text: str) -> None:
    found = extract_json(text)
    assert not found.ok and found.reason.startswith(("truncated JSON", "invalid JSON"))
    assert not JsonWatcher().complete(text)


def test_integer_beyond_the_conversion_limit_is_no_value() -> None:
    found = extract_json("[" + "9" * 5000 + "] then [1]")
    assert found.ok and found.value == [1]
