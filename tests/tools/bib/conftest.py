"""A local arXiv + Semantic Scholar server (the mirror) and a fast source config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apimirror import Mirror
from recorder import Recorder

from maaza_core import paths
from papertools.bib.config import SourceConfig
from papertools.bib.records import Cache
from papertools.bib.seed import read_facts

NASTY = json.loads((Path(__file__).parents[2] / "corpus" / "nasty.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def facts():
    return read_facts()


@pytest.fixture(scope="session")
def recorder(request):
    """None, or with `pytest --record` the Recorder every mirror forwards to; at the end it
    lists the recordings it wrote."""
    if not request.config.getoption("--record"):
        yield None
        return
    rec = Recorder(paths.API_RECORDINGS_DIR)
    yield rec
    report = request.config.pluginmanager.get_plugin("terminalreporter")
    for name in sorted(set(rec.written)):
        report.write_line(f"recorded: tests/fixtures/api-recordings/{name}")


@pytest.fixture
def mirror(facts, recorder):
    with Mirror(facts, recorder=recorder) as m:
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
