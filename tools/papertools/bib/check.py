"""`bib-check`: verify any .bib file against the sources, with a JSON report on request.

Why a separate cache folder: checking someone else's file must not add records to the
committed bib/cache/; it reads the committed records and writes new ones under build/.
Why software and web pages are never searched: no paper index knows them, so a title
search only costs a request and can only answer with some other work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from maaza_core import paths
from papertools.bib.bibfile import BibFile, BibItem, parse_bib
from papertools.bib.config import CHECK_CACHE_DIR, SourceConfig
from papertools.bib.dedupe import Identity, duplicates
from papertools.bib.entrytype import is_software_or_web, software_findings
from papertools.bib.findings import ERROR, WARNING, Finding, count
from papertools.bib.lookup import ARXIV_ID, DOI, LookupId
from papertools.bib.records import ARXIV, S2, Cache, Record
from papertools.bib.refresh import Refresher, RefreshReport, Wanted
from papertools.bib.verify import Fix, Work, compare, ids_of, plain


@dataclass(frozen=True)
class Planned:
    """One entry and what it is looked up by."""

    item: BibItem
    arxiv: str | None  # arXiv id
    s2: LookupId | None  # Semantic Scholar lookup (DOI or arXiv id)
    title: str | None  # title search, only for papers without an id
    software: bool  # software or a web page: checked for fields only


@dataclass(frozen=True)
class CheckReport:
    """Findings for one file plus the fetch statistics."""

    path: Path  # the checked file
    entries: int  # entries read
    findings: tuple[Finding, ...]  # errors and warnings, in file order
    refresh: RefreshReport  # what had to be fetched
    bib: BibFile | None = None  # the parsed file (for --fix)
    fixes: dict[str, Fix | None] = field(default_factory=dict)  # key -> fix (None: unsafe)
    records: dict[str, list[Record]] = field(default_factory=dict)  # key -> found records
    cache: Cache | None = None  # where the records came from (a re-check reads it offline)

    @property
    def errors(self) -> int:
        return count(self.findings, ERROR)

    def to_json(self) -> dict[str, object]:
        return {
            "file": str(self.path), "entries": self.entries, "errors": self.errors,
            "warnings": count(self.findings, WARNING),
            "fetched": self.refresh.fetched, "from_cache": self.refresh.cached,
            "findings": [f.to_json() for f in self.findings],
        }


def plan(item: BibItem) -> Planned:
    arxiv, doi = ids_of(item)
    if arxiv or doi:
        return Planned(item, arxiv, LookupId.best(arxiv=arxiv, doi=doi), None, False)
    if is_software_or_web(item, False):
        return Planned(item, None, None, None, True)
    title = plain(item.fields.get("title", ""))
    return Planned(item, None, None, title or None, False)


def _records(cache: Cache, p: Planned) -> list[Record]:
    found = [cache.get(ARXIV, p.arxiv) if p.arxiv else None, cache.get(S2, p.s2) if p.s2
             else None, cache.get(S2, LookupId.title(p.title)) if p.title else None]
    return [r for r in found if r is not None]


def _ids(p: Planned) -> str:
    return ", ".join(x for x in (p.arxiv and f"arXiv:{p.arxiv}", p.s2 and p.s2.kind != ARXIV_ID
                                 and p.s2.text,
                                 p.title and f'title "{p.title}"') if x)


def check_file(path: Path, cfg: SourceConfig, offline: bool = False, strict: bool = False,
               cache: Cache | None = None) -> CheckReport:
    bib = parse_bib(path)
    cache = cache or Cache(CHECK_CACHE_DIR, extra_read=(paths.BIB_CACHE_DIR,))
    plans = [plan(item) for item in bib.items]
    want = Wanted(arxiv={p.arxiv for p in plans if p.arxiv}, s2={p.s2 for p in plans if p.s2},
                  titles={p.title for p in plans if p.title})
    refresh = Refresher(cfg, cache).run(want, offline=offline, strict=strict)
    findings: list[Finding] = list(refresh.findings)
    fixes: dict[str, Fix | None] = {}
    found: dict[str, list[Record]] = {}
    for p in plans:
        where = f"{paths.display(Path(path))}:{p.item.line}: {p.item.key}"
        if p.software:
            findings += software_findings(where, p.item)
            continue
        if not (p.arxiv or p.s2 or p.title):  # nothing to look up, and no title to print
            findings.append(Finding(ERROR, where, "title: missing, and no arXiv id or DOI "
                                    "to look the work up by (fix: add title = {...})"))
            continue
        records = _records(cache, p)
        if not records and offline:
            findings.append(Finding(WARNING, where, "not in the cache (offline; not checked)"))
            continue
        more, fixes[p.item.key] = compare(Work(p.item, tuple(records), _ids(p), where))
        findings += more
        found[p.item.key] = [r for r in records if r.found]
    findings += duplicates([Identity.of(p.item, p.arxiv, p.s2.value if p.s2 and p.s2.kind == DOI
                                     else None) for p in plans if not p.software])
    return CheckReport(Path(path), len(bib.items), tuple(findings), refresh, bib, fixes, found,
                       cache)
