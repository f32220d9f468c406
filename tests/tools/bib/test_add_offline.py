"""`bib add --offline` never contacts a source: cached records only, else a clear error."""

from __future__ import annotations

import pytest

from maaza_core.errors import UserError
from papertools.bib.add import add_works
from papertools.bib.library import load_library

LIBRARY = '- key: hu2021lora\n  arxiv: "2106.09685"\n'


def test_offline_add_without_a_cached_record_fails_without_a_request(mirror, cfg, cache,
                                                                     tmp_path):
    path = tmp_path / "library.yaml"
    path.write_text(LIBRARY, encoding="utf-8")
    with pytest.raises(UserError, match=r"2401\.02385: not in the cache, and --offline "
                                        r"contacts no source"):
        add_works(load_library(path), ["2401.02385"], cfg, [], cache, offline=True)
    assert sum(mirror.counts.values()) == 0
    assert path.read_text(encoding="utf-8") == LIBRARY


def test_offline_add_uses_the_cache_and_makes_no_request(mirror, cfg, cache, tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (first, second):
        path.write_text(LIBRARY, encoding="utf-8")
    assert add_works(load_library(first), ["2401.02385"], cfg, [], cache) == [
        "zhang2024tinyllama"]
    online = sum(mirror.counts.values())
    assert online > 0  # the first add fetched the record into the cache
    keys = add_works(load_library(second), ["2401.02385"], cfg, [], cache, offline=True)
    assert keys == ["zhang2024tinyllama"] and sum(mirror.counts.values()) == online
