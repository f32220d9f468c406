"""The tests' stand-in for arXiv and Semantic Scholar: the fact server plus recordings
and failures.

Why on top of FactServer: the answers built from facts are the production part (seed-cache
needs them); what only tests need is here: (1) the real recorded responses in
tests/fixtures/api-recordings, served before any fact, and (2) failures injected into the
next requests (429, 500, a timeout, a malformed body) to exercise the error paths.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from recorder import Recorder
from recordings import Recordings

from maaza_core import paths
from papertools.bib.factserver import Answer, FactServer
from papertools.bib.seed import Fact

RECORDINGS = paths.API_RECORDINGS_DIR
# Fault names accepted by Mirror.fail(); an int is an HTTP status to answer with.
TIMEOUT, MALFORMED = "timeout", "malformed"
_MALFORMED = {"arxiv": b"<feed><entry><title>cut off", "s2": b'[{"paperId": "x", "title": '}


class Mirror(FactServer):
    """A FactServer that replays recordings first and fails on request."""

    def __init__(self, facts: Iterable[Fact] = (), recordings: bool = True,
                 recorder: Recorder | None = None) -> None:
        super().__init__(facts)
        # Recording (pytest --record): every request goes upstream, none is replayed.
        self.recorder = recorder
        self.recordings = Recordings(RECORDINGS) if recordings and RECORDINGS.exists() \
            and recorder is None else None
        self.faults: dict[str, list[int | str]] = {"arxiv": [], "s2": []}
        self.timeout_seconds = 2.0  # how long a TIMEOUT fault stalls before answering

    def fail(self, source: str, *faults: int | str) -> None:
        """Answer the next len(faults) requests to `source` with these faults, in order."""
        self.faults[source].extend(faults)

    def respond(self, source: str, answer: Callable[[], Answer]) -> Answer:
        """Answer with the next injected fault for `source`, if any, else as usual."""
        with self._lock:
            fault = self.faults[source].pop(0) if self.faults[source] else None
            if fault is not None:
                self.counts[source] += 1  # counted like any request
        if fault is None:
            return super().respond(source, answer)
        if fault == TIMEOUT:
            time.sleep(self.timeout_seconds)
            return 200, b""
        if fault == MALFORMED:
            return 200, _MALFORMED[source]
        return int(fault), json.dumps({"message": "injected", "error": "x"}).encode()

    def arxiv_answer(self, query: dict[str, list[str]]) -> Answer:
        """The recorded answer when there is one (or, recording, arXiv's), else the facts'."""
        if self.recorder:
            return self.recorder.arxiv(query)
        if self.recordings and (rec := self.recordings.arxiv(
                {k: v[0] for k, v in query.items()})):
            return rec.status, rec.body
        return super().arxiv_answer(query)

    def s2_batch_answer(self, ids: list[str], query: dict[str, list[str]] | None = None,
                        ) -> Answer:
        """The recorded batch answer (or, recording, Semantic Scholar's), else the facts'."""
        if self.recorder:
            return self.recorder.s2_batch(ids, query or {})
        if self.recordings and (answer := self.recordings.s2_batch(ids)):
            return answer
        return super().s2_batch_answer(ids, query)

    def s2_get_answer(self, path: str, query: dict[str, list[Any]]) -> Answer:
        """The recorded GET answer (or, recording, Semantic Scholar's), else the facts'."""
        if self.recorder:
            return self.recorder.s2_get(path, query)
        flat = {k: v[0] for k, v in query.items()}
        if self.recordings and (rec := self.recordings.s2_get(path, flat)):
            return rec.status, rec.body
        return super().s2_get_answer(path, query)
