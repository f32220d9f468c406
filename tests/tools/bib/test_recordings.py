"""Every real recorded response, replayed through our sources against the local server.

The arXiv id-list recordings (versioned and old-style ids, an unknown id, a malformed id
answered 400) go through ArxivSource; the paged searches, which our source never makes,
through the `arxiv` package's client pointed at the mirror; the Semantic Scholar
cassettes and paper objects through S2Source and its client. The last assertion fails
when any recording was never served: a new recording must be replayed here, or it tests
nothing.
"""

from __future__ import annotations

import arxiv
import pytest
from apimirror import Mirror
from semanticscholar.SemanticScholarException import (
    BadQueryParametersException,
    ObjectNotFoundException,
)

from maaza_core.errors import SourceError
from papertools.bib.arxiv_source import ArxivSource
from papertools.bib.config import SourceConfig
from papertools.bib.lookup import LookupId
from papertools.bib.s2_source import S2Source

TURING = "2d5673caa9e6af3a7b82a43f19ee920992db07ad"  # Paper.json, PaperWithNullValues.json
BATCH = ["CorpusId:470667", "10.2139/ssrn.2250500", "0f40b1f08821e22e859c6050916cec3667778613"]


@pytest.fixture(scope="module")
def replay(recorder):
    with Mirror(recorder=recorder) as mirror:  # recordings only, no facts (or --record)
        cfg = SourceConfig(arxiv_url=mirror.arxiv_url, s2_url=mirror.s2_url, arxiv_delay=0.0,
                           backoff=0.0, retries=0)
        yield mirror, cfg


def _arxiv_ids(cfg: SourceConfig) -> None:
    source = ArxivSource(cfg)
    found = {r.lookup: r for ids in (["0000.0000"], ["0808.05394"], ["1605.08386"],
                                      ["1707.08567"], ["0808.05394", "1707.08567"],
                                      ["2104.12255v1"], ["astro-ph/0601001"],
                                      ["quant-ph/0201082v1"]) for r in source.fetch(ids)}
    assert not found["0000.0000"].found and not found["0808.05394"].found
    assert found["1605.08386"].title == "Heat-bath random walks with Markov bases"
    assert found["1605.08386"].year == 2016 and len(found["1605.08386"].authors) == 2
    assert found["1707.08567"].found and len(found["1707.08567"].authors) == 34
    assert found["2104.12255"].found and found["2104.12255"].arxiv_id == "2104.12255"
    assert found["astro-ph/0601001"].year == 2006
    assert found["quant-ph/0201082"].found and found["quant-ph/0201082"].year == 2002
    with pytest.raises(SourceError, match="HTTP 400"):
        source.fetch(["abc"])


def _arxiv_pages(cfg: SourceConfig) -> None:
    # (page size, max results, offset) -> the recorded pages start=S&max_results=M
    for page, total, offset in ((100, 100, 0), (10, 60, 0), (10, 15, 5), (15, 15, 0),
                                (15, 20, 5), (15, 24, 9)):
        client = arxiv.Client(page_size=page, delay_seconds=0, num_retries=0)
        client.query_url_format = cfg.arxiv_url + "?{}"  # the documented endpoint setting
        results = list(client.results(arxiv.Search(query="testing", max_results=total),
                                      offset=offset))
        assert len(results) == total - offset and all(r.title for r in results)


def _s2(cfg: SourceConfig) -> None:
    source = S2Source(cfg)
    # recorded with fields=authors
    slim = {r.lookup: r for r in source.fetch(map(LookupId.parse, BATCH))}
    assert slim[BATCH[2]].found and len(slim[BATCH[2]].authors) == 3
    for _ in range(2):  # two cassettes recorded the same four ids
        asked = map(LookupId.parse, ["CorpusId:211530585", *BATCH])
        full = {r.lookup: r for r in source.fetch(asked)}
        assert not full["CorpusId:211530585"].found
        assert full["CorpusId:470667"].year == 2001 and full["10.2139/ssrn.2250500"].found
    (paper,) = source.fetch([LookupId.parse(TURING)])
    assert paper.title == "Computing Machinery and Intelligence" and paper.year == 1950
    assert paper.venue_type == "journal" and paper.authors == ("A. Turing",)
    (nulls,) = source.fetch([LookupId.parse(TURING)])  # PaperWithNullValues.json: authors null
    assert nulls.found and nulls.authors == ()
    match = source.match_title("mining association rules between")
    assert match.title == "Mining association rules between sets of items in large databases"
    client = source.client
    assert client.get_paper("10.1093/mind/lix.236.433", fields=["title"]).title == \
        "Computing Machinery and Intelligence"
    with pytest.raises(BadQueryParametersException, match="unknown"):
        client.get_paper("10.1093/mind/lix.236.433", fields=["unknown"])
    with pytest.raises(ObjectNotFoundException, match="Paper with id 0"):
        client.get_paper("0", fields=["title"])
    with pytest.raises(ObjectNotFoundException, match="Author with id 0"):
        client.get_author("0", fields=["name"])
    results = client.search_paper("turing", fields=["title"])
    assert results.total == 70499 and len(results.items) == 100


def test_every_recording_is_replayed_through_the_sources(replay):
    mirror, cfg = replay
    recording = mirror.recorder is not None  # pytest --record: the same requests, upstream
    if not recording:
        assert len(mirror.recordings.names) == 31  # 20 arXiv, 9 S2 interactions, 2 papers
    _arxiv_ids(cfg)
    _arxiv_pages(cfg)
    _s2(cfg)
    if not recording:
        assert mirror.recordings.unused() == []
