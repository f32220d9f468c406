"""Entry types and fields: is it typed as what it is, and has it what its type needs?

Why these rules: a conference paper typed @article prints its venue as a journal, a
preprint cited when the published version exists sends readers to the draft, and an
entry without the fields biber's data model requires prints "n.d." or an empty venue.
The required fields follow biblatex's documented data model (biblatex manual, section
2.1.1, "Regular Types"); `year` and `date` are alternatives, as are `journal` and
`journaltitle`. Software and web pages follow natbib instead: it labels a citation from
the author (or the `key` field) and the year, so those are what such an entry needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from papertools.bib.bibfile import BibItem
from papertools.bib.findings import ERROR, Finding, Fix
from papertools.bib.latex import plain
from papertools.bib.matching import venues_agree
from papertools.bib.records import ARXIV, Record
from papertools.bib.venues import CONFERENCE, JOURNAL, WORKSHOP, identify, is_preprint_venue

_DATE = ("year", "date")
# Entry type -> groups of alternatives, each group required (biblatex data model).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "article": (("author",), ("title",), ("journal", "journaltitle"), _DATE),
    "inproceedings": (("author",), ("title",), ("booktitle",), _DATE),
    "conference": (("author",), ("title",), ("booktitle",), _DATE),
    "incollection": (("author",), ("title",), ("booktitle",), _DATE),
    "inbook": (("author",), ("title",), ("booktitle", "chapter"), _DATE),
    "book": (("author", "editor"), ("title",), _DATE),
    "misc": (("author", "editor"), ("title",), _DATE),
    "online": (("author", "editor"), ("title",), _DATE, ("url", "doi", "eprint")),
    "manual": (("author", "editor"), ("title",), _DATE),
    "unpublished": (("author",), ("title",), _DATE),
    "techreport": (("author",), ("title",), ("institution",), _DATE),
    "report": (("author",), ("title",), ("institution",), _DATE),
    "phdthesis": (("author",), ("title",), ("school", "institution"), _DATE),
    "mastersthesis": (("author",), ("title",), ("school", "institution"), _DATE),
    "thesis": (("author",), ("title",), ("school", "institution"), _DATE),
    "proceedings": (("title",), _DATE),
}
SOFTWARE_TYPES = {"software", "online", "electronic", "www", "webpage"}
_PREPRINT_TYPES = {"article", "misc", "unpublished", "online", "techreport", "report"}
# URLs of paper landing pages: an entry with one of these is a paper (searched by title),
# any other URL without an id makes it software or a web page (never searched).
PAPER_HOSTS = (
    "arxiv.org", "doi.org", "aclanthology.org", "aclweb.org", "openreview.net",
    "proceedings.mlr.press", "proceedings.neurips.cc", "papers.nips.cc", "dl.acm.org",
    "ieeexplore.ieee.org", "link.springer.com", "jmlr.org", "proceedings.mlsys.org",
    "usenix.org", "openaccess.thecvf.com", "ojs.aaai.org", "ijcai.org",
    "semanticscholar.org", "sciencedirect.com", "nature.com",
)
_URL_FIELDS = ("url", "howpublished", "note")


def venue_field(item: BibItem) -> tuple[str, str] | None:
    """("booktitle" | "journal", value) naming a venue; None for none or a preprint."""
    for name in ("booktitle", "journal", "journaltitle"):
        value = item.fields.get(name, "").strip()
        if value and not is_preprint_venue(plain(value)):
            return name, value
    return None


def is_preprint(item: BibItem) -> bool:
    """An entry typed as a preprint with no venue field: a published version may exist."""
    return item.type in _PREPRINT_TYPES and venue_field(item) is None


def is_paper_url(url: str) -> bool:
    """A URL on a host that serves papers (arXiv, ACL Anthology, ...), so the entry is a paper, not
    software or a web page."""
    host = (urlsplit(url.strip()).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in PAPER_HOSTS)


def _url(item: BibItem) -> str | None:
    for name in _URL_FIELDS:
        value = item.fields.get(name, "")
        start = value.find("http")
        if start >= 0:
            return value[start:].split("}")[0].split()[0]
    return None


def is_software_or_web(item: BibItem, has_ids: bool) -> bool:
    """Software or a web page: typed so, or a URL that is no paper page and no id or venue."""
    if has_ids or venue_field(item):
        return False
    if item.type in SOFTWARE_TYPES:
        return True
    url = _url(item)
    return item.type == "misc" and url is not None and not is_paper_url(url)


def software_findings(key: str, item: BibItem) -> list[Finding]:
    """What natbib needs to label a software or web citation: author or key, and year."""
    out = []
    if not item.fields.get("title", "").strip():
        out.append(Finding(ERROR, key, "title: missing (fix: add title = {...})"))
    if not (item.authors or item.fields.get("key", "").strip()):
        out.append(Finding(ERROR, key, "author: missing: natbib cannot label a software/web "
                           "entry without author or key (fix: add author = {{Project "
                           "developers}} or key = {...})"))
    if not (item.fields.get("year") or item.fields.get("date")):
        out.append(Finding(ERROR, key, "year: missing: natbib labels it \"(n.d.)\" (fix: add "
                           "year = {...}, the release or access year)"))
    return out


def _agrees(name: str, pub: Record | None) -> bool:
    return bool(pub and pub.venue) and venues_agree(name, pub.venue or "")


def _type_findings(key: str, item: BibItem, fix: Fix, pub: Record | None) -> list[Finding]:
    where = venue_field(item)
    if where is None:
        return []
    name, value = where
    venue = identify(plain(value))
    pub_kind = pub.venue_type if pub and _agrees(value, pub) else None
    conference = venue.kind in (CONFERENCE, WORKSHOP) or not venue.known and pub_kind in (
        CONFERENCE, WORKSHOP)
    journal = venue.kind == JOURNAL or not venue.known and pub_kind == JOURNAL
    if item.type == "article" and name != "booktitle" and conference:
        fix.type, fix.rename[name] = "inproceedings", "booktitle"
        return [Finding(ERROR, key, f'type: a conference paper typed @article ("{plain(value)}" '
                        "in journal; fix: @inproceedings with booktitle)")]
    if item.type in ("inproceedings", "conference") and name == "booktitle" and journal:
        fix.type, fix.rename[name] = "article", "journal"
        return [Finding(ERROR, key, f'type: a journal paper typed @{item.type} '
                        f'("{plain(value)}" in booktitle; fix: @article with journal)')]
    return []


def _dated(item: BibItem, pub: Record | None, preprint: Record) -> Record:
    """The version whose year a missing year takes: the published one for a published
    type, when there is one; otherwise the preprint's (arXiv v1)."""
    return pub if pub and item.type in ("inproceedings", "article") else preprint


def _fill(name: str, item: BibItem, fix: Fix, found: Sequence[Record],
          pub: Record | None) -> bool:
    """Put a missing field's value from the records into the fix; False if none knows."""
    arx = next((r for r in found if r.source == ARXIV), None)
    best = pub or arx or found[0]
    if name == "author" and best.authors:
        fix.names, fix.names_cut = best.authors, best.authors_truncated
    elif name == "year" and (dated := _dated(item, pub, arx or best)).year:
        fix.values["year"] = str(dated.year)
    elif name in ("booktitle", "journal") and pub and pub.venue:
        fix.values[name] = pub.venue
    elif name == "title" and best.title:
        fix.values["title"] = best.title
    else:
        return False
    return True


def field_findings(key: str, item: BibItem, fix: Fix, found: Sequence[Record],
                   pub: Record | None) -> list[Finding]:
    """Type/venue mismatches, then the fields the entry type requires."""
    out = _type_findings(key, item, fix, pub)
    # A crossref or xdata parent supplies fields biber copies in; not missing then.
    inherited = bool(item.fields.get("crossref") or item.fields.get("xdata"))
    for group in () if inherited else REQUIRED.get(item.type, ()):
        if any(item.fields.get(f, "").strip() for f in group):
            continue
        name = group[0]
        known = _fill(name, item, fix, found, pub)
        how = "--fix fills it from the records" if known else f"add {name} = {{...}}"
        out.append(Finding(ERROR, key, f"{name}: missing (required by @{item.type}; fix: "
                           f"{how})"))
    return out
