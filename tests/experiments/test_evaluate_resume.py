"""A run is one model on one dataset (issue 22, item 2): resuming needs the same
fingerprint (weights, adapter, data, output-affecting settings), --restart starts over,
and an output folder is locked while a run writes to it."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edgejson.evaluate import NOT_OUTPUT, EvalSettings
from edgejson.predictions import LOCK_FILE, locked, read_predictions
from maaza_core.cli import setting
from maaza_core.errors import UserError

LIMIT, MAX_NEW = 4, 8  # 4 rows x 8 tokens: about a second on the tiny model


def test_the_fingerprint_is_every_output_affecting_setting() -> None:
    """Derived from the dataclass: a field added later (a prompt format, a constraint, an
    engine) is in it without an edit here; where and how fast a run goes are not."""
    wider = dataclasses.make_dataclass(
        "Wider", [("prompt", str, setting("chat", help="prompt format")),
                  ("constrain", bool, setting(False, help="constrained decoding")),
                  ("stops", tuple, setting(("}",), help="a tuple-valued setting"))],
        bases=(EvalSettings,), frozen=True)
    base = wider(model="m").fingerprint()
    assert {"model", "adapter", "revision", "split", "max_new_tokens", "dtype", "prompt",
            "constrain"} <= set(base)
    assert not NOT_OUTPUT & set(base)
    assert json.loads(json.dumps(base)) == base  # as it reads back from the header
    assert wider(model="m", batch_size=3, progress=False, limit=2, out_dir=Path("x"),
                 restart=True).fingerprint() == base
    assert wider(model="m", prompt="plain").fingerprint() != base


def test_a_constrained_run_names_its_grammar_and_refuses_an_older_one(tmp_path: Path) -> None:
    """Version 1 of the constraint enforced the schemas' formats; a file it wrote must not
    be resumed by today's grammar. Unconstrained fingerprints stay as they were."""
    from types import SimpleNamespace

    from edgejson.evaluate import CONSTRAIN_GRAMMAR, _check_resume

    assert "constrain_grammar" not in EvalSettings(model="m").fingerprint()
    now = EvalSettings(model="m", constrain="schema").fingerprint()
    assert now["constrain_grammar"] == CONSTRAIN_GRAMMAR
    _check_resume(SimpleNamespace(settings=now), now, tmp_path / "p.jsonl")
    older = {k: v for k, v in now.items() if k != "constrain_grammar"}
    with pytest.raises(UserError, match="constrain_grammar: '.not recorded.' there, 2 now"):
        _check_resume(SimpleNamespace(settings=older), now, tmp_path / "p.jsonl")


def test_a_held_folder_is_refused_and_a_stale_lock_is_taken_over(tmp_path: Path) -> None:
    holder = _hold(tmp_path)
    try:
        with pytest.raises(UserError, match=rf"another evaluation \(pid {holder.pid}\) is "
                           r"writing to this folder \(fix: wait .* or choose another --out"):
            with locked(tmp_path):
                pass
    finally:
        holder.kill()
        holder.wait()
    # The holder was killed: its lock file and pid stay behind, and count for nothing.
    assert (tmp_path / LOCK_FILE).read_text().strip() == str(holder.pid)
    with locked(tmp_path):
        assert (tmp_path / LOCK_FILE).read_text().strip() != str(holder.pid)
    assert not (tmp_path / LOCK_FILE).exists()


# --- with the tiny model ----------------------------------------------------------------

ml = pytest.mark.ml


def _settings(model: Path, out: Path, **kwargs) -> EvalSettings:
    return EvalSettings(model=str(model), out_dir=out, limit=LIMIT, batch_size=4,
                        max_new_tokens=MAX_NEW, device="cpu", progress=False, **kwargs)


@pytest.fixture
def model_copy(tiny_model: Path, tmp_path: Path) -> Path:
    """A model folder of our own, whose weights the test may change in place."""
    return Path(shutil.copytree(tiny_model, tmp_path / "model"))


def _perturb_weights(folder: Path) -> None:
    """Weights changed at the same path, as a re-download or retraining would."""
    from safetensors.torch import load_file, save_file

    path = folder / "model.safetensors"
    tensors = load_file(path)
    name = next(iter(tensors))
    tensors[name] = tensors[name] + 1.0
    save_file(tensors, path, metadata={"format": "pt"})


@ml
def test_changed_weights_at_the_same_path_are_refused_until_restart(model_copy: Path,
                                                                     tmp_path: Path) -> None:
    from edgejson.evaluate import evaluate

    out = tmp_path / "run"
    first = evaluate(_settings(model_copy, out))
    header = read_predictions(out / "predictions.jsonl").settings
    assert header["weights_sha256"] == first.model.revision and header["data_sha256"]
    before = (out / "predictions.jsonl").read_text()
    _perturb_weights(model_copy)
    with pytest.raises(UserError, match=r"made by another run \(weights_sha256: .* there, .* "
                       r"now\).*choose another --out, or pass --restart"):
        evaluate(_settings(model_copy, out))
    assert (out / "predictions.jsonl").read_text() == before  # nothing appended
    again = evaluate(_settings(model_copy, out, restart=True))
    rows = (out / "predictions.jsonl").read_text().splitlines()
    assert len(rows) == LIMIT + 1 and again.model.revision != first.model.revision
    assert json.loads(rows[0])["settings"]["weights_sha256"] == again.model.revision


def _adapter(model: Path, folder: Path, seed: int) -> Path:
    """A LoRA adapter as `edgejson train` saves one (B starts at zero, so outputs stay the
    base model's; A, and so the file, depend on the seed)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(model)
    peft = get_peft_model(base, LoraConfig(r=2, target_modules=["q_proj", "v_proj"]))
    peft.save_pretrained(folder)
    return folder


@ml
def test_an_adapter_retrained_in_place_is_refused(model_copy: Path, tmp_path: Path) -> None:
    from edgejson.evaluate import evaluate

    adapter, out = tmp_path / "adapter", tmp_path / "run"
    evaluate(_settings(model_copy, out, adapter=str(_adapter(model_copy, adapter, 1))))
    _adapter(model_copy, adapter, 2)  # retrained in the same folder
    with pytest.raises(UserError, match=r"made by another run \(adapter_sha256: "):
        evaluate(_settings(model_copy, out, adapter=str(adapter)))


@ml
def test_a_predictions_file_without_a_fingerprint_is_not_resumed(model_copy: Path,
                                                                 tmp_path: Path) -> None:
    """Files older than the fingerprint (the committed ones) are scored, never resumed."""
    from edgejson.evaluate import evaluate

    out = tmp_path / "run"
    out.mkdir()
    old = {"edgejson_predictions": 1, "settings": {
        "model": str(model_copy), "adapter": None, "revision": None, "split": "test",
        "max_new_tokens": MAX_NEW, "dtype": "auto", "trust_remote_code": False}}
    (out / "predictions.jsonl").write_text(json.dumps(old) + "\n")
    with pytest.raises(UserError, match=r"made by another run \(.*'\(not recorded\)' there"):
        evaluate(_settings(model_copy, out))


def _hold(folder: Path) -> subprocess.Popen:
    """Another process that holds the folder's lock (an evaluation writing to it)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import time; from pathlib import Path; "
         "from edgejson.predictions import locked\n"
         f"with locked(Path({str(folder)!r})):\n print('held', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


@ml
@pytest.mark.slow
def test_a_second_evaluation_on_the_same_folder_is_refused(model_copy: Path,
                                                           tmp_path: Path) -> None:
    """What a user sees from the command while another run holds --out: one line, exit 1,
    and the other run's predictions untouched."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "predictions.jsonl").write_text("")
    holder = _hold(out)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "edgejson.cli", "evaluate", str(model_copy), "--out",
             str(out), "--limit", "2", "--device", "cpu", "--no-progress"],
            capture_output=True, text=True)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"another evaluation (pid {holder.pid}) is writing to this folder" in done.stderr
    assert (out / "predictions.jsonl").read_text() == ""
