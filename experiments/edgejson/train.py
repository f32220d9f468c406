"""`edgejson train`: LoRA fine-tuning on the train split with the paper's settings.

What differs from the benchmark's original training script, and why:
- EOS is appended to every answer and kept in the labels, so the model learns to stop
  (the original padded with EOS and then masked padding, which masked EOS too);
- the pad token is a token other than EOS for the same reason;
- the loss covers the answer tokens only: the prompt is given, not predicted.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from maaza_core.cli import setting
from maaza_core.errors import UserError
from maaza_core.jsonfile import write_json
from maaza_core.paths import DATA_DIR, display

from .data import data_sha256, load_split
from .prompt import format_answer, format_prompt
from .provenance import package_versions, utc_now
from .registry import resolve

IGNORE_INDEX = -100  # label value the cross-entropy loss skips
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
TRAIN_CONFIG_FILE = "edgejson_train.json"
LOSS_LOG_FILE = "train_log.jsonl"  # one line per optimizer step, kept across resumes
CHECKPOINT_DIR = "checkpoints"  # trainer checkpoints; a rerun resumes from the newest


@dataclass(frozen=True)
class TrainSettings:
    """A LoRA run; defaults are the paper's settings.

    The help texts are also the flags of `edgejson train` (maaza_core.cli.add_settings);
    target_modules, warmup_ratio and max_length have no flag: the paper fixes them.
    """

    model: str = setting(help="base model: hub id, folder, GGUF file or registry name")
    out_dir: Path = setting(flag="--out", required=True,
                            help="folder for the adapter, tokenizer and resolved config")
    split: str = setting("train", help="training split")
    limit: int | None = setting(None, help="first N examples only (smoke runs, tests)")
    rank: int = setting(16, help="LoRA rank r")
    alpha: int = setting(32, help="LoRA alpha (scale alpha / r = 2)")
    dropout: float = setting(0.1, help="LoRA dropout")
    target_modules: tuple[str, ...] = LORA_TARGETS  # attention and MLP projections
    learning_rate: float = setting(2e-4, flag="--lr", help="peak learning rate")
    epochs: float = setting(3.0, help="passes over the split")
    effective_batch_size: int = setting(32, flag="--batch-size", help="effective batch size "
                                        "(rows per forward pass x gradient accumulation)")
    per_device_batch_size: int = setting(8, flag="--device-batch-size",
                                         help="rows per forward pass (memory bound)")
    warmup_ratio: float = 0.1  # share of steps with linear warm-up before the cosine decay
    max_steps: int = setting(-1, help="stop after N optimizer steps (-1: run all epochs)")
    max_length: int = 1024  # tokens per example; EdgeJSON's longest is well below this
    append_eos: bool = setting(True, flag="--eos", help="append EOS to every answer; "
                               "--no-eos reproduces the original never-stopping models")
    seed: int = setting(42, help="random seed (data order, LoRA init, dropout)")
    device: str = setting("auto", help="auto, cuda, mps or cpu")
    precision: str = setting("auto", choices=("auto", "bf16", "fp32"),
                             help="bf16 autocast (auto: where the GPU or CPU supports bf16)")
    save_steps: int = setting(5, help="optimizer steps between checkpoints; a rerun resumes "
                              "from the last")
    trust_remote_code: bool = setting(False, help="allow code shipped with the weights "
                                      "(off: safer)")
    data_dir: Path = setting(DATA_DIR, flag="--data", help="the EdgeJSON folder")
    progress: bool = setting(True, help="show the trainer's progress bar")


def _choose_pad(tokenizer: Any) -> None:
    """Give the tokenizer a pad token that is not EOS, without growing the vocabulary."""
    eos = tokenizer.eos_token_id
    if tokenizer.pad_token_id is not None and tokenizer.pad_token_id != eos:
        return
    for token in [tokenizer.unk_token, *tokenizer.all_special_tokens]:
        if token is not None and tokenizer.convert_tokens_to_ids(token) != eos:
            tokenizer.pad_token = token
            return
    # No other special token: id 0 is as good as any, padding is masked out anyway.
    tokenizer.pad_token = tokenizer.convert_ids_to_tokens(0 if eos != 0 else 1)


def build_features(tokenizer: Any, examples: list[Any], max_length: int,
                   append_eos: bool) -> list[dict[str, list[int]]]:
    """input_ids / labels per example; labels mask the prompt with IGNORE_INDEX."""
    feats = []
    for ex in examples:
        prompt_ids = tokenizer(format_prompt(ex.prompt))["input_ids"]
        answer_ids = tokenizer(format_answer(ex.expected), add_special_tokens=False)["input_ids"]
        if append_eos:
            answer_ids = [*answer_ids, tokenizer.eos_token_id]
        ids = (prompt_ids + answer_ids)[:max_length]
        labels = ([IGNORE_INDEX] * len(prompt_ids) + answer_ids)[:max_length]
        feats.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels})
    return feats


def use_bf16(precision: str, device: Any) -> bool:
    """bf16 mixed precision for "auto" on bf16-capable GPUs and CPUs."""
    if precision not in ("auto", "bf16", "fp32"):
        raise UserError(f"--precision {precision}: unknown (fix: auto, bf16 or fp32)")
    if precision != "auto":
        return precision == "bf16"
    import torch

    from .modelload import cpu_has_bf16

    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and cpu_has_bf16()


def _training_args(s: TrainSettings, device: Any) -> Any:
    per_device = min(s.per_device_batch_size, s.effective_batch_size)
    if s.effective_batch_size % per_device:
        raise UserError(f"--batch-size {s.effective_batch_size} is not a multiple of "
                        f"--device-batch-size {per_device} (fix: make it one)")
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=str(s.out_dir / CHECKPOINT_DIR), per_device_train_batch_size=per_device,
        gradient_accumulation_steps=s.effective_batch_size // per_device,
        learning_rate=s.learning_rate, num_train_epochs=s.epochs, max_steps=s.max_steps,
        lr_scheduler_type="cosine", warmup_steps=s.warmup_ratio, seed=s.seed,
        logging_steps=1, save_strategy="steps", save_steps=s.save_steps, save_total_limit=1,
        report_to="none", bf16=use_bf16(s.precision, device),
        use_cpu=device.type == "cpu", disable_tqdm=not s.progress,
    )


def _latest_checkpoint(s: TrainSettings) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    folder = s.out_dir / CHECKPOINT_DIR
    return get_last_checkpoint(str(folder)) if folder.is_dir() else None


def _lora_model(s: TrainSettings) -> tuple[Any, Any, Any]:
    import torch
    from peft import LoraConfig, get_peft_model

    from .modelload import load_base, select_device

    device = select_device(s.device)
    model_path, _ = resolve(s.model)
    model, tokenizer = load_base(model_path, None, torch.float32, s.trust_remote_code)
    _choose_pad(tokenizer)
    tokenizer.padding_side = "right"
    config = LoraConfig(r=s.rank, lora_alpha=s.alpha, lora_dropout=s.dropout,
                        target_modules=list(s.target_modules), task_type="CAUSAL_LM")
    try:
        model = get_peft_model(model, config)
    except ValueError as exc:
        raise UserError(f"LoRA target modules {list(s.target_modules)}: {exc} (fix: set "
                        "TrainSettings.target_modules to modules this model has)") from exc
    _portable_adapter_config(model.peft_config["default"], s)
    return model, tokenizer, device


def _portable_adapter_config(config: Any, s: TrainSettings) -> None:
    """Make adapter_config.json the same file on every machine that trains the same run.

    PEFT records the folder the base model was loaded from (for a registry name, this
    machine's model cache) and writes target_modules in set order, which changes from one
    process to the next; the committed adapter config should differ only when the run does.
    """
    config.base_model_name_or_path = s.model
    config.target_modules = sorted(config.target_modules)


def train(s: TrainSettings, callbacks: tuple[Any, ...] = ()) -> dict[str, Any]:
    """Fine-tune, save the adapter with its resolved config, return that config.

    A rerun with the same out_dir resumes from the newest checkpoint; `callbacks` are
    extra transformers TrainerCallbacks (progress hooks, tests that interrupt a run).
    """
    from .versions import check_ml_stack

    check_ml_stack()  # before importing transformers: an old one fails obscurely
    from transformers import DataCollatorForSeq2Seq, Trainer, set_seed

    from .trainlog import LossLog  # a transformers callback: imported with the model stack

    set_seed(s.seed)
    started = utc_now()
    examples = load_split(s.split, s.data_dir)[: s.limit]
    model, tokenizer, device = _lora_model(s)
    trainable, total = model.get_nb_trainable_parameters()
    print(f"trainable parameters: {trainable:,} of {total:,} ({100 * trainable / total:.2f}%)")
    features = build_features(tokenizer, examples, s.max_length, s.append_eos)
    collator = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=IGNORE_INDEX)
    resume = _latest_checkpoint(s)
    if resume:
        print(f"resuming from {resume}")
    log = LossLog(s.out_dir / LOSS_LOG_FILE)
    trainer = Trainer(model=model, args=_training_args(s, device), train_dataset=features,
                      data_collator=collator, callbacks=[log, *callbacks])
    trainer.train(resume_from_checkpoint=resume)
    model.save_pretrained(s.out_dir)
    shutil.rmtree(s.out_dir / CHECKPOINT_DIR, ignore_errors=True)  # done: nothing to resume
    tokenizer.save_pretrained(s.out_dir)
    resolved = {
        "method": "lora", **{k: (display(v) if isinstance(v, Path) else v)
                             for k, v in asdict(s).items()},
        "target_modules": list(s.target_modules), "lr_schedule": "cosine",
        "trainable_parameters": trainable, "total_parameters": total,
        "examples": len(features), "truncated_examples": sum(
            len(f["input_ids"]) == s.max_length for f in features),
        "bf16": trainer.args.bf16, "resumed_from": resume,
        "pad_token": tokenizer.pad_token, "eos_token": tokenizer.eos_token,
        "data_sha256": data_sha256(s.data_dir), "packages": package_versions(),
        "started": started, "finished": utc_now(),
        "loss_history": [h["loss"] for h in trainer.state.log_history if "loss" in h],
    }
    write_json(s.out_dir / TRAIN_CONFIG_FILE, resolved)
    return resolved


def read_train_config(adapter_dir: Path) -> dict[str, Any] | None:
    """The resolved training config saved next to an adapter, if any."""
    path = adapter_dir / TRAIN_CONFIG_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
