"""The one JSON reader: metrics and paired files, benchmark splits, predictions and
training logs all go through `parse_json` (JSONL through `iter_jsonl`).

Why one, and why strict: Python's json module accepts what JSON does not (NaN, Infinity,
`1e400`, which it reads as infinity) and silently keeps the last of two equal keys, so a
hand-edited results file could print `nan` in the paper or carry two different counts of
which only one was checked; a 5,000-digit integer stopped the build with a traceback.
Here each is a DataError naming file:line. Integers must lie within +-2**53, the range
every JSON implementation reads exactly (RFC 7493, I-JSON), far beyond any count or size.

A bad line of a JSONL file names file:line too, except a torn last line (a write cut short
by a kill, so it has no newline) when the caller says such a tail is expected and harmless.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from maaza_core.errors import DataError

# Exact integers of every JSON reader (IEEE 754 doubles): RFC 7493, section 2.2.
MAX_INT = 2**53
FIX = "fix: repair the value"


class _Rejected(ValueError):
    """A value JSON allows only by Python's leniency; `pos` is filled in when located."""

    def __init__(self, message: str, pos: int | None = None) -> None:
        super().__init__(message)
        self.message, self.pos = message, pos


def _constant(name: str) -> Any:
    raise _Rejected(f"{name} is not a JSON number (a count or mean must be finite; {FIX})")


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Rejected(f"{literal} is too large for a number ({FIX})")
    return value


def _int(literal: str) -> int:
    # Checked on the digits first: int() of a 5,000-digit literal is itself an error.
    digits = literal.lstrip("-")
    if len(digits) > 16 or int(digits) > MAX_INT:
        shown = literal if len(literal) <= 24 else f"{literal[:20]}... ({len(digits)} digits)"
        raise _Rejected(f"integer {shown} is beyond +-2**53, the largest exact JSON "
                        f"integer ({FIX})")
    return int(literal)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _Rejected(f"duplicate key {key!r}: only one of its values would be read "
                            "(fix: keep one)")
        seen.add(key)
    return dict(pairs)


def _decoder(**overrides: Any) -> json.JSONDecoder:
    return json.JSONDecoder(parse_constant=_constant, parse_float=_float, parse_int=_int,
                            object_pairs_hook=_unique, **overrides)


_STRICT = _decoder()  # the C scanner with our checks: the fast path of every read


def _locate(text: str) -> _Rejected:
    """Parse again with the pure-Python scanner, noting where each value starts: the
    rejected value is the last one started (a duplicate key: that key's value). Only runs
    after the fast path has refused the text, so its slowness costs nothing normally."""
    where = [0]

    def tracked(scan: Any, starts: list[int] | None = None) -> Any:
        def scan_once(s: str, idx: int) -> Any:
            where[0] = idx
            if starts is not None:
                starts.append(idx)
            return scan(s, idx)
        return scan_once

    def parse_object(s_and_end: Any, strict: bool, scan_once: Any, *_: Any) -> Any:
        starts: list[int] = []
        pairs, end = json.decoder.JSONObject(s_and_end, strict, tracked(scan_once, starts),
                                             None, list)
        try:
            return _unique(pairs), end
        except _Rejected as exc:
            keys = [k for k, _ in pairs]
            exc.pos = starts[next(i for i, k in enumerate(keys) if k in keys[:i])]
            raise

    def parse_array(s_and_end: Any, scan_once: Any, *_: Any) -> Any:
        return json.decoder.JSONArray(s_and_end, tracked(scan_once))

    decoder = _decoder()
    decoder.parse_object, decoder.parse_array = parse_object, parse_array
    decoder.scan_once = tracked(json.scanner.py_make_scanner(decoder))
    try:
        decoder.decode(text)
    except _Rejected as exc:
        exc.pos = where[0] if exc.pos is None else exc.pos
        return exc
    raise AssertionError("the fast path refused what the located parse accepts")


def _decode(text: str) -> Any:
    """The strict decode; a rejected value comes back located (its `pos` set)."""
    try:
        return _STRICT.decode(text)
    except _Rejected:
        raise _locate(text) from None


def _problem(exc: Exception, text: str, first_line: int) -> tuple[str, int]:
    """(message, line) of a rejected value or of text too deeply nested to read."""
    if isinstance(exc, _Rejected):
        return exc.message, first_line + text.count("\n", 0, exc.pos or 0)
    return "nested too deep to read (fix the file)", first_line


def parse_json(text: str, path: Path | str, first_line: int = 1) -> Any:
    """The value of a JSON text, or a DataError at path:line for text that is not JSON or
    holds a value JSON cannot mean exactly (module docstring). `first_line` is the
    text's line in its file."""
    try:
        return _decode(text)
    except json.JSONDecodeError as exc:
        raise DataError(path, f"invalid JSON: {exc.msg} (fix the file)",
                        line=first_line - 1 + exc.lineno) from None
    except (_Rejected, RecursionError) as exc:
        message, line = _problem(exc, text, first_line)
        raise DataError(path, message, line=line) from None


def iter_jsonl(path: Path, *, torn_tail_ok: bool = False) -> Iterator[tuple[int, Any]]:
    """(line number, value) for every non-blank line of `path`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(path, f"cannot read ({exc.strerror})") from exc
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
            value = _decode(text)
        except (json.JSONDecodeError, UnicodeDecodeError, _Rejected, RecursionError) as exc:
            if torn_tail_ok and number == len(lines):  # the last line had no newline
                return
            if isinstance(exc, _Rejected | RecursionError):
                message, line = _problem(exc, text, number)
                raise DataError(path, message, line=line) from None
            raise DataError(path, f"not valid JSON ({exc}) (fix: repair or delete the "
                            "line)", line=number) from None
        yield number, value
