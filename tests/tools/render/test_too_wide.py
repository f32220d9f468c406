"""A table or figure wider than the text runs into the page margin, and LaTeX only warns.
The build reads the final log and fails naming the file and lines.

tests/fixtures/latex/overfull.log is a real pdflatex log (TeX Live, max_print_line=10000
as the build sets it) of a document that \\input's a file with a fitting table, then a file
with a table 188 pt too wide in a float, then has a box 17 pt too wide in main.tex, with
"(Font)" lines in between whose parentheses are not files."""

from __future__ import annotations

from pathlib import Path

import pytest

from maaza_core.errors import UserError
from papertools.render import pdf

LOG = Path(__file__).parents[2] / "fixtures" / "latex" / "overfull.log"


def test_each_box_too_wide_is_named_in_its_file() -> None:
    assert pdf.too_wide(LOG) == ["./sub/wide.tex:2--5: 188 pt too wide",
                                 "paper/main.tex:9: 17 pt too wide"]


def test_small_overshoots_pass() -> None:
    assert pdf.too_wide(LOG, limit=20) == ["./sub/wide.tex:2--5: 188 pt too wide"]


def test_a_log_without_overfull_boxes_passes(tmp_path: Path) -> None:
    clean = tmp_path / "main.log"
    clean.write_text("".join(line for line in LOG.read_text(encoding="latin-1")
                             .splitlines(keepends=True) if "Overfull" not in line),
                     encoding="latin-1")
    assert pdf.too_wide(clean) == []


def test_the_build_stops_with_the_fix(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pdf, "run_latexmk", lambda main="main.tex": LOG)
    with pytest.raises(UserError, match=r"(?s)sub/wide\.tex:2--5: 188 pt too wide.*"
                                        r"max width=\\linewidth"):
        pdf._build_pdf(tmp_path / "paper.pdf")
    assert not (tmp_path / "paper.pdf").exists()
