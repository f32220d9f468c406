"""The one metrics model: load, validate and dump agree with the committed files; errors
name the file, the line and the JSON path; the stored interval is the printed one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from treecopy import planted_json

from maaza_core import metrics
from maaza_core.datastats import DatasetStats
from maaza_core.errors import DataError, DataErrors
from maaza_core.intervals import WILSON, Interval, wilson
from maaza_core.paths import RESULTS_DIR

MEASURED = RESULTS_DIR / "maaza-135m-instruct-q4.json"
REPORTED = RESULTS_DIR / "qwen2.5-0.5b.json"


@pytest.mark.parametrize(("k", "n", "lo", "hi"), [
    # Reference values of the Wilson score interval (z = 1.96).
    (39, 158, 0.1862, 0.3196),  # worked by hand: centre 0.2528, half-width 0.0667
    (0, 25, 0.0, 0.1332),
    (25, 25, 0.8668, 1.0),
])
def test_wilson_interval(k, n, lo, hi):
    got = wilson(k, n)
    assert (got.low, got.high) == pytest.approx((lo, hi), abs=5e-4)
    assert got.method == WILSON


def test_a_measured_file_round_trips_exactly(tmp_path: Path) -> None:
    doc = metrics.load(MEASURED)
    assert doc.provenance == "measured" and doc.stem == "maaza-135m-instruct-q4"
    assert doc.to_dict() == json.loads(MEASURED.read_text(encoding="utf-8"))
    metrics.dump(doc, tmp_path / "copy.json")
    assert (tmp_path / "copy.json").read_text(encoding="utf-8") == MEASURED.read_text(
        encoding="utf-8")


def test_a_reported_file_is_typed() -> None:
    doc = metrics.load(REPORTED)
    assert doc.json_exact.correct == 23 and doc.json_exact.ci95 == wilson(23, 158)
    assert doc.metrics.overall.valid_json is None and doc.performance is None
    assert doc.metrics.overall.field_f1 is not None and doc.metrics.overall.field_f1.ci95 is None


def _planted(tmp_path: Path, change) -> Path:
    return planted_json(REPORTED, tmp_path, change)


def test_a_stale_interval_is_refused_with_the_consistent_value(tmp_path: Path) -> None:
    def stale(d):
        d["metrics"]["overall"]["json_exact"]["ci95"]["high"] = 0.3

    with pytest.raises(DataErrors) as err:
        metrics.load(_planted(tmp_path, stale))
    (error,) = err.value.errors
    assert error.pointer == "/metrics/overall/json_exact/ci95"
    assert error.line is not None and "consistent value: low 0.099" in str(error)


def test_an_unknown_key_is_a_schema_error_at_its_path(tmp_path: Path) -> None:
    def extra(d):
        d["model"]["params"] = 5

    with pytest.raises(DataErrors, match=r"bad\.json:\d+: model: Additional properties"):
        metrics.load(_planted(tmp_path, extra))


def test_every_problem_is_reported_at_once_sorted_by_line(tmp_path: Path) -> None:
    """Two schema violations in one run, in file order; then, for a schema-valid file,
    every inconsistency instead of the first plus "(and N more)"."""
    def two_extras(d):
        d["model"]["params"] = 5
        d["metrics"]["overall"]["json_exact"]["extra"] = 1

    with pytest.raises(DataErrors) as err:
        metrics.load(_planted(tmp_path, two_extras))
    lines = str(err.value).splitlines()
    assert lines[0] == "2 problems in the metrics file:"
    assert [e.pointer for e in err.value.errors] == ["/model", "/metrics/overall/json_exact"]
    assert all(line.startswith(f"{tmp_path / 'bad.json'}:") for line in lines[1:])

    def two_inconsistent(d):
        d["metrics"]["overall"]["field_f1"]["total"] = 7
        d["metrics"]["by_complexity"]["simple"]["json_exact"]["correct"] = 99

    with pytest.raises(DataErrors) as err:
        metrics.load(_planted(tmp_path, two_inconsistent))
    assert [e.pointer for e in err.value.errors] == [
        "/metrics/overall/field_f1/total", "/metrics/by_complexity/simple/json_exact/correct"]
    lines_of = [e.line for e in err.value.errors]
    assert lines_of == sorted(lines_of) and "(and " not in str(err.value)


def test_an_interval_without_its_method_is_refused(tmp_path: Path) -> None:
    def bare(d):
        d["metrics"]["overall"]["json_exact"]["ci95"] = [0.099, 0.208964]

    with pytest.raises(DataErrors, match=r"metrics/overall/json_exact/ci95: "):
        metrics.load(_planted(tmp_path, bare))


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such metrics file"),
    (b"\xff\xfe", "not UTF-8 text"),
    (b'{\n  "format":\n}', r"bad\.json:3: invalid JSON"),
])
def test_unreadable_files_are_named(tmp_path: Path, content, message) -> None:
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        metrics.load(path)


def test_dump_refuses_an_inconsistent_document_and_writes_nothing(tmp_path: Path) -> None:
    doc = metrics.load(MEASURED)
    exact = doc.metrics.overall.json_exact
    broken = metrics.MetricsDoc(**{**vars(doc), "metrics": metrics.Metrics(
        **{**vars(doc.metrics), "overall": metrics.MetricSet(
            **{**vars(doc.metrics.overall), "json_exact": metrics.Count(
                200, exact.total, Interval(0.0, 1.0, WILSON))})})})
    with pytest.raises(DataErrors, match=r"new\.json at /metrics/overall/json_exact/correct: "
                                        r"200 correct of 158"):
        metrics.dump(broken, tmp_path / "new.json")
    assert not (tmp_path / "new.json").exists()


def test_stats_against_another_data_set_are_refused() -> None:
    from edgejson.data import dataset_stats  # computed here: a clean clone has no build/

    stats = dataset_stats()
    other = DatasetStats(**{**vars(stats), "name": "OtherBench"})
    with pytest.raises(DataErrors, match=r"dataset/name: dataset is EdgeJSON v3 but the "
                                        r"paper's data set is OtherBench v3"):
        metrics.load(REPORTED, other)


@pytest.mark.parametrize("path", sorted(RESULTS_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_committed_file_round_trips(path: Path) -> None:
    """load -> dump is the identity on the files the paper reads, so rewriting one (the
    harness does) never changes what was there."""
    assert metrics.load(path).to_dict() == json.loads(path.read_text(encoding="utf-8"))
