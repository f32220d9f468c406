"""Shared fixtures: a tiny random Llama built on the fly (no downloads)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of a 2-layer Llama + BPE tokenizer trained on EdgeJSON, built once per session.

    Loaded by path through the normal code path (AutoTokenizer / AutoModelForCausalLM).
    """
    pytest.importorskip("torch")
    from edgejson.tinymodel import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))
