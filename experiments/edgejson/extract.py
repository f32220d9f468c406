"""Finding the first JSON value in a model's output, at any nesting depth.

The original script used a regex that cannot match braces nested more than two levels
deep; here every '{' or '[' is a candidate start and the standard library's decoder
(`json.JSONDecoder.raw_decode`) decides where the value ends, so depth is unlimited and
prose or code fences around the value do not matter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_DECODER = json.JSONDecoder()
_OPENERS = "{["


@dataclass(frozen=True)
class Extraction:
    """The outcome of looking for JSON in one output."""

    ok: bool  # a JSON object or array was parsed
    value: Any = None  # the parsed value (None when ok is False)
    start: int = -1  # character offset where the value starts in the output
    end: int = -1  # offset just past the value
    reason: str = ""  # why nothing parsed, for reports ("" when ok)


def _candidates(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if ch in _OPENERS]


def extract_json(text: str) -> Extraction:
    """Return the first object or array that parses, scanning candidates left to right.

    Only objects and arrays count: a bare number or string in prose ("Output: 3 items")
    is not an extraction. Fences need no special case: the scan skips the ```json line.
    """
    starts = _candidates(text)
    if not starts:
        return Extraction(ok=False, reason="no '{' or '[' in the output")
    first_error: json.JSONDecodeError | None = None
    for start in starts:
        try:
            value, end = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            first_error = first_error or exc
            continue
        return Extraction(ok=True, value=value, start=start, end=end)
    return Extraction(ok=False, reason=_explain(text, starts[0], first_error))


def first_value_complete(text: str) -> bool:
    """True when more text could not change what `extract_json` returns (see JsonWatcher)."""
    return JsonWatcher().complete(text)


class JsonWatcher:
    """Decides, as a text grows, when its extracted JSON value can no longer change.

    Generation stops a row at that moment. The first candidate that parses is final
    only if every earlier candidate failed for good, i.e. its brackets closed inside
    the text without parsing: an earlier candidate still open (`{"a": {"b": 1}` so far)
    might yet become the answer. Settled failures stay failed, so the watcher remembers
    where the unsettled candidates begin and each check costs one pass, not one per
    candidate.
    """

    def __init__(self) -> None:
        self._from = 0  # candidates before this offset closed without parsing

    def complete(self, text: str) -> bool:
        """Check the text so far; call again with the longer text as it grows."""
        for start in _candidates(text[self._from:]):
            start += self._from
            try:
                _DECODER.raw_decode(text, start)
            except json.JSONDecodeError:
                if _closing_offset(text, start) < 0:
                    return False  # still open: it may parse once more text arrives
                self._from = start + 1
                continue
            return True
        self._from = max(self._from, len(text))
        return False


def _explain(text: str, start: int, error: json.JSONDecodeError | None) -> str:
    """Say why the first candidate failed; truncation is the most common cause."""
    if error is None:
        return "no JSON value found"
    if _closing_offset(text, start) < 0:
        return f"truncated JSON: the value opened at char {start} is never closed"
    return f"invalid JSON: {error.msg} at char {error.pos}"


def _closing_offset(text: str, start: int) -> int:
    """Offset of the bracket closing the one at `start`, or -1 while it is still open.

    Strings follow JSON's rules (double quotes, backslash escapes) exactly as the
    decoder reads them, so a span this finds closed can never parse differently later.
    """
    depth, in_string, escaped = 0, False, False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i
    return -1
