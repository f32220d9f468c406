"""A local server that answers like the arXiv and Semantic Scholar APIs, from facts.

Why a server and not a shortcut past the sources: `papertools bib seed-cache` must write
the cache the real refresh code would write (there is no network where the committed
cache was built), so it runs that code, clients included, against this server, which
serves the hand-gathered facts (seed.py) in the sources' own formats. It counts requests
per source; the tests' mirror (tests/tools/bib/apimirror.py) builds on it to replay
recorded responses and inject failures.
"""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from rapidfuzz import fuzz, process, utils

from papertools.bib.library import strip_arxiv_version
from papertools.bib.seed import Fact

# A title query matches a work when rapidfuzz's token_sort_ratio is at least this.
TITLE_MATCH_THRESHOLD = 90.0
Answer = tuple[int, bytes]  # HTTP status and body

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


class FactServer:
    """The server plus its state; use as a context manager or call start()/stop()."""

    def __init__(self, facts: Iterable[Fact] = ()) -> None:
        self.facts = list(facts)
        self.by_arxiv = {f.arxiv_id: f for f in self.facts if f.arxiv_id}
        self.by_doi = {f.doi.lower(): f for f in self.facts if f.doi}
        self.by_s2 = {f"seed-{f.key}": f for f in self.facts}
        self.counts: Counter[str] = Counter()  # requests per source ("arxiv", "s2")
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True

    @property
    def base(self) -> str:
        """The server's root URL (after `start`)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def arxiv_url(self) -> str:
        """What ARXIV_API_URL points at to use this server."""
        return self.base + "/arxiv/api/query"

    @property
    def s2_url(self) -> str:
        """What S2_API_URL points at to use this server."""
        return self.base + "/s2/graph/v1"

    def start(self) -> FactServer:
        """Serve on a free local port in a background thread."""
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Shut the server down and wait for its thread."""
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FactServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def respond(self, source: str, answer: Callable[[], Answer]) -> Answer:
        """Count one request to `source` and answer it (the tests' mirror overrides this
        to inject failures)."""
        with self._lock:
            self.counts[source] += 1
        return answer()

    # --- answers -----------------------------------------------------------------------
    def arxiv_answer(self, query: dict[str, list[str]]) -> Answer:
        """An Atom feed of the facts the arXiv query asks for (id_list), as the export API
        answers."""
        ids = query.get("id_list", [""])[0]
        wanted = [strip_arxiv_version(i) for i in ids.split(",") if i]
        return 200, _atom_feed([self.by_arxiv[i] for i in wanted if i in self.by_arxiv])

    def s2_batch_answer(self, ids: list[str], query: dict[str, list[str]] | None = None,
                        ) -> Answer:
        """The paper objects of a POST /paper/batch, null for an id no fact has, as Semantic Scholar
        answers."""
        out = [self._s2_find(i) for i in ids]
        return 200, json.dumps([s2_paper(f) if f else None for f in out]).encode()

    def _s2_find(self, lookup: str) -> Fact | None:
        kind, _, value = lookup.partition(":")
        if kind.upper() == "ARXIV":
            return self.by_arxiv.get(strip_arxiv_version(value))
        if kind.upper() == "DOI":
            return self.by_doi.get(value.lower())
        return self.by_s2.get(lookup)

    def s2_get_answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        """A title match from the facts, else 404."""
        flat = {k: v[0] for k, v in query.items()}
        if path.endswith("/paper/search/match"):
            return self.s2_match_answer(flat.get("query", ""))
        return _NO_ENDPOINT

    def s2_match_answer(self, title: str) -> Answer:
        """The best title match, or a 404, as Semantic Scholar's /paper/search/match answers."""
        titles = [f.title for f in self.facts if f.authors]
        # Case and punctuation folded (default_process), as S2's own matcher ignores them.
        hit = process.extractOne(title, titles, scorer=fuzz.token_sort_ratio,
                                 processor=utils.default_process,
                                 score_cutoff=TITLE_MATCH_THRESHOLD)
        if not hit:
            return 404, json.dumps({"error": "Title match not found"}).encode()
        fact = next(f for f in self.facts if f.title == hit[0])
        return 200, json.dumps({"data": [{**s2_paper(fact), "matchScore": hit[1]}]}).encode()


def _handler(server: FactServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def _send(self, answer: Answer, kind: str) -> None:
            status, body = answer
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if url.path.startswith("/arxiv/"):
                self._send(server.respond("arxiv", lambda: server.arxiv_answer(query)),
                           "application/atom+xml")
            elif url.path.startswith("/s2/"):
                self._send(server.respond("s2", lambda: server.s2_get_answer(url.path, query)),
                           "application/json")
            else:
                self._send(_NO_ENDPOINT, "application/json")

        def do_POST(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(length)
            if not url.path.endswith("/paper/batch"):
                self._send(_NO_ENDPOINT, "application/json")
                return
            ids = json.loads(payload or b"{}").get("ids", [])
            query = parse_qs(url.query)  # the fields asked for (a recorder forwards them)
            self._send(server.respond("s2", lambda: server.s2_batch_answer(ids, query)),
                       "application/json")

    return Handler


_NO_ENDPOINT: Answer = (404, b'{"error": "no such endpoint"}')
