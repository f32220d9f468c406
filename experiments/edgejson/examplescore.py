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
    """Equality of parsed JSON values under the rules in the module docstring.

    Iterative (an explicit stack): extraction returns values nested to any depth, and a
    recursive comparison would raise RecursionError on a model's runaway brackets.
    """
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if isinstance(x, dict) and isinstance(y, dict):
            if x.keys() != y.keys():
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif not _scalar_equal(x, y):
            return False
    return True


def _scalar_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and not isinstance(a, dict | list) and a == b


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
    Iterative, in document order, for the same reason as `json_equal`; a path is spelled
    out only at its leaf, so a value nested a million deep costs one long path, not a
    million growing ones.
    """
    out: dict[str, Any] = {}
    parts: list[tuple[int, str]] = [(-1, prefix)]  # (parent part, segment)
    stack = [(0, value)]
    while stack:
        part, item = stack.pop()
        if isinstance(item, dict | list) and item:
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            fmt = ".{}" if isinstance(item, dict) else "[{}]"
            children = []
            for key, child in pairs:
                parts.append((part, fmt.format(key)))
                children.append((len(parts) - 1, child))
            stack.extend(reversed(children))
        else:
            segments = []
            while part >= 0:
                part, segment = parts[part][0], parts[part][1]
                segments.append(segment)
            out["".join(reversed(segments))] = item
    return out


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


def _compliant(validator: Any, value: Any) -> bool:
    """Schema validation; a value nested too deep for jsonschema (it recurses, and even
    its error message is a recursive repr) counts as not compliant: no EdgeJSON schema
    describes hundreds of levels, and a model's runaway brackets must not stop scoring."""
    try:
        return validator.is_valid(value)
    except RecursionError:
        return False


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
        schema_compliant=found.ok and _compliant(validator, value),
        truncated=truncated,
        parse_error=found.reason,
    )
