"""End to end: `make arxiv` compiles on its own, `make diff OLD=HEAD~1` marks a changed
result and a changed sentence. Slow (LaTeX builds in copies of the repository, sharing
this checkout's venv as tests/test_paper_build.py does)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from treecopy import copy_tree, with_exact_correct

from maaza_core.paths import ROOT

TOOLS = ("latexmk", "pdftotext", "latexdiff")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                       reason=f"needs {', '.join(TOOLS)} (tools/tex-packages.txt)"),
]
RESULT = "experiments/results/maaza-mlm-135m.json"  # JSONExact 39/158 = 24.7%
# Planted in the old commit, reworded in the new one: independent of the paper's prose.
PLANTED = "\nA planted sentence says the {} thing.\n"


def env() -> dict[str, str]:
    """The environment without the variables that would point Make at this checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAAZA_ROOT")}


def make(tree: Path, *args: str) -> str:
    """Run make in `tree` with this checkout's venv; its output, or the test fails."""
    proc = subprocess.run(["make", "--no-print-directory", f"VENV={ROOT / '.venv'}", *args],
                          cwd=tree, env=env(), capture_output=True, text=True)
    assert proc.returncode == 0, f"make {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def pdf_text(pdf: Path) -> str:
    """The PDF's text as pdftotext reads it."""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def git(tree: Path, *args: str) -> None:
    """Run git in `tree` as a test author."""
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   cwd=tree, check=True, capture_output=True)


def test_arxiv_tarball_compiles_alone_to_the_same_text(tmp_path):
    tree = copy_tree(tmp_path / "maaza")
    make(tree, "arxiv")
    with tarfile.open(tree / "build" / "arxiv.tar.gz") as tar:
        names = tar.getnames()
        tar.extractall(tmp_path / "submission", filter="data")
    assert "main.tex" in names and "main.bbl" in names and "generated/macros.tex" in names
    assert any(re.fullmatch(r"figures/[\w-]+\.pdf", n) for n in names)
    assert not [n for n in names if n.endswith((".log", ".aux", ".bib", ".py", ".j2"))]
    # pdflatex alone, twice, in the bare folder: no search paths, no BibTeX, no latexmk.
    bare = {k: v for k, v in env().items() if k not in ("TEXINPUTS", "BIBINPUTS")}
    for _ in range(2):
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                        "-no-shell-escape", "main.tex"], cwd=tmp_path / "submission", env=bare,
                       check=True, capture_output=True)
    assert pdf_text(tmp_path / "submission" / "main.pdf") == pdf_text(tree / "build" / "paper.pdf")


def test_diff_marks_a_changed_result_and_a_changed_sentence(tmp_path):
    tree = copy_tree(tmp_path / "maaza")  # a fresh repository: this tree is its HEAD~1
    conclusion = tree / "paper" / "sections" / "conclusion.tex"
    text = conclusion.read_text()
    conclusion.write_text(text + PLANTED.format("first"))
    git(tree, "init", "--quiet")
    git(tree, "add", "-A")
    git(tree, "commit", "--quiet", "-m", "old")
    result = tree / RESULT
    result.write_text(with_exact_correct(result.read_text(), 46))  # 46/158 = 29.1%
    conclusion.write_text(text + PLANTED.format("second"))
    git(tree, "commit", "--quiet", "-am", "new")

    make(tree, "diff", "OLD=HEAD~1")
    marked = (tree / "build" / "diff" / "diff.tex").read_text()
    body = marked[marked.index("\\begin{document}"):]
    assert re.search(r"\\DIFdel\{24\.7\\%", body) and re.search(r"\\DIFadd\{29\.1\\%", body)
    assert re.search(r"\\DIFdel\{first", body) and re.search(r"\\DIFadd\{second", body)
    words = " ".join(pdf_text(tree / "build" / "diff.pdf").split())
    # pdftotext sets the struck old text right before the new one ("24.729.1%").
    assert re.search(r"24\.7\s?29\.1%", words)
    assert re.search(r"says the first\s?second thing", words)
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=tree, capture_output=True,
                               text=True, check=True).stdout
    assert len(worktrees.splitlines()) == 1  # the old revision's worktree is gone
