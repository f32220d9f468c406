"""Find entries that describe the same work under two keys.

Why report and never merge silently: keys are cited in the paper; dropping one would
break a citation. Every pair is listed with the reason, and the person picks the key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from papertools.bib.bibfile import BibItem
from papertools.bib.findings import ERROR, Finding
from papertools.bib.latex import plain
from papertools.bib.library import strip_arxiv_version
from papertools.bib.matching import DEDUPE_THRESHOLD, fold, surname
from papertools.bib.verify import year_of


@dataclass(frozen=True)
class Identity:
    """What identifies a work, for duplicate detection."""

    key: str  # citation key
    arxiv: str | None = None  # any version; compared without it
    doi: str | None = None  # compared case-insensitively
    s2: str | None = None  # Semantic Scholar paperId
    title: str = ""  # plain text
    first_author: str = ""  # full name of the first author
    year: int | None = None  # publication year

    @classmethod
    def of(cls, item: BibItem, arxiv: str | None, doi: str | None,
           s2: str | None = None) -> Identity:
        """An entry as written (a user's .bib or our references.bib) and the ids it was
        looked up by: both bib-check and `make bib` compare exactly this."""
        first = item.authors[0] if item.authors else ""
        return cls(item.key, arxiv, doi, s2, plain(item.fields.get("title", "")), plain(first),
                   year_of(item.fields.get("year")))

    def ids(self) -> list[tuple[str, str]]:
        """(kind, value) of each id, as two entries are compared: the arXiv id without
        its version, the DOI case-insensitively."""
        ids = (("arXiv id", self.arxiv and strip_arxiv_version(self.arxiv)),
               ("DOI", self.doi and self.doi.lower()), ("S2 id", self.s2))
        return [(kind, value) for kind, value in ids if value]

    def same_id(self, other: Identity) -> bool:
        """True when the two share any id: one work, whatever else differs."""
        return not set(self.ids()).isdisjoint(other.ids())


def duplicates(items: Sequence[Identity]) -> list[Finding]:
    """One error per entry that repeats an earlier one: it shares an id, or has a
    near-identical title with the same first-author surname and year (token_sort_ratio >=
    DEDUPE_THRESHOLD). Each copy is named once, against the first entry it repeats, so n
    copies give n - 1 findings (not one per pair, n(n - 1)/2, nor one per shared field)."""
    out: list[Finding] = []
    reported: set[str] = set()

    def report(it: Identity, other: str, why: str) -> None:
        if it.key not in reported and it.key != other:
            reported.add(it.key)
            out.append(Finding(ERROR, it.key, f"duplicate of '{other}': {why} (fix: keep "
                               "one key)"))

    seen: dict[tuple[str, str], str] = {}
    for it in items:
        for kind, value in it.ids():
            report(it, seen.setdefault((kind, value), it.key), f"same {kind} {value}")
    groups: dict[tuple[str, int | None], list[Identity]] = {}
    for it in items:
        if it.title and it.first_author:
            groups.setdefault((surname(it.first_author), it.year), []).append(it)
    for group in groups.values():
        _same_titles(group, report)
    return out


def _same_titles(group: list[Identity], report: Callable[[Identity, str, str], None]) -> None:
    """Report the near-identical titles of one (surname, year) group. Exact copies are
    matched by their folded text first, so a thousand copies cost no thousand-squared
    fuzzy comparisons; the distinct titles are compared all pairs at once (rapidfuzz's C
    loop: a 10,000-entry file has groups of dozens)."""
    why = "same title, first author and year"
    firsts: dict[str, Identity] = {}
    for it in group:
        first = firsts.setdefault(fold(it.title), it)
        if first is not it:
            report(it, first.key, why)
    distinct = list(firsts.values())
    if len(distinct) < 2:
        return
    titles = [fold(it.title) for it in distinct]
    scores = process.cdist(titles, titles, scorer=fuzz.token_sort_ratio,
                           score_cutoff=DEDUPE_THRESHOLD)
    for i, j in zip(*scores.nonzero(), strict=True):  # row-major: the first i is the earliest
        if i < j:
            report(distinct[j], distinct[i].key, why)
