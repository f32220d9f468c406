"""Title protection as the related-work review needs it: a style may lower ordinary words in
title case, never a name. Planted: hyphenated title-case words, names braced by hand in a
pinned title, capitals after an opening quote or parenthesis."""

from __future__ import annotations

import pytest

from papertools.bib.writer import protect_title


@pytest.mark.parametrize(("title", "expected"), [
    ("Language Models are Few-Shot Learners", "Language Models are Few-Shot Learners"),
    ("GPT-3 and Llama-3 at 8-bit", "{GPT-3} and {Llama-3} at {8-bit}"),
    ("The {Berkeley Function Calling Leaderboard} ({BFCL}): From Tool Use",
     "The {Berkeley Function Calling Leaderboard} ({BFCL}): From Tool Use"),
    ("Fine-Tuned 'Small' LLMs (Still) Win", "Fine-Tuned 'Small' {LLMs} (Still) Win"),
    ("Let Me Speak Freely? {A} Study", "Let Me Speak Freely? {A} Study"),
    ("{Caf\u00e9 & Co} Runtime", "{Caf{\\'e} {\\&} Co} Runtime"),
])
def test_protect_title(title: str, expected: str) -> None:
    assert protect_title(title) == expected
