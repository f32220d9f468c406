"""LoRA training on the tiny model: labels, loss going down, an adapter evaluate loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("peft")

from edgejson.cli import main  # noqa: E402
from edgejson.data import load_split  # noqa: E402
from edgejson.evaluate import EvalSettings, evaluate  # noqa: E402
from edgejson.prompt import format_prompt  # noqa: E402
from edgejson.train import IGNORE_INDEX, TrainSettings, build_features, train  # noqa: E402
from maaza_core.errors import UserError  # noqa: E402

pytestmark = [pytest.mark.ml, pytest.mark.slow]


def test_labels_keep_eos_and_mask_the_prompt(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    ex = load_split("train")[0]
    (feat,) = build_features(tok, [ex], max_length=4096, append_eos=True)
    n_prompt = len(tok(format_prompt(ex.prompt))["input_ids"])
    assert feat["labels"][:n_prompt] == [IGNORE_INDEX] * n_prompt
    assert feat["labels"][-1] == tok.eos_token_id == feat["input_ids"][-1]
    assert json.loads(tok.decode(feat["labels"][n_prompt:-1])) == ex.expected
    (no_eos,) = build_features(tok, [ex], max_length=4096, append_eos=False)
    assert no_eos["labels"][-1] != tok.eos_token_id


@pytest.fixture(scope="module")
def adapter(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("adapter")
    # 4 examples in one batch of 4, 12 steps at a high rate: every step sees the same
    # batch, so the loss must fall unless training is broken.
    settings = TrainSettings(model=str(tiny_model), out_dir=out, limit=4, max_steps=12,
                             effective_batch_size=4, per_device_batch_size=2,
                             learning_rate=5e-3, max_length=384, device="cpu", progress=False)
    return out, train(settings)


def test_training_lowers_the_loss_and_saves_the_adapter(adapter: tuple[Path, dict]) -> None:
    out, resolved = adapter
    losses = resolved["loss_history"]
    assert len(losses) == 12 and losses[-1] < 0.9 * losses[0]
    assert (out / "adapter_model.safetensors").is_file()
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["r"] == 16 and config["lora_alpha"] == 32
    # The same file on every machine: the model as named, modules in a fixed order, the
    # data folder relative to the repository.
    assert config["target_modules"] == ["down_proj", "gate_proj", "k_proj", "o_proj",
                                        "q_proj", "up_proj", "v_proj"]
    assert config["base_model_name_or_path"] == resolved["model"]
    assert resolved["data_dir"] == "experiments/data/edgejson-v3"
    assert resolved["pad_token"] != resolved["eos_token"]
    assert 0 < resolved["trainable_parameters"] < resolved["total_parameters"]


def test_evaluate_loads_the_adapter(tiny_model: Path, adapter: tuple[Path, dict],
                                    tmp_path: Path) -> None:
    out, resolved = adapter
    base = evaluate(EvalSettings(model=str(tiny_model), out_dir=tmp_path / "base", limit=4,
                                 max_new_tokens=8, device="cpu", progress=False))
    doc = evaluate(EvalSettings(model=str(tiny_model), adapter=str(out), out_dir=tmp_path / "ft",
                                limit=4, max_new_tokens=8, device="cpu", progress=False))
    assert doc.model.method == "lora" and doc.model.adapter == str(out)
    assert doc.config.training["rank"] == 16
    # Merged LoRA keeps the base parameter count and changes what the model says.
    assert doc.model.parameters == base.model.parameters
    base_out = (tmp_path / "base" / "predictions.jsonl").read_text().splitlines()[1:]
    ft_out = (tmp_path / "ft" / "predictions.jsonl").read_text().splitlines()[1:]
    assert base_out != ft_out


def test_train_cli_rejects_a_bad_batch_split(tiny_model: Path, tmp_path: Path, capsys) -> None:
    code = main(["train", str(tiny_model), "--out", str(tmp_path), "--batch-size", "10",
                 "--device-batch-size", "4", "--limit", "2", "--max-steps", "1"])
    assert code == 1 and "not a multiple" in capsys.readouterr().err


class _Crash(Exception):
    """Stands in for a killed process: raised after the step named."""


def _crash_after(step: int):
    from transformers import TrainerCallback

    class Crash(TrainerCallback):
        def on_log(self, args, state, control, **kwargs):  # noqa: ANN001, ANN003
            if state.global_step == step:
                raise _Crash

    return Crash()


def test_an_interrupted_run_resumes_from_its_checkpoint(tiny_model: Path,
                                                        tmp_path: Path) -> None:
    from edgejson.trainlog import read_loss_log

    settings = TrainSettings(model=str(tiny_model), out_dir=tmp_path / "run", limit=4,
                             max_steps=4, save_steps=2, effective_batch_size=2,
                             per_device_batch_size=2, max_length=256, device="cpu",
                             precision="fp32", progress=False)
    with pytest.raises(_Crash):
        train(settings, callbacks=(_crash_after(3),))
    first = read_loss_log(settings.out_dir / "train_log.jsonl")
    assert [r["step"] for r in first] == [1, 2, 3]
    assert (settings.out_dir / "checkpoints" / "checkpoint-2").is_dir()

    resolved = train(settings)
    log = read_loss_log(settings.out_dir / "train_log.jsonl")
    # Step 3 is redone from checkpoint 2, once, with the same data and RNG state.
    assert [r["step"] for r in log] == [1, 2, 3, 4]
    assert log[2]["loss"] == pytest.approx(first[2]["loss"], rel=1e-4)
    assert resolved["resumed_from"].endswith("checkpoint-2")
    assert not (settings.out_dir / "checkpoints").exists()


def test_bf16_choice_follows_the_request() -> None:
    import torch

    from edgejson.train import use_bf16

    cpu = torch.device("cpu")
    assert use_bf16("fp32", cpu) is False and use_bf16("bf16", cpu) is True
    with pytest.raises(UserError, match="--precision half: unknown"):
        use_bf16("half", cpu)
