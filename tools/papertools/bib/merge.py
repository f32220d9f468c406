"""From a library entry and its source records to the fields of one BibTeX entry.

Why a list of small steps (like bibtexparser's middlewares): each rule of the merge reads
on its own, can be tested on its own, and the order they apply in is written in one place
(STEPS). Why the published version wins: a reader should find the peer-reviewed paper, while the
arXiv id stays as `eprint` so the preprint is one click away. A record is used only when
its title and authors agree with the other evidence (the other source, the pinned title),
so a wrong id in the library cannot silently turn an entry into another paper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from papertools.bib.findings import WARNING, Finding
from papertools.bib.library import Entry
from papertools.bib.matching import authors_agree, titles_agree
from papertools.bib.records import Record, published


@dataclass(frozen=True)
class Merged:
    """Everything the writer needs for one entry."""

    key: str  # citation key (from the library, never from a source)
    type: str  # inproceedings | article | misc
    fields: dict[str, str]  # BibTeX fields, plain Unicode (the writer escapes)
    authors: tuple[str, ...]  # full names in order; "others" marks a source-truncated list
    findings: tuple[Finding, ...] = field(default=())  # warnings met while merging
    raw_fields: frozenset[str] = frozenset()  # built as LaTeX here (\url{..}): not escaped
    pinned: frozenset[str] = frozenset()  # from the library's override: escaped as typed


def agree(a: Record, b: Record) -> bool:
    """Two records describe the same work: titles and author lists agree."""
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


@dataclass(frozen=True)
class Evidence:
    """What the steps read: the entry and its usable records, picked once."""

    entry: Entry
    found: tuple[Record, ...]  # usable records, arXiv first
    base: Record | None  # the first of them: title, authors
    arxiv: Record | None  # the arXiv record, if usable
    pub: Record | None  # the first record naming a venue: the published version


def _title(m: Merged, ev: Evidence) -> Merged:
    return _with(m, title=ev.base.title) if ev.base else m


def _venue(m: Merged, ev: Evidence) -> Merged:
    """The published version wins: its venue, year and pages; otherwise the base's year."""
    pub, base = ev.pub, ev.base
    if pub is None:
        return _with(m, year=str(base.year)) if base and base.year else m
    if pub.venue_type == "journal":
        kind, venue = "article", {"journal": pub.venue or ""}
        venue |= {"volume": pub.volume} if pub.volume else {}
    else:
        kind, venue = "inproceedings", {"booktitle": pub.venue or ""}
    venue["year"] = str(pub.year or (base.year if base else ""))
    venue |= {"pages": pub.pages} if pub.pages else {}
    return replace(_with(m, **venue), type=kind)


def _ids(m: Merged, ev: Evidence) -> Merged:
    """DOI, the arXiv id as eprint (a preprint says so in howpublished), the URL."""
    entry, fields = ev.entry, {}
    if doi := entry.doi or next((r.doi for r in ev.found if r.doi), None):
        fields["doi"] = doi
    if ev.arxiv or entry.arxiv:
        arxiv_id = entry.arxiv or (ev.arxiv.arxiv_id if ev.arxiv else "")
        fields |= {"eprint": arxiv_id, "archiveprefix": "arXiv"}
        if m.type == "misc":
            fields["howpublished"] = f"arXiv preprint arXiv:{arxiv_id}"
    if entry.url:
        fields["url"] = entry.url
        if m.type == "misc" and "howpublished" not in fields:
            fields["howpublished"] = "\\url{" + entry.url + "}"
    return _with(m, **fields)


def _keywords(m: Merged, ev: Evidence) -> Merged:
    return _with(m, keywords=", ".join(ev.entry.categories)) if ev.entry.categories else m


def _authors(m: Merged, ev: Evidence) -> Merged:
    """The base's list; "others" only where the source itself cut it."""
    base = ev.base
    if base is None:
        return m
    if not base.authors_truncated:
        return replace(m, authors=tuple(base.authors))
    note = _warn(ev.entry, f"{base.source} gave only the first {len(base.authors)} authors; "
                           "written with 'and others'")
    return replace(m, authors=(*base.authors, "others"), findings=(*m.findings, note))


def _empty(m: Merged, ev: Evidence) -> Merged:
    if ev.found or ev.entry.override:
        return m
    note = _warn(ev.entry, "no source record and no pinned fields; entry is empty")
    return replace(m, findings=(*m.findings, note))


def _pinned(m: Merged, ev: Evidence) -> Merged:
    """The library's override wins over every source; the writer escapes its values (a
    braced group stays a group), as it does a title's."""
    pinned = dict(ev.entry.override)
    if not pinned:
        return m
    kind = m.type
    if "booktitle" in pinned or "journal" in pinned:
        kind = "inproceedings" if "booktitle" in pinned else "article"
    authors = () if "author" in pinned else m.authors
    return replace(m, type=kind, fields={**m.fields, **pinned}, authors=authors,
                   raw_fields=m.raw_fields - set(pinned), pinned=frozenset(pinned))


# The merge, one small step each, in order; each returns a new Merged.
STEPS: tuple[Callable[[Merged, Evidence], Merged], ...] = (
    _title, _venue, _ids, _keywords, _authors, _empty, _pinned,
)
# URLs, DOIs and eprints are LaTeX already (\\url{..}, underscores in DOIs).
_RAW = frozenset({"howpublished", "url", "doi", "eprint"})


def _with(m: Merged, **fields: str) -> Merged:
    return replace(m, fields={**m.fields, **fields})


def merge(entry: Entry, records: list[Record]) -> Merged:
    """Combine records (arXiv first, then Semantic Scholar) and the entry's overrides."""
    found, notes = _usable(entry, records)
    ev = Evidence(entry, tuple(found), next(iter(found), None),
                  next((r for r in found if r.source == "arxiv"), None),
                  published(found))
    merged = Merged(entry.key, "misc", {}, (), tuple(notes), _RAW)
    for step in STEPS:
        merged = step(merged, ev)
    return merged
