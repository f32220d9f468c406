"""Merge and BibTeX output: published beats preprint, stable keys, LaTeX-safe escaping."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import NASTY

from maaza_core.errors import DataError, UserError
from papertools.bib.build import write_references
from papertools.bib.library import Entry, Library
from papertools.bib.merge import STEPS, Evidence, Merged, merge
from papertools.bib.records import Cache, Record
from papertools.bib.refresh import Refresher, records_for, wanted_for
from papertools.bib.writer import protect_title, render


def _library(tmp_path, *entries):
    return Library(tmp_path / "library.yaml", tuple(entries))


def test_preprint_and_published_version_merge(mirror, cfg, cache, tmp_path):
    lora = Entry(key="hu2021lora", line=1, arxiv="2106.09685v2", categories=("finetuning",))
    Refresher(cfg, cache).run(wanted_for([lora]))
    m = merge(lora, records_for(lora, cache))
    assert m.type == "inproceedings" and m.fields["booktitle"] == "ICLR"
    assert m.fields["year"] == "2022" and m.fields["eprint"] == "2106.09685"
    text = render([m])
    assert "@inproceedings{hu2021lora" in text and "{LoRA}" in text
    assert 'keywords = "finetuning"' in text


def test_keys_stable_and_output_byte_identical(mirror, cfg, cache, tmp_path):
    entries = [Entry(key="my-own-key", line=1, arxiv="2401.02385"),
               Entry(key="acl", line=2, doi="10.18653/v1/2020.acl-main.195")]
    lib = _library(tmp_path, *entries)
    Refresher(cfg, cache).run(wanted_for(entries))
    out = tmp_path / "refs.bib"
    first = write_references(lib, cache, out)
    data = out.read_bytes()
    Refresher(cfg, cache, force=True).run(wanted_for(entries))
    second = write_references(lib, cache, out)
    assert first.changed and not second.changed and out.read_bytes() == data
    assert "@misc{my-own-key," in data.decode() and "@inproceedings{acl," in data.decode()


def test_wrong_id_never_turns_an_entry_into_another_paper(mirror, cfg, cache):
    # arXiv id of TinyLlama with the DOI of MobileBERT: the two sources disagree.
    bad = Entry(key="tiny", line=1, arxiv="2401.02385", doi="10.18653/v1/2020.acl-main.195")
    Refresher(cfg, cache).run(wanted_for([bad]))
    m = merge(bad, records_for(bad, cache))
    assert "TinyLlama" in m.fields["title"] and "booktitle" not in m.fields
    assert any("disagrees" in f.message for f in m.findings)


def test_truncated_author_list_gets_others_only_when_source_truncated():
    full = Record("arxiv", "1", True, title="T", authors=("A B", "C D"), year=2020)
    cut = Record("arxiv", "1", True, title="T", authors=("A B", "C D"), year=2020,
                 authors_truncated=True)
    e = Entry(key="k", line=1, arxiv="1")
    assert "others" not in render([merge(e, [full])])
    assert "and others" in render([merge(e, [cut])]) and merge(e, [cut]).findings


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
def test_escaping_compiles_with_pdflatex(tmp_path):
    entries = []
    for i, title in enumerate(NASTY["titles"]):
        rec = Record("arxiv", str(i), True, title=title, authors=tuple(NASTY["authors"]),
                     year=2020)
        entries.append(merge(Entry(key=f"k{i}", line=1, arxiv=f"2001.0000{i}"), [rec]))
    (tmp_path / "refs.bib").write_text(render(entries), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage{natbib}"
        "\\usepackage{url}\\begin{document}\\nocite{*}\\bibliographystyle{plainnat}"
        "\\bibliography{refs}\\end{document}\n", encoding="utf-8")
    run = {"cwd": tmp_path, "capture_output": True, "text": True, "timeout": 120}
    for cmd in (["pdflatex", "-interaction=nonstopmode", "doc"], ["bibtex", "doc"],
                ["pdflatex", "-interaction=nonstopmode", "doc"]):
        proc = subprocess.run(cmd, **run)
        assert proc.returncode == 0, proc.stdout[-2000:]
    text = subprocess.run(["pdftotext", "doc.pdf", "-"], **run).stdout
    assert "100%" in text and "$5" in text and "Blázquez" in text and "LoRA" in text


def test_protect_title_braces_capitals_not_plain_words():
    assert protect_title("LoRA: Low-Rank BERT for all") == "{LoRA}: Low-Rank {BERT} for all"
    assert protect_title("50% & more") == "50{\\%} {\\&} more"


@pytest.mark.parametrize("damage", [b"{not json", b"[1, 2]", b'{"source": "arxiv"}', b"\xff"])
def test_a_damaged_cache_record_is_an_error_not_an_empty_entry(tmp_path, damage):
    cache = Cache(tmp_path / "cache")
    entry = Entry(key="hu2021lora", line=1, arxiv="2106.09685")
    cache.put(Record("arxiv", "2106.09685", True, title="LoRA", authors=("E. Hu",), year=2021))
    Cache(tmp_path / "cache").path("arxiv", "2106.09685").write_bytes(damage)
    out = tmp_path / "refs.bib"
    with pytest.raises(DataError, match=r"arxiv/2106\.09685\.json: not a cache record"):
        write_references(_library(tmp_path, entry), Cache(tmp_path / "cache"), out)
    assert not out.exists()


def test_merge_steps_are_pure_and_pinned_fields_win_last():
    arx = Record("arxiv", "1", True, title="T", authors=("A B",), year=2020, arxiv_id="1")
    pub = Record("s2", "x", True, title="T", authors=("A B",), year=2021, venue="J",
                 venue_type="journal", volume="3")
    entry = Entry(key="k", line=1, arxiv="1", override={"booktitle": "B", "author": "{X}"})
    ev = Evidence(entry, (arx, pub), arx, arx, pub)
    start = Merged("k", "misc", {"note": "n"}, ("Z",))
    for step in STEPS:
        step(start, ev)
    assert start == Merged("k", "misc", {"note": "n"}, ("Z",))  # no step changed its input
    m = merge(entry, [arx, pub])
    assert m.type == "inproceedings" and m.fields["booktitle"] == "B" and m.authors == ()
    assert m.fields["journal"] == "J" and {"author", "booktitle"} == m.pinned


@pytest.mark.parametrize(("name", "value", "written"), [
    ("note", "see \\input{/etc/passwd} 100% #1", "see {\\textbackslash}input{/etc/passwd} "
     "100{\\%} {\\#}1"),
    ("howpublished", "\\url{x}\\write18{rm}", "\\url{x}{\\textbackslash}write18{rm}"),
    ("howpublished", "\\url{a}b}\\url{x y}", "\\url{a}b{\\}}{\\textbackslash}url{x y}"),
    ("howpublished", "{NuMind} blog, \\url{https://x.org/a_b%20c}",  # silent: a kept \\url
     "{NuMind} blog, \\url{https://x.org/a_b%20c}"),
    ("publisher", "A & B_C $x$", "A {\\&} B{\\_}C {\\$}x{\\$}"),
    ("pages", "1--35", "1--35"),  # silent: ordinary values keep their bytes
    ("key", "ONNX Runtime", "ONNX Runtime"),
])
def test_every_pinned_field_is_escaped_like_the_title(name, value, written):
    """Planted: LaTeX code pinned in library.yaml fields other than the title, which the
    writer used to copy into references.bib verbatim."""
    entry = Entry(key="k", line=1, url="https://example.org/x", override={
        "title": "T", "author": "{ACME} and Doe, J\\'ohn%", "year": "2020", name: value})
    text = render([merge(entry, [])])
    assert f"{name} = \"{written}\"" in text or f"{name} = {{{written}}}" in text, text
    assert "author = \"{ACME} and Doe, J{\\textbackslash}'ohn{\\%}\"" in text, text


@pytest.mark.parametrize("url", ["https://x.org/}\\input{/etc/passwd}", "https://x.org/a b"])
def test_an_identifier_that_would_leave_its_argument_is_refused(url):
    with pytest.raises(UserError, match=r"entry 'k': url = .*not a plain identifier"):
        render([merge(Entry(key="k", line=1, url=url, override={"title": "T"}), [])])
    assert "url = " in render([merge(Entry(key="k", line=1, url="https://x.org/a_b%20c",
                                           override={"title": "T"}), [])])
