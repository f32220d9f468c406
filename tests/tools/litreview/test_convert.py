"""Drafts -> LaTeX: every pandoc citation form gives the right natbib command, and an
unknown key stops the conversion at its file and line before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from maaza_core.errors import UserError
from papertools.litreview.drafts import check_drafts, convert_draft, to_latex


@pytest.mark.parametrize(
    ("markdown", "latex"),
    [
        ("[@alpha2020]", r"\citep{alpha2020}"),
        ("@alpha2020 showed", r"\citet{alpha2020} showed"),
        ("[@alpha2020; @beta2021]", r"\citep{alpha2020, beta2021}"),
        ("[see @alpha2020, p. 3]", r"\citep[see][p.~3]{alpha2020}"),
        ("[@alpha2020, pp. 3-5]", r"\citep[pp.~3-5]{alpha2020}"),
        ("[e.g., @alpha2020]", r"\citep[e.g.,][]{alpha2020}"),
        ("@alpha2020 [p. 3]", r"\citet[p.~3]{alpha2020}"),
        ("[-@alpha2020]", r"\citeyearpar{alpha2020}"),
        (
            "[@alpha2020, p. 3; @beta2021]",
            r"\citetext{\citealp[p.~3]{alpha2020}; \citealp{beta2021}}",
        ),
    ],
)
def test_citation_forms_become_natbib_commands(markdown: str, latex: str) -> None:
    assert to_latex(markdown).strip() == latex


def test_raw_latex_and_header_labels_pass_through() -> None:
    out = to_latex("## Models {#sec:x}\n\nSee Table \\ref{tab:y}; \\result{data/schemas} & 5%.\n")
    assert r"\subsection{Models}\label{sec:x}" in out
    assert r"Table \ref{tab:y}" in out
    assert r"\result{data/schemas}" in out
    assert r"\& 5\%" in out  # prose special characters are escaped by pandoc


def test_convert_writes_fragment_with_header(tmp_path: Path, library) -> None:
    draft = tmp_path / "01-intro.md"
    draft.write_text("## Intro\n\nLow-rank adapters [@hu2021lora].\n", encoding="utf-8")
    out = tmp_path / "out" / "01-intro.tex"
    convert_draft(draft, out, library)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("% Generated from")
    assert r"\citep{hu2021lora}" in text


def test_unknown_key_names_file_line_and_closest_keys(tmp_path: Path, library) -> None:
    draft = tmp_path / "02-typo.md"
    draft.write_text("## Typo\n\nFine [@alpha2020].\nBroken [@hu2021lroa].\n", encoding="utf-8")
    out = tmp_path / "02-typo.tex"
    with pytest.raises(UserError) as err:
        convert_draft(draft, out, library)
    message = str(err.value)
    assert "02-typo.md:4:" in message
    assert "'hu2021lroa'" in message
    assert "closest: hu2021lora" in message
    assert "papertools bib add" in message
    assert not out.exists()  # nothing half-written


def test_previous_fragment_survives_a_failed_conversion(tmp_path: Path, library) -> None:
    draft = tmp_path / "01-a.md"
    out = tmp_path / "01-a.tex"
    draft.write_text("Good [@alpha2020].\n", encoding="utf-8")
    convert_draft(draft, out, library)
    before = out.read_text(encoding="utf-8")
    draft.write_text("Bad [@nobody1999].\n", encoding="utf-8")
    with pytest.raises(UserError):
        convert_draft(draft, out, library)
    assert out.read_text(encoding="utf-8") == before


def test_check_reports_every_unknown_key(tmp_path: Path, library) -> None:
    (tmp_path / "01-a.md").write_text("[@x1]\n", encoding="utf-8")
    (tmp_path / "02-b.md").write_text("\n\n@y2 and [@beta2021]\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        check_drafts(sorted(tmp_path.glob("*.md")), library)
    assert "01-a.md:1:" in str(err.value)
    assert "02-b.md:3:" in str(err.value)


def test_code_spans_and_emails_are_not_citations(tmp_path: Path, library) -> None:
    draft = tmp_path / "01-a.md"
    draft.write_text("Write `[@key]` to cite; mail a.b@example.org.\n", encoding="utf-8")
    assert check_drafts([draft], library) == []
