"""The one JSONL reader: benchmark splits, predictions and training logs are all JSONL.

Why one: each reader had its own idea of blank lines, line numbers and bad lines. Here a
bad line is a UserError naming file:line, except a torn last line (a write cut short by a
kill, so it has no newline) when the caller says such a tail is expected and harmless.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from maaza_core.errors import UserError


def iter_jsonl(path: Path, *, torn_tail_ok: bool = False) -> Iterator[tuple[int, Any]]:
    """(line number, value) for every non-blank line of `path`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from exc
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            yield number, json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if torn_tail_ok and number == len(lines):  # the last line had no newline
                return
            raise UserError(f"{path}:{number}: not valid JSON ({exc}) (fix: repair or "
                            "delete the line)") from exc
