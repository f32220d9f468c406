"""Scoring predictions files: the oracle, malformed files, the metrics format, compare."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from edgejson.cli import main
from edgejson.compare import compare, load_side, mcnemar_exact
from edgejson.data import load_split
from maaza_core.errors import UserError
from maaza_core.intervals import wilson
from maaza_core.paths import RESULTS_SCHEMA

GROUP_KEYS = ("json_exact", "valid_json", "schema_compliant")


def _write_predictions(path: Path, outputs: dict[str, str]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "output": o}) + "\n"
                            for i, o in outputs.items()))
    return path


@pytest.fixture(scope="module")
def test_rows():
    return load_split("test")


@pytest.fixture()
def oracle(tmp_path: Path, test_rows) -> Path:
    """Gold JSON wrapped the way chatty models answer: prose and a code fence."""
    outputs = {r.id: f"Sure:\n```json\n{json.dumps(r.expected, indent=2)}\n```\nDone."
               for r in test_rows}
    (tmp_path / "oracle").mkdir()
    return _write_predictions(tmp_path / "oracle" / "predictions.jsonl", outputs)


def _all_sets(doc: dict) -> list[dict]:
    m = doc["metrics"]
    return [m["overall"], *m["by_complexity"].values(), *m["by_schema"].values()]


def test_oracle_scores_one_everywhere_and_validates(oracle: Path, tmp_path: Path) -> None:
    out = tmp_path / "oracle.json"
    assert main(["score", str(oracle), "--out", str(out), "--parameters", "1000"]) == 0
    doc = json.loads(out.read_text())
    jsonschema.Draft202012Validator(json.loads(RESULTS_SCHEMA.read_text())).validate(doc)
    assert doc["provenance"] == "measured" and doc["dataset"]["examples"] == 158
    assert {k: v["json_exact"]["total"] for k, v in doc["metrics"]["by_complexity"].items()} == {
        "simple": 76, "medium": 57, "complex": 25}
    assert len(doc["metrics"]["by_schema"]) == 24
    for ms in _all_sets(doc):
        for key in GROUP_KEYS:
            n = ms[key]["total"]  # every row right: the stored interval is Wilson's n of n
            assert ms[key]["correct"] == n and ms[key]["ci95"] == wilson(n, n).to_dict()
            assert ms[key]["ci95"]["high"] == 1.0
        assert ms["field_f1"]["mean"] == 1.0 and ms["field_f1_nested"]["mean"] == 1.0
        assert ms["field_f1"]["ci95"] == {"low": 1.0, "high": 1.0,
                                          "method": "bootstrap-percentile"}
        # Outputs made elsewhere: truncation unknown, which the format spells as no key.
        assert "truncated" not in ms
    assert doc["run"]["data_sha256"] == doc["dataset"]["sha256"]


def test_half_wrong_run_has_wide_ci_and_loses_the_paired_test(
        oracle: Path, tmp_path: Path, test_rows) -> None:
    outputs = {r.id: (json.dumps(r.expected) if i % 2 else "I cannot help with that.")
               for i, r in enumerate(test_rows)}
    half = _write_predictions(tmp_path / "half.jsonl", outputs)
    out = tmp_path / "half.json"
    assert main(["score", str(half), "--out", str(out), "--parameters", "1"]) == 0
    overall = json.loads(out.read_text())["metrics"]["overall"]
    assert overall["json_exact"]["correct"] == 79  # odd indices of 158 rows
    ci = overall["json_exact"]["ci95"]
    assert 0.35 < ci["low"] < 0.5 < ci["high"] < 0.65 and ci["method"] == "wilson"
    result = compare(load_side(half, "test"), load_side(oracle, "test"))
    exact = result.metrics["json_exact"]
    assert exact.mcnemar is not None
    assert exact.mcnemar.only_b == 79 and exact.mcnemar.only_a == 0
    assert exact.mcnemar.p_value < 1e-6 and exact.ci95.low > 0


def test_mcnemar_without_disagreement_is_not_significant() -> None:
    assert mcnemar_exact([True, False, True], [True, False, True]).p_value == 1.0
    # 6 wins vs 1 loss among discordant pairs: two-sided exact p = 16/128 = 0.125.
    r = mcnemar_exact([False] * 6 + [True], [True] * 6 + [False])
    assert r.p_value == pytest.approx(0.125)


def test_malformed_predictions_name_the_line(tmp_path: Path, test_rows, capsys) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": test_rows[0].id, "output": "{}"}) + "\n"
                   + '{"id": "x", "output": \n')
    assert main(["score", str(bad)]) == 1
    assert f"{bad}:2: not valid JSON" in capsys.readouterr().err
    bad.write_text(json.dumps({"id": test_rows[0].id}) + "\n")
    with pytest.raises(UserError, match=r"bad\.jsonl:1: missing or non-string 'output'"):
        load_side(bad, "test")


def test_missing_and_unknown_ids_are_errors(tmp_path: Path, test_rows, capsys) -> None:
    part = _write_predictions(tmp_path / "p.jsonl", {test_rows[0].id: "{}"})
    assert main(["score", str(part)]) == 1
    assert "157 of 158 examples have no prediction" in capsys.readouterr().err
    assert main(["score", str(part), "--partial"]) == 0
    unknown = _write_predictions(tmp_path / "u.jsonl", {"nope": "{}"})
    assert main(["score", str(unknown), "--partial"]) == 1
    assert "not in the split" in capsys.readouterr().err


def test_reported_results_cannot_be_paired(tmp_path: Path) -> None:
    from maaza_core.paths import RESULTS_DIR

    with pytest.raises(UserError, match="no per-example predictions"):
        load_side(RESULTS_DIR / "smollm2-135m.json", None)


def _rows(**timing: float) -> list[dict]:
    return [{"id": str(i), "output": "{}", "generated_tokens": 10, "stop": "json", **timing}
            for i in range(4)]


def test_performance_adds_up_each_rows_share_of_the_run() -> None:
    from edgejson.scoring import performance

    # Continuous batching: 4 rows, each 0.5 s of the run's time, each waited 2 s.
    perf = performance(_rows(wall_s=0.5, latency_s=2.0))
    assert perf.wall_s == 2.0 and perf.examples_per_s == 2.0 and perf.tokens_per_s == 20.0
    assert perf.latency_s == {"p50": 2.0, "p90": 2.0, "p99": 2.0}
    # Outputs made elsewhere carry no timing, and a file mixing both kinds has no figure.
    assert performance(_rows()) is None
    assert performance(_rows(wall_s=0.5, latency_s=2.0)[:2] + _rows()[2:]) is None
