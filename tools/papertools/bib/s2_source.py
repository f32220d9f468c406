"""Semantic Scholar through the official `semanticscholar` client: the batch endpoint.

Why our own retry loop: the client's built-in retry waits 5-60 s between tries and
cannot be tuned per call; we turn it off and wrap each call in a tenacity policy whose
base wait comes from the config (seconds in production, milliseconds in tests).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import httpx
from semanticscholar import SemanticScholar
from semanticscholar.Paper import Paper
from semanticscholar.SemanticScholarException import (
    BadQueryParametersException,
    GatewayTimeoutException,
    InternalServerErrorException,
    ObjectNotFoundException,
    SemanticScholarException,
)
from tenacity import RetryError, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from maaza_core.errors import SourceError
from papertools.bib.config import SourceConfig
from papertools.bib.lookup import ARXIV_ID, CORPUS_ID, DOI, LookupId
from papertools.bib.records import S2, Record, now_iso
from papertools.bib.venues import CONFERENCE, JOURNAL, WORKSHOP

# The fields a record uses; asking for fewer keeps responses small.
FIELDS = [
    "paperId", "externalIds", "title", "authors", "year", "venue",
    "publicationVenue", "journal", "publicationTypes",
]
# What the client raises when the service or the network fails, and the HTTP status each
# stands for. A malformed body reaches us as the JSONDecodeError of httpx's .json(). Any
# other exception (a KeyError, a TypeError) is a bug, ours or the client's, and keeps its
# traceback instead of becoming a "keeping the cached data" warning.
_STATUS: dict[type[BaseException], int | None] = {
    BadQueryParametersException: 400, PermissionError: 403, ObjectNotFoundException: 404,
    ConnectionRefusedError: 429, InternalServerErrorException: 500,
    GatewayTimeoutException: 504, SemanticScholarException: None, httpx.HTTPError: None,
    json.JSONDecodeError: 200, RetryError: 429,
}
_FAILURES = tuple(_STATUS)


def _is_429(exc: BaseException) -> bool:
    """The client raises ConnectionRefusedError on 429; with its own retry off it arrives
    wrapped in tenacity's RetryError."""
    if isinstance(exc, RetryError):
        exc = exc.last_attempt.exception() or exc
    return isinstance(exc, ConnectionRefusedError)
# The client logs every not-found id as a warning; we report them ourselves.
logging.getLogger("semanticscholar").setLevel(logging.ERROR)


class S2Source:
    """Fetches Semantic Scholar records by id (batched) or by exact title match."""

    name = S2

    def __init__(self, cfg: SourceConfig) -> None:
        self.cfg = cfg
        base = cfg.s2_url.rstrip("/").removesuffix("/graph/v1")  # the client appends it
        self.client = SemanticScholar(
            timeout=cfg.timeout, api_key=cfg.s2_api_key, api_url=base, retry=False
        )

    def _call(self, url: str, fn: Callable[[], object]) -> object:
        retrying = Retrying(
            retry=retry_if_exception(_is_429),
            wait=wait_exponential(multiplier=self.cfg.backoff, max=60),
            stop=stop_after_attempt(self.cfg.retries + 1),
            reraise=True,
        )
        try:
            return retrying(fn)
        except _FAILURES as exc:
            status = next(code for kind, code in _STATUS.items() if isinstance(exc, kind))
            raise SourceError(url, f"Semantic Scholar: {type(exc).__name__}: {exc}",
                              status=status,
                              attempt=retrying.statistics.get("attempt_number")) from exc

    def fetch(
        self, lookups: Iterable[LookupId], progress: Callable[[int], None] | None = None
    ) -> list[Record]:
        """One record per lookup id (an arXiv id, a DOI, a CorpusId or a paperId)."""
        wanted = sorted(set(lookups), key=lambda i: i.text)
        records: list[Record] = []
        url = self.cfg.s2_url.rstrip("/") + "/paper/batch"
        for start in range(0, len(wanted), self.cfg.s2_batch):
            chunk = wanted[start : start + self.cfg.s2_batch]
            texts = [i.text for i in chunk]
            papers = self._call(url, lambda t=texts: self.client.get_papers(t, fields=FIELDS))
            when = now_iso()
            for lookup in chunk:
                paper = next((p for p in papers if _answers(p, lookup)), None)  # type: ignore[union-attr]
                records.append(_record(lookup.text, paper, url, when))
            if progress:
                progress(len(chunk))
        return records

    def match_title(self, title: str) -> Record:
        """The paper whose title best matches (S2's /paper/search/match), or not found."""
        url = self.cfg.s2_url.rstrip("/") + "/paper/search/match"
        lookup = LookupId.title(title).text

        def ask() -> Paper | None:
            try:
                return self.client.search_paper(title, match_title=True, fields=FIELDS)
            except ObjectNotFoundException:
                return None

        paper = self._call(url, ask)
        return _record(lookup, paper, url, now_iso())  # type: ignore[arg-type]


def _answers(paper: Paper, lookup: LookupId) -> bool:
    ext = paper.externalIds or {}
    if lookup.kind == ARXIV_ID:
        return str(ext.get("ArXiv", "")).lower() == lookup.value.lower()
    if lookup.kind == DOI:
        return str(ext.get("DOI", "")).lower() == lookup.value.lower()
    if lookup.kind == CORPUS_ID:
        return str(ext.get("CorpusId") or paper.raw_data.get("corpusId") or "") == lookup.value
    return paper.paperId == lookup.value


# S2's publication types that make a paper published, and the venue kind each means.
_TYPES = {"Conference": CONFERENCE, "JournalArticle": JOURNAL}


@dataclass(frozen=True)
class S2Venue:
    """Where S2 says a paper appeared, as the steps below normalize it."""

    name: str | None  # the venue's or the journal's name
    kind: str | None  # CONFERENCE | JOURNAL | WORKSHOP | None (a preprint)


def _named(raw: dict[str, Any]) -> S2Venue:
    """The venue name (or the journal's) and the first publication type that says where."""
    journal = raw.get("journal") or {}
    types = raw.get("publicationTypes") or []
    return S2Venue((raw.get("venue") or journal.get("name") or "").strip() or None,
                   next((_TYPES[t] for t in types if t in _TYPES), None))


def _not_arxiv(v: S2Venue) -> S2Venue:
    """S2 files preprints as journal articles of "arXiv.org"."""
    return S2Venue(None, None) if v.name and v.name.lower() in ("arxiv", "arxiv.org") else v


def _workshop(v: S2Venue) -> S2Venue:
    """S2 types a workshop paper as a conference paper; only the name tells."""
    if v.kind == CONFERENCE and v.name and "workshop" in v.name.lower():
        return replace(v, kind=WORKSHOP)
    return v


def _typed_only(v: S2Venue) -> S2Venue:
    """A name without a publication type is no publication: no venue at all."""
    return v if v.kind else S2Venue(None, None)


# S2's venue normalization, one small pure step each, in order (like merge.STEPS).
VENUE_STEPS: tuple[Callable[[S2Venue], S2Venue], ...] = (_not_arxiv, _workshop, _typed_only)


def venue_of(raw: dict[str, Any]) -> S2Venue:
    """The venue of a Semantic Scholar paper object, after the corrections VENUE_STEPS make in
    order."""
    venue = _named(raw)
    for step in VENUE_STEPS:
        venue = step(venue)
    return venue


def _record(lookup: str, paper: Paper | None, url: str, when: str) -> Record:
    if paper is None:
        return Record(S2, lookup, found=False, fetched_at=when, fetched_from=url)
    raw = paper.raw_data
    ext = raw.get("externalIds") or {}
    journal = raw.get("journal") or {}
    venue = venue_of(raw)
    return Record(
        source=S2,
        lookup=lookup,
        found=True,
        title=" ".join((raw.get("title") or "").split()),
        authors=tuple(a.get("name", "") for a in raw.get("authors") or []),
        year=raw.get("year"),
        arxiv_id=ext.get("ArXiv"),
        doi=ext.get("DOI"),
        venue=venue.name,
        venue_type=venue.kind,
        pages=_pages(journal.get("pages")),
        volume=(journal.get("volume") or "").strip() or None,
        s2_id=raw.get("paperId"),
        fetched_at=when,
        fetched_from=url,
    )


def _pages(pages: str | None) -> str | None:
    """S2 writes "12-34" or " 12 - 34"; BibTeX wants "12--34"."""
    if not pages:
        return None
    parts = [p.strip() for p in pages.replace("--", "-").split("-") if p.strip()]
    return "--".join(parts) or None
