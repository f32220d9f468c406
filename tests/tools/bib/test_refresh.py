"""Sources against the local mirror: batching, warm cache, failures, unknown ids."""

from __future__ import annotations

from dataclasses import replace

import pytest
from apimirror import MALFORMED, TIMEOUT

from maaza_core.errors import SourceError
from papertools.bib.arxiv_source import ArxivSource
from papertools.bib.findings import ERROR, WARNING
from papertools.bib.library import Entry
from papertools.bib.lookup import ARXIV_ID, LookupId
from papertools.bib.records import ARXIV, S2
from papertools.bib.refresh import Refresher, wanted_for
from papertools.bib.s2_source import S2Source


def _entries(facts, n):
    with_ids = [f for f in facts if f.arxiv_id][:n]
    return [Entry(key=f.key, line=0, arxiv=f.arxiv_id) for f in with_ids]


def test_batching_one_request_per_source_then_warm_cache_none(mirror, cfg, cache, facts):
    entries = _entries(facts, 40)
    report = Refresher(cfg, cache).run(wanted_for(entries))
    assert mirror.counts == {ARXIV: 1, S2: 1}
    assert report.fetched == 80 and not report.findings
    before = dict(mirror.counts)
    again = Refresher(cfg, cache).run(wanted_for(entries))
    assert dict(mirror.counts) == before and again.cached == 80 and again.fetched == 0


def test_small_batches_make_ceil_n_over_batch_requests(mirror, cfg, cache, facts):
    entries = _entries(facts, 25)
    Refresher(replace(cfg, arxiv_batch=10, s2_batch=10), cache).run(wanted_for(entries))
    assert mirror.counts == {ARXIV: 3, S2: 3}  # ceil(25 / 10) each


def test_429_then_success(mirror, cfg, cache, facts):
    mirror.fail(S2, 429)
    mirror.fail(ARXIV, 429)
    report = Refresher(cfg, cache).run(wanted_for(_entries(facts, 3)))
    assert not report.findings and report.fetched == 6
    assert mirror.counts == {ARXIV: 2, S2: 2}


def test_500_keeps_cache_and_warns_or_fails_when_strict(mirror, cfg, cache, facts):
    entries = _entries(facts, 3)
    Refresher(cfg, cache).run(wanted_for(entries))
    files = {p: p.read_bytes() for p in cache.files()}
    mirror.fail(S2, 500, 500)
    report = Refresher(cfg, cache, force=True).run(wanted_for(entries))
    assert [f.severity for f in report.findings] == [WARNING]
    assert report.fetched == 3 and report.cached == 3  # arXiv refetched, S2 from the cache
    assert {p: p.read_bytes() for p in cache.files()} == files
    mirror.fail(S2, 500, 500)
    strict = Refresher(cfg, cache, force=True).run(wanted_for(entries), strict=True)
    assert [f.severity for f in strict.findings] == [ERROR]


def test_timeout_and_malformed_bodies_store_nothing(mirror, cfg, cache, facts):
    entries = _entries(facts, 2)
    mirror.fail(ARXIV, TIMEOUT)  # a read timeout is not retried: one request
    mirror.fail(S2, MALFORMED)
    report = Refresher(cfg, cache).run(wanted_for(entries))
    assert len(report.findings) == 2 and cache.files() == []
    mirror.fail(ARXIV, MALFORMED)
    report = Refresher(cfg, cache).run(wanted_for(entries))
    assert "malformed" in report.findings[0].message.lower()
    assert all(p.parent.name == S2 for p in cache.files())


def test_unknown_and_versioned_ids_from_real_recordings(mirror, cfg, cache):
    source = ArxivSource(cfg)
    (missing,) = source.fetch(["0000.0000"])  # recorded answer: an empty feed
    assert not missing.found
    (old,) = source.fetch(["quant-ph/0201082v1"])  # recorded answer, old-style id
    assert old.found and old.arxiv_id == "quant-ph/0201082" and old.authors


def test_offline_makes_no_request(mirror, cfg, cache, facts):
    report = Refresher(cfg, cache).run(wanted_for(_entries(facts, 5)), offline=True)
    assert sum(mirror.counts.values()) == 0 and report.fetched == 0


def test_a_failing_source_names_its_url_status_and_attempt(mirror, cfg):
    mirror.fail(ARXIV, 503, 503)  # the first try and its one retry (cfg: retries=1)
    with pytest.raises(SourceError) as caught:
        ArxivSource(cfg).fetch(["2106.09685"])
    assert (caught.value.url, caught.value.status, caught.value.attempt) == (
        cfg.arxiv_url, 503, 2)
    mirror.fail(S2, 500, 500)
    with pytest.raises(SourceError) as caught:
        S2Source(cfg).fetch([LookupId(ARXIV_ID, "2106.09685")])
    assert caught.value.status == 500 and caught.value.url.endswith("/paper/batch")


def test_our_own_bug_is_not_taken_for_a_failing_source(cfg):
    def broken() -> object:
        return {}["missing"]  # a KeyError, as a parsing bug of ours would raise

    with pytest.raises(KeyError):
        S2Source(cfg)._call("http://s2.test/paper/batch", broken)
