"""Numbers that cannot be true never render: each rule catches its planted mistake,
names the file, line and JSON path, and says the consistent value; true files pass."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from edgejson.data import dataset_stats
from maaza_core.consistency import metrics_problems
from maaza_core.errors import UserError
from maaza_core.intervals import WILSON, wilson
from maaza_core.paths import RESULTS_DIR
from papertools.render.results import load_comparisons, load_result, load_results

STATS = dataset_stats()  # tests may compute them; render reads them from a file
MLM = json.loads((RESULTS_DIR / "maaza-mlm-135m.json").read_text(encoding="utf-8"))


def _set(doc: dict, path: str, value) -> None:
    *parents, last = path.split("/")
    for key in parents:
        doc = doc[key]
    doc[last] = value


def _count(correct: int, total: int) -> dict:
    """A count as the harness writes it, with its Wilson interval."""
    return {"correct": correct, "total": total, "ci95": wilson(correct, total).to_dict()}


def doc_get(doc: dict, path: str):
    for key in path.split("/"):
        doc = doc[key]
    return doc


def _write(tmp_path: Path, doc: dict, name: str = "bad.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("changes", "message"), [
    ({"metrics/by_complexity/simple/json_exact/correct": 80},
     r"metrics/by_complexity/simple/json_exact/correct: 80 correct of 76 \(consistent value: "
     r"at most 76\)"),
    ({"metrics/overall/json_exact/correct": 160},
     r"metrics/overall/json_exact/correct: 160 correct of 158 .*at most 158"),
    ({"metrics/overall/field_f1/total": 150},
     r"metrics/overall/field_f1/total: is 150 but json_exact/total .* \(consistent value: 158\)"),
    ({"metrics/overall/json_exact/ci95": {"low": 0.2, "high": 1.2, "method": WILSON}},
     r"metrics/overall/json_exact/ci95: \[0.2, 1.2\] is not an interval inside \[0, 1\]"),
    ({"metrics/by_complexity/simple/json_exact/total": 100},
     r"metrics/by_complexity/\*/json_exact/total: the parts add up to 162 .* at most 158"),
    ({"metrics/overall/json_exact/correct": 60},
     r"metrics/overall/json_exact/correct: 60 correct, but the parts hold 39 and the 20 rows "
     r"outside them can add at most 20 \(consistent value: at most 59\)"),
    ({"metrics/overall/json_exact/correct": 30},
     r"metrics/by_complexity/\*/json_exact/correct: the parts add up to 39 .* at most 30"),
    ({"dataset/examples": 150},
     r"dataset/examples: is 150 but metrics/overall/json_exact/total is 158"),
    ({"dataset/examples": 150, "metrics/overall/json_exact/total": 150,
      "metrics/overall/field_f1/total": 150},
     r"metrics/overall/json_exact/total: is 150 but the test split of EdgeJSON v3 has 158 "
     r"examples \(consistent value: 158; a partial run cannot be rendered\)"),
    ({"metrics/by_complexity/medium/json_exact/total": 50},
     r"by_complexity/medium/json_exact/total: is 50 but .* 57 medium rows, 37 of them "
     r"labelled \(consistent value: 37 or 57\)"),
    ({"metrics/overall/json_exact/ci95": {"low": 0.2, "high": 0.3, "method": WILSON}},
     r"metrics/overall/json_exact/ci95: \[0.2, 0.3\] is not the Wilson interval of 39 of "
     r"158 \(consistent value: low 0.186145, high 0.319544\)"),
    ({"metrics/overall/valid_json": _count(10, 158)},
     r"metrics/overall/valid_json/correct: 10 is below json_exact/correct 39 .*at least 39"),
    ({"metrics/overall/field_f1_nested": {"mean": 0.1, "total": 158}},
     r"field_f1_nested/mean: 0.1 is below the JSONExact rate 0.247.*at least 0.247"),
    ({"dataset/name": "OtherBench"},
     r"dataset is OtherBench v3 but the paper's data set is EdgeJSON v3"),
    ({"model/parameters": 0}, r"model/parameters: 0 is less than the minimum of 1"),
])
def test_inconsistent_numbers_are_refused_where_they_are(tmp_path, changes, message):
    doc = copy.deepcopy(MLM)
    for path, value in changes.items():
        _set(doc, path, value)
    bad = _write(tmp_path, doc)
    with pytest.raises(UserError) as err:
        load_result(bad, stats=STATS)
    text = str(err.value)  # one line per problem (after a head line when several)
    line = next((line for line in text.splitlines() if re.search(message, line)), None)
    assert line, text
    where = re.match(r"(.+):(\d+): (?:([\w/*.-]+): )?", line)
    assert where and where.group(1) == str(bad)
    key = (where.group(3) or "dataset/name").split("/")[-1]  # the line holds the number
    assert f'"{key}"' in bad.read_text().splitlines()[int(where.group(2)) - 1]


def test_measured_parts_must_cover_every_row():
    doc = copy.deepcopy(MLM)
    doc["provenance"] = "measured"  # a measured run counts every row under some tier
    assert [str(p) for p in metrics_problems(doc)] == [
        "metrics/by_complexity/*/json_exact/total: the parts add up to 138 but "
        "metrics/overall/json_exact/total is 158 (consistent value: exactly 158)"]


def test_every_committed_results_file_is_consistent():
    for path in sorted(RESULTS_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        split = dataclasses.asdict(STATS.splits[doc["dataset"]["split"]])
        assert metrics_problems(doc, split) == [], path
    assert len(load_results(RESULTS_DIR, STATS)) >= 5


@pytest.fixture
def results(tmp_path):
    for path in RESULTS_DIR.glob("*.json"):
        shutil.copy(path, tmp_path)
    return load_results(tmp_path, STATS)


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("- name: x\n  a: maaza-mlm-135m\n  b: maaza-mlm-135m\n",
     r"c\.yaml:1: entry 1 \(x\): compares maaza-mlm-135m with itself"),
    ("- name: x\n  a: maaza-mlm-135m\n  b: qwen2.5-0.5b\n- name: x\n  a: maaza-slm-360m\n"
     "  b: qwen2.5-0.5b\n", r"c\.yaml:4: entry 2 \(x\): the name is used twice"),
    ("- name: x\n  a: maaza-mlm-135m\n", r"c\.yaml:1: entry 1: an entry needs exactly"),
    ("name: x\na: y\n", r"c\.yaml:1: expected a list of comparisons"),
    ("- name: x\n  a: [unclosed\n", r"c\.yaml:\d+: not valid YAML"),
    ("- name: x\n  a: maaza-mlm-135m\n  b: gpt-5\n", r"c\.yaml:1: entry 1 \(x\): unknown"),
])
def test_comparisons_are_checked_like_results(tmp_path, results, yaml_text, message):
    path = tmp_path / "c.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        load_comparisons(path, results)


def test_a_ratio_over_zero_exact_matches_is_refused(tmp_path, results):
    doc = copy.deepcopy(MLM)
    for path in ("metrics/overall/json_exact", "metrics/by_complexity/simple/json_exact",
                 "metrics/by_complexity/medium/json_exact"):
        _set(doc, path, _count(0, doc_get(doc, path)["total"]))
    results.append(load_result(_write(tmp_path, doc, "zero.json")))
    path = tmp_path / "c.yaml"
    path.write_text("- name: x\n  a: maaza-mlm-135m\n  b: zero\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"zero has no exact match, so the ratio"):
        load_comparisons(path, results)


def test_comparison_across_splits_is_refused(tmp_path, results):
    doc = copy.deepcopy(MLM)
    doc["dataset"]["split"] = "train"
    results.append(load_result(_write(tmp_path, doc, "on-train.json")))  # no data check
    path = tmp_path / "c.yaml"
    path.write_text("- name: x\n  a: maaza-mlm-135m\n  b: on-train\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"is on EdgeJSON v3 test but on-train is on "
                                        r"EdgeJSON v3 train"):
        load_comparisons(path, results)


def test_the_committed_comparisons_pass(results):
    assert len(load_comparisons(RESULTS_DIR / "comparisons.yaml", results)) == 4
