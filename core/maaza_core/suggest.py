"""The one "did you mean": the known names closest to a mistyped one.

Why one: an unknown citation key, table name, config key or model name should all be
answered the same way, "(closest: a, b, c)", with the same similarity measure.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process


def closest(word: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The n known names most similar to `word`, best first (ties in sorted order)."""
    choices = sorted(set(known))
    return [choice for choice, _score, _index in
            process.extract(word, choices, scorer=fuzz.ratio, limit=n)]


def did_you_mean(word: str, known: Iterable[str], n: int = 3) -> str:
    """"closest: a, b, c" (or "closest: none" when nothing is known), for messages."""
    return f"closest: {', '.join(closest(word, known, n)) or 'none'}"
