"""JSON extraction: depth, fences, prose, several candidates, truncation."""

from __future__ import annotations

import json

import pytest

from edgejson.extract import JsonWatcher, extract_json


def _deep(depth: int) -> dict:
    value: dict = {"leaf": 1}
    for i in range(depth):
        value = {f"k{i}": value}
    return value


@pytest.mark.parametrize("depth", [1, 3, 12])
def test_any_nesting_depth(depth: int) -> None:
    gold = _deep(depth)
    found = extract_json(f"Sure! {json.dumps(gold)} Hope this helps.")
    assert found.ok and found.value == gold


def test_code_fence_and_trailing_prose() -> None:
    text = 'Here it is:\n```json\n{"a": [1, {"b": "x}"}]}\n```\nThe "a" key holds {stuff}.'
    found = extract_json(text)
    assert found.value == {"a": [1, {"b": "x}"}]}
    assert text[found.start:found.end] == '{"a": [1, {"b": "x}"}]}'


def test_first_valid_candidate_wins() -> None:
    found = extract_json("{not json} then {\"x\": 1} then {\"x\": 2}")
    assert found.ok and found.value == {"x": 1}


def test_top_level_array() -> None:
    assert extract_json('Result: [{"a": 1}, {"a": 2}]').value == [{"a": 1}, {"a": 2}]


def test_bare_scalars_are_not_extractions() -> None:
    found = extract_json('The answer is 42 and "yes".')
    assert not found.ok and "no '{' or '['" in found.reason


def test_truncated_json_says_so() -> None:
    found = extract_json('{"name": "Ann", "tags": ["a", "b"')
    assert not found.ok and found.reason.startswith("truncated JSON")


def test_invalid_json_says_where() -> None:
    found = extract_json("{'single': 'quotes'}")
    assert not found.ok and found.reason.startswith("invalid JSON") and "char" in found.reason


def test_inner_value_of_an_unclosed_object_is_not_final() -> None:
    # The inner object parses, but the outer one may still close and become the answer.
    text = '{"a": {"b": 1}'
    assert extract_json(text).value == {"b": 1}
    assert not JsonWatcher().complete(text)
    assert JsonWatcher().complete(text + "}")


def test_complete_after_an_invalid_closed_candidate() -> None:
    assert JsonWatcher().complete("{'a': 1} {\"a\": 1}")
    assert not JsonWatcher().complete('prefix {"a": "}')


@pytest.mark.parametrize("text", [
    '{"a": [1, 2, {"b": null}]} and then more text {',
    'x ```json\n[{"k": "v"}]\n``` y',
    '{"s": "brace } inside", "t": "quote \\" inside"} tail',
])
def test_prefix_stop_gives_the_same_extraction(text: str) -> None:
    """Stopping at the first prefix that is complete never changes the extracted value."""
    full = extract_json(text)
    stops = [i for i in range(1, len(text) + 1) if JsonWatcher().complete(text[:i])]
    assert stops, "a complete value must be detected"
    assert extract_json(text[:stops[0]]).value == full.value
    watcher = JsonWatcher()  # fed the growing text, as generation does
    assert next(i for i in range(1, len(text) + 1) if watcher.complete(text[:i])) == stops[0]
