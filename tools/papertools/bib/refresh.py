"""Bring the cache up to date: ask each source only for what the cache lacks.

Why "only what is missing": a warm cache must cost zero requests (arXiv asks for 3 s
between calls), and a failing source must never damage what is there. A new answer that
names a different work than the cached one for the same id is refused, not stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tqdm import tqdm

from maaza_core.errors import SourceError
from papertools.bib.config import SourceConfig
from papertools.bib.entrytype import is_paper_url
from papertools.bib.findings import ERROR, WARNING, Finding
from papertools.bib.latex import plain
from papertools.bib.library import Entry
from papertools.bib.lookup import ARXIV_ID, TITLE, LookupId
from papertools.bib.merge import agree
from papertools.bib.records import ARXIV, S2, Cache, Record


@dataclass(frozen=True)
class Asked:
    """What one work is looked up by, whichever command asks: its arXiv id at arXiv, and
    at Semantic Scholar its most specific id, or its title when it has no id."""

    arxiv: str | None = None  # arXiv id
    s2: LookupId | None = None  # LookupId.best(...), or LookupId.title(...)

    @classmethod
    def of(cls, arxiv: str | None = None, doi: str | None = None, s2: str | None = None,
           title: str | None = None) -> Asked:
        """What a work is looked up by: its best id, or its title when it has none."""
        if arxiv or doi or s2:
            return cls(arxiv, LookupId.best(arxiv, doi, s2))
        return cls(None, LookupId.title(title) if title else None)

    def __bool__(self) -> bool:
        return bool(self.arxiv or self.s2)

    def records(self, cache: Cache) -> list[Record]:
        """The cached records, arXiv first."""
        found = [cache.get(ARXIV, self.arxiv) if self.arxiv else None,
                 cache.get(S2, self.s2) if self.s2 else None]
        return [r for r in found if r is not None]

    def describe(self) -> str:
        """How messages name the lookups: "arXiv:2106.09685, DOI:10.1/x"."""
        asked = [LookupId(ARXIV_ID, self.arxiv)] if self.arxiv else []
        asked += [self.s2] if self.s2 and self.s2 not in asked else []
        return ", ".join(a.describe() for a in asked)


@dataclass
class Wanted:
    """The lookups a set of works needs, per source."""

    arxiv: set[str] = field(default_factory=set)  # arXiv ids
    s2: set[LookupId] = field(default_factory=set)  # batch lookups (no titles)
    titles: set[str] = field(default_factory=set)  # titles for S2's title match

    @classmethod
    def of(cls, works: Iterable[Asked]) -> Wanted:
        """The lookups of many works, grouped per source so each source is asked in batches."""
        want = cls()
        for w in works:
            if w.arxiv:
                want.arxiv.add(w.arxiv)
            if w.s2 and w.s2.kind == TITLE:
                want.titles.add(w.s2.value)
            elif w.s2:
                want.s2.add(w.s2)
        return want


@dataclass
class RefreshReport:
    """Counts for the summary line plus the findings met on the way."""

    fetched: int = 0  # records received from a source in this run
    cached: int = 0  # lookups answered from the cache
    requests: int = 0  # batches sent (one HTTP request each when nothing fails)
    findings: list[Finding] = field(default_factory=list)


def is_web_entry(entry: Entry) -> bool:
    """Software or a web page: a URL that is no paper's landing page, and no paper id.
    No paper index knows such a work, so it is never searched by title."""
    return bool(entry.url) and not entry.has_source_id and not is_paper_url(entry.url or "")


def asked_for(entry: Entry) -> Asked:
    """What a library entry is looked up by (a title only for a paper without an id)."""
    title = None if entry.has_source_id or is_web_entry(entry) else (
        plain(entry.override.get("title", "")) or None)  # braces are BibTeX's, not S2's
    return Asked.of(entry.arxiv, entry.doi, entry.s2, title)


def wanted_for(entries: Iterable[Entry]) -> Wanted:
    """The lookups the library's entries need."""
    return Wanted.of(asked_for(e) for e in entries)


def records_for(entry: Entry, cache: Cache) -> list[Record]:
    """The cached records of one entry, arXiv first."""
    return asked_for(entry).records(cache)


def _is_local(url: str) -> bool:
    return urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


def _stale(record: Record | None, cfg: SourceConfig, force: bool) -> bool:
    """Missing, forced, or seeded from the local mirror while real sources are configured."""
    if record is None or force:
        return True
    return bool(record.seeded_from) and not _is_local(cfg.arxiv_url)


class Refresher:
    """Runs the sources over what the cache lacks and stores the accepted answers."""

    def __init__(self, cfg: SourceConfig, cache: Cache, force: bool = False) -> None:
        self.cfg, self.cache, self.force = cfg, cache, force
        self._sources: dict[str, object] = {}

    def _source(self, name: str):  # created lazily: OFFLINE runs never import the clients
        if name not in self._sources:
            if name == ARXIV:
                from papertools.bib.arxiv_source import ArxivSource

                self._sources[name] = ArxivSource(self.cfg)
            else:
                from papertools.bib.s2_source import S2Source

                self._sources[name] = S2Source(self.cfg)
        return self._sources[name]

    def run(self, want: Wanted, offline: bool = False, strict: bool = False) -> RefreshReport:
        """Fetch what the cache lacks (or everything with force), batched per source; a failing
        source is a warning unless `strict`."""
        report = RefreshReport()
        todo = {
            name: sorted(i for i in ids if _stale(self._cached(name, i), self.cfg, self.force))
            for name, ids in ((ARXIV, want.arxiv), (S2, want.s2), ("titles", want.titles))
        }
        total = len(want.arxiv) + len(want.s2) + len(want.titles)
        report.cached = total - sum(len(v) for v in todo.values())
        if offline:  # stale records still answer: count what the cache holds
            report.cached = total - sum(1 for name, ids in todo.items() for i in ids
                                        if self._cached(name, i) is None)
            return report
        if not any(todo.values()):
            return report
        severity = ERROR if strict else WARNING
        with tqdm(total=total - report.cached, desc="fetching", unit="work",
                  disable=None, leave=False) as bar:
            for name in (ARXIV, S2, "titles"):
                if todo[name]:
                    self._fetch(name, todo[name], report, severity, bar.update)
        return report

    def _cached(self, name: str, lookup: str | LookupId) -> Record | None:
        """The cached record of an arXiv id, an S2 lookup or a title (a plain string)."""
        if name == "titles":
            return self.cache.get(S2, LookupId.title(str(lookup)))
        return self.cache.get(name, lookup)

    def _fetch(self, name: str, ids: list, report: RefreshReport, severity: str,
               tick) -> None:
        try:
            if name == "titles":
                source = self._source(S2)
                records = []
                for title in ids:
                    records.append(source.match_title(title))
                    tick(1)
                report.requests += len(ids)
            else:
                source = self._source(name)
                batch = self.cfg.arxiv_batch if name == ARXIV else self.cfg.s2_batch
                records = source.fetch(ids, progress=tick)
                report.requests += -(-len(ids) // batch)  # ceil(len / batch)
        except SourceError as exc:
            report.findings.append(Finding(severity, name if name != "titles" else S2,
                                           f"{exc}; keeping the cached data"))
            # What the cache still holds (stale or seeded) answers instead.
            report.cached += sum(1 for i in ids if self._cached(name, i) is not None)
            return
        for record in records:
            self._store(record, report)

    def _store(self, new: Record, report: RefreshReport) -> None:
        old = self.cache.get(new.source, new.lookup)
        if old is not None and old.found and not new.found:
            report.findings.append(Finding(WARNING, f"{new.source}:{new.lookup}",
                                           "source no longer knows this id; keeping cached"))
            return
        if old is not None and old.found and new.found and not agree(old, new):
            report.findings.append(Finding(
                WARNING, f"{new.source}:{new.lookup}",
                f"source now answers '{new.title}' instead of '{old.title}'; not stored "
                "(fix: check the id, then delete the cache file to accept it)"))
            return
        self.cache.put(new)
        report.fetched += 1
