"""The real recorded API responses, indexed the way the tests' mirror is asked.

Why an index that remembers what it served: a recording that no request ever reaches
tests nothing, and silently so. Every answer marks its recording used, and
`Recordings.unused()` names the ones left, so a test can fail when one goes unused.

Matching is as strict as the clients allow: arXiv by id list (a versioned id also
answers the bare id) or by query, start and page size; a Semantic Scholar GET by path and
parameters (the `fields` list is ignored only when nothing matches exactly, since our
source asks for its own fields); a batch POST by its set of ids, answered in the order
asked. Two recordings for the same request are served in turn.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml

from papertools.bib.library import strip_arxiv_version

_PAGING = {"fields", "offset", "limit"}


@dataclass(frozen=True)
class Recorded:
    """One recorded answer."""

    name: str  # file (and interaction number) it came from
    status: int
    body: bytes
    ids: tuple[str, ...] = ()  # batch requests: the ids in the order they were sent


def _arxiv_key(query: dict[str, str]) -> tuple[str, ...]:
    ids = query.get("id_list", "")
    if ids:
        return ("id", ids)
    return ("q", query.get("search_query", ""), query.get("start", "0"),
            query.get("max_results", ""))


def _get_key(path: str, query: dict[str, str], loose: bool) -> tuple[str, ...]:
    path = unquote(path).split("/graph/v1", 1)[-1]
    drop = _PAGING if loose else set()
    return (path, *sorted(f"{k}={v}" for k, v in query.items() if k not in drop))


class Recordings:
    """All recordings under `root` (arxiv/*.json, semanticscholar/*.yaml and *.json)."""

    def __init__(self, root: Path) -> None:
        self._queues: dict[tuple, list[Recorded]] = defaultdict(list)
        self.names: set[str] = set()
        self.used: set[str] = set()
        self._turn: dict[tuple, int] = defaultdict(int)
        for file in sorted((root / "arxiv").glob("*.json")):
            self._arxiv_file(file)
        for file in sorted((root / "semanticscholar").glob("*.yaml")):
            self._cassette(file)
        for file in sorted((root / "semanticscholar").glob("*.json")):
            paper = json.loads(file.read_text(encoding="utf-8"))
            self._add(("batch", paper["paperId"]), Recorded(
                file.name, 200, json.dumps([paper]).encode(), (paper["paperId"],)))

    def _add(self, key: tuple, rec: Recorded) -> None:
        self._queues[key].append(rec)
        self.names.add(rec.name)

    def _arxiv_file(self, file: Path) -> None:
        rec = json.loads(file.read_text(encoding="utf-8"))
        query = dict(parse_qsl(urlsplit(rec["url"]).query, keep_blank_values=True))
        # The body was stored as text decoded with latin-1: encoding it back gives bytes.
        answer = Recorded(file.name, rec["status_code"], rec["body"].encode("latin-1"))
        key = _arxiv_key(query)
        self._add(("arxiv", *key), answer)
        if key[0] == "id":  # the same ids asked without version ("quant-ph/0201082")
            bare = ",".join(strip_arxiv_version(i) for i in key[1].split(","))
            if bare != key[1]:
                self._queues[("arxiv", "id", bare)].append(answer)

    def _cassette(self, file: Path) -> None:
        for n, item in enumerate(yaml.safe_load(file.read_text(encoding="utf-8"))
                                 ["interactions"]):
            req, resp = item["request"], item["response"]
            status = resp["status"]["code"] if "status" in resp else resp["status_code"]
            text = resp["body"]["string"] if "body" in resp else resp["content"]
            name = f"{file.name}#{n}"
            url = urlsplit(req["uri"])
            if req["method"] == "POST":
                ids = tuple(json.loads(req["body"])["ids"])
                self._add(("batch", *sorted(ids)), Recorded(name, status, text.encode(), ids))
                continue
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            rec = Recorded(name, status, text.encode())
            self._add(("get", *_get_key(url.path, query, False)), rec)
            self._queues[("loose", *_get_key(url.path, query, True))].append(rec)

    def _serve(self, key: tuple) -> Recorded | None:
        queue = self._queues.get(key)
        if not queue:
            return None
        rec = queue[self._turn[key] % len(queue)]
        self._turn[key] += 1
        self.used.add(rec.name)
        return rec

    def arxiv(self, query: dict[str, str]) -> Recorded | None:
        """The recording of an arXiv query (its parameters, one value each)."""
        return self._serve(("arxiv", *_arxiv_key(query)))

    def s2_get(self, path: str, query: dict[str, str]) -> Recorded | None:
        """The recording of a Semantic Scholar GET: exact parameters first, then without
        the paging and fields parameters our source chooses itself."""
        return self._serve(("get", *_get_key(path, query, False))) or self._serve(
            ("loose", *_get_key(path, query, True)))

    def s2_batch(self, ids: list[str]) -> tuple[int, bytes] | None:
        """The recorded answer for this set of ids, reordered to the order asked."""
        rec = self._serve(("batch", *sorted(ids)))
        if rec is None:
            return None
        if rec.status != 200:
            return rec.status, rec.body
        by_id = dict(zip(rec.ids, json.loads(rec.body), strict=True))
        return 200, json.dumps([by_id[i] for i in ids]).encode()

    def batch_name(self, ids: list[str]) -> str | None:
        """The recording that answers a batch POST of these ids (for the recorder)."""
        queue = self._queues.get(("batch", *sorted(ids)))
        return queue[0].name if queue else None

    def unused(self) -> list[str]:
        """Recordings no request reached: each one tests nothing."""
        return sorted(self.names - self.used)
