"""The deployment table: bench/edge.py's figures and the llama.cpp runs against their
float32 reference, printed as the prose's macros print them, with the machine in the
caption; a figures file or a pairing that would print something false is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from edgejson.data import dataset_stats
from maaza_core.errors import DataErrors, UserError
from maaza_core.paths import RESULTS_DIR
from papertools.cli import main
from papertools.render import cli
from papertools.render.deployment import deployment_table, load_bench, load_benches
from papertools.render.jinja import render
from papertools.render.macros import all_macros
from papertools.render.results import load_paired, load_results

STATS = dataset_stats()
REF = "smollm2-135m-instruct-q4"
RUN = f"{REF}-llamacpp"


def bench_figures(**changes: Any) -> dict[str, Any]:
    """A figures file as bench/edge.py writes it (invented values: tests only)."""
    doc = {
        "model": "smollm2-135m-instruct-q4_1", "adapter": None, "prompt": "bare",
        "examples": 158, "max_new_tokens": 512, "file_bytes": 98_123_456,
        "parameters": 134_515_008, "quantization": "Q4_1", "load_s": 0.081,
        "peak_rss_bytes": 912_345_678, "rss_before_load_bytes": 700_000_000,
        "single_stream": {"wall_s": 301.2, "latency_p50_s": 1.234, "latency_p95_s": 4.567,
                          "prompt_tokens": 20000, "generated_tokens": 30000,
                          "prefill_tokens_per_s": 1234.5, "decode_tokens_per_s": 127.4},
        "batched": {"batch_size": 16, "wall_s": 120.0, "examples_per_s": 1.317,
                    "generated_tokens_per_s": 250.3, "same_outputs_as_single_stream": 150},
        "threads": 2, "engine": "llama.cpp", "llama_cpp_python": "0.3.36",
        "hardware": {"cpu_model": "Test CPU 9000", "cpu_features": ["avx2", "avx512f"],
                     "cpu_count": 2},
    }
    for key, value in changes.items():
        *parents, last = key.split(".")
        target = doc
        for p in parents:
            target = target[p]
        target[last] = value
    return doc


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the committed results with a llama.cpp run of the bare SmolLM2 run and its
    paired test, and a bench folder with one figures file."""
    results = tmp_path / "results"
    shutil.copytree(RESULTS_DIR, results, ignore=shutil.ignore_patterns("adapters"))
    add_engine_run(results, REF, RUN, "SmolLM2-135M-Instruct (llama.cpp)")
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "edge-smollm2-135m-instruct-q4_1.json").write_text(json.dumps(bench_figures()))
    return results, bench


def add_engine_run(results: Path, ref: str, stem: str, name: str, paired_a: str = "") -> None:
    """A llama.cpp run (the reference's file, its engine set) and its paired test."""
    doc = json.loads((results / f"{ref}.json").read_text(encoding="utf-8"))
    doc["model"]["name"] = name
    doc["config"]["engine"] = "llama.cpp"
    (results / f"{stem}.json").write_text(json.dumps(doc), encoding="utf-8")
    pair = json.loads((results / "paired" / "maaza-135m-instruct-q4-vs-zero-shot.json")
                      .read_text(encoding="utf-8"))
    pair.update(a=f"{paired_a or ref}.predictions.jsonl", b=f"{stem}.predictions.jsonl")
    (results / "paired" / f"{stem}-vs-float32.json").write_text(json.dumps(pair))


def _context(results: Path, bench: Path) -> dict:
    return deployment_table(load_results(results, STATS), load_paired(results / "paired"),
                            load_benches(bench))


def _rows(tex: str) -> list[list[str]]:
    """Body rows of every tabular in a rendered table, as cells."""
    out = []
    for part in tex.split(r"\midrule")[1:]:
        body = part.split(r"\bottomrule", 1)[0]
        out += [[c.strip() for c in line.removesuffix(r"\\").split("&")]
                for line in (x.strip() for x in body.splitlines())
                if line.endswith(r"\\") and "&" in line]
    return out


def test_every_cell_is_a_macro_and_the_caption_names_the_machine(folders) -> None:
    results, bench = folders
    loaded = load_results(results, STATS)
    paired = load_paired(results / "paired")
    macros = {m.key: m.value for m in all_macros(loaded, results / "comparisons.yaml", STATS,
                                                 paired, load_benches(bench))}
    tex = render("deployment-table.tex.j2", _context(results, bench))
    assert r"\input{sections/deployment}" in tex  # the subsection presenting the table
    figures, *pairs = _rows(tex)  # the committed llama.cpp runs are rows too
    (scores,) = [row for row in pairs if row[0] == "SmolLM2-135M-Instruct"]
    key = "edge/smollm2-135m-instruct-q4_1"
    assert figures == ["SmolLM2-135M-Instruct", "Q4\\_1", "bare", macros[f"{key}/file-mb"],
                       f"{macros[f'{key}/rss-peak-mb']} ({macros[f'{key}/rss-before-mb']})",
                       *(macros[f"{key}/{n}"] for n in (
                           "load-s", "latency-p50", "latency-p95", "prefill-tps",
                           "decode-tps", "batch-ex-per-s", "batch-tps"))]
    assert figures[3:6] == ["98", "912 (700)", "0.08"]  # MB are 10^6 bytes
    assert macros[f"{key}/rss-model-mb"] == "212"
    p = f"paired/{RUN}-vs-float32"
    assert scores == ["SmolLM2-135M-Instruct", "Q4\\_1", "bare", "greedy",
                      f"{macros[f'{REF}/exact'][:-2]} / {macros[f'{RUN}/exact'][:-2]}",
                      macros[f"{p}/exact-p"],
                      f"{macros[f'{REF}/valid'][:-2]} / {macros[f'{RUN}/valid'][:-2]}",
                      macros[f"{p}/valid-p"],
                      f"{macros[f'{REF}/schema'][:-2]} / {macros[f'{RUN}/schema'][:-2]}",
                      macros[f"{p}/schema-p"]]
    caption = " ".join(tex.split(r"\caption{", 1)[1].split(r"\label", 1)[0].split())
    assert "wall time on one machine, Test CPU 9000 (AVX2, AVX-512F), 2 cores, 2 llama.cpp " \
           "threads" in caption
    assert "on all 158 test examples" in caption and "with 16 sequences" in caption


def test_nothing_measured_renders_no_table(tmp_path: Path) -> None:
    results = tmp_path / "results"  # the committed runs, less those decoded by llama.cpp
    shutil.copytree(RESULTS_DIR, results, ignore=shutil.ignore_patterns("adapters",
                                                                        "*-llamacpp*"))
    (tmp_path / "bench").mkdir()
    tex = render("deployment-table.tex.j2", _context(results, tmp_path / "bench"))
    assert r"\begin{table}" not in tex and "No deployment figures" in tex
    assert r"\input{sections/deployment}" not in tex  # its prose refers to the table


@pytest.mark.parametrize(("changes", "where"), [
    ({"rss_before_load_bytes": 999_999_999}, "/rss_before_load_bytes"),
    ({"single_stream.latency_p50_s": 9.0}, "/single_stream/latency_p50_s"),
    ({"batched.examples_per_s": "fast"}, "/batched/examples_per_s"),
    ({"hardware.cpu_features": None}, "/hardware/cpu_features"),
    ({"engine": "torch"}, "/engine"),
])
def test_an_impossible_figures_file_is_named_at_its_key(tmp_path: Path, changes, where) -> None:
    path = tmp_path / "edge-x.json"
    path.write_text(json.dumps(bench_figures(**changes), indent=2))
    with pytest.raises(DataErrors) as err:
        load_bench(path)
    assert [e.pointer for e in err.value.errors] == [where]
    assert str(path) in str(err.value) and "make bench-edge" in str(err.value)


def test_a_correct_figures_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "edge-x.json"
    path.write_text(json.dumps(bench_figures()))
    assert load_bench(path).key == "x"


def test_a_llamacpp_run_without_its_paired_test_is_refused(folders) -> None:
    results, bench = folders
    (results / "paired" / f"{RUN}-vs-float32.json").unlink()
    with pytest.raises(UserError, match=rf"{RUN}\.json: a llama\.cpp run without its paired"):
        _context(results, bench)


@pytest.mark.parametrize("reference", ["smollm2-135m-instruct-q4-chat", "maaza-135m-instruct-q4"])
def test_a_pairing_with_another_setting_is_refused(folders, reference) -> None:
    """Paired with the chat-prompted run or the fine-tuned one, the table would print a
    prompt's or the adapter's effect as the engine's."""
    results, bench = folders
    add_engine_run(results, REF, RUN, "SmolLM2-135M-Instruct (llama.cpp)", paired_a=reference)
    with pytest.raises(UserError, match=r"vs-float32\.json at /a: A differs from .* in more "
                                        r"than the engine"):
        _context(results, bench)


def test_the_cli_renders_the_table_from_its_folders(folders, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cli, "load_stats", dataset_stats)
    results, bench = folders
    out = tmp_path / "deployment-table.tex"
    assert main(["render", "table", "deployment", "--results", str(results), "--bench",
                 str(bench), "-o", str(out)]) == 0
    assert "Test CPU 9000" in out.read_text(encoding="utf-8")
    macros = tmp_path / "macros.tex"
    assert main(["render", "macros", "--results", str(results), "--bench", str(bench),
                 "-o", str(macros)]) == 0
    assert r"\defresult{edge/smollm2-135m-instruct-q4_1/decode-tps}{127}" in macros.read_text()


FT = "maaza-135m-instruct-q4"


def add_export_run(results: Path, stem: str, **export: Any) -> None:
    """A llama.cpp run of the merged Q4_1 file `edgejson export-gguf` made from the
    fine-tuned run's adapter: its id is the GGUF file, and run.weights.export names the
    base and adapter folder it came from, with their hashes (`export` overrides them)."""
    add_engine_run(results, FT, stem, "Maaza-135M-Instruct (merged Q4_1; llama.cpp)")
    doc = json.loads((results / f"{stem}.json").read_text(encoding="utf-8"))
    ref = doc["run"]["weights"]
    doc["model"]["id"] = "runs/gguf/maaza-135m-instruct-q4/merged-q4_1.gguf"
    doc["run"]["weights"] = {"weights_sha256": "0" * 64, "adapter": None, "export": {
        "manifest": "runs/gguf/maaza-135m-instruct-q4/manifest.json", "type": "q4_1",
        "base": doc["model"]["base_model"], "base_sha256": ref["weights_sha256"],
        "adapter": doc["model"]["adapter"], "adapter_sha256": ref["adapter_sha256"],
        **export}}
    (results / f"{stem}.json").write_text(json.dumps(doc), encoding="utf-8")


def test_a_run_of_an_exported_gguf_pairs_with_the_run_of_its_adapter(folders) -> None:
    results, bench = folders
    add_export_run(results, f"{FT}-q4_1-llamacpp")
    assert f"{FT}-q4_1-llamacpp" in json.dumps(_context(results, bench))


@pytest.mark.parametrize("export", [{"adapter_sha256": "1" * 64}, {"base_sha256": "1" * 64},
                                    {"base": "gemma-3-270m-q4_k_m"}])
def test_an_export_of_another_adapter_or_base_is_refused(folders, export) -> None:
    """A retrained adapter (same folder, other weights) or another base is another model."""
    results, bench = folders
    add_export_run(results, f"{FT}-q4_1-llamacpp", **export)
    with pytest.raises(UserError, match=r"A differs from .* in more than the engine"):
        _context(results, bench)


MERGED = "runs/gguf/maaza-135m-instruct-q4/merged-q4_1.gguf"
EXPORT = {"manifest": "runs/gguf/maaza-135m-instruct-q4/manifest.json", "type": "q4_1",
          "base": "smollm2-135m-instruct-q4_1", "adapter": "runs/train/maaza-135m-instruct-q4"}


@pytest.mark.parametrize("with_run, name", [
    (True, r"Maaza-135M-Instruct"),
    (False, r"smollm2-135m-instruct-q4\_1 + LoRA (merged)")])
def test_figures_of_a_merged_export_are_the_fine_tuned_models(folders, with_run, name) -> None:
    """Named as the measured run of that file calls the model, listed after the untuned
    checkpoint; without such a run, as the base it was made from plus LoRA."""
    results, bench = folders
    if with_run:
        add_export_run(results, f"{FT}-q4_1-llamacpp")
    # A file that no committed run decoded (F16) unless the test adds one of Q4_1.
    model = MERGED if with_run else MERGED.replace("q4_1", "f16")
    (bench / "edge-maaza-135m-instruct-q4-merged.json").write_text(
        json.dumps(bench_figures(model=model, export=EXPORT if with_run else
                                 dict(EXPORT, type="f16"))))
    rows = _context(results, bench)["benches"]
    assert [r["name"] for r in rows] == ["SmolLM2-135M-Instruct", name]
    assert rows[1]["quantization"] == (r"merged Q4\_1" if with_run else r"merged F16")


def test_the_lora_form_counts_both_files_on_disk(folders) -> None:
    """A deployment of the adapter kept separate ships the base GGUF and the adapter's
    GGUF, so the size column is their sum, and its source says so."""
    results, bench = folders
    lora = "runs/gguf/maaza-135m-instruct-q4/lora-f32.gguf"
    (bench / "edge-maaza-135m-instruct-q4-lora.json").write_text(json.dumps(bench_figures(
        adapter=lora, adapter_bytes=19_567_296)))
    macros = {m.key: m for m in all_macros(
        load_results(results, STATS), results / "comparisons.yaml", STATS,
        load_paired(results / "paired"), load_benches(bench))}
    both = macros["edge/maaza-135m-instruct-q4-lora/file-mb"]
    assert both.value == "118"  # (98,123,456 + 19,567,296) / 10^6 = 117.69
    assert "file_bytes 98123456 + adapter_bytes 19567296" in both.source
    assert macros["edge/smollm2-135m-instruct-q4_1/file-mb"].value == "98"


def test_an_adapter_without_its_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "edge-x.json"
    path.write_text(json.dumps(bench_figures(adapter="lora.gguf")))
    with pytest.raises(DataErrors, match="adapter_bytes"):
        load_bench(path)


def test_the_fine_tuned_forms_are_told_apart_by_their_weights(folders) -> None:
    """Three llama.cpp runs of the same fine-tuned model would be three identical rows
    but for the Weights cell: the adapter on the base, and two merged types."""
    results, _ = folders
    rows = {r["weights"]: r for r in _context(*folders)["pairs"]}
    assert {"LoRA on Q4\\_1", "merged Q4\\_1", "merged Q8\\_0"} <= set(rows)
    assert rows["LoRA on Q4\\_1"]["model"] == "Maaza-135M-Instruct"
    assert rows["merged Q8\\_0"]["model"] == ""  # named once, on its first row


@pytest.mark.parametrize(("examples", "phrase"), [
    ((158, 158), "on all 158 test examples:"),
    ((16, 16), "on the first 16 test examples:"),
    # One file on fewer rows: the caption names it, the others read as the whole split.
    ((158, 16), "on all 158 test examples (Gemma-3-270M: the first 16):"),
])
def test_the_caption_says_how_many_rows_each_figure_is_on(tmp_path, examples, phrase) -> None:
    results = tmp_path / "results"
    shutil.copytree(RESULTS_DIR, results, ignore=shutil.ignore_patterns("adapters"))
    bench = tmp_path / "bench"
    bench.mkdir()
    smol, gemma = examples
    (bench / "edge-smollm2-135m-instruct-q4_1.json").write_text(
        json.dumps(bench_figures(examples=smol, **{"batched.same_outputs_as_single_stream": 9})))
    (bench / "edge-gemma-3-270m-q4_k_m.json").write_text(json.dumps(bench_figures(
        examples=gemma, **{"batched.same_outputs_as_single_stream": 9},
        model="gemma-3-270m-q4_k_m", parameters=268_098_176,
        prompt="few-shot-3", quantization="Q4_K_M")))
    tex = render("deployment-table.tex.j2", _context(results, bench))
    caption = " ".join(tex.split(r"\caption{", 1)[1].split(r"\label", 1)[0].split())
    assert phrase in caption, caption[caption.index("test examples") - 40:][:120]
