"""A local arXiv + Semantic Scholar server (the mirror) and a fast source config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apimirror import Mirror

from papertools.bib.config import SourceConfig
from papertools.bib.records import Cache
from papertools.bib.seed import read_facts

NASTY = json.loads((Path(__file__).parents[2] / "corpus" / "nasty.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def facts():
    return read_facts()


@pytest.fixture
def mirror(facts):
    with Mirror(facts) as m:
        m.timeout_seconds = 1.5
        yield m


@pytest.fixture
def cfg(mirror, monkeypatch):
    monkeypatch.setenv("ARXIV_API_URL", mirror.arxiv_url)
    monkeypatch.setenv("S2_API_URL", mirror.s2_url)
    monkeypatch.setenv("BIB_ARXIV_DELAY", "0.01")
    monkeypatch.setenv("BIB_BACKOFF", "0.01")
    monkeypatch.setenv("BIB_TIMEOUT", "0.5")
    return SourceConfig.from_env(retries=1)


@pytest.fixture
def cache(tmp_path):
    return Cache(tmp_path / "cache")
