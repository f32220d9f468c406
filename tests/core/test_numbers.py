"""Numbers that cannot be numbers (issue 22, item 3): NaN, Infinity, duplicate keys,
counts written as floats and integers too large to format are each one DataError at
file:line, from the one JSON reader, in a metrics file, a paired file and a JSONL line;
the performance block must describe the run its metrics score."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maaza_core import metrics, paired
from maaza_core.errors import DataError, DataErrors
from maaza_core.jsonl import MAX_INT, iter_jsonl, parse_json
from maaza_core.paths import RESULTS_DIR

MEASURED = RESULTS_DIR / "maaza-135m-instruct-q4.json"
PAIRED = RESULTS_DIR / "paired" / "maaza-135m-instruct-q4-vs-zero-shot.json"


def _replace_line(source: Path, tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of `source` with the first line containing `old` edited; (copy, its line)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, start=1) if old in line)
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path = tmp_path / source.name
    path.write_text("".join(lines), encoding="utf-8")
    return path, number


@pytest.mark.parametrize(("old", "new", "message"), [
    ('"mean": 0.590992', '"mean": NaN', "NaN is not a JSON number"),
    ('"mean": 0.590992', '"mean": Infinity', "Infinity is not a JSON number"),
    ('"mean": 0.590992', '"mean": -1e999', "-1e999 is too large for a number"),
    ('"generated_tokens": 28527', '"generated_tokens": 1' + "0" * 5000,
     r"integer 10000000000000000000\.\.\. \(5001 digits\) is beyond"),
    ('"generated_tokens": 28527', '"generated_tokens": 9007199254740993', "beyond"),
    ('"examples": 158,', '"examples": 158, "examples": 160,', "duplicate key 'examples'"),
])
def test_a_value_json_cannot_mean_is_refused_at_its_line(tmp_path, old, new, message) -> None:
    path, line = _replace_line(MEASURED, tmp_path, old, new)
    with pytest.raises(DataError, match=message) as err:
        metrics.load(path)
    assert err.value.line == line and str(err.value).startswith(f"{path}:{line}: ")


def test_the_paired_file_is_read_by_the_same_reader(tmp_path) -> None:
    path, line = _replace_line(PAIRED, tmp_path, '"p_value": 2.220446049250313e-16',
                               '"p_value": NaN')
    with pytest.raises(DataError, match=f"{path.name}:{line}: NaN is not a JSON number"):
        paired.load(path)


@pytest.mark.parametrize(("source", "old", "new", "pointer"), [
    (MEASURED, '"correct": 53,', '"correct": 53.0,', "/metrics/overall/json_exact/correct"),
    (MEASURED, '"examples": 158,', '"examples": 158.0,', "/dataset/examples"),
    (PAIRED, '"only_b": 53,', '"only_b": 53.0,', "/metrics/json_exact/mcnemar/only_b"),
])
def test_a_count_written_as_a_float_is_refused(tmp_path, source, old, new, pointer) -> None:
    path, line = _replace_line(source, tmp_path, old, new)
    with pytest.raises(DataErrors, match="53.0 is not of type 'integer'|158.0 is not of"
                       ) as err:
        (metrics if source == MEASURED else paired).load(path)
    (error,) = err.value.errors
    assert (error.pointer, error.line) == (pointer, line)


def test_a_bad_number_in_a_jsonl_line_names_the_line(tmp_path) -> None:
    path = tmp_path / "predictions.jsonl"
    path.write_text('{"id": "a", "output": "{}"}\n\n{"id": "b", "latency_s": NaN}\n')
    with pytest.raises(DataError, match=r"predictions\.jsonl:3: NaN is not a JSON number"):
        list(iter_jsonl(path))


def test_a_duplicate_key_is_found_at_its_own_line_inside_nested_objects() -> None:
    text = '{\n "a": {"k": 1,\n   "k": {"k": 2}},\n "b": 3\n}'
    with pytest.raises(DataError, match=r"f\.json:3: duplicate key 'k'"):
        parse_json(text, "f.json")


@given(st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_INT, MAX_INT)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20))
def test_every_finite_json_value_reads_back_unchanged(value) -> None:
    assert parse_json(json.dumps(value, indent=1), "f.json") == value


@given(st.integers(min_value=MAX_INT + 1) | st.integers(max_value=-MAX_INT - 1))
def test_every_integer_beyond_the_exact_range_is_refused(n) -> None:
    with pytest.raises(DataError, match="beyond"):
        parse_json(f'{{"n":\n {n}}}', "f.json")


def test_render_prints_one_line_and_no_traceback(tmp_path) -> None:
    """What a user sees from the paper's reader: the error line, exit 1, no traceback."""
    results = tmp_path / "results"
    (results / "paired").mkdir(parents=True)
    path, line = _replace_line(MEASURED, results, '"mean": 0.590992', '"mean": NaN')
    done = subprocess.run([sys.executable, "-m", "papertools.cli", "render", "macros",
                           "--results", str(results), "-o", str(tmp_path / "m.tex")],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{path.name}:{line}: NaN is not a JSON number" in done.stderr
    assert not (tmp_path / "m.tex").exists()


# --- the performance block agrees with the run (maaza_core.consistency) ---------------


def _planted_perf(tmp_path: Path, change) -> Path:
    data = json.loads(MEASURED.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def _examples(d):
    d["performance"]["examples"] = 150
    d["performance"]["stop_reasons"]["json"] -= 8


def _mean_over_limit(d):
    d["config"]["max_new_tokens"] = 150  # the run's mean was 180.55 tokens


def _mean(d):
    d["performance"]["generated_tokens_mean"] = 18.05


def _stops(d):
    d["performance"]["stop_reasons"]["length"] += 1


def _truncated(d):
    d["performance"]["stop_reasons"]["length"] -= 1
    d["performance"]["stop_reasons"]["json"] += 1


@pytest.mark.parametrize(("change", "pointer", "message"), [
    (_examples, "/performance/examples", "is 150 but the run scored 158"),
    (_mean_over_limit, "/performance/generated_tokens", "at most 150 .* at most 23700"),
    (_mean_over_limit, "/performance/generated_tokens_mean", "each at most 150"),
    (_mean, "/performance/generated_tokens_mean", "consistent value: 180.55"),
    (_stops, "/performance/stop_reasons", "must count each of the 158 examples once"),
    (_truncated, "/metrics/overall/truncated/correct", "is 21 but .* counts 20 rows"),
])
def test_a_performance_block_that_is_not_the_runs_is_refused(tmp_path, change, pointer,
                                                               message) -> None:
    with pytest.raises(DataErrors) as err:
        metrics.load(_planted_perf(tmp_path, change))
    found = [e for e in err.value.errors if e.pointer == pointer]
    assert found and any(re.search(message, str(e)) for e in found), err.value


def test_the_committed_performance_blocks_pass() -> None:
    for path in RESULTS_DIR.glob("*.json"):
        metrics.load(path)
