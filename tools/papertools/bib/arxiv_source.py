"""arXiv's export API: many ids per request, read from its documented Atom feed.

Why our own requests and not the `arxiv` package's Client: the client (4.x) takes no
timeout, accepts a malformed body silently (its lxml parser runs in recover mode, which
turns a cut-off feed into "no results" and would cache every id as not found), and has
no public way to change the HTTP session that would close either gap. One GET per batch
with `requests` (timeout, retries on 429/5xx and refused connections, a strict XML parse)
needs only public API; the few Atom fields read here are the ones arXiv's API user manual
documents ("Details of Atom Results Returned").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from urllib.parse import urlencode

import requests
from lxml import etree
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from maaza_core.errors import SourceError
from papertools.bib.config import SourceConfig
from papertools.bib.library import strip_arxiv_version
from papertools.bib.records import ARXIV, Record, now_iso

_NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
_ABS = "arxiv.org/abs/"  # entry ids are abstract URLs; error entries are not
# A strict parser: a truncated body is an error, never an empty feed.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class _Retryable(Exception):
    """A 429 or 5xx answer, or a refused connection: worth another try."""

    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(message)
        self.status = status


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, _Retryable)


class ArxivSource:
    """Fetches arXiv records by id, `cfg.arxiv_batch` ids per request, `cfg.arxiv_delay`
    seconds apart (arXiv's terms of use ask for 3)."""

    name = ARXIV

    def __init__(self, cfg: SourceConfig) -> None:
        self.cfg = cfg
        self.session = requests.Session()
        self._last: float | None = None  # time.monotonic() of the last request

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
        feed = self._get({"id_list": ",".join(chunk), "max_results": str(len(chunk))},
                         f"{len(chunk)} ids")
        when = now_iso()
        by_id = {strip_arxiv_version(_text(e, "atom:id").split(_ABS)[-1]): e
                 for e in _entries(feed)}
        return [
            _record(i, by_id[i], url, when) if i in by_id else Record(
                ARXIV, i, found=False, fetched_at=when, fetched_from=url
            )
            for i in chunk
        ]

    def _get(self, params: dict[str, str], what: str) -> etree._Element:
        """The parsed feed; SourceError naming the endpoint, status and attempt."""
        retrying = Retrying(
            retry=retry_if_exception(_is_retryable),
            wait=wait_exponential(multiplier=self.cfg.backoff, max=60),
            stop=stop_after_attempt(self.cfg.retries + 1),
            reraise=True,
        )
        url = self.cfg.arxiv_url
        try:
            for attempt in retrying:
                with attempt:
                    number = attempt.retry_state.attempt_number
                    return self._try(url, params, what, number)
        except _Retryable as exc:
            raise SourceError(url, f"arXiv ({what}): {exc}", status=exc.status,
                              attempt=number) from exc
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    def _try(self, url: str, params: dict[str, str], what: str,
             attempt: int) -> etree._Element:
        if self._last is not None:
            time.sleep(max(0.0, self.cfg.arxiv_delay - (time.monotonic() - self._last)))
        try:
            resp = self.session.get(url, params=params, timeout=self.cfg.timeout)
        except requests.ConnectionError as exc:
            raise _Retryable(None, f"no connection: {exc}") from exc
        except requests.RequestException as exc:  # a read timeout: not worth repeating
            raise SourceError(url, f"arXiv ({what}): {exc}", attempt=attempt) from exc
        finally:
            self._last = time.monotonic()
        if resp.status_code == 429 or resp.status_code >= 500:
            raise _Retryable(resp.status_code, "the server refused or failed")
        if resp.status_code != 200:
            raise SourceError(url, f"arXiv ({what}): the request was refused",
                              status=resp.status_code, attempt=attempt)
        try:
            return etree.fromstring(resp.content, parser=_PARSER)
        except etree.XMLSyntaxError as exc:
            raise SourceError(url, f"arXiv ({what}): malformed XML: {exc}",
                              status=200, attempt=attempt) from exc


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path, _NS)
    return found.text or "" if found is not None else ""


def _entries(feed: etree._Element) -> list[etree._Element]:
    """The feed's paper entries; arXiv's error entries (ids under /api/errors) and
    entries without both dates are not papers."""
    return [e for e in feed.iterfind("atom:entry", _NS)
            if _ABS in _text(e, "atom:id") and _text(e, "atom:published")
            and _text(e, "atom:updated")]


def _year(stamp: str) -> int:
    return datetime.fromisoformat(stamp.strip().replace("Z", "+00:00")).astimezone(UTC).year


def _record(lookup: str, entry: etree._Element, url: str, when: str) -> Record:
    published, updated = _year(_text(entry, "atom:published")), \
        _year(_text(entry, "atom:updated"))
    comment = _text(entry, "arxiv:comment")
    # The comment, and the latest version's year when it differs from v1's: a citation
    # of the later version is correct with that year.
    extra: dict[str, object] = {"comment": comment} if comment else {}
    if updated != published:
        extra["updated_year"] = updated
    return Record(
        source=ARXIV,
        lookup=lookup,
        found=True,
        title=" ".join(_text(entry, "atom:title").split()),
        authors=tuple(_text(a, "atom:name") for a in entry.iterfind("atom:author", _NS)),
        year=published,
        arxiv_id=lookup,
        doi=_text(entry, "arxiv:doi") or None,
        venue=_text(entry, "arxiv:journal_ref") or None,
        venue_type=None,
        fetched_at=when,
        fetched_from=url,
        extra=extra,
    )
