"""Find entries that describe the same work under two keys.

Why report and never merge silently: keys are cited in the paper; dropping one would
break a citation. Every pair is listed with the reason, and the person picks the key.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    """One error per pair of keys that share an id, or a near-identical title with the
    same first-author surname and year (token_sort_ratio >= DEDUPE_THRESHOLD)."""
    out: list[Finding] = []
    seen: dict[tuple[str, str], str] = {}
    for it in items:
        for kind, value in it.ids():
            other = seen.setdefault((kind, value), it.key)
            if other != it.key:
                out.append(Finding(ERROR, it.key, f"duplicate of '{other}': same {kind} "
                                   f"{value} (fix: keep one key)"))
    groups: dict[tuple[str, int | None], list[Identity]] = {}
    for it in items:
        if it.title and it.first_author:
            groups.setdefault((surname(it.first_author), it.year), []).append(it)
    for group in groups.values():
        if len(group) < 2:
            continue
        # All pairs of a group at once (rapidfuzz's C loop): a 10,000-entry file has
        # groups of dozens, and a Python double loop over them cost half a second.
        titles = [fold(it.title) for it in group]
        scores = process.cdist(titles, titles, scorer=fuzz.token_sort_ratio,
                               score_cutoff=DEDUPE_THRESHOLD)
        for i, j in zip(*scores.nonzero(), strict=True):
            if i < j:
                out.append(Finding(ERROR, group[j].key, f"duplicate of '{group[i].key}': same "
                                   "title, first author and year (fix: keep one key)"))
    return out
