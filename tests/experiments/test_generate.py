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
    real, calls = generate.generate_batch, []

    def dies_on_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(generate, "generate_batch", dies_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        evaluate(_settings(tiny_model, tmp_path, batch_size=4))
    preds = tmp_path / "predictions.jsonl"
    first = read_predictions(preds).records
    assert len(first) == 4 and not (tmp_path / "metrics.json").exists()
    # Simulate a kill in the middle of a write, and mark a kept row to prove it is reused.
    kept_id = next(iter(first))
    lines = preds.read_text().splitlines()
    lines = [json.dumps({**json.loads(ln), "output": "KEPT"}) if kept_id in ln else ln
             for ln in lines]
    preds.write_text("\n".join(lines) + '\n{"id": "edgejson_half_writ')
    monkeypatch.setattr(generate, "generate_batch", real)
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
    with pytest.raises(UserError, match="made with other settings"):
        evaluate(other)


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no-such-model: no such model folder"):
        evaluate(_settings(tmp_path / "no-such-model", tmp_path / "out", 1))


def test_a_folder_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    with pytest.raises(UserError, match="folder has no config.json, so it is not a model"):
        evaluate(_settings(tmp_path / "notes", tmp_path / "out", 1))


def test_stop_criterion_stops_each_row_at_its_own_json_end(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    texts = ['  {"a": [1, {"b": "x}"}]} and then more text', 'No JSON here at all, sorry',
             ' [1, 2] {"c": 3}']
    rows = [tok(t, add_special_tokens=False)["input_ids"] for t in texts]
    width = max(map(len, rows))
    prompt = [7, 8]
    stop = generate.FirstJsonStop(tok, len(prompt), generate.closer_mask(tok))
    for step in range(1, width + 1):
        ids = torch.tensor([prompt + (r + [tok.eos_token_id] * width)[:step] for r in rows])
        stop(ids, None)
    (n0, why0), (n1, why1), (n2, why2) = stop.finished
    assert why0 == "json" and tok.decode(rows[0][:n0]).rstrip().endswith('"x}"}]}')
    assert why1 == "eos" and n1 == len(rows[1]) + 1
    assert why2 == "json" and tok.decode(rows[2][:n2]).strip() == "[1, 2]"


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
