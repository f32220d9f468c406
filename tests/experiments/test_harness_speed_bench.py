"""bench/harness_speed.py's verdicts: the speed goal counts only when the faster side
scores the same as the original method (exact McNemar on JSONExact, same rows)."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import pytest

from edgejson.data import load_split
from maaza_core.paths import ROOT

pytestmark = pytest.mark.ml  # the bench script imports torch


@pytest.fixture(scope="module")
def bench() -> Any:
    spec = importlib.util.spec_from_file_location(
        "harness_speed", ROOT / "bench" / "harness_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_agreement_tests_jsonexact_on_the_same_rows(bench) -> None:
    rows = load_split("test")[:8]
    gold = {ex.id: json.dumps(ex.expected) for ex in rows}
    # The original gets all 8 exact; the harness 3 of them and nothing parseable else.
    harness = {ex.id: (gold[ex.id] if i < 3 else "no json") for i, ex in enumerate(rows)}
    agree = bench.agreement(rows, gold, harness)
    assert (agree["exact_a"], agree["exact_b"], agree["valid_b"]) == (8, 3, 3)
    assert (agree["mcnemar"].only_a, agree["mcnemar"].only_b) == (5, 0)
    assert agree["mcnemar"].p_value == pytest.approx(0.0625)  # 2 * 0.5^5
    assert bench.agreement(rows, gold, gold)["mcnemar"].p_value == 1.0


@pytest.mark.parametrize(("speedup", "p", "met"), [
    (25.0, 0.6, True), (20.0, 0.06, True),  # fast enough, no significant difference
    (19.9, 1.0, False),  # too slow
    (40.0, 0.01, False),  # fast, but it scores differently
])
def test_the_speed_goal_needs_speed_and_the_same_scores(bench, speedup, p, met) -> None:
    figures = {"speedup_examples_per_s": speedup,
               "json_exact_mcnemar": {"only_original": 1, "only_harness": 0, "p": p}}
    assert bench.goal_met(figures) is met


@pytest.mark.parametrize(("argv", "message"), [
    (["--model", "m.gguf", "--adapter", "a", "--llama-adapter", "a.gguf"],
     "--llama-adapter is applied by --engine llama.cpp only"),
    (["--model", "m.gguf", "--adapter", "a", "--engine", "llama.cpp"],
     "needs both --adapter"),
])
def test_a_flag_the_run_would_ignore_is_refused(bench, capsys, argv, message) -> None:
    with pytest.raises(SystemExit) as exit_info:
        bench.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
