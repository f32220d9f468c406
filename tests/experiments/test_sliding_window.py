"""Sliding-window attention in the slot engine: a tiny Gemma 3 against generate()."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("torch")

import torch  # noqa: E402

from edgejson.data import load_split  # noqa: E402
from edgejson.evaluate import EvalSettings, evaluate  # noqa: E402
from edgejson.modelload import load_model  # noqa: E402
from edgejson.predictions import read_predictions  # noqa: E402
from edgejson.prompt import format_prompt  # noqa: E402

pytestmark = pytest.mark.ml

LIMIT = 8
MAX_NEW = 24
WINDOW = 4  # far shorter than every prompt, so the window decides every token


@pytest.fixture(scope="module")
def tiny_gemma(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from edgejson.tinymodel import build_tiny_gemma3

    return build_tiny_gemma3(tmp_path_factory.mktemp("tiny-gemma3"), window=WINDOW)


def _reference(model_dir: Path) -> dict[str, list[int]]:
    """transformers' generate(), one example at a time (its cache drops old columns)."""
    loaded = load_model(str(model_dir), device="cpu")
    tok, out = loaded.tokenizer, {}
    for ex in load_split("test")[:LIMIT]:
        enc = tok(format_prompt(ex.prompt), return_tensors="pt")
        with torch.inference_mode():
            ids = loaded.model.generate(**enc, do_sample=False, max_new_tokens=MAX_NEW,
                                        pad_token_id=tok.pad_token_id)
        out[ex.id] = ids[0, enc["input_ids"].shape[1]:].tolist()
    return out


def test_same_tokens_as_generate_with_rows_replaced_mid_batch(tiny_gemma: Path,
                                                              tmp_path: Path) -> None:
    evaluate(EvalSettings(model=str(tiny_gemma), out_dir=tmp_path, limit=LIMIT, batch_size=3,
                          max_new_tokens=MAX_NEW, device="cpu", progress=False))
    ours = read_predictions(tmp_path / "predictions.jsonl").records
    tok = load_model(str(tiny_gemma), device="cpu").tokenizer
    reference = _reference(tiny_gemma)
    for ex_id, new in reference.items():
        count = ours[ex_id]["generated_tokens"]
        assert count <= len(new)
        assert ours[ex_id]["output"] == tok.decode(new[:count], skip_special_tokens=True)
    assert len({ours[i]["output"] for i in reference}) > LIMIT // 2  # varied text

    # The window must matter, or the comparison would not test the sliding mask.
    wide = tmp_path / "wide"
    shutil.copytree(tiny_gemma, wide)
    config = json.loads((wide / "config.json").read_text())
    (wide / "config.json").write_text(json.dumps({**config, "sliding_window": 4096}))
    assert _reference(wide) != reference
