"""`make bib` as one function, and `bib add` against the local mirror."""

from __future__ import annotations

import pytest

from maaza_core import paths
from maaza_core.errors import UserError
from papertools.bib.add import add_works, make_key
from papertools.bib.build import build_all, verify_library, write_references
from papertools.bib.check import check_file
from papertools.bib.library import Entry, Library, load_library
from papertools.bib.records import ARXIV, S2, Cache, Record

LIBRARY = """\
# hand-written header: kept as it is
- key: hu2021lora   # a comment after the key
  arxiv: "2106.09685"
  categories: [finetuning]
"""


def test_offline_build_makes_no_request_and_reproduces_committed_bib(mirror, cfg, tmp_path):
    cache = Cache(tmp_path / "cache", extra_read=(paths.BIB_CACHE_DIR,))
    out = tmp_path / "references.bib"
    report = build_all(load_library(), cache, cfg, offline=True, out=out)
    assert sum(mirror.counts.values()) == 0 and report.refresh.fetched == 0
    assert out.read_bytes() == paths.REFERENCES_BIB.read_bytes()
    assert report.errors == 0 and report.refresh.cached > 0 and cache.files() == []
    again = build_all(load_library(), cache, cfg, offline=True, out=out)
    assert not again.written.changed and out.read_bytes() == paths.REFERENCES_BIB.read_bytes()
    assert "fetched 0" in again.summary() and "unchanged" in again.summary()


def _library(tmp_path, *extra: Entry) -> Library:
    keys = ["hu2021lora", "zhang2024tinyllama", *(e.key for e in extra)]
    (tmp_path / "paper.tex").write_text("\\cite{" + ",".join(keys) + "}\n", "utf-8")
    return Library(tmp_path / "library.yaml", (
        Entry(key="hu2021lora", line=1, arxiv="2106.09685", categories=("finetuning",)),
        Entry(key="zhang2024tinyllama", line=4, arxiv="2401.02385", categories=("slm",)),
        *extra,
    ))


def test_build_fetches_once_then_a_failing_source_keeps_the_cache(mirror, cfg, cache, tmp_path):
    out = tmp_path / "refs.bib"
    first = build_all(_library(tmp_path), cache, cfg, out=out, sources=[tmp_path])
    assert mirror.counts == {ARXIV: 1, S2: 1} and first.refresh.fetched == 4
    assert first.errors == 0 and "@inproceedings{hu2021lora" in out.read_text("utf-8")
    files = {p: p.read_bytes() for p in cache.files()}
    lib = _library(tmp_path, Entry(key="lester2021power", line=7, arxiv="2104.08691"))
    mirror.fail(S2, 500, 500)  # the first try and its one retry (cfg: retries=1)
    soft = build_all(lib, cache, cfg, out=out, sources=[tmp_path])
    assert soft.errors == 0 and soft.warnings == 1 and soft.refresh.fetched == 1
    assert {p: p.read_bytes() for p in files} == files  # the last good data is kept
    text = out.read_text("utf-8")
    assert "@inproceedings{hu2021lora" in text and "@misc{lester2021power" in text
    mirror.fail(S2, 500, 500)
    strict = build_all(lib, cache, cfg, strict=True, out=out, sources=[tmp_path])
    assert strict.errors == 1 and strict.summary().endswith("errors 1")


def test_add_appends_entries_keeps_comments_and_refuses_duplicates(mirror, cfg, cache, tmp_path):
    path = tmp_path / "library.yaml"
    path.write_text(LIBRARY, encoding="utf-8")
    keys = add_works(load_library(path), ["2401.02385v2", "10.18653/v1/2020.acl-main.195"],
                     cfg, ["slm"], cache)
    assert keys == ["zhang2024tinyllama", "sun2020mobilebert"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith(LIBRARY) and [p.name for p in tmp_path.iterdir()] == [
        "cache", "library.yaml"]  # no temp file left behind
    lib = load_library(path)
    assert lib.keys == ["hu2021lora", "zhang2024tinyllama", "sun2020mobilebert"]
    assert lib.get("zhang2024tinyllama").arxiv == "2401.02385"
    assert lib.get("sun2020mobilebert").categories == ("slm",)
    for again in (["2401.02385"], ["10.18653/V1/2020.ACL-MAIN.195"], ["2106.09685v1"]):
        with pytest.raises(UserError, match="already in"):
            add_works(lib, again, cfg, [], cache)
    assert path.read_text(encoding="utf-8") == text


def test_add_with_a_bad_id_or_category_writes_nothing(mirror, cfg, cache, tmp_path):
    path = tmp_path / "library.yaml"
    path.write_text(LIBRARY, encoding="utf-8")
    with pytest.raises(UserError, match="2999.99999: not found"):
        add_works(load_library(path), ["2401.02385", "2999.99999"], cfg, [], cache)
    with pytest.raises(UserError, match="unknown category 'slms'"):
        add_works(load_library(path), ["2401.02385"], cfg, ["slms"], cache)
    with pytest.raises(UserError, match="given twice"):
        add_works(load_library(path), ["2401.02385", "2401.02385v1"], cfg, [], cache)
    assert path.read_text(encoding="utf-8") == LIBRARY


def test_make_key_is_stable_and_avoids_taken_keys():
    rec = Record("arxiv", "1", True, title="The Power of Scale for Prompt Tuning",
                 authors=("Brian Lester", "Rami Al-Rfou"), year=2021)
    assert make_key(rec, set()) == make_key(rec, set()) == "lester2021power"
    assert make_key(rec, {"lester2021power"}) == "lester2021powerb"
    assert make_key(rec, {"lester2021power", "lester2021powerb"}) == "lester2021powerc"
    accented = Record("s2", "2", True, title="¿Qué? Ñandú", authors=("José Núñez",), year=None)
    assert make_key(accented, set()) == "nunezque"


def test_bib_build_command_prints_one_summary_and_fails_on_errors(tmp_path, capsys):
    from papertools.cli import main

    tex = tmp_path / "paper.tex"
    tex.write_text("\\cite{hu2021lora,allal2025smollm2}\n", encoding="utf-8")
    args = ["bib", "build", "--offline", "--cache", str(paths.BIB_CACHE_DIR),
            "-o", str(tmp_path / "refs.bib"), str(tex)]
    assert main(args) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith("bib: fetched 0, from cache ") and summary.endswith("errors 0")
    tex.write_text("\\cite{hu2021lroa}\n", encoding="utf-8")
    assert main(args) == 1
    out = capsys.readouterr()
    assert "unknown key 'hu2021lroa' (closest: hu2021lora" in out.err
    assert out.out.strip().splitlines()[-1].endswith("errors 1")


def _twins(tmp_path, second_title: str) -> Library:
    pinned = {"author": "{Gemma Team}", "year": "2024"}
    return Library(tmp_path / "library.yaml", (
        Entry(key="gemma", line=1, override={**pinned, "title": "Gemma: Open Models"}),
        Entry(key="gemma_again", line=5, override={**pinned, "title": second_title}),
        Entry(key="lora", line=9, doi="10.1234/LoRA"),
        Entry(key="lora2", line=11, doi="10.1234/lora"),
    ))


def test_make_bib_and_bib_check_find_the_same_duplicates(cfg, tmp_path):
    """Both compare the entry as written (Identity.of): a pinned author counts too."""
    cache = Cache(tmp_path / "cache")
    library = _twins(tmp_path, "Gemma: open models")
    out = write_references(library, cache, tmp_path / "references.bib").path
    built = [f for f in verify_library(library, cache) if "duplicate of" in f.message]
    checked = [f for f in check_file(out, cfg, offline=True, cache=cache).findings
               if "duplicate of" in f.message]
    assert [(f.where, f.message) for f in built] == [
        ("lora2", "duplicate of 'lora': same DOI 10.1234/lora (fix: keep one key)"),
        ("gemma_again", "duplicate of 'gemma': same title, first author and year (fix: keep "
                        "one key)")]
    assert [(f.where, f.message) for f in checked] == [(f.where, f.message) for f in built]


def test_different_titles_of_one_author_and_year_are_no_duplicates(cfg, tmp_path):
    library = _twins(tmp_path, "Gemma 2: Improving Open Language Models")
    found = verify_library(library, Cache(tmp_path / "cache"))
    assert [f.where for f in found if "duplicate of" in f.message] == ["lora2"]
