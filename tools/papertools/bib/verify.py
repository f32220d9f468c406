"""Compare one .bib entry with what the sources say: one finding per field, and its fix.

Why errors and warnings: an error is what a reviewer would call wrong (another first
author, a year no version has, another venue, a conference paper typed @article); a
warning is legitimate but worth knowing (a list cut with "and others", a preprint whose
published version exists). A correct entry gets nothing, so nobody learns to ignore it.

Each rule also says how to fix what it found (`Fix`), from the same records, so `--fix`
changes exactly what a finding names. No fix is offered when the entry's title or
authors do not agree with its records: a wrong id must not turn it into another paper.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from papertools.bib.bibfile import BibItem
from papertools.bib.entrytype import field_findings, is_preprint, venue_field
from papertools.bib.findings import ERROR, WARNING, Finding, Fix
from papertools.bib.latex import plain
from papertools.bib.library import strip_arxiv_version
from papertools.bib.matching import (
    TITLE_THRESHOLD,
    authors_agree,
    title_score,
    titles_agree,
    venues_agree,
)
from papertools.bib.names import file_name, list_problems, source_name
from papertools.bib.records import ARXIV, Record, published
from papertools.bib.venues import JOURNAL, WORKSHOP, identify

_ARXIV_ID = re.compile(
    r"(?:arxiv[:\s./]*(?:abs/|pdf/)?|arxiv\.org/(?:abs|pdf)/|10\.48550/arxiv\.)"
    r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s{}\"',]+)", re.IGNORECASE)

__all__ = ["Fix", "Work", "compare", "ids_of", "year_of"]


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


def year_of(value: str | None) -> int | None:
    """The first four-digit year in a field value, None without one (BibTeX dates come in many
    spellings)."""
    m = re.search(r"\d{4}", value or "")
    return int(m.group(0)) if m else None


def _label(r: Record) -> str:
    if r.venue_type and r.venue:
        return f"{r.venue} {r.year}" if r.year else r.venue
    return "arXiv" if r.source == ARXIV else "Semantic Scholar"


def _names(value: str, pub: Record) -> bool:
    """The file's venue field names the venue the published version appeared at."""
    return identify(plain(value)).same(identify(pub.venue or ""))


def _cited(item: BibItem, found: Sequence[Record], pub: Record | None) -> Record | None:
    """The version the entry cites: the venue's when it names that venue, arXiv's when it
    is a preprint, None when it cannot be told."""
    name = venue_field(item)
    if pub and name and _names(name[1], pub):
        return pub
    if is_preprint(item):
        return next((r for r in found if r.source == ARXIV), None)
    return None


def _authors(key: str, item: BibItem, found: Sequence[Record], pub: Record | None,
             fix: Fix) -> list[Finding]:
    """In order, by surname and given names; the closest record's list is the fix. A list
    that is another existing version's than the one cited is a warning naming both."""
    mine = [file_name(a) for a in item.authors]
    lists = [r for r in found if r.authors]
    if not mine or not lists:
        return []
    seen: dict[tuple[tuple[str, ...], bool], list[str]] = {}  # sources often agree
    for r in lists:
        if (r.authors, r.authors_truncated) not in seen:
            seen[(r.authors, r.authors_truncated)] = list_problems(
                mine, [source_name(n) for n in r.authors], item.truncated, r.authors_truncated)
    results = [(r, seen[(r.authors, r.authors_truncated)]) for r in lists]
    exact = [r for r, probs in results if not probs]
    if not exact:
        best, probs = min(results, key=lambda x: (len(x[1]), x[0].authors_truncated))
        fix.names, fix.names_cut = best.authors, best.authors_truncated
        return [Finding(ERROR, key, "author: " + "; ".join(probs))]
    r = exact[0]
    if item.truncated and not r.authors_truncated and len(mine) < len(r.authors):
        fix.names, fix.names_cut = r.authors, False
        return [Finding(WARNING, key, f"author: truncated after {len(mine)} of "
                        f"{len(r.authors)} authors (\"and others\"; fix: --fix writes the "
                        "full list)")]
    cited = _cited(item, found, pub)
    if cited is None or cited in exact:
        return []
    probs = seen[(cited.authors, cited.authors_truncated)]
    return [Finding(WARNING, key, f"author: matches the {_label(r)} list; the cited "
                    f"{_label(cited)} version differs: {probs[0]}")]


def _venue(key: str, item: BibItem, pub: Record | None, fix: Fix) -> list[Finding]:
    """Same venue under two names is silent; another venue is an error."""
    name = venue_field(item)
    if not name or pub is None:
        return []
    mine, theirs = identify(plain(name[1])), identify(pub.venue or "")
    shown = f'venue: in file "{plain(name[1])}" / source "{pub.venue}"'
    if mine.known and theirs.known:
        if mine.same(theirs):
            return []
        _publish(item, pub, fix)
        there = _label(pub) if len(pub.venue or "") <= 30 else f"that venue in {pub.year}"
        return [Finding(ERROR, key, f"{shown} (published at {there}; fix: cite that venue)")]
    if venues_agree(name[1], pub.venue or ""):
        return []
    return [Finding(WARNING, key, f"{shown} (a name the venue table does not know; check it)")]


def _publish(item: BibItem, pub: Record, fix: Fix) -> None:
    """The fix that makes an entry cite the published version."""
    journal = pub.venue_type == JOURNAL
    kind = "article" if journal else "inproceedings"
    if item.type != kind:
        fix.type = kind
    target, other = ("journal", "booktitle") if journal else ("booktitle", "journal")
    fix.values[target] = pub.venue or ""
    fix.drop |= {other, "howpublished"} & set(item.fields)
    if pub.year:
        fix.values["year"] = str(pub.year)
    arxiv = ids_of(item)[0]
    if arxiv and not item.fields.get("eprint"):  # the id was in a dropped field: keep it
        fix.values |= {"eprint": arxiv, "archiveprefix": "arXiv"}


def _years(found: Sequence[Record]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for r in found:
        if r.source == ARXIV and r.year:
            out.append((r.year, "arXiv v1"))
            if r.extra.get("updated_year") and r.extra["updated_year"] != r.year:
                out.append((int(r.extra["updated_year"]), "arXiv, a later version"))
        elif r.year:
            out.append((r.year, _label(r)))
    return out


def _year(key: str, item: BibItem, found: Sequence[Record], pub: Record | None,
          fix: Fix) -> list[Finding]:
    """The year of a version the records know; the venue's year when the file names it."""
    year = year_of(item.fields.get("year") or item.fields.get("date"))
    known = _years(found)
    if year is None or not known:
        return []
    name = venue_field(item)
    if pub and pub.year and name and _names(name[1], pub):
        if year == pub.year or pub.venue_type == WORKSHOP and year in {y for y, _ in known}:
            return []
        fix.values["year"] = str(pub.year)
        return [Finding(ERROR, key, f'year{_from(item, "year")}: in file "{year}" / source '
                        f'"{pub.year}" (published at {_label(pub)})')]
    if year in {y for y, _ in known}:
        return []
    fix.values["year"] = str(known[0][0])
    labels: dict[int, list[str]] = {}
    for y, label in known:
        labels.setdefault(y, []).append(label)
    shown = ", ".join(f"{y} ({', '.join(names)})" for y, names in labels.items())
    return [Finding(ERROR, key, f'year{_from(item, "year")}: in file "{year}" / source '
                    f'"{shown}"')]


def _from(item: BibItem, name: str) -> str:
    """" (inherited through crossref 'p')" when the field came from the parent entry."""
    if name not in item.inherited:
        return ""
    return f" (inherited through crossref '{item.fields.get('crossref', '').strip()}')"


def _upgrade(key: str, item: BibItem, pub: Record | None, fix: Fix) -> list[Finding]:
    if pub is None or pub.venue_type == WORKSHOP or not is_preprint(item):
        return []
    _publish(item, pub, fix)
    if item.fields.get("journal") and pub.venue_type != JOURNAL:
        fix.drop.add("journal")
    kind = "article" if pub.venue_type == JOURNAL else "inproceedings"
    return [Finding(WARNING, key, f"venue: upgrade available: {_label(pub)} (the published "
                    f"version; fix: --fix makes it @{kind})")]


def _guarded(item: BibItem, best: Record) -> bool:
    """True when the record is this entry's paper: title and authors agree."""
    title = plain(item.fields.get("title", ""))
    names = [plain(a) for a in item.authors]
    return (not title or titles_agree(title, best.title)) and authors_agree(names, best.authors)


@dataclass(frozen=True)
class Work:
    """One work as verify sees it, whichever command built it: the entry as written (a
    user's .bib, or our own references.bib) and the records its identifiers led to."""

    item: BibItem  # the entry as written
    records: tuple[Record, ...]  # what the sources said (found or not)
    ids: str  # how it was looked up, for messages ("arXiv:2106.09685, DOI:...")
    where: str = ""  # where findings point ("file:line: key"); the key when empty
    pinned: frozenset[str] = frozenset()  # fields pinned on purpose: not compared


def compare(work: Work) -> tuple[list[Finding], Fix | None]:
    """Findings for one work against its records, and the fix (None when the records may
    describe another paper)."""
    item, ids, skip = work.item, work.ids, work.pinned
    key = work.where or item.key
    found = [r for r in work.records if r.found]
    if not found:
        return [Finding(ERROR, key, f"not found: no source knows {ids}")], Fix()
    out: list[Finding] = []
    fix = Fix()
    title = plain(item.fields.get("title", ""))
    score, best = max(((title_score(title, r.title), r) for r in found), key=lambda x: x[0])
    if title and score < TITLE_THRESHOLD:
        # Another paper behind the id: comparing its authors and year would be noise.
        return [Finding(ERROR, key, f'title: in file "{title}" / source "{best.title}" '
                        f"(the id {ids} names another paper; fix: check the id)")], None
    pub = published(found)
    out += field_findings(key, item, fix, found, pub)
    if "author" not in skip:
        out += _authors(key, item, found, pub, fix)
    if "year" not in skip:
        out += _year(key, item, found, pub, fix)
    out += _venue(key, item, pub, fix) + _upgrade(key, item, pub, fix)
    _one_venue(item, fix)
    return out, (fix if not fix or _guarded(item, best) else None)


_VENUES = ("journal", "booktitle")


def _one_venue(item: BibItem, fix: Fix) -> None:
    """Make the fixed entry carry one venue field, the one its type reads (journal for
    @article, booktitle otherwise).

    Why: the rules fix one field each (a type moves journal to booktitle, an upgrade sets
    booktitle), and an entry that had both, or a rename onto a field already there, would
    come out with journal and booktitle together, which styles print twice or not at
    all. A renamed field carries the value a finding named, so it wins over the one it
    lands on."""
    if not (fix.type or fix.rename or set(fix.values) & set(_VENUES)):
        return  # the fix leaves type and venue alone: so does this rule
    keep = "journal" if (fix.type or item.type) == "article" else "booktitle"
    other = "booktitle" if keep == "journal" else "journal"
    if keep in fix.rename.values() and keep in item.fields:
        fix.drop.add(keep)  # the renamed field replaces it (fix_entry drops it first)
    result = set(item.fields) - fix.drop
    for old, new in fix.rename.items():
        result = (result - {old}) | {new}
    result |= set(fix.values)
    if not set(_VENUES) <= result:
        return
    fix.values.pop(other, None)
    fix.drop.add(other)
    for old in [old for old, new in fix.rename.items() if new == other]:
        del fix.rename[old]
        fix.drop.add(old)
