"""Tiny Llama (and Gemma 3) models built from the benchmark's own text, for tests and the benchmark.

Why: the harness must be exercised through the real transformers code path (loading by
path, tokenizer, generate, peft) on machines without network access to the hub. A
byte-level BPE trained on EdgeJSON text keeps prompts short, and random weights are
enough for invariance tests; `bench/harness_speed.py` trains one further.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maaza_core.jsonl import iter_jsonl
from maaza_core.paths import DATA_DIR

EOS = "<|endoftext|>"
PAD = "<|pad|>"


@dataclass(frozen=True)
class TinyConfig:
    """Size of a tiny model; the defaults give ~115k parameters."""

    vocab_size: int = 512  # BPE merges learned from the train split's text
    hidden_size: int = 64  # embedding width
    intermediate_size: int = 128  # MLP width (2x hidden)
    layers: int = 2  # decoder layers
    heads: int = 4  # attention heads (head size 16)
    init_range: float = 0.5  # large random weights make outputs depend on the input
    seed: int = 0  # weight initialisation


def corpus(data_dir: Path = DATA_DIR) -> list[str]:
    """Prompt and compact gold JSON of every train row: what the tokenizer learns from."""
    rows = [row for _, row in iter_jsonl(data_dir / "train.jsonl")]
    return [r["prompt"] + "\n" + json.dumps(r["expected_output"]) for r in rows]


def train_tokenizer(vocab_size: int, data_dir: Path = DATA_DIR) -> Any:
    """A byte-level BPE wrapped as a transformers fast tokenizer (EOS and PAD distinct)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS, PAD],
                                  show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(corpus(data_dir), trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token=EOS, bos_token=EOS,
                                   pad_token=PAD)


def build_tiny_model(folder: Path, cfg: TinyConfig = TinyConfig(),
                     data_dir: Path = DATA_DIR, tokenizer: Any = None) -> Path:
    """Train a tokenizer, build a random Llama, save both to `folder`; returns `folder`.

    `tokenizer`: a published model's instead of a trained one (llama.cpp's converter
    accepts only tokenizers it knows: it recognizes the pre-tokenizer by its output).
    """
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    if tokenizer is None:
        tokenizer = train_tokenizer(cfg.vocab_size, data_dir)
    torch.manual_seed(cfg.seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=cfg.hidden_size,
        intermediate_size=cfg.intermediate_size, num_hidden_layers=cfg.layers,
        num_attention_heads=cfg.heads, num_key_value_heads=cfg.heads,
        max_position_embeddings=2048, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True, initializer_range=cfg.init_range)
    model = LlamaForCausalLM(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def build_tiny_gemma3(folder: Path, window: int = 4, cfg: TinyConfig = TinyConfig(),
                      data_dir: Path = DATA_DIR) -> Path:
    """A random Gemma 3 (the text model) whose middle layer attends to everything and the
    others to the last `window` tokens only: a tiny window makes the sliding mask matter
    from the first generated token on. Saved with its tokenizer to `folder`."""
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    tokenizer = train_tokenizer(cfg.vocab_size, data_dir)
    torch.manual_seed(cfg.seed)
    config = Gemma3TextConfig(
        vocab_size=len(tokenizer), hidden_size=cfg.hidden_size,
        intermediate_size=cfg.intermediate_size, num_hidden_layers=3,
        num_attention_heads=cfg.heads, num_key_value_heads=cfg.heads // 2,
        head_dim=cfg.hidden_size // cfg.heads, sliding_window=window,
        layer_types=["sliding_attention", "full_attention", "sliding_attention"],
        max_position_embeddings=2048, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        initializer_range=0.02)
    model = Gemma3ForCausalLM(config)
    # Every weight (norms too) drawn at std 0.02: larger weights made this architecture
    # repeat one token for every prompt (std 0.5 and 2.0 tried), which tests nothing.
    with torch.no_grad():
        for param in model.parameters():
            param.normal_(0.0, 0.02)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
