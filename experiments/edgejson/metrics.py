"""Per-example scores: JSONExact, Field F1 (top-level and nested), validity, compliance.

Equality of JSON values (decided here, used by every metric):
- numbers compare by value, so 1 == 1.0: JSON has a single number type and the original
  script compared parsed Python values, where 1 == 1.0 holds too;
- booleans are not numbers: true != 1 (Python would say True == 1; JSON would not);
- objects compare as sets of keys, so key order never matters; lists compare in order;
- an extra key makes objects unequal (JSONExact) but only costs precision in Field F1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .extract import extract_json


def json_equal(a: Any, b: Any) -> bool:
    """Equality of parsed JSON values under the rules in the module docstring."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _f1(correct: int, predicted: int, expected: int) -> float:
    if predicted == 0 and expected == 0:
        return 1.0  # both empty: nothing to find, nothing wrong
    if correct == 0:
        return 0.0
    precision, recall = correct / predicted, correct / expected
    return 2 * precision * recall / (precision + recall)


def field_f1(predicted: Any, expected: Any) -> float:
    """Field F1 as originally defined: top-level keys, a key counts if its whole value matches.

    Kept exactly so that the paper's numbers stay comparable with the benchmark's; a
    prediction that is not an object (or nothing parsed) scores 0.
    """
    if not isinstance(predicted, dict) or not isinstance(expected, dict):
        return 0.0
    correct = sum(1 for k in predicted if k in expected and json_equal(predicted[k], expected[k]))
    return _f1(correct, len(predicted), len(expected))


def leaf_paths(value: Any, prefix: str = "$") -> dict[str, Any]:
    """Flatten a value to {path: leaf}; list items are addressed by position.

    Empty objects and lists are leaves themselves so that `{"tags": []}` is scored.
    """
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(leaf_paths(item, f"{prefix}.{key}"))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(leaf_paths(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def field_f1_nested(predicted: Any, expected: Any, parsed: bool = True) -> float:
    """F1 over leaf paths: partial credit inside nested objects and lists (0 if unparsed)."""
    if not parsed:
        return 0.0
    pred, gold = leaf_paths(predicted), leaf_paths(expected)
    correct = sum(1 for p, v in pred.items() if p in gold and json_equal(v, gold[p]))
    return _f1(correct, len(pred), len(gold))


@dataclass(frozen=True)
class ExampleScore:
    """Every metric for one example; aggregated by `edgejson.aggregate`."""

    id: str  # example id
    schema_id: str  # the example's schema
    complexity: str  # effective complexity (label, else schema folder)
    json_exact: bool  # first parsed value equals the gold value
    field_f1: float  # top-level Field F1 (original definition)
    field_f1_nested: float  # leaf-path Field F1
    valid_json: bool  # an object or array parsed from the output
    schema_compliant: bool  # the parsed value validates against the JSON Schema
    truncated: bool | None  # generation hit the token limit (None: unknown)
    parse_error: str  # why nothing parsed ("" when it did)


def score_example(example: Any, output: str, validator: Any,
                  truncated: bool | None = None) -> ExampleScore:
    """Score one raw output against one `Example`, with the schema's validator."""
    found = extract_json(output)
    value = found.value if found.ok else None
    return ExampleScore(
        id=example.id,
        schema_id=example.schema_id,
        complexity=example.complexity,
        json_exact=found.ok and json_equal(value, example.expected),
        field_f1=field_f1(value, example.expected) if found.ok else 0.0,
        field_f1_nested=field_f1_nested(value, example.expected, found.ok),
        valid_json=found.ok,
        schema_compliant=found.ok and validator.is_valid(value),
        truncated=truncated,
        parse_error=found.reason,
    )
