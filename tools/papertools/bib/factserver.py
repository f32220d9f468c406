"""A local stand-in for the arXiv and Semantic Scholar APIs, answering in their formats.

Why it lives in the package, not only in the tests: the committed cache is produced by
the real refresh code talking to this mirror (there is no network where it was built),
and the benchmark uses it too. It serves (1) the real recorded responses in
tests/fixtures/api-recordings and (2) responses built from hand-gathered facts (seed.py), counts
requests per source, and can be told to fail the next requests (429, 500, timeout,
malformed body) to exercise the error paths.
"""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from rapidfuzz import fuzz, process, utils

from maaza_core import paths
from papertools.bib.library import strip_arxiv_version
from papertools.bib.recordings import Recordings
from papertools.bib.seed import Fact

RECORDINGS = paths.API_RECORDINGS_DIR
# A title query matches a work when rapidfuzz's token_sort_ratio is at least this.
TITLE_MATCH_THRESHOLD = 90.0
# Fault names accepted by Mirror.fail(); an int is an HTTP status to answer with.
TIMEOUT, MALFORMED = "timeout", "malformed"

_ATOM = "http://www.w3.org/2005/Atom"
_ARXIV_NS = "http://arxiv.org/schemas/atom"
_OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"


def _atom_feed(facts: list[Fact]) -> bytes:
    ET.register_namespace("", _ATOM)
    ET.register_namespace("arxiv", _ARXIV_NS)
    ET.register_namespace("opensearch", _OPENSEARCH)
    feed = ET.Element(f"{{{_ATOM}}}feed")
    ET.SubElement(feed, f"{{{_OPENSEARCH}}}totalResults").text = str(len(facts))
    ET.SubElement(feed, f"{{{_OPENSEARCH}}}startIndex").text = "0"
    ET.SubElement(feed, f"{{{_OPENSEARCH}}}itemsPerPage").text = str(len(facts))
    for f in facts:
        entry = ET.SubElement(feed, f"{{{_ATOM}}}entry")
        ET.SubElement(entry, f"{{{_ATOM}}}id").text = f"http://arxiv.org/abs/{f.arxiv_id}v1"
        # papers.json knows the year of the first version only; mid-year is a placeholder.
        stamp = f"{f.arxiv_year}-07-01T00:00:00Z"
        ET.SubElement(entry, f"{{{_ATOM}}}updated").text = stamp
        ET.SubElement(entry, f"{{{_ATOM}}}published").text = stamp
        ET.SubElement(entry, f"{{{_ATOM}}}title").text = f.title
        ET.SubElement(entry, f"{{{_ATOM}}}summary").text = ""
        for name in f.authors:
            author = ET.SubElement(entry, f"{{{_ATOM}}}author")
            ET.SubElement(author, f"{{{_ATOM}}}name").text = name
        if f.doi:
            ET.SubElement(entry, f"{{{_ARXIV_NS}}}doi").text = f.doi
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def s2_paper(f: Fact) -> dict[str, Any]:
    """A Graph API paper object for a fact, shaped like the live API's answers."""
    ext: dict[str, Any] = {}
    if f.arxiv_id:
        ext["ArXiv"] = f.arxiv_id
    if f.doi:
        ext["DOI"] = f.doi
    published = f.venue_type in ("conference", "workshop", "journal")
    journal = {"name": f.venue, "pages": f.pages} if published else None
    if not published and f.arxiv_id:  # S2 files preprints under the journal "ArXiv"
        journal = {"name": "ArXiv", "volume": f"abs/{f.arxiv_id}"}
    types = {"conference": ["Conference"], "workshop": ["Conference"]}.get(
        f.venue_type or "", ["JournalArticle"] if f.arxiv_id or published else None
    )
    return {
        "paperId": f"seed-{f.key}",
        "externalIds": ext,
        "title": f.title,
        "authors": [{"authorId": None, "name": a} for a in f.authors],
        "year": (f.venue_year if published else None) or f.arxiv_year or f.venue_year,
        "venue": f.venue if published else ("arXiv.org" if f.arxiv_id else ""),
        "publicationVenue": None,
        "journal": journal,
        "publicationTypes": types,
    }


class Mirror:
    """The server plus its state; use as a context manager or call start()/stop()."""

    def __init__(self, facts: Iterable[Fact] = (), recordings: bool = True) -> None:
        self.facts = list(facts)
        self.by_arxiv = {f.arxiv_id: f for f in self.facts if f.arxiv_id}
        self.by_doi = {f.doi.lower(): f for f in self.facts if f.doi}
        self.by_s2 = {f"seed-{f.key}": f for f in self.facts}
        self.recordings = Recordings(RECORDINGS) if recordings and RECORDINGS.exists() \
            else None
        self.counts: Counter[str] = Counter()  # requests per source ("arxiv", "s2")
        self.faults: dict[str, list[int | str]] = {"arxiv": [], "s2": []}
        self.timeout_seconds = 2.0  # how long a TIMEOUT fault stalls before answering
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def arxiv_url(self) -> str:
        return self.base + "/arxiv/api/query"

    @property
    def s2_url(self) -> str:
        return self.base + "/s2/graph/v1"

    def fail(self, source: str, *faults: int | str) -> None:
        """Answer the next len(faults) requests to `source` with these faults, in order."""
        self.faults[source].extend(faults)

    def start(self) -> Mirror:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Mirror:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def next_fault(self, source: str) -> int | str | None:
        with self._lock:
            self.counts[source] += 1
            return self.faults[source].pop(0) if self.faults[source] else None

    # --- answers -----------------------------------------------------------------------
    def arxiv_answer(self, query: dict[str, list[str]]) -> tuple[int, bytes]:
        ids = query.get("id_list", [""])[0]
        if self.recordings and (rec := self.recordings.arxiv(
                {k: v[0] for k, v in query.items()})):
            return rec.status, rec.body
        wanted = [strip_arxiv_version(i) for i in ids.split(",") if i]
        return 200, _atom_feed([self.by_arxiv[i] for i in wanted if i in self.by_arxiv])

    def s2_batch_answer(self, ids: list[str]) -> tuple[int, bytes]:
        if self.recordings and (answer := self.recordings.s2_batch(ids)):
            return answer
        out = [self._s2_find(i) for i in ids]
        return 200, json.dumps([s2_paper(f) if f else None for f in out]).encode()

    def _s2_find(self, lookup: str) -> Fact | None:
        kind, _, value = lookup.partition(":")
        if kind.upper() == "ARXIV":
            return self.by_arxiv.get(strip_arxiv_version(value))
        if kind.upper() == "DOI":
            return self.by_doi.get(value.lower())
        return self.by_s2.get(lookup)

    def s2_get_answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes]:
        """A recorded GET answer, else a title match from the facts, else 404."""
        flat = {k: v[0] for k, v in query.items()}
        if self.recordings and (rec := self.recordings.s2_get(path, flat)):
            return rec.status, rec.body
        if path.endswith("/paper/search/match"):
            return self.s2_match_answer(flat.get("query", ""))
        return 404, b'{"error": "no such endpoint"}'

    def s2_match_answer(self, title: str) -> tuple[int, bytes]:
        titles = [f.title for f in self.facts if f.authors]
        # Case and punctuation folded (default_process), as S2's own matcher ignores them.
        hit = process.extractOne(title, titles, scorer=fuzz.token_sort_ratio,
                                 processor=utils.default_process,
                                 score_cutoff=TITLE_MATCH_THRESHOLD)
        if not hit:
            return 404, json.dumps({"error": "Title match not found"}).encode()
        fact = next(f for f in self.facts if f.title == hit[0])
        return 200, json.dumps({"data": [{**s2_paper(fact), "matchScore": hit[1]}]}).encode()


def _handler(mirror: Mirror) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _fault(self, source: str, kind: str) -> bool:
            fault = mirror.next_fault(source)
            if fault is None:
                return False
            if fault == TIMEOUT:
                time.sleep(mirror.timeout_seconds)
                self._send(200, b"", kind)
            elif fault == MALFORMED:
                self._send(200, b'<feed><entry><title>cut off' if source == "arxiv"
                           else b'[{"paperId": "x", "title": ', kind)
            else:
                self._send(int(fault), json.dumps({"message": "injected", "error": "x"})
                           .encode(), kind)
            return True

        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if url.path.startswith("/arxiv/"):
                if not self._fault("arxiv", "application/atom+xml"):
                    self._send(*mirror.arxiv_answer(query), "application/atom+xml")
            elif url.path.startswith("/s2/"):
                if not self._fault("s2", "application/json"):
                    self._send(*mirror.s2_get_answer(url.path, query), "application/json")
            else:
                self._send(404, b'{"error": "no such endpoint"}', "application/json")

        def do_POST(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(length)
            if not url.path.endswith("/paper/batch"):
                self._send(404, b'{"error": "no such endpoint"}', "application/json")
            elif not self._fault("s2", "application/json"):
                ids = json.loads(payload or b"{}").get("ids", [])
                self._send(*mirror.s2_batch_answer(ids), "application/json")

    return Handler
