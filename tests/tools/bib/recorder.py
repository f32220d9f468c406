"""Refresh the recorded API responses: the mirror forwards each request to the real API
and saves the answer where the replay will find it (`pytest tests/tools/bib --record`).

Why through the mirror: the tests already make exactly the requests the recordings must
answer, through our sources and the `arxiv` and `semanticscholar` clients; forwarding
them records what the APIs answer today. A request that a recording answers overwrites
that recording (an arXiv file, one interaction of a cassette, a paper object); a new
request gets a new file, named as arxiv.py names its fixtures (readable prefix + hash of
the URL) or appended to `semanticscholar/recorded.yaml`, a cassette in vcrpy's format.

The upstream base URLs come from RECORD_ARXIV_URL and RECORD_S2_URL (default: the public
endpoints of papertools.bib.config); S2_API_KEY, when set, is sent and never written.
arXiv is asked at most once every RECORD_ARXIV_DELAY seconds (default 3, its terms).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
import yaml
from recordings import Recordings

from maaza_core.atomic import write_atomic
from papertools.bib.config import DEFAULT_ARXIV_URL, DEFAULT_S2_URL

Answer = tuple[int, bytes]
CASSETTE = "recorded.yaml"  # new Semantic Scholar interactions go here


def arxiv_fixture_name(url: str) -> str:
    """arxiv.py's fixture name: id list or query, start and page size, and a URL hash."""
    qs = parse_qs(urlsplit(url).query)
    parts = []
    if qs.get("search_query", [""])[0]:
        parts.append("q_" + qs["search_query"][0])
    if qs.get("id_list", [""])[0]:
        parts.append("id_" + qs["id_list"][0].replace("/", "_").replace(",", "_"))
    parts += ["s" + qs.get("start", ["0"])[0], "m" + qs.get("max_results", ["10"])[0]]
    return f"{'_'.join(parts)}_{hashlib.sha256(url.encode()).hexdigest()[:12]}.json"


class Recorder:
    """Forwards the mirror's requests upstream and writes the answers into `folder`."""

    def __init__(self, folder: Path, arxiv_url: str | None = None, s2_url: str | None = None,
                 arxiv_delay: float | None = None) -> None:
        env = os.environ
        self.folder = folder
        self.arxiv_url = arxiv_url or env.get("RECORD_ARXIV_URL") or DEFAULT_ARXIV_URL
        self.s2_url = (s2_url or env.get("RECORD_S2_URL") or DEFAULT_S2_URL).rstrip("/")
        self.arxiv_delay = float(env.get("RECORD_ARXIV_DELAY", 3.0)) if arxiv_delay is None \
            else arxiv_delay
        self.existing = Recordings(folder)  # which file answers which request today
        self.written: list[str] = []  # what this session wrote, for the summary
        self._lock = threading.Lock()
        self._last_arxiv = 0.0
        self._session = requests.Session()
        key = env.get("S2_API_KEY")
        self._s2_headers = {"x-api-key": key} if key else {}

    # --- forwarding ----------------------------------------------------------------------
    def arxiv(self, query: dict[str, list[str]]) -> Answer:
        """Ask arXiv's export API, politely spaced, and save the answer as a fixture."""
        url = f"{self.arxiv_url}?{urlencode(query, doseq=True)}"
        with self._lock:
            time.sleep(max(0.0, self._last_arxiv + self.arxiv_delay - time.monotonic()))
            resp = self._session.get(url, timeout=60)
            self._last_arxiv = time.monotonic()
        old = self.existing.arxiv({k: v[0] for k, v in query.items()})
        name = old.name if old else arxiv_fixture_name(url)
        # Latin-1 round-trips any bytes through JSON text (arxiv.py's fixture format).
        self._write(self.folder / "arxiv" / name, json.dumps(
            {"url": url, "status_code": resp.status_code,
             "body": resp.content.decode("latin-1")}, indent=2) + "\n")
        return resp.status_code, resp.content

    def s2_get(self, path: str, query: dict[str, list[str]]) -> Answer:
        """Ask a Semantic Scholar GET endpoint (path as the mirror got it: /s2/graph/v1/...)."""
        url = self.s2_url + path.split("/graph/v1", 1)[-1]
        resp = self._session.get(url, params=query, headers=self._s2_headers, timeout=60)
        old = self.existing.s2_get(path, {k: v[0] for k, v in query.items()})
        self._save_interaction(old.name if old else None, "GET", resp.url, None, resp)
        return resp.status_code, resp.content

    def s2_batch(self, ids: list[str], query: dict[str, list[str]]) -> Answer:
        """POST /paper/batch upstream; a single-paper object file is rewritten as such."""
        url = self.s2_url + "/paper/batch"
        body = json.dumps({"ids": ids})
        resp = self._session.post(url, params=query, data=body, timeout=60,
                                  headers={"Content-Type": "application/json",
                                           **self._s2_headers})
        name = self.existing.batch_name(ids)
        if name and not name.partition("#")[2] and resp.status_code == 200:
            paper = json.loads(resp.content)[0]
            self._write(self.folder / "semanticscholar" / name,
                        json.dumps(paper, indent=2, ensure_ascii=False) + "\n")
        else:
            self._save_interaction(name, "POST", resp.url, body, resp)
        return resp.status_code, resp.content

    # --- files ---------------------------------------------------------------------------
    def _save_interaction(self, name: str | None, method: str, uri: str, body: str | None,
                          resp: requests.Response) -> None:
        """Replace interaction N of the cassette `name` ("file.yaml#N"), or append one to
        CASSETTE; vcrpy's layout, no request headers (a key never reaches the disk)."""
        file, _, n = (name or f"{CASSETTE}#").partition("#")
        path = self.folder / "semanticscholar" / file
        with self._lock:
            doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) \
                if path.exists() else {"interactions": [], "version": 1}
            item = {"request": {"method": method, "uri": uri, "body": body, "headers": {}},
                    "response": {"status": {"code": resp.status_code,
                                            "message": resp.reason},
                                 "headers": {}, "body": {"string": resp.text}}}
            if n:
                doc["interactions"][int(n)] = item
            else:
                doc["interactions"].append(item)
            self._write(path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))

    def _write(self, path: Path, text: str) -> None:
        write_atomic(path, text)
        self.written.append(path.relative_to(self.folder).as_posix())
