"""A prompt format can make prompts longer than the model was trained for (three worked
examples with their schemas ran to 9,531 tokens for SmolLM2, whose context is 8,192).
`edgejson evaluate` keeps such rows, as the format defines them, but says which they are."""

from __future__ import annotations

from edgejson.evaluate import beyond_context

IDS = [f"test-{i:03d}" for i in range(8)]


def test_rows_that_can_run_past_the_context_are_named() -> None:
    encoded = [[0] * n for n in (100, 7_700, 7_681, 7_680, 9_531, 10, 8_000, 8_192)]
    said = beyond_context(IDS, encoded, 8_192, 512)
    # 7,700 + 512 = 8,212 and 7,681 + 512 = 8,193 exceed 8,192; 7,680 + 512 does not.
    assert said.startswith("5 of 8 rows have a prompt that, with 512 new tokens, exceeds "
                           "the 8192 positions the model was trained for (test-001, "
                           "test-002, test-004, test-006, test-007)")
    assert "fewer shots" in said


def test_more_than_five_rows_are_abbreviated() -> None:
    said = beyond_context(IDS, [[0] * 9_000] * 8, 8_192, 512)
    assert said.startswith("8 of 8 rows") and "test-004, ...)" in said


def test_short_prompts_or_an_unknown_context_say_nothing() -> None:
    assert beyond_context(IDS, [[0] * 7_680] * 8, 8_192, 512) is None
    assert beyond_context(IDS, [[0] * 9_000] * 8, None, 512) is None
