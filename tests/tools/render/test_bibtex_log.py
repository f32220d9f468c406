"""The BibTeX gate: each planted problem fails with the entry named, a clean run passes.

The unit tests feed log and .bbl text in the exact shapes BibTeX and plainnat write; the
end-to-end tests run the real pdflatex + bibtex on a tiny document, so the patterns are
checked against what the tools produce, not against what we believe they produce.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from maaza_core.errors import UserError
from papertools.render.bibtex_log import (
    bibitems,
    blg_problems,
    check_bibliography,
    label_problems,
)

LIBRARY = "- key: good2020\n  arxiv: '1'\n\n- key: tflite\n  url: https://x\n"
GOOD = ("@misc{good2020,\n  author = {Hu, Edward and Shen, Yelong},\n"
        "  title = {A Good Entry},\n  year = {2020}\n}\n")
SOFTWARE_BARE = "@misc{tflite,\n  title = {{TensorFlow Lite}},\n  url = {https://x}\n}\n"
SOFTWARE_FIXED = ("@misc{tflite,\n  author = {{Google}},\n  title = {{TensorFlow Lite}},\n"
                  "  year = {2017},\n  key = {TensorFlow Lite},\n  url = {https://x}\n}\n")
NO_YEAR = "@article{good2020,\n  author = {Hu, Edward},\n  title = {T},\n  journal = {J}\n}\n"


def test_blg_warnings_name_the_entry() -> None:
    log = ("Database file #1: references.bib\n"
           "Warning--to sort, need author or key in tflite\n"
           "Warning--empty year in llamacpp\n"
           'Warning--I didn\'t find a database entry for "nokey"\n'
           "(There were 3 warnings)\n")
    found = [(p.key, p.what) for p in blg_problems(log)]
    assert found == [
        ("tflite", "BibTeX warning: to sort, need author or key"),
        ("llamacpp", "BibTeX warning: empty year"),
        ("nokey", 'BibTeX warning: I didn\'t find a database entry for "nokey"'),
    ]


def test_blg_error_names_file_and_line() -> None:
    log = "I was expecting a `,' or a `}'---line 7 of file references.bib\n"
    assert [p.what for p in blg_problems(log)] == [
        "BibTeX error at references.bib:7: I was expecting a `,' or a `}'"]


def test_clean_blg_is_silent() -> None:
    assert blg_problems("Database file #1: references.bib\nYou've used 40 entries,\n") == []


def test_bibitem_labels_span_lines_and_braces() -> None:
    bbl = ("\\bibitem[{Gemma Team}(2024)]{team2024gemma2}\nGemma Team.\n"
           "\\bibitem[Hu et~al.(2022)Hu, Shen, Wallis,\n  and Chen]{hu2021lora}\n")
    assert bibitems(bbl) == [("{Gemma Team}(2024)", "team2024gemma2"),
                             ("Hu et~al.(2022)Hu, Shen, Wallis, and Chen", "hu2021lora")]


@pytest.mark.parametrize(("label", "key", "why"), [
    ("tfl()", "tflite", "key fragment '(tfl)'"),
    ("Google()", "tflite", "without a year"),
    ("(2017)", "tflite", "key fragment '()'"),
])
def test_bad_labels_are_reported(label: str, key: str, why: str) -> None:
    assert any(why in p.what for p in label_problems(label, key))


@pytest.mark.parametrize(("label", "key"), [
    ("Google(2017)", "tflite"),
    ("{Gemma Team}(2024)", "team2024gemma2"),
    ("Xu(2024)", "xu2024ondevice"),  # a real two-letter surname is not a key fragment
    ("Lin et~al.(2024)Lin, Tang", "lin2024awq"),
])
def test_good_labels_are_silent(label: str, key: str) -> None:
    assert label_problems(label, key) == []


needs_tex = pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("bibtex") is None,
    reason="needs pdflatex and bibtex (TeX Live)")


def _run_bibtex(tmp_path: Path, bib: str, keys: str) -> Path:
    """pdflatex + bibtex on a document citing ``keys`` with plainnat; returns the stem."""
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage[round,authoryear]{natbib}\\begin{document}"
        f"\\citep{{{keys}}}\\bibliographystyle{{plainnat}}\\bibliography{{refs}}"
        "\\end{document}\n", encoding="utf-8")
    for cmd in (["pdflatex", "-interaction=nonstopmode", "doc"], ["bibtex", "doc"]):
        subprocess.run(cmd, cwd=tmp_path, capture_output=True, timeout=120)
    return tmp_path / "doc"


def _library(tmp_path: Path) -> Path:
    path = tmp_path / "library.yaml"
    path.write_text(LIBRARY, encoding="utf-8")
    return path


@needs_tex
def test_software_entry_without_author_or_year_fails(tmp_path: Path) -> None:
    stem = _run_bibtex(tmp_path, GOOD + SOFTWARE_BARE, "good2020,tflite")
    with pytest.raises(UserError) as err:
        check_bibliography(stem, _library(tmp_path))
    message = str(err.value)
    assert "library.yaml:4: entry 'tflite': BibTeX warning: to sort, need author or key" \
        in message
    assert "entry 'tflite': BibTeX warning: empty year" in message
    assert "entry 'tflite': citation renders as the key fragment '(tfl)'" in message
    assert "good2020" not in message


@needs_tex
def test_empty_year_fails(tmp_path: Path) -> None:
    stem = _run_bibtex(tmp_path, NO_YEAR, "good2020")
    with pytest.raises(UserError, match="entry 'good2020': BibTeX warning: empty year"):
        check_bibliography(stem, _library(tmp_path))


@needs_tex
def test_complete_entries_pass_silently(tmp_path: Path) -> None:
    stem = _run_bibtex(tmp_path, GOOD + SOFTWARE_FIXED, "good2020,tflite")
    assert stem.with_suffix(".bbl").exists()
    check_bibliography(stem, _library(tmp_path))  # no exception
