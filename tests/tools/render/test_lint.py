"""The literal-number lint: catches planted numbers, lets the real paper through."""

from __future__ import annotations

import shutil

import pytest

from maaza_core.paths import PAPER_DIR
from papertools.render.lint import lint_paper, lint_text, rendered_integers

MACROS = r"""
\defresult{maaza-mlm-135m/exact-correct}{39}% x
\defresult{data/test-examples}{158}% x
\defresult{data/schemas-complex}{5}% x
"""
INTS = rendered_integers(MACROS)


def findings(text):
    return [(f.line, f.text, f.why) for f in lint_text(PAPER_DIR / "x.tex", text, INTS)]


@pytest.mark.parametrize("text", [
    "Maaza-MLM-135M reaches 24.7 JSONExact.",
    r"it scores 55\% on simple schemas",
    r"it is 1.7$\times$ better",
    "1.7x better while 3.7x smaller",
    "on 158 test examples",
])
def test_planted_numbers_are_caught(text):
    assert findings(text), text


@pytest.mark.parametrize("text", [
    r"Maaza-MLM-135M reaches \result{maaza-mlm-135m/exact} JSONExact.",
    "Qwen2.5-0.5B and SmolLM2-360M are zero-shot baselines.",
    "Llama 3.2 and Gemma 2 are small models.",
    r"we report 95\% Wilson intervals and a 95\% confidence level",
    r"\includegraphics[width=0.9\linewidth]{x} \vspace{2pt}",
    "% a comment may say 24.7",
    "the five complex schemas and 3 tiers",  # small integers are words
    r"\label{sec:3.1} \ref{tab:main-results} \citep{hu2021lora}",
])
def test_legitimate_text_passes(text):
    assert findings(text) == [], text


def test_verbatim_blocks_are_skipped():
    assert findings("\\begin{verbatim}\n0.5 24.7\n\\end{verbatim}\nok") == []


def test_finding_names_file_and_line():
    f = lint_text(PAPER_DIR / "sections" / "x.tex", "ok\nnot ok 24.7\n", INTS)[0]
    assert str(f).startswith("paper/sections/x.tex:2: literal result number '24.7'")


def test_real_paper_is_clean_and_a_planted_number_is_not(tmp_path):
    copy = tmp_path / "paper"
    shutil.copytree(PAPER_DIR, copy)
    assert [str(f) for f in lint_paper(copy, MACROS)] == []
    section = copy / "sections" / "planted.tex"
    section.write_text("The fine-tuned model reaches 24.7 JSONExact.\n")
    found = lint_paper(copy, MACROS)
    assert [(f.path.name, f.line, f.text) for f in found] == [("planted.tex", 1, "24.7")]
