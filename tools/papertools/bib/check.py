"""`bib-check`: verify any .bib file against the sources, with a JSON report on request.

Why a separate cache folder: checking someone else's file must not add records to the
committed bib/cache/; it reads the committed records and writes new ones under build/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from papertools import paths
from papertools.bib.bibfile import BibItem, read_bib
from papertools.bib.config import SourceConfig
from papertools.bib.dedupe import Identity, duplicates
from papertools.bib.findings import ERROR, WARNING, Finding, count
from papertools.bib.records import ARXIV, S2, Cache, Record
from papertools.bib.refresh import Refresher, RefreshReport, Wanted
from papertools.bib.s2_source import lookup_for
from papertools.bib.verify import _year, compare_item, ids_of, plain

CHECK_CACHE_DIR = paths.BUILD_DIR / "bib-check-cache"  # records fetched for other files


@dataclass(frozen=True)
class CheckReport:
    """Findings for one file plus the fetch statistics."""

    path: Path  # the checked file
    entries: int  # entries read
    findings: tuple[Finding, ...]  # errors and warnings, in file order
    refresh: RefreshReport  # what had to be fetched

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


def _lookups(item: BibItem) -> tuple[str | None, str | None, str | None]:
    """(arXiv id, S2 lookup, title lookup) for one item."""
    arxiv, doi = ids_of(item)
    if arxiv or doi:
        return arxiv, lookup_for(arxiv=arxiv, doi=doi), None
    title = plain(item.fields.get("title", ""))
    return None, None, title or None


def _records(cache: Cache, arxiv: str | None, s2: str | None, title: str | None) -> list[Record]:
    found = [cache.get(ARXIV, arxiv) if arxiv else None, cache.get(S2, s2) if s2 else None,
             cache.get(S2, "TITLE:" + title) if title else None]
    return [r for r in found if r is not None]


def check_file(path: Path, cfg: SourceConfig, offline: bool = False, strict: bool = False,
               cache: Cache | None = None) -> CheckReport:
    items = read_bib(path)
    cache = cache or Cache(CHECK_CACHE_DIR, extra_read=(paths.BIB_CACHE_DIR,))
    plan = [(item, *_lookups(item)) for item in items]
    want = Wanted(
        arxiv={a for _, a, _, _ in plan if a}, s2={s for _, _, s, _ in plan if s},
        titles={t for _, _, _, t in plan if t},
    )
    refresh = Refresher(cfg, cache).run(want, offline=offline, strict=strict)
    findings: list[Finding] = list(refresh.findings)
    idents = []
    for item, arxiv, s2, title in plan:
        records = _records(cache, arxiv, s2, title)
        if not records and offline:
            findings.append(Finding(WARNING, item.key, "not in the cache (offline; not checked)"))
            continue
        ids = ", ".join(x for x in (arxiv and f"arXiv:{arxiv}", s2 if s2 and not
                                    s2.startswith("ARXIV:") else None,
                                    title and f'title "{title}"') if x)
        findings += [Finding(f.severity, f"{path}:{item.line}: {item.key}", f.message)
                     for f in compare_item(item, records, ids)]
        first = item.authors[0] if item.authors else ""
        idents.append(Identity(item.key, arxiv, s2[4:] if s2 and s2.startswith("DOI:") else
                               None, None, plain(item.fields.get("title", "")), plain(first),
                               _year(item.fields.get("year"))))
    findings += duplicates(idents)
    return CheckReport(Path(path), len(items), tuple(findings), refresh)
