"""End to end: `make paper` in a copy of the repository, read back with pdftotext.

Slow (a full LaTeX build), so each test reuses one built copy where it can. The copy
keeps file times (copy2) and uses this checkout's virtual environment, so Make sees the
same up-to-date venv and only the paper is built.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from treecopy import copy_tree, with_exact_correct

from maaza_core.paths import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
                       reason="needs TeX Live and poppler-utils (see .ci/run)"),
]


def make(tree: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAAZA_ROOT")}
    proc = subprocess.run(["make", "--no-print-directory", f"VENV={ROOT / '.venv'}", *args],
                          cwd=tree, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"make {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("repo") / "maaza"
    copy_tree(tree)
    make(tree, "paper")
    return tree


def test_pdf_has_rendered_numbers_and_no_unresolved_marks(built):
    text = pdf_text(built / "build" / "paper.pdf")
    # 39/158, 87/158, 23/158 from experiments/results/*.json, and the dataset counts.
    for number in ["24.7", "55.1", "14.6", "[18.6, 32.0]", "629", "158"]:
        assert number in text, number
    assert "??" not in text
    assert "(?)" not in text  # natbib's mark for an undefined citation
    assert "References" in text


def test_second_make_is_a_no_op(built):
    # -q: exit 0 only when every target is up to date (no timing in tests; see bench/).
    assert make(built, "-q", "paper", check=False).returncode == 0


def test_touching_one_results_file_rebuilds_only_its_dependants(built):
    os.utime(built / "experiments" / "results" / "qwen2.5-0.5b.json")
    plan = make(built, "-n", "paper").stdout
    assert "render macros" in plan
    assert "render table results" in plan
    assert "figures/accuracy-vs-params.py" in plan
    assert "render table dataset" not in plan  # reads the data set, not results
    assert "litreview" not in plan
    make(built, "paper")
    assert make(built, "-q", "paper", check=False).returncode == 0


@contextmanager
def edited(path: Path, change):
    """Apply ``change(text) -> text`` to ``path`` for the duration of the block."""
    original = path.read_text()
    path.write_text(change(original))
    try:
        yield original
    finally:
        path.write_text(original)


def test_changed_result_reaches_the_pdf(built):
    path = built / "experiments" / "results" / "maaza-mlm-135m.json"
    with edited(path, lambda t: with_exact_correct(t, 46)):
        make(built, "paper")
        assert "29.1" in pdf_text(built / "build" / "paper.pdf")  # 46 / 158
    make(built, "paper")


def test_typed_number_fails_the_build_with_file_and_line(built):
    section = built / "paper" / "sections" / "conclusion.tex"
    planted = "\nThe fine-tuned model reaches 24.7 JSONExact.\n"
    with edited(section, lambda t: t + planted) as original:
        proc = make(built, "paper", check=False)
    assert proc.returncode != 0
    line = len(original.splitlines()) + 2
    assert f"paper/sections/conclusion.tex:{line}: literal result number '24.7'" in (
        proc.stdout + proc.stderr)


def test_undefined_citation_fails_naming_key_and_place(built):
    section = built / "paper" / "sections" / "conclusion.tex"
    with edited(section, lambda t: t + "\nAs shown by \\citet{nobody2099missing}.\n"):
        proc = make(built, "paper", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "undefined citation 'nobody2099missing' used at paper/sections/conclusion.tex:" in out


def test_latex_error_names_file_line_and_log(built):
    section = built / "paper" / "sections" / "conclusion.tex"
    with edited(section, lambda t: t + "\n\\undefinedmacroxyz\n") as original:
        proc = make(built, "paper", check=False)
    out = proc.stdout + proc.stderr
    line = len(original.splitlines()) + 2
    assert proc.returncode != 0
    assert f"LaTeX error: paper/sections/conclusion.tex:{line}: Undefined control sequence" in out
    assert "full log: " in out and "build/latex/main.log" in out


def test_bibtex_warning_fails_the_build_naming_the_entry(built):
    library = built / "bib" / "library.yaml"
    pinned = "    author: '{Google}'\n    year: '2017'\n    key: TensorFlow Lite\n"
    with edited(library, lambda t: t.replace(pinned, "", 1)):
        proc = make(built, "paper", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "entry 'tflite': BibTeX warning: empty year" in out
    assert "entry 'tflite': citation renders as the key fragment '(tfl)'" in out
    make(built, "paper")  # the restored library builds again
