"""The project's own bibliography passes its own check, and `make bib` asks the sources
only for what a paper index can know: one arXiv and at most two Semantic Scholar requests
cold (software and web pages are never searched), none warm."""

from __future__ import annotations

from maaza_core import paths
from papertools.bib.build import build_all
from papertools.bib.check import check_file
from papertools.bib.library import load_library
from papertools.bib.records import ARXIV, S2, Cache
from papertools.bib.refresh import is_web_entry, wanted_for


def test_references_bib_passes_bib_check(mirror, cfg, tmp_path):
    cache = Cache(tmp_path / "c", extra_read=(paths.BIB_CACHE_DIR,))
    report = check_file(paths.REFERENCES_BIB, cfg, cache=cache)
    assert report.findings == () and report.entries == len(load_library().entries)
    assert sum(mirror.counts.values()) == 0  # the committed cache answers everything


def test_cold_make_bib_requests_then_warm_none(mirror, cfg, tmp_path):
    library = load_library()
    web = [e.key for e in library.entries if is_web_entry(e)]
    assert web and not set(wanted_for([e for e in library.entries if is_web_entry(e)])
                           .titles)
    cache = Cache(tmp_path / "c")
    out = tmp_path / "refs.bib"
    cold = build_all(library, cache, cfg, out=out, sources=[paths.PAPER_DIR,
                                                             paths.LITREVIEW_DIR])
    assert mirror.counts[ARXIV] <= 1 and mirror.counts[S2] <= 2, dict(mirror.counts)
    assert cold.errors == 0
    before = dict(mirror.counts)
    warm = build_all(library, cache, cfg, out=out, sources=[paths.PAPER_DIR,
                                                             paths.LITREVIEW_DIR])
    assert dict(mirror.counts) == before and warm.refresh.fetched == 0
