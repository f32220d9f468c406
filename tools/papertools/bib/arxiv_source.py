"""arXiv through the official `arxiv` client: many ids per request, one Client reused.

Why a custom requests.Session: `arxiv.Client` (4.x) has no timeout and accepts a
malformed body silently (lxml's recover mode turns it into "no results", which would
cache every id as not found). A session with a default timeout and a response hook that
rejects non-XML bodies closes both gaps; the base URL is set through the class's
documented `query_url_format` attribute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlencode

import arxiv
import requests
from lxml import etree

from papertools.bib.config import SourceConfig, SourceError
from papertools.bib.library import strip_arxiv_version
from papertools.bib.records import ARXIV, Record, now_iso


class _MalformedResponse(requests.RequestException):
    pass


class _Session(requests.Session):
    """Adds a default timeout and rejects 200 responses that are not well-formed XML."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout
        self.hooks["response"].append(self._check_xml)

    def request(self, method: str, url: str, *args: object, **kwargs: object):  # type: ignore[override]
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, *args, **kwargs)

    @staticmethod
    def _check_xml(resp: requests.Response, *args: object, **kwargs: object) -> None:
        if resp.status_code != 200:
            return
        try:
            etree.fromstring(resp.content, parser=etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError as exc:
            raise _MalformedResponse(f"malformed XML from {resp.url}: {exc}") from exc


class ArxivSource:
    """Fetches arXiv records by id, `cfg.arxiv_batch` ids per request."""

    name = ARXIV

    def __init__(self, cfg: SourceConfig) -> None:
        self.cfg = cfg
        self.client = arxiv.Client(
            page_size=cfg.arxiv_batch, delay_seconds=cfg.arxiv_delay, num_retries=cfg.retries
        )
        self.client.query_url_format = cfg.arxiv_url + "?{}"
        self.client._session = _Session(cfg.timeout)  # the only hook for timeout + checks

    def fetch(
        self, ids: Iterable[str], progress: Callable[[int], None] | None = None
    ) -> list[Record]:
        """One record per requested id (found=False when arXiv does not know it)."""
        wanted = sorted({strip_arxiv_version(i) for i in ids})
        records: list[Record] = []
        for start in range(0, len(wanted), self.cfg.arxiv_batch):
            chunk = wanted[start : start + self.cfg.arxiv_batch]
            records += self._fetch_chunk(chunk)
            if progress:
                progress(len(chunk))
        return records

    def _fetch_chunk(self, chunk: list[str]) -> list[Record]:
        url = self.cfg.arxiv_url + "?" + urlencode({"id_list": ",".join(chunk)})
        search = arxiv.Search(id_list=chunk, max_results=len(chunk))
        try:
            results = list(self.client.results(search))
        except (arxiv.ArxivError, requests.RequestException) as exc:
            # The client's message repeats the whole URL; name the endpoint and the count.
            raise SourceError(f"arXiv: {self.cfg.arxiv_url} ({len(chunk)} ids): {exc}") from exc
        when = now_iso()
        by_id = {strip_arxiv_version(r.get_short_id()): r for r in results}
        return [
            _record(i, by_id[i], url, when) if i in by_id else Record(
                ARXIV, i, found=False, fetched_at=when, fetched_from=url
            )
            for i in chunk
        ]


def _record(lookup: str, r: arxiv.Result, url: str, when: str) -> Record:
    return Record(
        source=ARXIV,
        lookup=lookup,
        found=True,
        title=" ".join(r.title.split()),
        authors=tuple(a.name for a in r.authors),
        year=r.published.year,
        arxiv_id=lookup,
        doi=r.doi,
        venue=r.journal_ref,
        venue_type=None,
        fetched_at=when,
        fetched_from=url,
        extra=_extra(r),
    )


def _extra(r: arxiv.Result) -> dict[str, object]:
    """The comment, and the latest version's year when it differs from v1's: a citation
    of the later version is correct with that year."""
    extra: dict[str, object] = {"comment": r.comment} if r.comment else {}
    if r.updated and r.updated.year != r.published.year:
        extra["updated_year"] = r.updated.year
    return extra
