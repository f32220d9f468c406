"""Measured-run macros and table, and the paired-test files the paper quotes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maaza_core.errors import UserError
from maaza_core.intervals import PAIRED_BOOTSTRAP, wilson
from maaza_core.paths import RESULTS_DIR
from papertools.render import numbers as fmt
from papertools.render.contexts import measured_ends_table, measured_table
from papertools.render.macros import measured_macros, paired_macros
from papertools.render.results import load_paired, load_result


def _count(correct: int, total: int) -> dict:
    return {"correct": correct, "total": total, "ci95": wilson(correct, total).to_dict()}


def _measured(tmp_path: Path, **perf_override) -> Path:
    """A reported file turned into a measured one with the fields the harness writes."""
    doc = json.loads((RESULTS_DIR / "smollm2-135m.json").read_text())
    doc["provenance"] = "measured"
    overall = doc["metrics"]["overall"]
    overall["valid_json"] = _count(150, 158)
    overall["schema_compliant"] = _count(120, 158)
    overall["truncated"] = _count(8, 158)
    overall["field_f1_nested"] = {"mean": 0.61, "total": 158}
    doc["config"]["batch_size"] = 4
    # A measured run scores every row in a tier (unlabelled rows by their schema folder).
    for tier, total in (("simple", 76), ("medium", 57), ("complex", 25)):
        exact = doc["metrics"]["by_complexity"][tier]["json_exact"]
        doc["metrics"]["by_complexity"][tier]["json_exact"] = _count(exact["correct"], total)
    doc["performance"] = {"examples": 158, "wall_s": 316.0, "examples_per_s": 0.5,
                          "generated_tokens": 28503, "generated_tokens_mean": 180.4,
                          "tokens_per_s": 90.2, "latency_s": {"p50": 7.1},
                          "stop_reasons": {"json": 140, "eos": 10, "length": 8},
                          **perf_override}
    doc["run"] = {"dtype": "bfloat16", "hardware": {"cpu_model": "AMD EPYC",
                                                    "torch_threads": 2}}
    path = tmp_path / "zs-run.json"
    path.write_text(json.dumps(doc))
    return path


def test_macros_and_row_of_a_measured_run(tmp_path: Path) -> None:
    r = load_result(_measured(tmp_path))
    v = {m.key: m.value for m in measured_macros(r)}
    assert v["zs-run/valid"] == r"94.9\%"  # 150/158
    assert v["zs-run/truncated"] == r"5.1\%"  # 8/158
    assert v["zs-run/s-per-example"] == "2.00"  # 316 s / 158 examples
    assert v["zs-run/tokens-mean"] == "180"
    assert (v["zs-run/stop-json"], v["zs-run/stop-eos"], v["zs-run/stop-length"]) == (
        "140", "10", "8")
    assert v["zs-run/cpu"] == "AMD EPYC" and v["zs-run/dtype"] == "bfloat16"
    ((row,),) = (g["rows"] for g in measured_ends_table([r])["groups"])
    assert row["stops"] == "140 & 10 & 8" and row["f1_nested"] == "0.610"
    assert (row["batch"], row["device"]) == ("4", "-- (2)")  # no run.device in this file


def test_reported_runs_have_no_measured_macros() -> None:
    assert measured_macros(load_result(RESULTS_DIR / "smollm2-135m.json")) == []
    assert measured_table([load_result(RESULTS_DIR / "smollm2-135m.json")])["groups"] == []


def test_stop_reasons_must_count_every_example(tmp_path: Path) -> None:
    """A rule about the file's numbers, so the one validator refuses it when it is read."""
    with pytest.raises(UserError, match=r"stop_reasons: .* must count each of the 158"):
        load_result(_measured(tmp_path, stop_reasons={"json": 100, "length": 8}))
    with pytest.raises(UserError, match=r"stop_reasons: .* as one of json, eos, length"):
        load_result(_measured(tmp_path, stop_reasons={"json": 150, "length": 4, "oom": 4}))


def _paired(folder: Path, p: float, only_a: int = 3, only_b: int = 40, n: int = 158,
            dropped: int = 0) -> None:
    folder.mkdir(exist_ok=True)
    doc = {"a": "zs", "b": "ft", "examples": n, "dropped": {"a": dropped, "b": 0},
           "metrics": {"json_exact": {"a": 0.05, "b": 0.28, "diff": 0.23,
                                      "ci95": {"low": 0.16, "high": 0.30,
                                               "method": PAIRED_BOOTSTRAP},
                                      "mcnemar": {"only_a": only_a, "only_b": only_b,
                                                  "p_value": p}}}}
    (folder / "ft-vs-zs.json").write_text(json.dumps(doc))


def test_paired_macros_print_small_p_values_in_scientific_notation(tmp_path: Path) -> None:
    _paired(tmp_path, 3.2e-9)
    v = {m.key: m.value for m in paired_macros(load_paired(tmp_path)[0])}
    assert v["paired/ft-vs-zs/exact-p"] == r"\ensuremath{3.2\times10^{-9}}"
    assert v["paired/ft-vs-zs/exact-diff"] == "23.0"
    assert (v["paired/ft-vs-zs/exact-only-a"], v["paired/ft-vs-zs/exact-only-b"]) == ("3", "40")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"p": 0.0}, r"mcnemar: p = 0.0 is impossible"),
    ({"p": 0.5, "only_a": 100, "only_b": 100}, "100 \\+ 100 discordant pairs do not fit"),
    ({"p": 0.5, "dropped": 4}, "answered different examples"),
])
def test_impossible_paired_files_are_refused(tmp_path: Path, kwargs, message) -> None:
    _paired(tmp_path, **kwargs)
    with pytest.raises(UserError, match=message):
        load_paired(tmp_path)


@pytest.mark.parametrize(("p", "text"), [(1.0, "1"), (0.125, "0.125"), (0.049, "0.049"),
                                         (0.00123, "0.0012"),
                                         (4.2e-5, r"\ensuremath{4.2\times10^{-5}}")])
def test_pvalue_format(p: float, text: str) -> None:
    assert fmt.pvalue(p) == text
