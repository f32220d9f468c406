"""Make (issue 22, item 8, and the Make side of item 4): `make -j4 clean paper` builds the
PDF, a removed or renamed figure script leaves no stale figure in it, and a file name Make
would split or expand is refused before anything runs.

The build tests run Make in a copy of the repository with this checkout's venv, as
tests/test_make.py does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from treecopy import copy_tree

from maaza_core.paths import ROOT


def run_make(tree: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAAZA_ROOT")}
    return subprocess.run(["make", "--no-print-directory", f"VENV={ROOT / '.venv'}", *args],
                          cwd=tree, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("races") / "maaza"
    copy_tree(copy)
    proc = run_make(copy, "paper")
    assert proc.returncode == 0, proc.stderr
    return copy


@pytest.mark.slow
def test_parallel_clean_paper_builds_the_pdf(built):
    """Planted: -j4 ran clean's rm -rf build beside the paper's rules (Make had already
    found the PDF up to date, so it ended with no PDF, or a rule failed mid-write)."""
    proc = run_make(built, "-j4", "clean", "paper")
    assert proc.returncode == 0, proc.stderr
    assert (built / "build" / "paper.pdf").stat().st_size > 0
    assert run_make(built, "-q", "paper").returncode == 0


@pytest.mark.slow
def test_a_removed_figure_script_leaves_no_stale_figure(built):
    """Planted: the script and template of a figure the text still inputs are removed; the
    old drawing in build/ used to reach the PDF, and Make called the PDF up to date."""
    script = built / "figures" / "finetuned-vs-base.py"
    template = built / "paper" / "templates" / "fig-finetuned-vs-base.tex.j2"
    saved = script.read_bytes(), template.read_bytes()
    script.unlink()
    template.unlink()
    try:
        proc = run_make(built, "paper")
        assert proc.returncode != 0
        assert re.search(r"paper/sections/experiments\.tex:\d+: .*fig-finetuned-vs-base",
                         proc.stderr), proc.stderr
        assert not (built / "build" / "figures" / "finetuned-vs-base.pdf").exists()
        assert not (built / "build" / "paper.pdf").exists()
    finally:
        script.write_bytes(saved[0])
        template.write_bytes(saved[1])


@pytest.mark.slow
def test_a_renamed_figure_builds_with_only_the_new_name(built):
    """Silent case: a rename done everywhere (script, template, \\input) builds, and only
    the new figure is left in build/."""
    figures, templates = built / "figures", built / "paper" / "templates"
    (figures / "finetuned-vs-base.py").rename(figures / "tuned-vs-base.py")
    (templates / "fig-finetuned-vs-base.tex.j2").rename(templates / "fig-tuned-vs-base.tex.j2")
    for section in (built / "paper" / "sections").glob("*.tex"):  # \input and \ref{fig:..}
        section.write_text(section.read_text().replace("finetuned-vs-base", "tuned-vs-base"))
    proc = run_make(built, "paper")
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (built / "build" / "figures").iterdir())
    assert "tuned-vs-base.pdf" in names and "finetuned-vs-base.pdf" not in names
    assert not (built / "build" / "generated" / "fig-finetuned-vs-base.tex").exists()


@pytest.mark.parametrize("name", ["a b.json", "a$(shell touch x).json", "x#1.json",
                                  "50%.json", "a:b.json"])
def test_a_results_file_name_make_cannot_hold_is_refused(tmp_path, name):
    """Planted: results names with Make specials; `make -n paper` stops before any rule,
    naming the file. Silent case: the committed names pass (the same tree without it)."""
    tree = tmp_path / "t"
    (tree / "experiments").mkdir(parents=True)
    shutil.copytree(ROOT / "mk", tree / "mk")
    shutil.copy(ROOT / "Makefile", tree / "Makefile")
    shutil.copytree(ROOT / "experiments" / "results", tree / "experiments" / "results")
    shutil.copytree(ROOT / "figures", tree / "figures")
    assert "unsafe file name" not in run_make(tree, "-n", "paper").stderr
    (tree / "experiments" / "results" / name).write_text("{}")
    proc = run_make(tree, "-n", "paper")
    assert proc.returncode != 0
    assert re.search(r"unsafe file name\(s\): experiments/results/.* \(a results or figure "
                     r"file name may hold only letters", proc.stderr), proc.stderr
    assert not (tree / "x").exists() and not (tree / "build").exists()
