"""The measured-runs table and figure: one row per measured run, whatever runs exist, in
one order and under one label, with exactly the values the prose's macros print."""

from __future__ import annotations

import json
import re
import runpy
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from edgejson.data import dataset_stats  # noqa: E402
from maaza_core.errors import UserError  # noqa: E402
from maaza_core.paths import FIGURES_DIR, RESULTS_DIR  # noqa: E402
from papertools.render import contexts  # noqa: E402
from papertools.render.jinja import render  # noqa: E402
from papertools.render.macros import all_macros  # noqa: E402
from papertools.render.measured import measured_runs, run_label  # noqa: E402
from papertools.render.results import load_paired, load_result, load_results  # noqa: E402

STATS = dataset_stats()
COMMITTED = load_results(RESULTS_DIR, STATS)
# Table columns after model, prompt and decoding -> the macro each must equal ("" for the
# interval, checked against exact-ci-low/high).
COLUMNS = ("exact", "", "f1", "valid", "schema", "tokens-mean", "s-per-example")


@pytest.fixture
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    shutil.copytree(RESULTS_DIR, folder, ignore=shutil.ignore_patterns("adapters"))
    return folder


def _add_run(folder: Path, stem: str, name: str, prompt: str, parameters: int,
             method: str = "zero-shot", source: str = "smollm2-135m-instruct-q4-chat") -> None:
    """A new measured run file: a committed one under another name, format and size."""
    doc = json.loads((RESULTS_DIR / f"{source}.json").read_text(encoding="utf-8"))
    doc["model"].update(name=name, parameters=parameters, method=method)
    doc["config"]["prompt_format"] = prompt
    (folder / f"{stem}.json").write_text(json.dumps(doc), encoding="utf-8")


def _table_rows(tex: str) -> list[list[str]]:
    """The body rows of a rendered table, as cells (group headings left out)."""
    body = tex.split(r"\midrule", 1)[1].split(r"\bottomrule", 1)[0]
    return [[c.strip() for c in line.removesuffix(r"\\").split("&")]
            for line in (x.strip() for x in body.splitlines())
            if line.endswith(r"\\") and "&" in line]


def test_a_new_run_file_adds_a_row_in_its_place(results: Path) -> None:
    before = _table_rows(render("measured-table.tex.j2",
                                contexts.measured_table(load_results(results, STATS))))
    _add_run(results, "gemma-new", "Gemma 3 270M few-shot-3", "few-shot-3",
             268_098_176)
    _add_run(results, "gemma-lora", "Gemma-LoRA", "bare", 268_098_176, method="lora")
    runs = load_results(results, STATS)
    rows = _table_rows(render("measured-table.tex.j2", contexts.measured_table(runs)))
    assert len(rows) == len(before) + 2
    labels = [(r[0], r[1], r[2]) for r in rows]
    # Prompted runs first, the larger model after the 135M ones; fine-tuned ones last.
    gemma = labels.index(("Gemma 3 270M", "few-shot-3", "greedy"))
    assert all(row[0] == "" or "SmolLM2" in row[0] for row in labels[:gemma])
    assert labels[-1] == ("Gemma-LoRA", "bare", "greedy")
    assert len(rows) == len(measured_runs(runs))
    # The appendix table has the same rows, in the same order.
    ends = _table_rows(render("measured-ends-table.tex.j2",
                              contexts.measured_ends_table(runs)))
    assert [r[:3] for r in ends] == [list(x) for x in labels]


def test_every_cell_is_the_macro_the_prose_quotes() -> None:
    """A column that printed another measure (two swapped in the template) or another
    rounding than the prose fails here."""
    macros = {m.key: m.value.removesuffix(r"\%") for m in all_macros(
        COMMITTED, RESULTS_DIR / "comparisons.yaml", STATS, load_paired(RESULTS_DIR / "paired"))}
    rows = _table_rows(render("measured-table.tex.j2", contexts.measured_table(COMMITTED)))
    runs = measured_runs(COMMITTED)
    assert len(rows) == len(runs) >= 5
    for r, row in zip(runs, rows, strict=True):
        for name, cell in zip(COLUMNS, row[3:], strict=True):
            want = (f"[{macros[f'{r.stem}/exact-ci-low']}, {macros[f'{r.stem}/exact-ci-high']}]"
                    if not name else macros[f"{r.stem}/{name}"])
            assert cell == want, (r.stem, name)


def test_a_value_that_does_not_fit_its_counts_never_reaches_the_table(results: Path) -> None:
    """An edited share (the count changed, its interval not) is refused on reading, so
    no table can print it; the error names the file and the JSON path."""
    path = results / "smollm2-135m-instruct-q4-chat-schema-constrained.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["metrics"]["overall"]["schema_compliant"]["correct"] += 10
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    with pytest.raises(UserError, match=r"constrained\.json.*schema_compliant"):
        contexts.measured_table(load_results(results, STATS))


@pytest.mark.parametrize(("name", "prompt", "constrain", "label"), [
    ("SmolLM2-135M-Instruct chat-schema constrained", "chat-schema", "schema",
     "SmolLM2-135M-Instruct, chat-schema, constrained"),
    ("SmolLM2-135M-Instruct (chat+schema constrained)", "chat-schema", "schema",
     "SmolLM2-135M-Instruct, chat-schema, constrained"),
    ("SmolLM2-135M-Instruct (chat-schema 3-shot constrained)", "chat-schema-few-shot-3",
     "schema", "SmolLM2-135M-Instruct, chat-schema-few-shot-3, constrained"),
    ("Model (a note)", "chat", "none", "Model (a note), chat, greedy"),
    ("Gemma 3 270M few-shot-3", "few-shot-3", "none", "Gemma 3 270M, few-shot-3, greedy"),
    ("Gemma-3-270M (3-shot)", "few-shot-3", "none", "Gemma-3-270M, few-shot-3, greedy"),
    ("Gemma-3-270M (base)", "few-shot-3", "none", "Gemma-3-270M (base), few-shot-3, greedy"),
    ("Maaza-135M-Instruct", None, None, "Maaza-135M-Instruct, bare, greedy"),
    # A word that names the format inside the name stays; a name that is only the format too.
    ("chat model chat-schema", "chat-schema", "none", "chat model, chat-schema, greedy"),
    ("chat", "chat", "none", "chat, chat, greedy"),
])
def test_run_label(tmp_path: Path, name, prompt, constrain, label) -> None:
    doc = json.loads((RESULTS_DIR / "smollm2-135m-instruct-q4-chat.json").read_text())
    doc["model"]["name"] = name
    for key, value in (("prompt_format", prompt), ("constrain", constrain)):
        if value is None:
            doc["config"].pop(key, None)
        else:
            doc["config"][key] = value
    (tmp_path / "run.json").write_text(json.dumps(doc))
    assert str(run_label(load_result(tmp_path / "run.json"))) == label


def test_the_figure_draws_every_measured_run_with_its_intervals(results: Path) -> None:
    _add_run(results, "gemma-new", "Gemma 3 270M few-shot-3", "few-shot-3",
             268_098_176, source="maaza-135m-instruct-q4")
    runs = load_results(results, STATS)
    draw = runpy.run_path(str(FIGURES_DIR / "measured-runs.py"))["draw"]
    fig, ax = plt.subplots()
    try:
        draw(runs, ax)
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        exact, schema = (c.lines[0].get_xdata() for c in ax.containers)
    finally:
        plt.close(fig)
    measured = measured_runs(runs)
    assert len(ticks) == len(measured) and "Gemma 3 270M, few-shot-3, greedy" in ticks
    assert list(exact) == pytest.approx([100 * r.json_exact.rate for r in measured])
    assert list(schema) == pytest.approx(
        [100 * r.metrics.overall.schema_compliant.rate for r in measured])
    assert re.search(r"\(LoRA\)$", ticks[-1])


def test_other_prompts_and_decodings_stay_out_of_the_main_results(results: Path) -> None:
    """The main results' tables and figures show the reported runs and the measured ones of
    their protocol (bare, unconstrained); a chat-schema or constrained run only Section
    5.5's. Without the filter the main table grows a row per baseline (and overflows)."""
    runs = load_results(results, STATS)
    names = {r["name"] for r in contexts.results_table(runs)["rows"]}
    assert names == {r["name"] for r in contexts.complexity_table(runs)["rows"]}
    assert "SmolLM2-135M-Instruct$^\\dagger$" in names and "Qwen2.5-0.5B" in names
    assert not any("chat" in n for n in names)
    # ... plus the measured runs of that protocol: the untuned SmolLM2, and the fine-tuned
    # 135M and Gemma 3 270M (LoRA), each marked as measured.
    assert sum(r.provenance == "reported" for r in runs) + 3 == len(names)
    assert {"Maaza-135M-Instruct$^\\dagger$", "Gemma-3-270M (LoRA)$^\\dagger$"} <= names
    draw = runpy.run_path(str(FIGURES_DIR / "accuracy-vs-params.py"))["draw"]
    fig, ax = plt.subplots()
    try:
        draw(runs, ax)
        labels = {t.get_text() for t in ax.texts}
    finally:
        plt.close(fig)
    assert labels == {n.removesuffix("$^\\dagger$") for n in names}
    pairs = contexts.figure_context("finetuned-vs-base", runs)["pairs"]
    assert {(p["tuned"], p["base"]) for p in pairs} >= {
        ("Maaza-135M-Instruct", "SmolLM2-135M-Instruct")}


def _add_engine_run(folder: Path, source: str, stem: str, name: str) -> None:
    """A llama.cpp run: a committed reference run with its engine set and its name noted."""
    doc = json.loads((RESULTS_DIR / f"{source}.json").read_text(encoding="utf-8"))
    doc["model"]["name"] = name
    doc["config"]["engine"] = "llama.cpp"
    (folder / f"{stem}.json").write_text(json.dumps(doc), encoding="utf-8")


@pytest.mark.parametrize(("name", "source", "label"), [
    ("SmolLM2-135M-Instruct (llama.cpp)", "smollm2-135m-instruct-q4",
     "SmolLM2-135M-Instruct, bare, greedy, llama.cpp"),
    ("SmolLM2-135M-Instruct (chat+schema constrained; llama.cpp)",
     "smollm2-135m-instruct-q4-chat-schema-constrained",
     "SmolLM2-135M-Instruct, chat-schema, constrained, llama.cpp"),
    ("Gemma-3-270M (3-shot; llama.cpp)", "gemma-3-270m-q4-few-shot-3",
     "Gemma-3-270M, few-shot-3, greedy, llama.cpp"),
])
def test_a_llamacpp_run_says_so_next_to_its_reference(results: Path, name, source,
                                                      label) -> None:
    """The engine is in the decoding cell and the figure's label, the engine's note is not
    in the model's name, and the row follows its reference run's row."""
    _add_engine_run(results, source, "engine-run", name)
    runs = load_results(results, STATS)
    stems = [r.stem for r in measured_runs(runs)]
    assert stems.index("engine-run") == stems.index(source) + 1
    run = next(r for r in runs if r.stem == "engine-run")
    assert str(run_label(run)) == label
    tex = render("measured-table.tex.j2", contexts.measured_table(runs))
    rows = _table_rows(tex)
    row = rows[stems.index("engine-run")]
    assert row[0] == "" and ", ".join(row[1:3]) == label.split(", ", 1)[1]
    assert r"\emph{llama.cpp}" in tex.split(r"\label", 1)[0]


def test_the_caption_names_no_engine_when_no_run_used_one() -> None:
    reference_only = [r for r in COMMITTED if r.config.engine is None]
    tex = render("measured-table.tex.j2", contexts.measured_table(reference_only))
    assert all(", llama.cpp" not in cell for row in _table_rows(tex) for cell in row)
    assert "llama.cpp" not in tex


def test_llamacpp_runs_stay_out_of_the_main_results(results: Path) -> None:
    """The main tables and Figures 1-3 are the reference engine's protocol: a llama.cpp
    run of the bare prompt must add no row, bar or caption figure there."""
    before = load_results(results, STATS)
    _add_engine_run(results, "smollm2-135m-instruct-q4", "engine-run",
                    "SmolLM2-135M-Instruct (llama.cpp)")
    _add_engine_run(results, "maaza-135m-instruct-q4", "engine-ft",
                    "Maaza-135M-Instruct (llama.cpp)")
    after = load_results(results, STATS)
    for table in (contexts.results_table, contexts.complexity_table):
        assert table(after)["rows"] == table(before)["rows"]
    for fig in ("accuracy-vs-params", "finetuned-vs-base", "accuracy-by-complexity"):
        assert contexts.figure_context(fig, after)["pairs"] == \
            contexts.figure_context(fig, before)["pairs"]
    drawn = []
    for runs in (before, after):
        draw = runpy.run_path(str(FIGURES_DIR / "accuracy-vs-params.py"))["draw"]
        fig, ax = plt.subplots()
        try:
            draw(runs, ax)
            drawn.append(sorted(t.get_text() for t in ax.texts))
        finally:
            plt.close(fig)
    assert drawn[0] == drawn[1]


@pytest.mark.parametrize(("weights_threads", "cell"), [(None, "CPU"), (4, "CPU (4)")])
def test_a_llamacpp_run_never_shows_torchs_threads(results: Path, weights_threads,
                                                   cell) -> None:
    """The appendix table's device cell names the threads that computed: for a llama.cpp
    run its own count if recorded, never the torch count its provenance also holds."""
    _add_engine_run(results, "smollm2-135m-instruct-q4", "engine-run",
                    "SmolLM2-135M-Instruct (llama.cpp)")
    path = results / "engine-run.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["run"]["hardware"]["torch_threads"] = 7
    if weights_threads is not None:
        doc["run"]["weights"]["threads"] = weights_threads
    path.write_text(json.dumps(doc), encoding="utf-8")
    runs = load_results(results, STATS)
    rows = contexts.measured_ends_table(runs)["groups"][0]["rows"]
    row = rows[[r.stem for r in measured_runs(runs)].index("engine-run")]
    assert row["decoding"] == "greedy, llama.cpp" and row["device"] == cell
