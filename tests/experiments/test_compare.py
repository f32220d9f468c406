"""The paired-comparison file: `edgejson compare --json` (the writer) and the paper (the
reader) share one model, maaza_core.paired; the committed file is exactly what the
command prints, and a damaged one is named by file, line and JSON path."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from treecopy import planted_json

from edgejson.cli import main
from maaza_core import metrics, paired
from maaza_core.errors import DataError, DataErrors
from maaza_core.paths import RESULTS_DIR

COMMITTED = RESULTS_DIR / "paired" / "maaza-135m-instruct-q4-vs-zero-shot.json"
ZERO_SHOT = RESULTS_DIR / "smollm2-135m-instruct-q4.predictions.jsonl"
FINE_TUNED = RESULTS_DIR / "maaza-135m-instruct-q4.predictions.jsonl"


def test_compare_json_prints_the_committed_file(capsys) -> None:
    """The command line `make measured` runs, byte for byte."""
    assert main(["compare", str(ZERO_SHOT), str(FINE_TUNED), "--split", "test", "--json"]) == 0
    assert capsys.readouterr().out == COMMITTED.read_text(encoding="utf-8")


def test_published_metrics_files_find_their_predictions(tmp_path: Path, capsys) -> None:
    """experiments/results/NAME.json is paired through NAME.predictions.jsonl beside it:
    the same figures as the committed test, the models named as their metrics files do."""
    assert main(["compare", str(ZERO_SHOT).replace(".predictions.jsonl", ".json"),
                 str(FINE_TUNED).replace(".predictions.jsonl", ".json"), "--json"]) == 0
    (tmp_path / "out.json").write_text(capsys.readouterr().out, encoding="utf-8")
    out = paired.load(tmp_path / "out.json")
    committed = paired.load(COMMITTED)
    assert out.metrics == committed.metrics and out.examples == committed.examples
    assert (out.a, out.b) == ("SmolLM2-135M-Instruct", "Maaza-135M-Instruct")


def test_a_reported_metrics_file_is_refused_with_the_fix(tmp_path: Path, capsys) -> None:
    reported = next(p for p in sorted(RESULTS_DIR.glob("*.json"))
                    if metrics.load(p).provenance == "reported")
    assert main(["compare", str(reported), str(FINE_TUNED)]) != 0
    err = capsys.readouterr().err
    assert "no per-example predictions next to it" in err and "NAME.predictions.jsonl" in err


def test_the_committed_file_round_trips(tmp_path: Path) -> None:
    doc = paired.load(COMMITTED)
    assert doc.stem == COMMITTED.stem and doc.examples == 158
    exact = doc.metrics["json_exact"]
    # Discordant pairs are the difference of the two runs' exact counts, file against file.
    runs = {n: metrics.load(RESULTS_DIR / f"{n}.json").json_exact.correct
            for n in ("smollm2-135m-instruct-q4", "maaza-135m-instruct-q4")}
    assert exact.mcnemar is not None and exact.mcnemar.only_b - exact.mcnemar.only_a == (
        runs["maaza-135m-instruct-q4"] - runs["smollm2-135m-instruct-q4"])
    assert doc.metrics["field_f1"].mcnemar is None
    paired.dump(doc, tmp_path / "copy.json")
    assert (tmp_path / "copy.json").read_text(encoding="utf-8") == COMMITTED.read_text(
        encoding="utf-8")


def _planted(tmp_path: Path, change) -> Path:
    return planted_json(COMMITTED, tmp_path, change)


def _unknown_metric(d):
    d["metrics"]["exact"] = d["metrics"]["json_exact"]


def _f1_with_mcnemar(d):
    d["metrics"]["field_f1"]["mcnemar"] = {"only_a": 1, "only_b": 2, "p_value": 1.0}


def _diff_outside_interval(d):
    """A difference just outside its own interval, whatever the committed numbers are."""
    valid = d["metrics"]["valid_json"]
    low, high = valid["ci95"]["low"], valid["ci95"]["high"]
    valid["diff"] = round(low - 0.1, 6) if low > -0.9 else round(high + 0.1, 6)


def _rounded_p(d):
    d["metrics"]["json_exact"]["mcnemar"]["p_value"] = 0


def _bootstrap_method(d):
    d["metrics"]["field_f1"]["ci95"]["method"] = "wilson"


@pytest.mark.parametrize(("change", "pointer", "message"), [
    (_unknown_metric, "/metrics", r"metrics: Additional properties .*'exact'"),
    (_f1_with_mcnemar, "/metrics/field_f1", "metrics/field_f1: Additional properties"),
    (_diff_outside_interval, "/metrics/valid_json/ci95",
     r"metrics/valid_json/ci95: \[[-0-9.]+, [-0-9.]+\] around [-0-9.]+ is impossible"),
    (_rounded_p, "/metrics/json_exact/mcnemar",
     "metrics/json_exact/mcnemar: p = 0 is impossible"),
    (_bootstrap_method, "/metrics/field_f1/ci95/method", "'paired-bootstrap-percentile' was"),
])
def test_a_damaged_file_is_named_with_line_and_pointer(tmp_path, change, pointer,
                                                       message) -> None:
    path = _planted(tmp_path, change)
    with pytest.raises(DataErrors, match=message) as err:
        paired.load(path)
    (error,) = err.value.errors
    assert error.pointer == pointer and error.line is not None
    assert str(err.value).startswith(f"{path}:{error.line}: ")


def test_every_impossible_value_is_reported_at_once(tmp_path) -> None:
    def both(d):
        _diff_outside_interval(d)
        _rounded_p(d)

    with pytest.raises(DataErrors) as err:
        paired.load(_planted(tmp_path, both))
    assert str(err.value).splitlines()[0] == "2 problems in the paired comparison file:"
    assert sorted(e.pointer for e in err.value.errors) == [
        "/metrics/json_exact/mcnemar", "/metrics/valid_json/ci95"]


def test_the_unchanged_copy_is_accepted(tmp_path: Path) -> None:
    """The planted mistakes above are the only thing wrong with their files."""
    assert paired.load(_planted(tmp_path, lambda d: None)) == paired.load(COMMITTED)


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such paired comparison file"):
        paired.load(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text('{\n  "a":\n}', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.json:3: invalid JSON"):
        paired.load(tmp_path / "bad.json")


def test_dump_refuses_an_impossible_comparison_and_writes_nothing(tmp_path: Path) -> None:
    doc = paired.load(COMMITTED)
    exact = doc.metrics["json_exact"]
    broken = replace(doc, metrics={**doc.metrics, "json_exact": replace(
        exact, mcnemar=replace(exact.mcnemar, only_a=200))})
    with pytest.raises(DataErrors, match=r"new\.json at /metrics/json_exact/mcnemar: 200 \+ \d+ "
                                        "discordant pairs do not fit in 158 examples"):
        paired.dump(broken, tmp_path / "new.json")
    assert not (tmp_path / "new.json").exists()
