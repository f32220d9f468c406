"""Produce bib/cache/ without internet: the real refresh code against the fact server.

Why label the records: they carry what hand-gathered facts say, not what arXiv or
Semantic Scholar answered, so each says `seeded_from` and its 127.0.0.1 URL. The next
`make bib` with network access treats them as stale and replaces them with live data.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from papertools.bib.config import SourceConfig
from papertools.bib.factserver import FactServer
from papertools.bib.library import Library
from papertools.bib.records import Cache, Record
from papertools.bib.refresh import Refresher, RefreshReport, wanted_for
from papertools.bib.seed import Fact, read_facts


def seed_cache(library: Library, cache: Cache) -> RefreshReport:
    """Fetch and label in a scratch folder, then store: a record whose data did not
    change keeps its file, so re-seeding an up-to-date cache changes nothing in git."""
    facts = read_facts()
    with tempfile.TemporaryDirectory() as tmp, FactServer(facts) as server:
        scratch = Cache(Path(tmp))
        # Local server: no politeness delay needed (0 s instead of arXiv's 3 s).
        cfg = SourceConfig(arxiv_url=server.arxiv_url, s2_url=server.s2_url, arxiv_delay=0.0,
                           backoff=0.01)
        report = Refresher(cfg, scratch, force=True).run(wanted_for(library.entries))
        _label(scratch, facts)
        for file in scratch.files():
            cache.put(Record.from_json(file.read_text(encoding="utf-8")))
    return report


def _label(cache: Cache, facts: list[Fact]) -> None:
    by_arxiv = {f.arxiv_id: f for f in facts if f.arxiv_id}
    by_key = {f"seed-{f.key}": f for f in facts}
    for file in cache.files():
        record = cache.get(file.parent.name, file.stem)
        if record is None or "127.0.0.1" not in record.fetched_from:
            continue
        fact = by_key.get(record.s2_id or "") or by_arxiv.get(record.arxiv_id or "")
        label = fact.origin if fact else "local mirror of shared/literature (no such work)"
        truncated = bool(fact and fact.authors_truncated and record.found)
        cache.put(replace(record, seeded_from=label, authors_truncated=truncated))
