"""Hostile inputs, one case per defect of issue 11 (plus a few more).

Each case runs the real command as a user would and asserts three things: the exit code,
one message line naming the input (file:line where there is a line) without a
traceback, and that no file on disk changed (inputs and would-be outputs alike).
The static inputs live in tests/fixtures/hostile/; results files with impossible numbers
are derived here from the committed ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from maaza_core.paths import DATA_DIR, RESULTS_DIR, ROOT

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
BIN = Path(sys.executable).parent


def run(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    """A console script of this environment (papertools, edgejson) with its arguments."""
    env = {k: v for k, v in os.environ.items() if k != "MAAZA_ROOT"}
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=timeout)


def snapshot(*roots: Path) -> dict[str, tuple[str, int] | None]:
    """Content hash and mode of every file under `roots` (None for a missing path)."""
    out: dict[str, tuple[str, int] | None] = {}
    for root in roots:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            out[str(path)] = ((hashlib.sha256(path.read_bytes()).hexdigest(),
                               path.stat().st_mode) if path.exists() else None)
    return out


def refused_unchanged(args: list[str], message: str, *watch: Path) -> None:
    """Run a command that must fail with exit 1 and `message`, changing nothing in `watch`."""
    before = snapshot(*watch)
    assert_refused(run(*args), 1, message)
    assert snapshot(*watch) == before


def assert_refused(proc: subprocess.CompletedProcess, code: int, message: str) -> None:
    """Exit `code`, no traceback, and a line of stderr matching `message`."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert re.search(message, proc.stderr, re.M), proc.stderr


# --- 2. impossible numbers ------------------------------------------------------------

def _results_with(tmp_path: Path, changes: dict[str, object]) -> Path:
    folder = tmp_path / "results"
    shutil.copytree(RESULTS_DIR, folder)
    path = folder / "maaza-mlm-135m.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for pointer, value in changes.items():
        *parents, last = pointer.split("/")
        target = doc
        for key in parents:
            target = target[key]
        target[last] = value
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("changes", "message"), [
    ({"metrics/by_complexity/simple/json_exact/correct": 80},  # the PDF printed 105.3%
     r"maaza-mlm-135m\.json:\d+: metrics/by_complexity/simple/json_exact/correct: "
     r"80 correct of 76 \(consistent value: at most 76\)"),
    ({"metrics/overall/json_exact/correct": 160},  # was "math domain error"
     r"maaza-mlm-135m\.json:\d+: metrics/overall/json_exact/correct: 160 correct of 158"),
    ({"metrics/by_complexity/medium/json_exact/total": 40},
     r"maaza-mlm-135m\.json:\d+: metrics/by_complexity/medium/json_exact/total: is 40 but "
     r"the test split of EdgeJSON v3 has 57 medium rows, 37 of them labelled"),
])
@pytest.mark.parametrize("what", ["macros", "table results", "figure accuracy-vs-params"])
def test_impossible_numbers_never_render(tmp_path, changes, message, what):
    results = _results_with(tmp_path, changes)
    out = tmp_path / "out.tex"
    refused_unchanged(["papertools", "render", *what.split(), "--results", str(results), "-o",
                       str(out)], r"^papertools: error: .*" + message, results, out)


def test_impossible_numbers_never_reach_a_figure(tmp_path):
    results = _results_with(tmp_path, {"metrics/overall/json_exact/correct": 160})
    out = tmp_path / "fig.pdf"
    proc = subprocess.run([sys.executable, "-m", "papertools.render.figrun",
                           str(ROOT / "figures" / "accuracy-vs-params.py"), "-o", str(out),
                           "--results", str(results)], capture_output=True, text=True)
    assert_refused(proc, 1, r"^accuracy-vs-params: error: .*maaza-mlm-135m\.json:\d+: ")
    assert not out.exists()


@pytest.mark.parametrize(("name", "message"), [
    ("comparisons-self.yaml", r"comparisons-self\.yaml:1: entry 1 \(self\): compares "
                              r"maaza-mlm-135m with itself"),
    ("comparisons-duplicate.yaml", r"comparisons-duplicate\.yaml:4: entry 2 "
                                   r"\(mlm135-vs-qwen\): the name is used twice"),
    ("comparisons-bad-yaml.yaml", r"comparisons-bad-yaml\.yaml:\d+: not valid YAML"),
])
def test_bad_comparisons_never_render(tmp_path, name, message):
    out = tmp_path / "macros.tex"
    refused_unchanged(["papertools", "render", "macros", "--comparisons", str(HOSTILE / name),
                       "-o", str(out)], message, HOSTILE, out)


def test_edgejson_refuses_to_read_an_inconsistent_metrics_file(tmp_path):
    results = _results_with(tmp_path, {"metrics/overall/json_exact/correct": 160})
    path = results / "maaza-mlm-135m.json"
    from maaza_core import metrics
    from maaza_core.errors import UserError

    with pytest.raises(UserError, match=r"maaza-mlm-135m\.json:\d+: metrics/overall/"):
        metrics.load(path)
    doc = metrics.from_dict(json.loads(path.read_text(encoding="utf-8")))
    with pytest.raises(UserError, match=r"160 correct of 158"):
        metrics.dump(doc, tmp_path / "new.json")
    assert not (tmp_path / "new.json").exists()


# --- 3. library entries, 9. malformed citations, 10. bib check -------------------------

@pytest.mark.parametrize(("name", "message"), [
    ("library-no-identifiers.yaml", r"library-no-identifiers\.yaml:4: entry 'hu2' has no "
                                    r"arxiv, doi or s2 id"),
    ("library-url-only.yaml", r"library-url-only\.yaml:5: entry 'site' has no arxiv"),
])
def test_a_library_entry_that_cannot_cite_is_an_error(tmp_path, name, message):
    out = tmp_path / "references.bib"
    refused_unchanged(["papertools", "bib", "write", "--library", str(HOSTILE / name),
                       "-o", str(out)], message, HOSTILE, out)


@pytest.mark.parametrize(("name", "line", "what"), [
    ("draft-empty-citation.md", 3, "empty citation"),
    ("draft-unclosed-citation.md", 1, "'\\[' before a citation is never closed"),
    ("draft-bare-at.md", 1, "'@' with no key after it"),
])
def test_a_malformed_citation_stops_the_draft(tmp_path, name, line, what):
    out = tmp_path / "fragment.tex"
    refused_unchanged(["papertools", "litreview", "convert", str(HOSTILE / name), "-o",
                       str(out)], rf"{re.escape(name)}:{line}: malformed citation: {what}",
                      HOSTILE, out)


@pytest.mark.parametrize(("target", "message"), [
    ("missing.bib", r"missing\.bib: no such file"),
    (".", r": is a folder, not a BibTeX file"),
    ("empty.bib", r"empty\.bib: empty"),
    ("notes.bib", r"notes\.bib: not a BibTeX file"),
])
def test_bib_check_refuses_what_is_not_a_bib_file(target, message):
    refused_unchanged(["papertools", "bib", "check", "--offline", str(HOSTILE / target)],
                      r"^papertools: error: .*" + message, HOSTILE)


def test_bib_check_flags_an_entry_without_a_title(tmp_path):
    before = snapshot(HOSTILE)
    proc = run("papertools", "bib", "check", "--offline", "--cache", str(tmp_path / "c"),
               str(HOSTILE / "no-title.bib"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert re.search(r"no-title\.bib:2: notitle2020: title: missing", proc.stdout + proc.stderr)
    assert snapshot(HOSTILE) == before


# --- 5. compare, 6. extraction, 7. tracebacks, 10. edgejson ----------------------------

def _predictions(path: Path, rows: list[dict], answered) -> Path:
    lines = [{"id": r["id"], "output": json.dumps(r["expected_output"]) if answered(i)
              else "{}"} for i, r in enumerate(rows)]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("runs")
    rows = [json.loads(line) for line in (DATA_DIR / "test.jsonl").read_text().splitlines()]
    return {"full": _predictions(folder / "full.jsonl", rows, lambda i: i % 2 == 0),
            "other": _predictions(folder / "other.jsonl", rows, lambda i: i % 3 == 0),
            "part": _predictions(folder / "part.jsonl", rows[:100], lambda i: i % 3 == 0)}


def test_compare_refuses_different_example_sets(runs):
    before = snapshot(runs["full"].parent)
    proc = run("edgejson", "compare", str(runs["full"]), str(runs["part"]))
    assert_refused(proc, 1, r"^edgejson: error: full\.jsonl has 158 examples and part\.jsonl "
                            r"has 100; 100 are in both .*--allow-subset")
    proc = run("edgejson", "compare", "--allow-subset", "--json", str(runs["full"]),
               str(runs["part"]))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["dropped"] == {"a": 58, "b": 0}
    assert "dropped 58 of A's and 0 of B's" in proc.stderr
    assert snapshot(runs["full"].parent) == before


def test_a_closed_pipe_is_quiet(runs):
    # The reader is gone before compare writes: its first write meets a closed pipe.
    proc = subprocess.run(
        ["bash", "-c", f'"{BIN / "edgejson"}" compare --json "{runs["full"]}" '
                       f'"{runs["other"]}" | true; exit ${{PIPESTATUS[0]}}'],
        capture_output=True, text=True)
    assert proc.returncode == 141 and proc.stderr == "", proc.stderr


# From 0.25 s: the interpreter's own start-up (~30 ms here, before any project code runs)
# is out of any program's reach.
@pytest.mark.parametrize("delay", [0.25, 0.5, 0.9])
def test_ctrl_c_while_a_tool_starts_has_no_traceback(tmp_path, delay):
    env = {k: v for k, v in os.environ.items() if k != "MAAZA_ROOT"}
    out = tmp_path / "macros.tex"
    child = subprocess.Popen([str(BIN / "papertools"), "render", "macros", "-o", str(out)],
                             stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    # Before Python installs its handler the signal ends the process (-2, "130" to a
    # shell); after, the handler exits 130. Either way: no traceback.
    assert child.returncode in (130, -signal.SIGINT, 0), err
    assert "Traceback" not in err, err
    assert not list(tmp_path.glob(".*tmp*"))


def test_score_partial_on_an_empty_file(tmp_path):
    empty = tmp_path / "predictions.jsonl"
    empty.write_text("", encoding="utf-8")
    before = snapshot(tmp_path)
    proc = run("edgejson", "score", "--partial", str(empty), "--out", str(tmp_path / "m.json"),
               "--parameters", "1000")
    assert_refused(proc, 1, r"^edgejson: error: .*predictions\.jsonl: no predictions to score")
    assert snapshot(tmp_path) == before


def test_score_survives_deep_nesting_and_a_megabyte_of_braces(tmp_path):
    rows = [json.loads(line) for line in (DATA_DIR / "test.jsonl").read_text().splitlines()]
    outputs = ["[" * 5000 + "1" + "]" * 5000, "{" * 1_000_000, '{"a": ' * 50_000,
               json.dumps(rows[3]["expected_output"])]
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps({"id": r["id"], "output": o}) + "\n"
                            for r, o in zip(rows, outputs, strict=False)), encoding="utf-8")
    proc = run("edgejson", "score", "--partial", str(path))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert re.search(r"JSONExact\s+1/4\b|1 of 4|1/4", proc.stdout), proc.stdout


def test_batch_only_with_an_unknown_name():
    proc = run("edgejson", "batch", "--only", "NoSuchModel")
    assert_refused(proc, 1, r"^edgejson: error: .*eval\.yaml: no model named NoSuchModel "
                            r"\(fix: --only takes names from the config: .*SmolLM2-135M")


def test_batch_help_example_names_a_real_config():
    proc = run("edgejson", "batch", "--help")
    example = re.search(r"edgejson batch (\S+\.yaml)", proc.stdout)
    assert example and (ROOT / example.group(1)).is_file(), proc.stdout


@pytest.mark.parametrize(("spec", "message"), [
    ("./no/such/model", r"\./no/such/model: no such model folder"),
    ("tests/fixtures/hostile", r"tests/fixtures/hostile: folder has no config\.json, so it "
                               r"is not a model"),
    ("tests/fixtures/hostile/notes.bib", r"hostile/notes\.bib: a file, but not a GGUF "
                                         r"checkpoint"),
])
def test_evaluate_on_something_that_is_not_a_model(spec, message):
    refused_unchanged(["edgejson", "evaluate", spec, "--limit", "1", "--out", "/nonexistent/o"],
                      r"^edgejson: error: (tests/fixtures/)?" + message, HOSTILE)


# --- 8. file modes ---------------------------------------------------------------------

def test_bib_write_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    out = tmp_path / "references.bib"
    out.write_text("% old\n", encoding="utf-8")
    out.chmod(0o644)
    proc = run("papertools", "bib", "write", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") != "% old\n" and (out.stat().st_mode & 0o777) == 0o644


def test_corpus_inputs_are_untouched_by_the_whole_module():
    """The fixtures are inputs only: none of the cases above may have rewritten one."""
    tracked = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--",
                              str(HOSTILE)], capture_output=True, text=True).stdout
    assert all(not line.startswith(" M") for line in tracked.splitlines()), tracked
