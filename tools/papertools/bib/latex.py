"""LaTeX field values as plain Unicode, fast enough for 10,000 entries.

Why the shortcut and the cache: pylatexenc takes ~1 ms a value, which made a
10,000-entry bib-check spend most of its time converting; most values are text in braces
(dropping the braces is all pylatexenc would do) and author names repeat.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

_TO_TEXT = LatexNodes2Text()
# Characters that make a value more than text in braces; only then is pylatexenc needed.
_LATEX_SPECIAL = re.compile(r"[\\$%~^_&#]")


@lru_cache(maxsize=1 << 16)
def plain(value: str) -> str:
    """LaTeX field value -> plain Unicode ({\\'e} -> é, braces dropped)."""
    if not _LATEX_SPECIAL.search(value):
        return value.replace("{", "").replace("}", "")
    return " ".join(_TO_TEXT.latex_to_text(value).split())
