"""Malformed citations in the Markdown drafts: `[@]`, `@` with no key, unbalanced brackets.

Why: pandoc only recognises a well-formed citation; anything else passes through as
literal text ("[@]", "[@hu2021lora") and reaches the PDF without a warning. The key check
(`drafts.unknown_citations`) never sees these, because they are not citations to
pandoc either. Code spans and fenced blocks are skipped, as pandoc skips them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from maaza_core.paths import display

# A citation marker as pandoc reads one: '@' not after a word character, '.', '@' or '\'.
_MARK = r"(?<![\w.@\\])-?@"
_BARE = re.compile(_MARK + r"(?!\w|\{[^}\s]+\})")  # '@' with no key after it
_KEYED = re.compile(_MARK + r"(?:\w|\{[^}\s]+\})")
_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
FIX = "fix: write [@key], [@key1; @key2] or @key"


def citation_syntax_errors(path: Path, text: str) -> list[str]:
    """One "file:line: ..." message per malformed citation in a draft."""
    return [f"{display(path)}:{line}: malformed citation: {what} ({FIX})"
            for line, what in _problems(text)]


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each paragraph outside fenced code, code spans blanked."""
    lines, start, in_fence = [], 1, False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
            line = ""
        if in_fence or not line.strip():
            if lines:
                yield start, "\n".join(lines)
            lines, start = [], number + 1
            continue
        lines.append(_CODE_SPAN.sub(lambda m: " " * len(m.group()), line))
    if lines:
        yield start, "\n".join(lines)


def _problems(text: str) -> Iterator[tuple[int, str]]:
    for first, para in _paragraphs(text):
        found = []
        for m in _BARE.finditer(para):
            empty = para[m.end():m.end() + 1] in ("]", ";", "") or para.startswith("{}", m.end())
            found.append((m.start(), "empty citation" if empty else "'@' with no key after it"))
        found += _bracket_problems(para)
        for offset, what in sorted(found):
            yield first + para.count("\n", 0, offset), what


def _bracket_problems(para: str) -> Iterator[tuple[int, str]]:
    """'[' around a citation that never closes, and ']' after a citation that opens nowhere."""
    opened: list[int] = []
    segment = 0  # where the text since the last bracket starts
    for i, ch in enumerate(para):
        if ch not in "[]" or (i and para[i - 1] == "\\"):
            continue
        if ch == "[":
            opened.append(i)
        elif opened:
            opened.pop()
        elif _KEYED.search(para, segment, i):
            yield i, "']' closes no '[' (the citation before it has no opening bracket)"
        segment = i + 1
    for start in opened:
        if _KEYED.search(para, start):
            yield start, "'[' before a citation is never closed"
