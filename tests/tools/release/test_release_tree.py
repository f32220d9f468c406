"""The submission tree: exactly the files main.tex reaches, under arXiv's rules, and the
flattened text latexdiff compares. Small trees in tmp_path; the real paper is built by
tests/test_release_build.py."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maaza_core.errors import UserError
from papertools.release.arxiv import write_tarball
from papertools.release.flatten import braced, flatten, result_values
from papertools.release.tree import collect, referenced

MAIN = r"""\documentclass{article}
\input{generated/macros}
\begin{document}
% \input{sections/commented-out}
\input{sections/intro}
\bibliographystyle{plainnat}
\bibliography{references}
\end{document}
"""
MACROS = (r"\newcommand{\defresult}[2]{\expandafter\newcommand\csname r@#1\endcsname{#2}}"
          "\n" r"\defresult{m/exact}{24.7\%}% from m.json: 39 of 158" "\n"
          r"\defresult{m/disk}{98\,MB}% m.json" "\n")


def paper_tree(root: Path, intro: str = "We reach \\result{m/exact}.\n") -> tuple[Path, Path]:
    """paper/ and build/ as `make paper` leaves them, in miniature."""
    paper, build = root / "paper", root / "build"
    (paper / "sections").mkdir(parents=True)
    (build / "generated").mkdir(parents=True)
    (build / "figures").mkdir()
    (build / "latex").mkdir()
    (paper / "main.tex").write_text(MAIN)
    (paper / "sections" / "intro.tex").write_text(
        intro + "\\input{generated/table}\n\\includegraphics[width=1in]{figures/f.pdf}\n")
    (build / "generated" / "macros.tex").write_text(MACROS)
    (build / "generated" / "table.tex").write_text("% Generated. Do not edit.\nA & B\n")
    (build / "figures" / "f.pdf").write_bytes(b"%PDF-1.4 figure")
    bbl = "\\begin{thebibliography}{1}\n\\end{thebibliography}\n"
    (build / "latex" / "main.bbl").write_text(bbl)
    (build / "latex" / "main.log").write_text("a log that must stay out")
    (paper / "sections" / "unused.tex").write_text("not input anywhere")
    return paper, build


def tree_of(root: Path):
    """The submission tree of a miniature checkout."""
    paper, build = root / "paper", root / "build"
    return collect(paper, build, build / "latex" / "main.bbl")


def test_tree_holds_exactly_what_main_reaches(tmp_path):
    paper_tree(tmp_path)
    assert sorted(tree_of(tmp_path).files) == [
        "figures/f.pdf", "generated/macros.tex", "generated/table.tex", "main.bbl", "main.tex",
        "sections/intro.tex"]


@pytest.mark.parametrize("target, message", [
    ("/abs/table", "points outside the paper's tree"),
    ("../outside", "points outside the paper's tree"),
    ("generated/missing", "no file generated/missing.tex under"),
    ("generated/has space", "has characters arXiv refuses"),
])
def test_a_reference_arxiv_cannot_follow_is_an_error_naming_the_file(tmp_path, target, message):
    paper_tree(tmp_path, intro=f"\\input{{{target}}}\n")
    (tmp_path / "build" / "generated" / "has space.tex").write_text("x")
    with pytest.raises(UserError, match=message) as err:
        tree_of(tmp_path)
    if "arXiv refuses" not in message:
        assert "intro.tex" in str(err.value)


def test_missing_bbl_asks_for_make_paper(tmp_path):
    paper_tree(tmp_path)
    (tmp_path / "build" / "latex" / "main.bbl").unlink()
    with pytest.raises(UserError, match=r"main\.bbl: no bibliography yet \(fix: make paper\)"):
        tree_of(tmp_path)


def test_tarball_is_the_tree_byte_for_byte_and_reproducible(tmp_path):
    paper_tree(tmp_path)
    first, second = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    write_tarball(first, tree_of(tmp_path))
    (tmp_path / "build" / "figures" / "f.pdf").touch()  # a newer time changes nothing
    write_tarball(second, tree_of(tmp_path))
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(first.read_bytes()))) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert "main.tex" in members and all(m.isfile() for m in members.values())
        assert not any(n.endswith((".log", ".bib", ".py")) for n in members)
        assert tar.extractfile("sections/intro.tex").read() == (
            tmp_path / "paper" / "sections" / "intro.tex").read_bytes()


def test_references_skip_comments_but_not_escaped_percent():
    text = "50\\% \\input{a}\n% \\input{b}\n\\includegraphics[scale=2]{c.pdf} % \\input{d}\n"
    assert referenced(text) == [("input", "a"), ("includegraphics", "c.pdf")]


# --- flattening ------------------------------------------------------------------------

def test_flatten_inlines_inputs_expands_results_and_includes_the_bbl(tmp_path):
    paper_tree(tmp_path)
    flat = flatten(tree_of(tmp_path))
    assert "\\input" not in flat.replace("% \\input{sections/commented-out}", "")
    assert "We reach 24.7\\%." in flat  # the value, so a changed number is a changed word
    assert "\\begin{thebibliography}" in flat and "\\bibliography{" not in flat
    assert "A & B" in flat
    assert flat.index("\\defresult{m/exact}") < flat.index("\\begin{document}")


def test_input_after_a_file_ending_in_a_comment_is_not_swallowed(tmp_path):
    paper_tree(tmp_path, intro="\\input{generated/a}\\input{generated/b}\n")
    (tmp_path / "build" / "generated" / "a.tex").write_text("first % a comment")
    (tmp_path / "build" / "generated" / "b.tex").write_text("second")
    assert "first % a comment\nsecond" in flatten(tree_of(tmp_path))


def test_an_input_loop_is_an_error(tmp_path):
    paper_tree(tmp_path, intro="\\input{sections/intro}\n")
    with pytest.raises(UserError, match="input loop"):
        flatten(tree_of(tmp_path))


def test_result_values_read_nested_braces():
    values = result_values(MACROS + r"\defresult{x/y}{\textbf{a}{b}}% c" "\n")
    assert values == {"m/exact": "24.7\\%", "m/disk": "98\\,MB", "x/y": "\\textbf{a}{b}"}


@given(st.text(alphabet="ab{}\\ ", max_size=30))
def test_braced_returns_a_balanced_group_or_refuses(inner):
    text = "{" + inner + "}"
    try:
        group, end = braced(text, 0)
    except ValueError:
        return
    assert text[0] == "{" and text[end - 1] == "}"
    assert text[1:end - 1] == group
