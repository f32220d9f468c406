"""Schema-constrained decoding on the tiny model: valid outputs, per-row matchers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("llguidance")

import torch  # noqa: E402

from edgejson import constrain  # noqa: E402
from edgejson.data import load_dataset, load_split  # noqa: E402
from edgejson.evaluate import EvalSettings, evaluate  # noqa: E402
from edgejson.predictions import read_predictions  # noqa: E402

pytestmark = pytest.mark.ml

LIMIT = 8
MAX_NEW = 256  # the random model fills strings with noise; most rows still close by then


@pytest.fixture(scope="module")
def simple_rows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose test split is the first LIMIT rows of simple schemas: their
    few fields let the random model finish a value within MAX_NEW tokens."""
    folder = tmp_path_factory.mktemp("simple-data")
    dataset = load_dataset()
    for name in ("schemas", "train.jsonl"):
        (folder / name).symlink_to(dataset.root / name)
    lines = [json.loads(line) for line in (dataset.root / "test.jsonl").open()]
    keep = [row for row in lines if dataset.folders[row["schema_id"]] == "simple"][:LIMIT]
    (folder / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in keep))
    return folder


def _run(model: Path, data: Path, out: Path, batch_size: int) -> dict[str, dict]:
    doc = evaluate(EvalSettings(model=str(model), out_dir=out, limit=LIMIT, data_dir=data,
                                batch_size=batch_size, max_new_tokens=MAX_NEW, device="cpu",
                                progress=False, constrain="schema"))
    assert doc.config.constrain == "schema"
    preds = read_predictions(out / "predictions.jsonl")
    assert preds.settings["constrain"] == "schema"
    return preds.records


@pytest.fixture(scope="module")
def constrained(tiny_model: Path, simple_rows: Path,
                tmp_path_factory: pytest.TempPathFactory) -> dict:
    return _run(tiny_model, simple_rows, tmp_path_factory.mktemp("constrained"), batch_size=3)


def test_every_finished_output_parses_and_validates(simple_rows: Path, constrained: dict
                                                    ) -> None:
    dataset = load_dataset(simple_rows)
    rows = {e.id: e for e in load_split("test", simple_rows, dataset)}
    finished = [i for i, r in constrained.items() if r["stop"] != "length"]
    # Unconstrained, the random model never writes a schema-valid value (the JSON check
    # of test_generate's stop rule sees none); constrained, most rows finish one.
    assert len(finished) >= LIMIT // 2
    for i in finished:
        value = json.loads(constrained[i]["output"])
        assert dataset.validator(rows[i].schema_id).is_valid(value), i


@pytest.mark.slow  # a second constrained run, batch 1
def test_rows_replaced_mid_batch_keep_their_own_matcher(tiny_model: Path, simple_rows: Path,
                                                        constrained: dict, tmp_path: Path
                                                        ) -> None:
    """3 slots for 8 rows: rows leave and enter mid-batch and move between slots; each
    must decode exactly as it does alone."""
    alone = _run(tiny_model, simple_rows, tmp_path, batch_size=1)
    assert {i: r["output"] for i, r in alone.items()} == {
        i: r["output"] for i, r in constrained.items()}


def test_mask_keeps_only_allowed_tokens(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    grammars = constrain.SchemaGrammars(tok, len(tok), {tok.eos_token_id}, {"s": schema})
    matcher = grammars.matcher("s")
    logits = torch.zeros((2, len(tok)))
    constrain.mask_logits(logits, [None, matcher])
    allowed = {i for i in range(len(tok)) if logits[1, i] == 0}
    assert bool((logits[0] == 0).all())  # the row without a matcher is untouched
    texts = {tok.decode([i]) for i in allowed}
    assert "{" in texts and " " in texts and '"' not in texts and tok.eos_token_id not in allowed
    for token in tok('{"a": 12}', add_special_tokens=False)["input_ids"]:
        matcher.advance(token)
    assert matcher.done
    logits = torch.zeros((1, len(tok)))
    constrain.mask_logits(logits, [matcher])
    assert {i for i in range(len(tok)) if logits[0, i] == 0} == {tok.eos_token_id}


def _in_schema_order(value, schema: dict):
    """The value with each object's keys in the order its schema lists them: the order
    llguidance's JSON grammar writes properties in (JSON objects are unordered, so this
    is the same value, and JSONExact compares values)."""
    if isinstance(value, list):
        return [_in_schema_order(v, schema.get("items", {})) for v in value]
    if not isinstance(value, dict):
        return value
    props = schema.get("properties", {})
    keys = [k for k in props if k in value] + [k for k in value if k not in props]
    return {k: _in_schema_order(value[k], props.get(k, {})) for k in keys}


def _accepts(grammars: constrain.SchemaGrammars, tok, schema_id: str, text: str) -> bool:
    """Whether the schema's grammar lets a model write `text` and then stop."""
    matcher = grammars.matcher(schema_id).matcher
    for token in tok(text, add_special_tokens=False)["input_ids"]:
        if not matcher.consume_token(token):
            return False
    return matcher.is_accepting()


def test_every_gold_answer_can_be_written_under_the_constraint(tiny_model: Path) -> None:
    """The constraint allows exactly what the scorer calls schema-valid, so every expected
    output of EdgeJSON must be writable under its row's grammar. The raw schemas fail this
    (the planted case): their "date-time" formats demand a time zone, and EdgeJSON's
    date-times have none."""
    from transformers import AutoTokenizer

    from edgejson.data import asserted_schema

    tok = AutoTokenizer.from_pretrained(tiny_model)
    dataset = load_dataset()
    rows = load_split("test", dataset=dataset) + load_split("train", dataset=dataset)
    asserted = constrain.SchemaGrammars(tok, len(tok), {tok.eos_token_id}, {
        sid: asserted_schema(s) for sid, s in dataset.schemas.items()})
    raw = constrain.SchemaGrammars(tok, len(tok), {tok.eos_token_id}, dataset.schemas)
    def gold(row) -> str:
        return " " + json.dumps(_in_schema_order(row.expected, dataset.schemas[row.schema_id]))

    refused = [r.id for r in rows if not _accepts(asserted, tok, r.schema_id, gold(r))]
    assert refused == []
    date_time = next(r for r in rows if "T" in json.dumps(r.expected)
                     and '"date-time"' in json.dumps(dataset.schemas[r.schema_id]))
    assert not _accepts(raw, tok, date_time.schema_id, gold(date_time))
