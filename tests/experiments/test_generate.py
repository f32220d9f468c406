"""Generation on a tiny local model: batch-size invariance, resume, stopping, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("torch")

import jsonschema  # noqa: E402
import torch  # noqa: E402

from edgejson import generate  # noqa: E402
from edgejson.evaluate import EvalSettings, evaluate  # noqa: E402
from edgejson.predictions import read_predictions  # noqa: E402
from maaza_core.errors import UserError  # noqa: E402
from maaza_core.paths import RESULTS_SCHEMA  # noqa: E402

pytestmark = pytest.mark.ml

LIMIT = 16  # 16 test rows x 24 new tokens: a few seconds on one CPU core
MAX_NEW = 24


def _settings(model: Path, out: Path, batch_size: int) -> EvalSettings:
    return EvalSettings(model=str(model), out_dir=out, limit=LIMIT, batch_size=batch_size,
                        max_new_tokens=MAX_NEW, device="cpu", progress=False)


def _outputs(out: Path) -> dict[str, tuple[str, int, str]]:
    recs = read_predictions(out / "predictions.jsonl").records
    return {i: (r["output"], r["generated_tokens"], r["stop"]) for i, r in recs.items()}


@pytest.fixture(scope="module")
def reference(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batch1")
    evaluate(_settings(tiny_model, out, batch_size=1))
    return out


def test_outputs_do_not_depend_on_batch_size(tiny_model: Path, reference: Path,
                                             tmp_path: Path) -> None:
    evaluate(_settings(tiny_model, tmp_path, batch_size=8))
    one, eight = _outputs(reference), _outputs(tmp_path)
    assert len(one) == LIMIT and one == eight
    # The random model must produce varied text, or the comparison proves nothing.
    assert len({o for o, _, _ in one.values()}) > LIMIT // 2


def test_same_tokens_as_generate_one_example_at_a_time(tiny_model: Path, reference: Path
                                                      ) -> None:
    """The original method (transformers' generate, batch 1, no stop) as the reference."""
    from edgejson.data import load_split
    from edgejson.modelload import load_model
    from edgejson.prompt import format_prompt

    loaded = load_model(str(tiny_model), device="cpu")
    tok, ours = loaded.tokenizer, _outputs(reference)
    for ex in load_split("test")[:LIMIT]:
        enc = tok(format_prompt(ex.prompt), return_tensors="pt")
        with torch.inference_mode():
            out = loaded.model.generate(**enc, do_sample=False, max_new_tokens=MAX_NEW,
                                        pad_token_id=tok.pad_token_id)
        text, count, _ = ours[ex.id]
        new = out[0, enc["input_ids"].shape[1]:]
        assert count <= len(new) and text == tok.decode(new[:count], skip_special_tokens=True)


def test_measured_metrics_file_validates(reference: Path) -> None:
    doc = json.loads((reference / "metrics.json").read_text())
    jsonschema.Draft202012Validator(json.loads(RESULTS_SCHEMA.read_text())).validate(doc)
    assert doc["provenance"] == "measured" and doc["model"]["method"] == "zero-shot"
    assert doc["model"]["parameters"] > 100_000 and doc["model"]["disk_size_bytes"] > 0
    perf = doc["performance"]
    recs = read_predictions(reference / "predictions.jsonl").records.values()
    assert perf["generated_tokens"] == sum(r["generated_tokens"] for r in recs)
    truncated = doc["metrics"]["overall"]["truncated"]["correct"]
    assert truncated == sum(r["generated_tokens"] == MAX_NEW and r["stop"] == "length"
                            for r in recs)
    run = doc["run"]
    assert run["device"] == "cpu" and run["dtype"] == "float32" and run["packages"]["torch"]
    assert len(doc["model"]["revision"]) == 64  # sha256 of the local weights


def test_resume_after_interruption(tiny_model: Path, reference: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = generate.Decoder.admit, []

    def dies_on_eighth_prompt(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 8:  # 4 slots: rows have finished (and been written) by then
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(generate.Decoder, "admit", dies_on_eighth_prompt)
    with pytest.raises(KeyboardInterrupt):
        evaluate(_settings(tiny_model, tmp_path, batch_size=4))
    preds = tmp_path / "predictions.jsonl"
    first = read_predictions(preds).records
    assert 3 <= len(first) <= 7 and not (tmp_path / "metrics.json").exists()
    # Simulate a kill in the middle of a write, and mark a kept row to prove it is reused.
    kept_id = next(iter(first))
    lines = preds.read_text().splitlines()
    lines = [json.dumps({**json.loads(ln), "output": "KEPT"}) if kept_id in ln else ln
             for ln in lines]
    preds.write_text("\n".join(lines) + '\n{"id": "edgejson_half_writ')
    monkeypatch.setattr(generate.Decoder, "admit", real)
    evaluate(_settings(tiny_model, tmp_path, batch_size=4))
    resumed, ref = _outputs(tmp_path), _outputs(reference)
    assert resumed[kept_id][0] == "KEPT"
    assert {i: v for i, v in resumed.items() if i != kept_id} == {
        i: v for i, v in ref.items() if i != kept_id}
    assert json.loads((tmp_path / "metrics.json").read_text())["run"]["resumed"] is True


def test_rerun_of_a_finished_run_rewrites_the_metrics_only(tiny_model: Path, reference: Path,
                                                           tmp_path: Path) -> None:
    shutil.copy(reference / "predictions.jsonl", tmp_path / "predictions.jsonl")
    before = (tmp_path / "predictions.jsonl").read_text()
    doc = evaluate(_settings(tiny_model, tmp_path, batch_size=1))
    assert (tmp_path / "predictions.jsonl").read_text() == before
    assert doc.run["resumed"] is True and doc.dataset.examples == LIMIT


def test_resume_refuses_other_settings(tiny_model: Path, reference: Path, tmp_path: Path
                                       ) -> None:
    (tmp_path / "predictions.jsonl").write_text((reference / "predictions.jsonl").read_text())
    other = EvalSettings(model=str(tiny_model), out_dir=tmp_path, limit=LIMIT,
                         max_new_tokens=MAX_NEW + 1, device="cpu", progress=False)
    with pytest.raises(UserError, match="made by another run .*max_new_tokens: 24 there"):
        evaluate(other)


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no-such-model: no such model folder"):
        evaluate(_settings(tmp_path / "no-such-model", tmp_path / "out", 1))


def test_a_folder_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    with pytest.raises(UserError, match="folder has no config.json, so it is not a model"):
        evaluate(_settings(tmp_path / "notes", tmp_path / "out", 1))


def test_stop_rule_stops_each_row_at_its_own_json_end(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    from edgejson.extract import JsonWatcher

    tok = AutoTokenizer.from_pretrained(tiny_model)
    texts = ['  {"a": [1, {"b": "x}"}]} and then more text', 'No JSON here at all, sorry',
             ' [1, 2] {"c": 3}', ' {"open": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12']
    eos = {tok.eos_token_id}
    rule, short = generate.StopRule(tok, 500, eos), generate.StopRule(tok, 5, eos)
    ends = []
    for text in texts:
        check = (short if text.startswith(' {"open"') else rule).check
        ids = tok(text, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        watcher = JsonWatcher()
        ends.append(next((n, why) for n in range(1, len(ids) + 1)
                         if (why := check(ids[:n], watcher))))
    ids0 = tok(texts[0], add_special_tokens=False)["input_ids"]
    (n0, why0), (n1, why1), (n2, why2), (n3, why3) = ends
    assert why0 == "json" and tok.decode(ids0[:n0]).rstrip().endswith('"x}"}]}')
    assert n0 < len(ids0)  # stopped before the trailing text
    assert why1 == "eos" and n1 == len(tok(texts[1], add_special_tokens=False)["input_ids"]) + 1
    ids2 = tok(texts[2], add_special_tokens=False)["input_ids"]
    assert why2 == "json" and tok.decode(ids2[:n2]).strip() == "[1, 2]"
    assert why3 == "length" and n3 == 5


def test_device_and_dtype_selection() -> None:
    from edgejson.modelload import select_device, select_dtype

    cpu = torch.device("cpu")
    assert select_dtype("auto", cpu) == torch.float32
    assert select_dtype("bfloat16", cpu) == torch.bfloat16
    with pytest.raises(UserError, match="unknown"):
        select_dtype("float13", cpu)
    if not torch.cuda.is_available():
        assert select_device("auto").type in ("cpu", "mps")
        with pytest.raises(UserError, match="no CUDA device"):
            select_device("cuda")


def test_unsupported_layer_types_are_refused_clearly() -> None:
    from transformers import LlamaConfig, LlamaForCausalLM

    from edgejson.modelload import LoadedModel

    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32,
                         num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1)
    model = LlamaForCausalLM(config)
    model.config.layer_types = ["full_attention", "chunked_attention"]
    loaded = LoadedModel(model=model, tokenizer=None, device=torch.device("cpu"),
                         dtype=torch.float32, info={"id": "chunky"})
    with pytest.raises(UserError, match="chunky: layers of type chunked_attention are not"):
        generate.Decoder(loaded, slots=2, rule=None)


def test_end_ids_read_the_generation_config_as_generate_does() -> None:
    from types import SimpleNamespace

    tok = SimpleNamespace(eos_token_id=2)
    for config_ids, want in (([2, 7], {2, 7}), (7, {2, 7}), (None, {2}), ([], {2})):
        model = SimpleNamespace(generation_config=SimpleNamespace(eos_token_id=config_ids))
        assert generate.end_ids(model, tok) == want


def test_stops_on_every_end_id_like_generate(tiny_model: Path, tmp_path: Path) -> None:
    """A model with two end ids (as chat models end turns with their own token): every row
    must stop where transformers' generate() stops, on either id."""
    from edgejson.data import load_split
    from edgejson.modelload import load_model
    from edgejson.prompt import format_prompt

    loaded = load_model(str(tiny_model), device="cpu")
    tok, rows = loaded.tokenizer, load_split("test")[:LIMIT]
    encs = [tok(format_prompt(ex.prompt), return_tensors="pt") for ex in rows]

    def greedy(model):
        with torch.inference_mode():
            return [model.generate(**enc, do_sample=False, max_new_tokens=MAX_NEW,
                                   pad_token_id=tok.pad_token_id)[0, enc["input_ids"].shape[1]:]
                    .tolist() for enc in encs]

    # The second end id: a token the random model emits early, new in its row.
    first = greedy(loaded.model)[0]
    second = next(t for i, t in enumerate(first) if i >= 2 and t not in first[:i])
    model_dir = tmp_path / "two-ends"
    shutil.copytree(tiny_model, model_dir)
    gen_config = json.loads((model_dir / "generation_config.json").read_text())
    gen_config["eos_token_id"] = [tok.eos_token_id, second]
    (model_dir / "generation_config.json").write_text(json.dumps(gen_config))
    out = tmp_path / "run"
    evaluate(_settings(model_dir, out, batch_size=4))
    ours = _outputs(out)
    reference = greedy(load_model(str(model_dir), device="cpu").model)
    stopped_on_second = 0
    for ex, new in zip(rows, reference, strict=True):
        text, count, why = ours[ex.id]
        assert count <= len(new) and text == tok.decode(new[:count], skip_special_tokens=True)
        if why == "eos" and new[count - 1] == second:
            stopped_on_second += 1
    assert stopped_on_second >= 1


def test_latency_is_stamped_when_the_row_finishes(tiny_model: Path, tmp_path: Path) -> None:
    """With one new token, every row ends at its own prefill: its latency is that prefill
    alone, not the prefills of the rows admitted after it before the records were written."""
    evaluate(EvalSettings(model=str(tiny_model), out_dir=tmp_path, limit=8, batch_size=4,
                          max_new_tokens=1, device="cpu", progress=False))
    recs = read_predictions(tmp_path / "predictions.jsonl").records.values()
    assert len(recs) == 8 and {r["stop"] for r in recs} <= {"length", "eos"}
    for r in recs:
        # The share also counts the bookkeeping after the stamp (a few microseconds).
        assert r["latency_s"] <= r["wall_s"] + 1e-6
        assert r["wall_s"] - r["latency_s"] < 0.5 * r["wall_s"]
