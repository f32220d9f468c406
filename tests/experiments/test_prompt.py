"""Prompt formats: names, shots, chat rendering, and the bare format kept as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgejson.data import load_dataset, load_split
from edgejson.prompt import (
    BASES,
    PROMPT_TEMPLATE,
    chat_messages,
    encode_prompts,
    format_prompt,
    parse_format,
    pick_shots,
)
from maaza_core.errors import UserError

# A chat template in the style of ChatML (SmolLM2's), small enough to read in a test.
CHATML = ("{% for m in messages %}<|im|>{{ m['role'] }}\n{{ m['content'] }}<|end|>\n"
          "{% endfor %}{% if add_generation_prompt %}<|im|>assistant\n{% endif %}")


@pytest.fixture(scope="module")
def data():
    dataset = load_dataset()
    return dataset, load_split("train", dataset=dataset), load_split("test", dataset=dataset)


def test_bare_is_the_historical_prompt() -> None:
    # The committed runs and the fine-tuning used exactly these bytes.
    assert PROMPT_TEMPLATE == ("Extract the structured JSON data from the following text."
                               "\n\nInput: {prompt}\n\nOutput:")
    assert format_prompt("x") == PROMPT_TEMPLATE.format(prompt="x")


@pytest.mark.parametrize("name, base, shots", [
    ("bare", "bare", 0), ("chat", "chat", 0), ("chat-schema", "chat-schema", 0),
    ("few-shot-3", "bare", 3), ("chat-few-shot-1", "chat", 1),
    ("chat-schema-few-shot-12", "chat-schema", 12)])
def test_format_names(name: str, base: str, shots: int) -> None:
    fmt = parse_format(name)
    assert (fmt.name, fmt.base, fmt.shots) == (name, base, shots)
    assert fmt.description.startswith(BASES[base].description)
    assert (f"{shots} worked examples" in fmt.description) == bool(shots)


@pytest.mark.parametrize("name", ["", "Bare", "few-shot-0", "few-shot-", "few-shot-100",
                                  "bare-few-shot-2", "schema", "chat-schema-", "few-shot-3x"])
def test_unknown_format_names_are_user_errors(name: str) -> None:
    with pytest.raises(UserError, match="unknown prompt format"):
        parse_format(name)


def test_shots_are_training_rows_of_the_same_schema(data) -> None:
    _, train, test = data
    test_ids = {e.id for e in test}
    for ex in test:
        shots = pick_shots(ex, train, 3)
        assert shots and len(shots) <= 3
        assert all(s.schema_id == ex.schema_id and s.id not in test_ids for s in shots)
    # Evaluating the training split never shows a row its own answer.
    assert all(ex not in pick_shots(ex, train, 99) for ex in train[:20])


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_shots_do_not_depend_on_the_order_of_the_data_file(rnd) -> None:
    dataset = load_dataset()
    train = load_split("train", dataset=dataset)
    ex = train[0]
    shuffled = list(train)
    rnd.shuffle(shuffled)
    assert pick_shots(ex, shuffled, 4) == pick_shots(ex, train, 4)


def test_plain_few_shot_puts_answers_after_output(data) -> None:
    from edgejson.prompt import _plain

    _, train, test = data
    ex = test[0]
    shots = pick_shots(ex, train, 2)
    text = _plain(ex, shots)
    assert _plain(ex, []) == format_prompt(ex.prompt)
    assert text.endswith(f"Input: {ex.prompt}\n\nOutput:")
    for s in shots:
        assert f"Input: {s.prompt}\n\nOutput: {json.dumps(s.expected, ensure_ascii=False)}" \
            in text


def test_chat_messages_alternate_and_carry_the_schema_once(data) -> None:
    dataset, train, test = data
    ex = test[5]
    schema = dataset.schemas[ex.schema_id]
    turns = chat_messages(parse_format("chat-schema-few-shot-2"), ex,
                          pick_shots(ex, train, 2), schema)
    assert [t["role"] for t in turns] == ["user", "assistant"] * 2 + ["user"]
    compact = json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
    assert compact in turns[0]["content"] and sum(compact in t["content"] for t in turns) == 1
    assert turns[-1]["content"] == f"Input: {ex.prompt}"
    assert json.loads(turns[1]["content"]) is not None
    plain = chat_messages(parse_format("chat"), ex, [], schema)
    assert len(plain) == 1 and "JSON Schema" not in plain[0]["content"]


@pytest.mark.ml
def test_encoding_chat_and_few_shot(tiny_model: Path, data) -> None:
    from transformers import AutoTokenizer

    dataset, train, test = data
    tok = AutoTokenizer.from_pretrained(tiny_model)
    rows = test[:3]
    bare = encode_prompts(parse_format("bare"), rows, tok, dataset.schemas, [], "tiny")
    assert bare == [tok(format_prompt(e.prompt))["input_ids"] for e in rows]
    with pytest.raises(UserError, match="model tiny has no chat template"):
        encode_prompts(parse_format("chat"), rows, tok, dataset.schemas, [], "tiny")
    tok.chat_template = CHATML
    chat = encode_prompts(parse_format("chat-schema"), rows, tok, dataset.schemas, [], "tiny")
    text = tok.decode(chat[0])
    assert text.startswith("<|im|>user\nExtract") and text.endswith("<|im|>assistant\n")
    assert "JSON Schema" in text
    shots = encode_prompts(parse_format("few-shot-2"), rows, tok, dataset.schemas, train,
                           "tiny")
    assert all(len(s) > len(b) for s, b in zip(shots, bare, strict=True))


@pytest.mark.ml
def test_evaluate_records_the_format(tiny_model: Path, tmp_path: Path) -> None:
    from edgejson.evaluate import EvalSettings, evaluate
    from edgejson.predictions import read_predictions

    model = tmp_path / "chat-model"
    shutil.copytree(tiny_model, model)
    config = json.loads((model / "tokenizer_config.json").read_text())
    (model / "tokenizer_config.json").write_text(json.dumps({**config,
                                                             "chat_template": CHATML}))
    out = tmp_path / "run"
    doc = evaluate(EvalSettings(model=str(model), out_dir=out, limit=3, max_new_tokens=8,
                                device="cpu", progress=False, prompt="chat-few-shot-2"))
    assert doc.config.prompt_format == "chat-few-shot-2" and doc.config.constrain == "none"
    assert "{schema}" in doc.config.prompt_template
    assert read_predictions(out / "predictions.jsonl").settings["prompt"] == "chat-few-shot-2"
    with pytest.raises(UserError, match="made by another run"):
        evaluate(EvalSettings(model=str(model), out_dir=out, limit=3, max_new_tokens=8,
                              device="cpu", progress=False, prompt="chat"))
