"""Tiny models built on the fly, so that the tests exercise real transformers code
without downloading anything: a byte-level BPE tokenizer trained on the data set's
text and a 2-layer Llama with random weights, saved and then loaded by path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papertools.paths import DATA_DIR

# A 512-token vocabulary keeps the embedding small; hidden size 64 with 2 layers gives
# about 512*64*2 + 2*(4*64*64 + 3*64*128) ~ 180k parameters: generation of 32 tokens
# for 8 rows takes well under a second on one CPU core.
VOCAB_SIZE = 512


def _corpus() -> list[str]:
    rows = [json.loads(line) for line in (DATA_DIR / "train.jsonl").open(encoding="utf-8")]
    return [r["prompt"] + "\n" + json.dumps(r["expected_output"]) for r in rows]


def build_tiny_model(folder: Path, seed: int = 0) -> Path:
    """Train a tokenizer, build a random 2-layer Llama, save both to `folder`."""
    pytest.importorskip("torch")
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE, special_tokens=["<|endoftext|>", "<|pad|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(_corpus(), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>",
                                        bos_token="<|endoftext|>", pad_token="<|pad|>")
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
        max_position_embeddings=2048, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True, initializer_range=0.5)
    model = LlamaForCausalLM(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of a tiny random Llama + tokenizer, built once per test session."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))
