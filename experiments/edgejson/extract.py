"""Finding the first JSON value in a model's output, at any nesting depth, in linear time.

The original script used a regex that cannot match braces nested more than two levels
deep. Trying the standard decoder at every '{' or '[' fixes depth but costs time
quadratic in the number of brackets (a 1 MB output took minutes) and raises
RecursionError past ~1,000 levels. Here one iterative scanner reads a candidate; when it
fails, every bracket it opened as a nested value is settled by the same pass (a nested
value that closed is itself a JSON value; one still open fails where its parent failed),
so only brackets it read inside strings are scanned again. Each character is read by at
most two scans, and no recursion is involved.

The accepted language is exactly `json.loads`'s (NaN and Infinity included); values are
built by the C decoder when it can, by the same scanner when nesting is too deep for it.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass, field
from json.decoder import scanstring
from json.scanner import NUMBER_RE
from typing import Any

_DECODER = json.JSONDecoder()
_OPENERS = re.compile(r"[{\[]")
_WS = " \t\n\r"
_WS_RE = re.compile(r"[ \t\n\r]*")
_CONSTANTS = {"null": None, "true": True, "false": False, "NaN": math.nan,
              "Infinity": math.inf, "-Infinity": -math.inf}
# Text that more characters could still turn into a number: "-", "1.", "2e+".
_NUMBER_PREFIX = re.compile(r"-?(?:(?:0|[1-9]\d*)(?:\.\d*)?(?:[eE][-+]?\d*)?)?\Z")
# Parser states: what the next token must be.
_VALUE, _FIRST_VALUE, _KEY, _FIRST_KEY, _COLON, _AFTER = range(6)


@dataclass(frozen=True)
class Extraction:
    """The outcome of looking for JSON in one output."""

    ok: bool  # a JSON object or array was parsed
    value: Any = None  # the parsed value (None when ok is False)
    start: int = -1  # character offset where the value starts in the output
    end: int = -1  # offset just past the value
    reason: str = ""  # why nothing parsed, for reports ("" when ok)


@dataclass
class _Scan:
    """One candidate read by `_scan`: where it ended or failed, and what it opened."""

    end: int = -1  # offset past the value when it parsed
    fail: int = -1  # offset of the failure otherwise
    msg: str = ""  # the failure, in the standard decoder's words
    open_at_end: bool = False  # failed only because the text ended: more text may fix it
    value: Any = None  # the value, when built
    nested: dict[int, int] = field(default_factory=dict)  # nested start -> end (-1: open)


def extract_json(text: str) -> Extraction:
    """Return the first object or array that parses, scanning candidates left to right.

    Only objects and arrays count: a bare number or string in prose ("Output: 3 items")
    is not an extraction. Fences need no special case: the scan skips the ```json line.
    """
    first, too_deep = _OPENERS.search(text), -1
    if first is not None:
        try:  # the common case: the first bracket starts the answer; C speed
            value, end = _DECODER.raw_decode(text, first.start())
            return Extraction(ok=True, value=value, start=first.start(), end=end)
        except RecursionError:
            too_deep = first.start()
        except (json.JSONDecodeError, ValueError):
            pass
    found = _search(text, 0)
    if found.start >= 0:
        value = _scan(text, found.start, build=True).value if found.start == too_deep \
            else _build(text, found.start)
        return Extraction(ok=True, value=value, start=found.start, end=found.end)
    if found.first is None:
        return Extraction(ok=False, reason="no '{' or '[' in the output")
    return Extraction(ok=False, reason=_explain(found.first, found.first_start))


class JsonWatcher:
    """Decides, as a text grows, when its extracted JSON value can no longer change.

    Generation stops a row at that moment. The first candidate that parses is final
    only if every earlier candidate failed for good, i.e. at a character already in the
    text rather than at its end: an earlier candidate still open (`{"a": {"b": 1}` so
    far) might yet become the answer. Settled failures stay failed, so the watcher
    remembers where the unsettled candidates begin.
    """

    def __init__(self) -> None:
        self._from = 0  # candidates before this offset failed for good

    def complete(self, text: str) -> bool:
        """Check the text so far; call again with the longer text as it grows."""
        found = _search(text, self._from)
        self._from = max(self._from, found.settled)
        return found.start >= 0 and found.settled >= found.start


@dataclass
class _Found:
    start: int = -1  # the first candidate that parses (-1: none)
    end: int = -1
    settled: int = 0  # every candidate before this offset failed for good
    first: _Scan | None = None  # the first candidate's scan, to explain a failure
    first_start: int = -1


def _search(text: str, begin: int) -> _Found:
    """Scan candidates from `begin` in order, settling nested ones from each failure."""
    out = _Found(settled=begin)
    decided: dict[int, tuple[int, bool]] = {}  # start -> (end or -1, failed only at end)
    unsettled = False
    for match in _OPENERS.finditer(text, begin):
        start = match.start()
        if start in decided:
            end, at_end = decided[start]
        elif (quick := _quick_failure(text, start)) is not None:
            end, at_end = -1, quick
            if out.first is None:
                out.first, out.first_start = _scan(text, start, build=False), start
        else:
            scan = _scan(text, start, build=False)
            if out.first is None:
                out.first, out.first_start = scan, start
            end, at_end = scan.end, scan.open_at_end
            for inner, inner_end in scan.nested.items():
                decided[inner] = (inner_end, scan.open_at_end)
        if end >= 0:
            out.start, out.end = start, end
            if not unsettled:
                out.settled = start
            return out
        unsettled = unsettled or at_end
        if not unsettled:
            out.settled = start + 1
    if not unsettled:
        out.settled = max(out.settled, len(text))
    return out


def _quick_failure(text: str, start: int) -> bool | None:
    """Settle `{x` without a full scan (a run of braces would otherwise cost one each).

    Returns None when the candidate needs the scanner, else whether it failed at the end.
    """
    if text[start] != "{":
        return None
    after = start + 1
    if after < len(text) and text[after] in _WS:
        after = _WS_RE.match(text, after).end()
    if after >= len(text):
        return True
    return None if text[after] in '"}' else False


def _build(text: str, start: int) -> Any:
    """The value at `start` (known to parse): the C decoder, or the scanner when too deep."""
    try:
        return _DECODER.raw_decode(text, start)[0]
    except RecursionError:
        return _scan(text, start, build=True).value


def _explain(scan: _Scan, start: int) -> str:
    """Say why the first candidate failed; truncation is the most common cause."""
    if scan.open_at_end:
        return f"truncated JSON: the value opened at char {start} is never closed"
    return f"invalid JSON: {scan.msg} at char {scan.fail}"


def _scalar(text: str, pos: int, build: bool) -> tuple[int, Any, str, bool]:
    """Read a string, number or constant at `pos`.

    Returns (end, value, error, open_at_end); end is -1 on error, and open_at_end says
    the token failed only because the text ended inside it ("tru", "-", a cut string).
    """
    if text[pos] == '"':
        try:
            value, end = scanstring(text, pos + 1)
        except json.JSONDecodeError as exc:
            cut = exc.msg.startswith("Unterminated") or (
                exc.msg.startswith("Invalid \\uXXXX") and exc.pos + 6 > len(text))
            return -1, None, exc.msg, cut
        return end, value, "", False
    number = NUMBER_RE.match(text, pos)
    if number is not None:
        integer, frac, exp = number.groups()
        if frac or exp:
            return number.end(), float(integer + (frac or "") + (exp or "")) if build else 0, \
                "", False
        limit = sys.get_int_max_str_digits()
        if limit and len(integer.lstrip("-")) > limit:
            return -1, None, "integer has too many digits", False
        return number.end(), int(integer) if build else 0, "", False
    for word, value in _CONSTANTS.items():
        if text.startswith(word, pos):
            return pos + len(word), value, "", False
    rest = text[pos:pos + 10]
    cut = bool(_NUMBER_PREFIX.match(text, pos)) or (
        pos + len(rest) == len(text) and any(w.startswith(rest) for w in _CONSTANTS))
    return -1, None, "Expecting value", cut


def _scan(text: str, start: int, build: bool) -> _Scan:
    """Read the object or array at `start` with an explicit stack (no recursion).

    States follow the JSON grammar; messages are the standard decoder's. With `build`
    the value is assembled too (only needed when the C decoder recurses too deep).
    """
    n, result = len(text), _Scan()
    stack: list[Any] = []  # containers being built (or their kind: dict / list)
    opened: list[int] = []  # their start offsets
    keys: list[Any] = []  # pending key per open object
    state, pos, last_scalar = _VALUE, start, -1

    def fail(at: int, msg: str, at_end: bool) -> _Scan:
        result.fail, result.msg, result.open_at_end = at, msg, at_end
        return result

    while True:
        if pos < n and text[pos] in _WS:
            pos = _WS_RE.match(text, pos).end()
        if pos >= n:
            return fail(n, "Unterminated value", True)
        ch = text[pos]
        if state in (_VALUE, _FIRST_VALUE):
            if ch in "{[":
                stack.append(({} if ch == "{" else []) if build else ch)
                opened.append(pos)
                if pos != start:
                    result.nested[pos] = -1
                state, pos = (_FIRST_KEY if ch == "{" else _FIRST_VALUE), pos + 1
                continue
            if not (state == _FIRST_VALUE and ch == "]"):
                end, value, msg, cut = _scalar(text, pos, build)
                if end < 0:
                    return fail(pos, msg, cut)
                _add(stack, keys, value, build)
                state, pos, last_scalar = _AFTER, end, pos
                continue
        elif state in (_KEY, _FIRST_KEY):
            if ch == '"':
                end, key, msg, cut = _scalar(text, pos, build)
                if end < 0:
                    return fail(pos, msg, cut)
                keys.append(key)
                state, pos = _COLON, end
                continue
            if not (state == _FIRST_KEY and ch == "}"):
                return fail(pos, "Expecting property name enclosed in double quotes", False)
        elif state == _COLON:
            if ch != ":":
                return fail(pos, "Expecting ':' delimiter", False)
            state, pos = _VALUE, pos + 1
            continue
        else:  # _AFTER: a value ended inside a container
            is_object = isinstance(stack[-1], dict) or stack[-1] == "{"
            if ch == ",":
                state, pos = (_KEY if is_object else _VALUE), pos + 1
                continue
            if ch != ("}" if is_object else "]"):
                at_end = last_scalar >= 0 and bool(_NUMBER_PREFIX.match(text, last_scalar))
                return fail(pos, "Expecting ',' delimiter", at_end)
        # A closing bracket that the state allows.
        container, begun = stack.pop(), opened.pop()
        pos, last_scalar = pos + 1, -1
        if not stack:
            result.end, result.value = pos, container
            return result
        result.nested[begun] = pos
        _add(stack, keys, container, build)
        state = _AFTER


def _add(stack: list[Any], keys: list[Any], value: Any, build: bool) -> None:
    """Put a finished value into the innermost open container."""
    if not build:
        if stack and stack[-1] == "{":
            keys.pop()
        return
    top = stack[-1]
    if isinstance(top, dict):
        top[keys.pop()] = value
    else:
        top.append(value)
