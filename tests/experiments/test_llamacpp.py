"""The llama.cpp engine on the real SmolLM2-135M-Instruct GGUF (make venv-edge builds it).

Not skipped when llama-cpp-python is missing: `make test` installs it, so a missing or
broken build fails here. llama_cpp is imported inside the tests, so that a plain `pytest`
in a venv without the edge extra can still collect this file (and deselect it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edgejson.data import load_dataset, load_split
from edgejson.evaluate import EvalSettings, _engine
from edgejson.extract import extract_json
from maaza_core.errors import UserError

NAME = "smollm2-135m-instruct-q4_1"


def _run(tmp_path: Path, *flags: str) -> tuple[dict, list[dict]]:
    from edgejson.cli import main

    assert main(["models", NAME, "--no-progress"]) == 0
    out = tmp_path / "run"
    # 96 new tokens keep it near the reference test's minute; the protocol is the paper's.
    assert main(["evaluate", NAME, "--engine", "llama.cpp", "--limit", "3", "--out", str(out),
                 "--no-progress", *flags]) == 0
    doc = json.loads((out / "metrics.json").read_text())
    lines = (out / "predictions.jsonl").read_text().splitlines()
    return doc, [json.loads(line) for line in lines]


@pytest.mark.ml
@pytest.mark.slow
@pytest.mark.network
def test_three_examples_through_llama_cpp(tmp_path: Path) -> None:
    doc, lines = _run(tmp_path, "--max-new-tokens", "96")
    header, rows = lines[0], lines[1:]
    assert doc["config"]["engine"] == "llama.cpp" and doc["run"]["dtype"] == "gguf"
    assert doc["run"]["weights"]["engine"] == "llama.cpp"
    assert doc["model"]["parameters"] > 100_000_000
    assert header["settings"]["engine"] == "llama.cpp"  # a reference run cannot resume it
    assert len(rows) == 3 and all(r["generated_tokens"] > 0 for r in rows)
    assert {r["stop"] for r in rows} <= {"json", "eos", "length"}


@pytest.mark.ml
@pytest.mark.slow
@pytest.mark.network
def test_constrained_outputs_parse_and_validate(tmp_path: Path) -> None:
    import jsonschema

    doc, lines = _run(tmp_path, "--constrain", "schema", "--prompt", "chat-schema",
                      "--max-new-tokens", "384")
    dataset = load_dataset()
    examples = {e.id: e for e in load_split("test", dataset=dataset)}
    finished = [r for r in lines[1:] if r["stop"] != "length"]
    assert finished, "every constrained row ran to the token limit"
    for row in finished:
        found = extract_json(row["output"])
        assert found.ok, row["output"]
        jsonschema.validate(found.value, dataset.schemas[examples[row["id"]].schema_id])
    assert doc["config"]["constrain"] == "schema"


def _constrained_ids(loaded, example, ids: list[int], schema: dict, check_first: bool
                     ) -> tuple[list[int], int]:
    """One row decoded alone under its schema's grammar: its ids and the filtered steps."""
    import llama_cpp

    from edgejson.generate import StopRule
    from edgejson.llamacpp import Context, Decoder, Sampler, context_positions, schema_grammar

    limit = 160
    ctx = Context(loaded, 1, context_positions([ids], limit))
    try:
        decoder = Decoder(ctx, StopRule(loaded.tokenizer, limit, loaded.eos_ids), 1)
        sampler = Sampler(llama_cpp, loaded.vocab, schema_grammar(schema), example.schema_id,
                          check_first=check_first)
        row, reason = decoder.admit(0, ids, sampler)
        while reason is None:
            ended = decoder.step()  # one live row: it ends alone
            if ended:
                (row, reason), = ended
        return row.ids, sampler.filtered
    finally:
        ctx.close()


@pytest.mark.ml
@pytest.mark.slow
@pytest.mark.network
def test_checking_the_best_token_first_picks_what_filtering_everything_picks() -> None:
    """The fast path (grammar asked about the argmax only) against the full filter."""
    from edgejson.cli import main
    from edgejson.llamacpp import load_llama
    from edgejson.prompt import encode_prompts, parse_format

    assert main(["models", NAME, "--no-progress"]) == 0
    dataset = load_dataset()
    examples = load_split("test", dataset=dataset)[:2]
    loaded = load_llama(NAME)
    try:
        encoded = encode_prompts(parse_format("chat-schema"), examples, loaded.tokenizer,
                                 dataset.schemas, [], NAME)
        fallbacks = 0
        for example, ids in zip(examples, encoded, strict=True):
            schema = dataset.schemas[example.schema_id]
            fast, filtered = _constrained_ids(loaded, example, ids, schema, True)
            full, every = _constrained_ids(loaded, example, ids, schema, False)
            assert fast == full and every == len(full)
            fallbacks += filtered
        assert fallbacks > 0  # the refused-argmax branch ran and agreed too
    finally:
        loaded.close()


@pytest.mark.ml
@pytest.mark.slow
@pytest.mark.network
def test_asking_in_tiers_finds_the_best_allowed_token_of_the_whole_vocabulary() -> None:
    """Grammars allowing many tokens, a few, or a handful of rare ones (found only past the
    tiers), with logits full of ties: always the lowest id among the best allowed."""
    import llama_cpp
    import numpy as np

    from edgejson.cli import main
    from edgejson.llamacpp import Sampler, load_llama, schema_grammar

    assert main(["models", NAME, "--no-progress"]) == 0
    dataset = load_dataset()
    loaded = load_llama(NAME)
    rng = np.random.default_rng(0)
    try:
        n = llama_cpp.llama_vocab_n_tokens(loaded.vocab)
        for grammar in ("start ::= [a-z]+", "start ::= [0-9]+", 'start ::= "Zurich"',
                        schema_grammar(next(iter(dataset.schemas.values())))):
            sampler = Sampler(llama_cpp, loaded.vocab, grammar, "test")
            try:
                allowed = np.flatnonzero(sampler._allowed(np.arange(n), np.zeros(n)))
                assert 0 < len(allowed) < n
                for _ in range(10):
                    logits = rng.integers(0, 40, n).astype(np.float32)  # ties on purpose
                    best = allowed[np.argmax(logits[allowed])]  # first maximum: lowest id
                    assert sampler._best_allowed(logits, -1) == best
            finally:
                sampler.close()
    finally:
        loaded.close()


@pytest.mark.ml
@pytest.mark.slow
@pytest.mark.network
def test_llama_cpp_parses_the_grammar_of_every_schema(capfd: pytest.CaptureFixture) -> None:
    import llama_cpp

    from edgejson.cli import main
    from edgejson.llamacpp import Sampler, load_llama, schema_grammar

    assert main(["models", NAME, "--no-progress"]) == 0
    capfd.readouterr()
    loaded = load_llama(NAME)
    try:
        assert "load_tensors" not in capfd.readouterr().err  # llama.cpp's info log stays quiet
        for sid, schema in load_dataset().schemas.items():
            Sampler(llama_cpp, loaded.vocab, schema_grammar(schema), sid).close()
        with pytest.raises(UserError, match="grammar parser refused"):
            Sampler(llama_cpp, loaded.vocab, "start ::= [\\q]", "planted")
        assert "unknown escape" in capfd.readouterr().err  # its errors still show
    finally:
        loaded.close()


@pytest.mark.parametrize("flag", [{"dtype": "float32"}, {"device": "cuda"},
                                  {"revision": "main"}, {"trust_remote_code": True}])
def test_reference_only_flags_are_refused(flag: dict) -> None:
    settings = EvalSettings(model=NAME, engine="llama.cpp", **flag)
    with pytest.raises(UserError, match="applies to the torch engine only"):
        _engine(settings)


def test_the_engine_enters_the_fingerprint_only_when_it_is_llama_cpp() -> None:
    assert "engine" not in EvalSettings(model=NAME).fingerprint()
    assert EvalSettings(model=NAME, engine="llama.cpp").fingerprint()["engine"] == "llama.cpp"
