"""`bib-check`: verify any .bib file against the sources, with a JSON report on request.

Why a separate cache folder: checking someone else's file must not add records to the
committed bib/cache/; it reads the committed records and writes new ones under build/.
Why software and web pages are never searched: no paper index knows them, so a title
search only costs a request and can only answer with some other work.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from maaza_core import paths
from papertools.bib.bibfile import BibFile, BibItem, parse_bib
from papertools.bib.config import CHECK_CACHE_DIR, SourceConfig
from papertools.bib.dedupe import Identity, duplicates
from papertools.bib.entrytype import is_software_or_web, software_findings
from papertools.bib.findings import ERROR, WARNING, Finding, Fix, count
from papertools.bib.latex import plain
from papertools.bib.lookup import DOI
from papertools.bib.records import Cache
from papertools.bib.refresh import Asked, Refresher, RefreshReport, Wanted
from papertools.bib.verify import Work, compare, ids_of


@dataclass(frozen=True)
class Planned:
    """One entry and what it is looked up by."""

    item: BibItem
    asked: Asked  # arXiv id and S2 lookup (a title only for a paper without an id)
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
    cache: Cache | None = None  # where the records came from (a re-check reads it offline)

    @property
    def errors(self) -> int:
        """Findings that fail bib-check."""
        return count(self.findings, ERROR)

    def to_json(self) -> dict[str, object]:
        """The report as `--json` prints it, one object per finding."""
        return {
            "file": str(self.path), "entries": self.entries, "errors": self.errors,
            "warnings": count(self.findings, WARNING),
            "fetched": self.refresh.fetched, "from_cache": self.refresh.cached,
            "findings": [f.to_json() for f in self.findings],
        }


def plan(item: BibItem) -> Planned:
    """What one entry of a checked file is looked up by: its ids, nothing (software and web pages),
    or its title."""
    arxiv, doi = ids_of(item)
    if arxiv or doi:
        return Planned(item, Asked.of(arxiv, doi), False)
    if is_software_or_web(item, False):
        return Planned(item, Asked(), True)
    return Planned(item, Asked.of(title=plain(item.fields.get("title", ""))), False)


def with_crossref(path: Path, items: tuple[BibItem, ...]) -> tuple[list[BibItem], list[Finding]]:
    """Each entry with the fields BibTeX inherits from its crossref parent (those it lacks),
    so the year, venue and authors it will print are the ones checked; a parent missing
    from the file, or placed before its child (BibTeX only sees parents that come later),
    is an error, as the entry would print without them."""
    by_key = {item.key.lower(): item for item in items}
    out: list[BibItem] = []
    findings: list[Finding] = []
    for item in items:
        name = item.fields.get("crossref", "").strip()
        parent = by_key.get(name.lower()) if name else None
        where = f"{paths.display(Path(path))}:{item.line}: {item.key}"
        if name and parent is None:
            findings.append(Finding(ERROR, where, f"crossref: no entry '{name}' in this file, "
                                    "so nothing is inherited (fix: add the parent entry, or "
                                    "remove crossref)"))
        elif parent is not None and parent.line < item.line:
            findings.append(Finding(ERROR, where, f"crossref: its parent '{name}' is at line "
                                    f"{parent.line}, before it, where BibTeX does not see it "
                                    "(fix: move the parent after the entries that cite it)"))
        if parent is None:
            out.append(item)
            continue
        taken = {k: v for k, v in parent.fields.items() if k not in item.fields
                 and k not in ("crossref", "key")}
        authors = parent.authors if "author" in taken else item.authors
        out.append(replace(item, fields={**item.fields, **taken}, authors=authors,
                           inherited=tuple(sorted(taken))))
    return out, findings


def _doi(asked: Asked) -> str | None:
    return asked.s2.value if asked.s2 and asked.s2.kind == DOI else None


def check_file(path: Path, cfg: SourceConfig, offline: bool = False, strict: bool = False,
               cache: Cache | None = None) -> CheckReport:
    """Check a .bib file against its sources: fetch what the cache lacks, compare every entry,
    collect the fixes --fix may apply."""
    bib = parse_bib(path)
    cache = cache or Cache(CHECK_CACHE_DIR, extra_read=(paths.BIB_CACHE_DIR,))
    items, crossref_findings = with_crossref(path, bib.items)
    plans = [plan(item) for item in items]
    want = Wanted.of(p.asked for p in plans)
    refresh = Refresher(cfg, cache).run(want, offline=offline, strict=strict)
    findings: list[Finding] = [*refresh.findings, *crossref_findings]
    fixes: dict[str, Fix | None] = {}
    for p in plans:
        where = f"{paths.display(Path(path))}:{p.item.line}: {p.item.key}"
        if p.software:
            findings += software_findings(where, p.item)
            continue
        if not p.asked:  # nothing to look up, and no title to print
            findings.append(Finding(ERROR, where, "title: missing, and no arXiv id or DOI "
                                    "to look the work up by (fix: add title = {...})"))
            continue
        records = p.asked.records(cache)
        if not records and offline:
            findings.append(Finding(WARNING, where, "not in the cache (offline; not checked)"))
            continue
        more, fixes[p.item.key] = compare(Work(p.item, tuple(records), p.asked.describe(), where))
        findings += more
    findings += duplicates([Identity.of(p.item, p.asked.arxiv, _doi(p.asked))
                            for p in plans if not p.software])
    return CheckReport(Path(path), len(bib.items), tuple(findings), refresh, bib, fixes, cache)
