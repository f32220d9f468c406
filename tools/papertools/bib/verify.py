"""Compare what a .bib says with what the sources say, one finding per difference.

Why errors and warnings: some differences are legitimate (a later arXiv version adds an
author, the workshop was a year before the conference) and must not fail a build; a
different first author, a year that matches no version, or an id nobody knows must.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text
from rapidfuzz import fuzz

from papertools.bib.bibfile import BibItem
from papertools.bib.findings import ERROR, WARNING, Finding
from papertools.bib.library import strip_arxiv_version
from papertools.bib.matching import fold, surnames, title_score, titles_agree
from papertools.bib.records import Record

_ARXIV_ID = re.compile(
    r"(?:arxiv[:\s./]*(?:abs/|pdf/)?|arxiv\.org/(?:abs|pdf)/|10\.48550/arxiv\.)"
    r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s{}\"',]+)", re.IGNORECASE)
# Venue names are compared loosely: "ICLR" vs "International Conference on Learning
# Representations" score low on any ratio, so a mismatch is only a warning below 50.
VENUE_THRESHOLD = 50.0
_TO_TEXT = LatexNodes2Text()


# Characters that make a value more than text in braces; only then is pylatexenc needed.
_LATEX_SPECIAL = re.compile(r"[\\$%~^_&#]")


@lru_cache(maxsize=1 << 16)
def plain(value: str) -> str:
    """LaTeX field value -> plain Unicode ({\\'e} -> é, braces dropped).

    Why the shortcut and the cache: pylatexenc takes ~1 ms a value, which made a
    10,000-entry bib-check spend most of its time here; most values are text in braces
    (dropping the braces is all pylatexenc would do) and author names repeat."""
    if not _LATEX_SPECIAL.search(value):
        return value.replace("{", "").replace("}", "")
    return _TO_TEXT.latex_to_text(value)


def ids_of(item: BibItem) -> tuple[str | None, str | None]:
    """(arXiv id, DOI) found in eprint, doi, url, journal or note."""
    arxiv = None
    if item.fields.get("eprint") and re.match(r"^[\w.\-/]+$", item.fields["eprint"].strip()):
        arxiv = strip_arxiv_version(item.fields["eprint"].strip())
    doi = None
    for name in ("doi", "url", "journal", "note", "howpublished", "booktitle"):
        value = item.fields.get(name, "")
        if not arxiv and (m := _ARXIV_ID.search(value)):
            arxiv = strip_arxiv_version(m.group(1))
        if not doi and (m := _DOI.search(value)) and not m.group(1).lower().startswith(
                "10.48550/"):
            doi = m.group(1).rstrip(".")
    return arxiv, doi


def _year(value: str | None) -> int | None:
    m = re.search(r"\d{4}", value or "")
    return int(m.group(0)) if m else None


def compare(key: str, title: str, authors: Sequence[str], year: str | None,
            venue: str | None, records: Sequence[Record], ids: str) -> list[Finding]:
    """Findings for one entry against the records its ids led to."""
    found = [r for r in records if r.found]
    if not found:
        return [Finding(ERROR, key, f"not found: no source knows {ids}")]
    out: list[Finding] = []
    best = max(found, key=lambda r: title_score(title, r.title))
    if title and not titles_agree(title, best.title):
        out.append(Finding(ERROR, key, f'title: in file "{title}" / source "{best.title}"'))
    out += _compare_authors(key, authors, found)
    out += _compare_year(key, _year(year), found)
    pub = next((r for r in found if r.venue_type and r.venue), None)
    if venue and pub and fuzz.token_set_ratio(fold(venue), fold(pub.venue or "")) < \
            VENUE_THRESHOLD:
        out.append(Finding(WARNING, key, f'venue: in file "{venue}" / source "{pub.venue}"'))
    return out


def _compare_authors(key: str, authors: Sequence[str], found: Sequence[Record]) -> list[Finding]:
    mine = [s for s in surnames(authors) if s and s != "others"]
    truncated = bool(authors) and authors[-1].strip() == "others"
    if not mine:
        return []
    best: list[str] = []
    for r in found:
        theirs = surnames(r.authors)
        if mine == theirs or (truncated and theirs[: len(mine)] == mine):
            return []
        if r.authors_truncated and mine[: len(theirs)] == theirs:
            return []
        best = best or theirs
    theirs = surnames(found[0].authors)
    shown = f'in file "{"; ".join(mine[:6])}" / source "{"; ".join(theirs[:6])}"'
    if set(mine) <= set(theirs) or set(theirs) <= set(mine):  # a version added/dropped one
        return [Finding(WARNING, key, f"author: lists differ (another version?): {shown}")]
    return [Finding(ERROR, key, f"author: {shown}")]


def _compare_year(key: str, year: int | None, found: Sequence[Record]) -> list[Finding]:
    years = {r.year for r in found if r.year}
    if year is None or not years or year in years:
        return []
    shown = f'in file "{year}" / source "{", ".join(map(str, sorted(years)))}"'
    if any(abs(year - y) == 1 for y in years):
        return [Finding(WARNING, key, f"year: {shown} (workshop/conference or version?)")]
    return [Finding(ERROR, key, f"year: {shown}")]


def compare_item(item: BibItem, records: Sequence[Record], ids: str) -> list[Finding]:
    f = item.fields
    venue = f.get("booktitle") or (f.get("journal") if "arxiv" not in f.get("journal", "").lower()
                                   else None)
    return compare(
        item.key, plain(f.get("title", "")), [plain(a) for a in item.authors], f.get("year"),
        plain(venue) if venue else None, records, ids,
    )
