"""When two descriptions are the same work: normalized titles and author surnames.

Why fuzzy: sources differ in punctuation ("--" vs an em dash), appended words
("--Extended Version") and accents, so exact comparison would reject true matches;
a threshold stated here keeps a wrong id from turning an entry into another paper.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz

# token_set_ratio >= 90 accepts reordered or extended titles ("... --Extended Version")
# yet rejects different papers sharing a topic (typically 40-70 on such pairs).
TITLE_THRESHOLD = 90.0
# Venue names the venue table does not know: below this, the two names are reported
# (a warning: the table may just lack the name), or a type is not taken from the record.
VENUE_THRESHOLD = 60.0
# Dedupe needs more: two distinct works of one author and year may share most words.
DEDUPE_THRESHOLD = 95.0


_COMMAND = re.compile(r"\\[a-zA-Z]+\s*|\\.")
_NON_ALNUM = re.compile(r"[^0-9a-zA-Z]+")
# Letters NFKD does not split into a base letter and an accent.
_NO_DECOMPOSITION = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                                   "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                                   "ı": "i"})


@lru_cache(maxsize=1 << 16)  # titles and names are folded again for every comparison
def fold(text: str) -> str:
    """Lower case, accents removed, LaTeX braces and commands dropped, spaces collapsed."""
    text = _COMMAND.sub("", text)
    if not text.isascii():  # the accent pass is most of the cost; ASCII needs none
        text = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_NON_ALNUM.sub(" ", text).lower().split())


def title_score(a: str, b: str) -> float:
    """How alike two titles are (0-100) after folding case, accents and punctuation; word order is
    ignored."""
    return fuzz.token_set_ratio(fold(a), fold(b))


def venues_agree(a: str, b: str) -> bool:
    """Two venue names the table does not know, compared by their words."""
    return fuzz.token_set_ratio(fold(a), fold(b)) >= VENUE_THRESHOLD


def titles_agree(a: str, b: str) -> bool:
    """Two titles of the same work, allowing the small differences sources make (subtitles,
    punctuation)."""
    return title_score(a, b) >= TITLE_THRESHOLD


def surname(name: str) -> str:
    """Last word of a full name, or the part before the comma in "Last, First"."""
    name = name.strip().strip("{}")
    if "," in name:  # "Allen-Zhu, Zeyuan": compare the last word, as for "Zeyuan Allen-Zhu"
        name = name.split(",")[0]
    parts = fold(name).split()
    return parts[-1] if parts else ""


def authors_agree(a: Sequence[str], b: Sequence[str]) -> bool:
    """Same work when the first surnames match, or most surnames are shared (a later
    version may put a new first author, e.g. 'Grattafiori' before 'Dubey')."""
    sa, sb = [surname(x) for x in a if x], [surname(x) for x in b if x]
    if not sa or not sb:
        return True  # nothing to compare (software, corporate authors)
    if sa[0] == sb[0]:
        return True
    shared = len(set(sa) & set(sb))
    return shared >= max(1, min(len(sa), len(sb)) // 2)
