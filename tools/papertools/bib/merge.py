"""From a library entry and its source records to the fields of one BibTeX entry.

Why the published version wins: a reader should find the peer-reviewed paper, while the
arXiv id stays as `eprint` so the preprint is one click away. A record is used only when
its title and authors agree with the other evidence (the other source, the pinned title),
so a wrong id in the library cannot silently turn an entry into another paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from papertools.bib.findings import WARNING, Finding
from papertools.bib.library import Entry
from papertools.bib.matching import authors_agree, titles_agree
from papertools.bib.records import Record


@dataclass(frozen=True)
class Merged:
    """Everything the writer needs for one entry."""

    key: str  # citation key (from the library, never from a source)
    type: str  # inproceedings | article | misc
    fields: dict[str, str]  # BibTeX fields, plain Unicode (the writer escapes)
    authors: tuple[str, ...]  # full names in order; "others" marks a source-truncated list
    findings: tuple[Finding, ...] = field(default=())  # warnings met while merging
    raw_fields: frozenset[str] = frozenset()  # fields pinned as LaTeX (override), not escaped


def agree(a: Record, b: Record) -> bool:
    return titles_agree(a.title, b.title) and authors_agree(a.authors, b.authors)


def _usable(entry: Entry, records: list[Record]) -> tuple[list[Record], list[Finding]]:
    """Found records that agree with the pinned title and with each other."""
    found = [r for r in records if r.found]
    notes: list[Finding] = []
    pinned = entry.override.get("title")
    if pinned:
        for r in list(found):
            if not titles_agree(pinned, r.title):
                notes.append(_warn(entry, f"{r.source} record '{r.title}' does not match the "
                                   "pinned title; ignored (fix: check the id)"))
                found.remove(r)
    if len(found) == 2 and not agree(found[0], found[1]):
        bad = found.pop()  # arXiv (found first) anchors the id the library gives
        notes.append(_warn(entry, f"{bad.source} record '{bad.title}' disagrees with "
                           f"{found[0].source} '{found[0].title}'; ignored (fix: check the ids)"))
    return found, notes


def _warn(entry: Entry, message: str) -> Finding:
    return Finding(WARNING, entry.key, message)


def _venue_fields(pub: Record) -> tuple[str, dict[str, str]]:
    if pub.venue_type == "journal":
        fields = {"journal": pub.venue or ""}
        if pub.volume:
            fields["volume"] = pub.volume
        return "article", fields
    return "inproceedings", {"booktitle": pub.venue or ""}


def merge(entry: Entry, records: list[Record]) -> Merged:
    """Combine records (arXiv first, then Semantic Scholar) and the entry's overrides."""
    found, notes = _usable(entry, records)
    base = next(iter(found), None)
    arx = next((r for r in found if r.source == "arxiv"), None)
    pub = next((r for r in found if r.venue_type and r.venue), None)
    fields: dict[str, str] = {}
    kind = "misc"
    if base:
        fields["title"] = base.title
    if pub:
        kind, venue = _venue_fields(pub)
        fields |= venue
        fields["year"] = str(pub.year or (base.year if base else ""))
        if pub.pages:
            fields["pages"] = pub.pages
    elif base and base.year:
        fields["year"] = str(base.year)
    doi = entry.doi or next((r.doi for r in found if r.doi), None)
    if doi:
        fields["doi"] = doi
    if arx or entry.arxiv:
        arxiv_id = entry.arxiv or (arx.arxiv_id if arx else "")
        fields |= {"eprint": arxiv_id, "archiveprefix": "arXiv"}
        if kind == "misc":
            fields["howpublished"] = f"arXiv preprint arXiv:{arxiv_id}"
    if entry.url:
        fields["url"] = entry.url
        if kind == "misc" and "howpublished" not in fields:
            fields["howpublished"] = "\\url{" + entry.url + "}"
    if entry.categories:
        fields["keywords"] = ", ".join(entry.categories)
    authors = tuple(base.authors) if base else ()
    if base and base.authors_truncated:
        authors += ("others",)
        notes.append(_warn(entry, f"{base.source} gave only the first {len(base.authors)} "
                           "authors; written with 'and others'"))
    if not found and not entry.override:
        notes.append(_warn(entry, "no source record and no pinned fields; entry is empty"))
    pinned = dict(entry.override)
    if "author" in pinned:
        authors = ()
    if "booktitle" in pinned or "journal" in pinned:
        kind = "inproceedings" if "booktitle" in pinned else "article"
    fields |= {k: v for k, v in pinned.items() if k != "author"}
    # URLs, DOIs and pinned fields are LaTeX already (\\url{..}, underscores in DOIs).
    raw = frozenset({"howpublished", "url", "doi", "eprint"} | (set(pinned) - {"title"}))
    if "author" in pinned:
        fields["author"] = pinned["author"]
    return Merged(entry.key, kind, fields, authors, tuple(notes), raw)
