"""`pytest --record` for real, against a local stand-in for the APIs: the recorder takes
its base URLs from configuration, forwards what the sources ask, overwrites the
recording that answered the same request, adds new ones where the replay finds them,
and never writes the API key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from apimirror import Mirror
from recorder import Recorder
from recordings import Recordings

from maaza_core import paths
from papertools.bib.arxiv_source import ArxivSource
from papertools.bib.config import SourceConfig
from papertools.bib.factserver import FactServer
from papertools.bib.lookup import LookupId
from papertools.bib.s2_source import S2Source

SECRET = "recorder-test-key-never-on-disk"


@pytest.fixture
def recording(facts, tmp_path, monkeypatch):
    """(folder, recorder, config of the sources, upstream): recordings copied to a
    temporary folder, a fact server as the upstream APIs, the mirror forwarding to it."""
    folder = tmp_path / "api-recordings"
    shutil.copytree(paths.API_RECORDINGS_DIR, folder)
    monkeypatch.setenv("S2_API_KEY", SECRET)
    with FactServer(facts) as upstream:
        monkeypatch.setenv("RECORD_ARXIV_URL", upstream.arxiv_url)  # configurable base URLs
        monkeypatch.setenv("RECORD_S2_URL", upstream.s2_url)
        rec = Recorder(folder, arxiv_delay=0.0)
        with Mirror(recorder=rec) as mirror:
            yield folder, rec, SourceConfig(arxiv_url=mirror.arxiv_url, s2_url=mirror.s2_url,
                                            arxiv_delay=0.0, backoff=0.0, retries=0), upstream


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_new_requests_become_recordings_the_replay_serves(recording) -> None:
    folder, rec, cfg, upstream = recording
    before = _files(folder)
    (qwen,) = ArxivSource(cfg).fetch(["2412.15115"])
    assert qwen.found  # the upstream's answer went through to the source
    S2Source(cfg).fetch([LookupId.parse("ARXIV:2412.15115")])
    assert upstream.counts == {"arxiv": 1, "s2": 1}  # both went upstream
    new = _files(folder) - before
    assert len(new) == 2 and "semanticscholar/recorded.yaml" in new
    (arxiv_file,) = [n for n in new if n.startswith("arxiv/id_2412.15115_")]
    replay = Recordings(folder)
    answer = replay.arxiv({"id_list": "2412.15115", "start": "0", "max_results": "100"}) \
        or replay.arxiv({"id_list": "2412.15115"})
    assert answer is not None and answer.name == arxiv_file.split("/")[1]
    status, body = replay.s2_batch(["ARXIV:2412.15115"])
    assert status == 200 and b"Qwen2.5" in body
    assert not any(SECRET in (folder / n).read_text(encoding="utf-8") for n in new)


def test_a_recorded_request_is_refreshed_in_place(recording) -> None:
    folder, rec, cfg, upstream = recording
    before = _files(folder)
    # A recording answers 1605.08386; the stand-in upstream knows no such paper.
    (old,) = [n for n in before if n.startswith("arxiv/id_1605.08386_")]
    (found,) = ArxivSource(cfg).fetch(["1605.08386"])
    assert not found.found and upstream.counts["arxiv"] == 1  # today's answer, not the file
    assert _files(folder) == before and rec.written == [old]
    assert "Heat-bath" not in (folder / old).read_text(encoding="utf-8")
