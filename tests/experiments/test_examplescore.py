"""Metric edge cases: nesting, lists, numbers, key order, extra keys, schema compliance."""

from __future__ import annotations

import json

import pytest

from edgejson.data import load_dataset, load_split
from edgejson.examplescore import field_f1, field_f1_nested, json_equal, leaf_paths, score_example


def test_numbers_compare_by_value_but_booleans_are_not_numbers() -> None:
    assert json_equal(1, 1.0)
    assert json_equal({"a": [1, 2.5]}, {"a": [1.0, 2.5]})
    assert not json_equal(True, 1)
    assert not json_equal(0, False)
    assert not json_equal("1", 1)
    assert not json_equal(None, 0)


def test_key_order_is_irrelevant_list_order_is_not() -> None:
    assert json_equal({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not json_equal([1, 2], [2, 1])
    assert not json_equal({"a": 1}, {"a": 1, "extra": 2})


def test_field_f1_top_level_whole_value() -> None:
    gold = {"a": 1, "b": {"x": 1, "y": 2}, "c": [1, 2]}
    # b differs in one nested leaf: the whole key is wrong in the original definition.
    pred = {"a": 1, "b": {"x": 1, "y": 3}, "c": [1, 2]}
    assert field_f1(pred, gold) == pytest.approx(2 / 3)
    # Extra keys cost precision only: P = 3/4, R = 1, F1 = 6/7.
    assert field_f1({**gold, "extra": 0}, gold) == pytest.approx(6 / 7)
    assert field_f1([gold], gold) == 0.0
    assert field_f1({}, {}) == 1.0


def test_nested_f1_gives_partial_credit() -> None:
    gold = {"a": 1, "b": {"x": 1, "y": 2}, "c": [1, 2]}
    pred = {"a": 1, "b": {"x": 1, "y": 3}, "c": [1, 2]}
    # Leaves: a, b.x, b.y, c[0], c[1]; 4 of 5 match on both sides.
    assert field_f1_nested(pred, gold) == pytest.approx(0.8)
    assert field_f1_nested(pred, gold, parsed=False) == 0.0
    # A list item moved by one position loses its leaves.
    assert field_f1_nested({"c": [2, 1]}, {"c": [1, 2]}) == 0.0


def test_leaf_paths_keep_empty_containers() -> None:
    assert leaf_paths({"t": [], "o": {}, "l": [{"k": 1}]}) == {
        "$.t": [], "$.o": {}, "$.l[0].k": 1}


@pytest.fixture(scope="module")
def dataset_and_rows():
    dataset = load_dataset()
    return dataset, load_split("test", dataset=dataset)


def _score(dataset, example, output, truncated=None):
    return score_example(example, output, dataset.validator(example.schema_id), truncated)


def test_schema_compliance_uses_the_json_schema_not_the_gold(dataset_and_rows) -> None:
    dataset, rows = dataset_and_rows
    ex = next(r for r in rows if r.schema_id == "contact_info")
    wrong_but_valid = {k: ("x" if k != "phone" else "123") for k in ex.expected}
    s = _score(dataset, ex, json.dumps(wrong_but_valid))
    assert s.valid_json and s.schema_compliant and not s.json_exact
    s = _score(dataset, ex, json.dumps({**ex.expected, "extra": 1}))  # additionalProperties
    assert s.valid_json and not s.schema_compliant and not s.json_exact


def test_scores_of_unparsable_and_fenced_outputs(dataset_and_rows) -> None:
    dataset, rows = dataset_and_rows
    ex = rows[0]
    gold = json.dumps(ex.expected)
    truncated = _score(dataset, ex, gold[: len(gold) // 2], truncated=True)
    assert (truncated.valid_json, truncated.field_f1, truncated.truncated) == (False, 0.0, True)
    assert truncated.parse_error.startswith("truncated JSON")
    fenced = _score(dataset, ex, f"```json\n{gold}\n```\nAnything else?")
    assert fenced.json_exact and fenced.field_f1 == 1.0 and fenced.field_f1_nested == 1.0


def test_top_level_arrays() -> None:
    gold = {"a": 1, "b": [1, 2]}
    # An array where an object is expected parses (valid JSON) but scores nothing.
    assert field_f1([gold], gold) == 0.0
    assert field_f1_nested([gold], gold) == 0.0  # paths differ: $[0].a vs $.a
    assert not json_equal([gold], gold)
    # Array gold answers are compared item by item.
    assert field_f1_nested([1, 2, 3], [1, 2]) == pytest.approx(0.8)  # P 2/3, R 1
