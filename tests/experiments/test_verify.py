"""`edgejson verify-results` (issue 22, item 1): each way a measured number could stop
being the one its committed outputs give is planted and refused, naming the file, the JSON
path and the recomputed value; the committed results pass."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from treecopy import pin_adapter

from edgejson.compare import Side, compare
from edgejson.verify import VerifySettings, summary_line, verify_results
from maaza_core import metrics, paired
from maaza_core.errors import DataErrors
from maaza_core.intervals import wilson
from maaza_core.paths import DATA_DIR, RESULTS_DIR

FT, ZS = "maaza-135m-instruct-q4", "smollm2-135m-instruct-q4"
PAIRED = f"paired/{FT}-vs-zero-shot.json"


def _results(tmp_path: Path, keep_paired: bool = True, runs: tuple[str, ...] = (FT, ZS)
             ) -> Path:
    """A copy of the results folder: every reported file, the named measured runs."""
    out = tmp_path / "results"
    (out / "paired").mkdir(parents=True)
    for path in RESULTS_DIR.glob("*.json"):
        if json.loads(path.read_text())["provenance"] == "reported" or path.stem in runs:
            shutil.copy(path, out)
    for run in runs:
        shutil.copy(RESULTS_DIR / f"{run}.predictions.jsonl", out)
    if keep_paired:
        shutil.copy(RESULTS_DIR / PAIRED, out / PAIRED)
    return out


def _refused(results: Path, data_dir: Path = DATA_DIR) -> list[tuple[str, str | None, str]]:
    """(file name, JSON pointer, message) of every problem verify-results reports."""
    with pytest.raises(DataErrors) as err:
        verify_results(VerifySettings(results=results, data_dir=data_dir))
    return [(Path(e.path).name, e.pointer, e.message) for e in err.value.errors]


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def test_the_committed_results_pass_and_reported_ones_say_they_cannot_be_recomputed(
        tmp_path) -> None:
    out = tmp_path / "generated" / "results-verified.json"
    summary = verify_results(VerifySettings(out=out))
    measured = sorted(p.stem for p in RESULTS_DIR.glob("*.json")
                      if json.loads(p.read_text())["provenance"] == "measured")
    assert {FT, ZS} <= set(measured) and sorted(summary["recomputed"]) == measured
    assert Path(PAIRED).stem in summary["paired"]
    committed = sorted(p.stem for p in (RESULTS_DIR / "paired").glob("*.json"))
    assert sorted(summary["paired"]) == committed
    assert len(summary["reported"]) == 5
    assert json.loads(out.read_text()) == summary
    assert "5 reported runs (copied from publications) have no outputs and cannot be " \
           "recomputed" in summary_line(summary)


def test_garbage_outputs_are_refused_with_the_recomputed_value(tmp_path) -> None:
    results = _results(tmp_path, keep_paired=False, runs=(FT,))
    preds = results / f"{FT}.predictions.jsonl"
    rows = [json.loads(line) for line in preds.read_text().splitlines()]
    preds.write_text("".join(json.dumps({**r, "output": "garbage"} if "output" in r else r)
                             + "\n" for r in rows))
    found = {pointer: message for name, pointer, message in _refused(results)}
    assert found["/metrics/overall/json_exact/correct"].startswith(
        f"metrics/overall/json_exact/correct: stored 53, recomputed from {preds.name}: 0 ")
    assert any("more numbers from here on differ" in m for m in found.values())
    assert len(found) == 13  # twelve differences shown, the rest counted


def test_deleted_predictions_are_an_error(tmp_path) -> None:
    results = _results(tmp_path, keep_paired=False)
    (results / f"{FT}.predictions.jsonl").unlink()
    (results / f"{ZS}.predictions.jsonl").unlink()
    found = _refused(results)
    assert {(name, pointer) for name, pointer, _ in found} == {
        (f"{FT}.json", "/provenance"), (f"{ZS}.json", "/provenance")}
    assert all("are missing, so no number of it can be recomputed" in m for *_, m in found)


def _room(part: dict) -> int:
    """Exact matches a part can gain and stay possible: within its valid JSON, and at
    most its nested Field F1 mean (every exact match scores 1 there)."""
    exact, total = part["json_exact"]["correct"], part["json_exact"]["total"]
    by_f1 = int(part["field_f1_nested"]["mean"] * total) - exact
    return max(0, min(part["valid_json"]["correct"] - exact, by_f1))


def _sixty_exact(d: dict) -> None:
    """53 -> 60 exact matches, edited consistently: the tiers and schemas that hold the
    seven new ones, every interval recomputed, so the file passes every rule by itself."""
    m, added = d["metrics"], 7
    for group in ("by_complexity", "by_schema"):
        left = added
        for part in m[group].values():
            room = min(left, _room(part))
            part["json_exact"]["correct"] += room
            left -= room
        assert left == 0
    for part in [m["overall"], *m["by_complexity"].values(), *m["by_schema"].values()]:
        exact = part["json_exact"]
        exact["correct"] += added if part is m["overall"] else 0
        exact["ci95"] = wilson(exact["correct"], exact["total"]).to_dict()


def test_a_consistently_edited_metrics_file_is_refused(tmp_path) -> None:
    results = _results(tmp_path, keep_paired=False, runs=(FT,))
    _edit(results / f"{FT}.json", _sixty_exact)
    assert metrics.load(results / f"{FT}.json").json_exact.correct == 60  # consistent
    found = {pointer: message for _, pointer, message in _refused(results)}
    assert "stored 60, recomputed from maaza-135m-instruct-q4.predictions.jsonl: 53 " in \
        found["/metrics/overall/json_exact/correct"]
    high = wilson(53, 158).high
    assert f": {high} " in found["/metrics/overall/json_exact/ci95/high"]


def test_a_paired_file_with_wrong_discordant_counts_is_refused(tmp_path) -> None:
    results = _results(tmp_path)

    def fewer(d):
        d["metrics"]["json_exact"]["mcnemar"]["only_b"] = 50

    _edit(results / PAIRED, fewer)
    paired.load(results / PAIRED)  # a possible file by itself
    ((name, pointer, message),) = _refused(results)
    assert (name, pointer) == (Path(PAIRED).name, "/metrics/json_exact/mcnemar/only_b")
    assert "stored 50, recomputed from smollm2-135m-instruct-q4.predictions.jsonl and " \
           "maaza-135m-instruct-q4.predictions.jsonl: 53 " in message


def test_a_paired_test_over_three_examples_is_refused(tmp_path) -> None:
    results = _results(tmp_path)
    from edgejson.verify import _Checker  # the rescored runs, as verify-results has them

    checker = _Checker(VerifySettings(results=results))
    for run in (FT, ZS):
        checker.measured(results / f"{run}.json", metrics.load(results / f"{run}.json"))
    sides = [Side(f"{run}.predictions.jsonl",
                  {s.id: s for s in checker.runs[f"{run}.predictions.jsonl"].scores[:3]})
             for run in (ZS, FT)]
    paired.dump(compare(*sides), results / PAIRED)  # 3 examples, nothing "dropped"
    found = [(pointer, message) for _, pointer, message in _refused(results)]
    assert any(p == "/examples" and "a paired test over 3 of the 158 examples of the test "
               "split" in m for p, m in found)
    assert ("/examples", f"examples: stored 3, recomputed from {ZS}.predictions.jsonl and "
            f"{FT}.predictions.jsonl: 158") in [(p, m.partition(" (fix")[0]) for p, m in found]


def test_a_paired_file_naming_an_unknown_run_is_refused(tmp_path) -> None:
    results = _results(tmp_path, runs=())
    found = _refused(results)
    assert {(n, p) for n, p, _ in found} == {(Path(PAIRED).name, "/a"),
                                              (Path(PAIRED).name, "/b")}
    assert "cannot be recomputed" in found[0][2]


def test_a_run_on_other_data_is_refused(tmp_path) -> None:
    """The test split changed after the run (one row's input text: its scores stay)."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    rows = (data / "test.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(rows[0])
    rows[0] = json.dumps({**first, "prompt": first["prompt"] + " (edited)"})
    (data / "test.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    results = _results(tmp_path, keep_paired=False, runs=(FT,))
    ((name, pointer, message), *rest) = _refused(results, data)
    assert (name, pointer) == (f"{FT}.json", "/dataset/sha256")
    assert "the run scored data with sha256 c4dd9eeb" in message
    assert [p for _, p, _ in rest] == ["/run/data_sha256"]


def test_verify_results_needs_no_model_stack() -> None:
    """make paper runs it in the venv without torch: it must not even import it."""
    code = ("import sys; from edgejson.cli import main; rc = main(['verify-results']); "
            "heavy = {'torch', 'transformers', 'peft'} & set(sys.modules); "
            "print(rc, sorted(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.splitlines()[-1] == "0 []"
    assert re.search(r"recomputed \d+ measured runs and \d+ paired tests?", done.stdout)


# --- the committed adapter and the runs that name it ------------------------------------

def _adapter(results: Path, weights: bytes = b"lora weights") -> str:
    """A committed adapter folder for the fine-tuned run (stand-in bytes), pinned by its
    SHA256SUMS as `make measured` writes it; returns the weights' sha256."""
    return pin_adapter(results / "adapters" / FT, weights)


def _ft_used(results: Path, sha: str) -> None:
    _edit(results / f"{FT}.json", lambda d: d["run"]["weights"].update(adapter_sha256=sha))


def test_a_run_of_the_committed_adapter_passes(tmp_path) -> None:
    results = _results(tmp_path)
    _ft_used(results, _adapter(results))
    verify_results(VerifySettings(results=results))


def test_a_run_of_other_adapter_weights_is_refused(tmp_path) -> None:
    results = _results(tmp_path)
    committed = _adapter(results)
    _ft_used(results, "0" * 64)
    ((name, pointer, message),) = _refused(results)
    assert (name, pointer) == (f"{FT}.json", "/run/weights/adapter_sha256")
    assert f"adapters/{FT} has {committed}" in message and "make measured" in message


def test_an_export_of_other_adapter_weights_is_refused(tmp_path) -> None:
    results = _results(tmp_path)
    committed = _adapter(results)
    _ft_used(results, committed)
    export = {"adapter": f"runs/train/{FT}", "adapter_sha256": "1" * 64}
    _edit(results / f"{FT}.json", lambda d: d["run"]["weights"].update(export=export))
    ((_, pointer, _),) = _refused(results)
    assert pointer == "/run/weights/export/adapter_sha256"


@pytest.mark.parametrize("change, says", [
    (lambda f: f.write_bytes(b"retrained"), "has sha256"),
    (lambda f: f.unlink(), "which is missing"),
])
def test_committed_adapter_files_must_match_their_sums(tmp_path, change, says) -> None:
    results = _results(tmp_path)
    _ft_used(results, _adapter(results))
    change(results / "adapters" / FT / "adapter_model.safetensors")
    ((name, pointer, message),) = _refused(results)
    assert name == "SHA256SUMS" and says in message and "git checkout" in message


def test_a_merged_export_run_is_checked_by_its_export_only(tmp_path) -> None:
    """A merged GGUF names the adapter folder as its model's adapter but applied none
    (run.weights.adapter is null): only its export's digest is compared."""
    results = _results(tmp_path)
    committed = _adapter(results)

    def merged(d):
        d["run"]["weights"].update(adapter=None, adapter_sha256=None, export={
            "adapter": f"runs/train/{FT}", "adapter_sha256": committed})
    _edit(results / f"{FT}.json", merged)
    verify_results(VerifySettings(results=results))
