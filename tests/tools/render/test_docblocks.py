"""The docs' generated blocks: the committed ones match bench/results, a hand edit is
caught (and rewritten), and a block no renderer knows is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from maaza_core.errors import DataError
from papertools.render.docblocks import DOCS, rendered, stale_blocks, update_docs

BEGIN = "<!-- begin generated: harness-speed-summary (papertools render docs) -->\n"
END = "<!-- end generated: harness-speed-summary -->"


def test_the_committed_docs_are_up_to_date() -> None:
    # Fails after a new bench/results file until `make docs` has been run and committed.
    assert update_docs(DOCS, check=True) == []


def test_a_hand_edited_figure_is_stale_and_rewritten(tmp_path: Path) -> None:
    doc = tmp_path / "README.md"
    fresh = rendered(f"intro\n\n{BEGIN}{END}\n", doc)
    assert stale_blocks(fresh, doc) == []  # the rendered text is silent
    planted = fresh.replace("6.85x", "7.85x")  # a figure typed over the rendered one
    assert planted != fresh
    doc.write_text(planted, encoding="utf-8")
    assert update_docs([doc], check=True) == [
        f"{doc}:3: generated block harness-speed-summary is stale"]
    assert doc.read_text(encoding="utf-8") == planted  # --check changes nothing
    update_docs([doc])
    assert doc.read_text(encoding="utf-8") == fresh


def test_an_unknown_block_is_named_with_its_line(tmp_path: Path) -> None:
    text = "a\n<!-- begin generated: nosuch -->\n<!-- end generated: nosuch -->\n"
    with pytest.raises(DataError, match=r"README\.md:2: unknown generated block 'nosuch'"):
        rendered(text, tmp_path / "README.md")


def test_the_edge_block_prints_the_figures_files(tmp_path: Path) -> None:
    import json

    from test_deployment import bench_figures

    from papertools.render.docblocks import edge_bench

    assert edge_bench(tmp_path).startswith("No deployment figures committed yet")
    (tmp_path / "edge-smollm2.json").write_text(json.dumps(bench_figures()))
    row = edge_bench(tmp_path).splitlines()[-1]
    assert row == ("| `edge-smollm2.json` | Q4_1, bare, 158 | 98 | 912 (700) | 0.08 "
                   "| 1.23 / 4.57 | 1234 / 127 | 16, 1.32, 250 "
                   "| Test CPU 9000 (AVX2, AVX-512F), 2 threads |")


def test_the_edge_block_counts_the_adapter_file_as_the_paper_does(tmp_path: Path) -> None:
    import json

    from test_deployment import bench_figures

    from papertools.render.docblocks import edge_bench

    (tmp_path / "edge-lora.json").write_text(json.dumps(bench_figures(
        adapter="lora.gguf", adapter_bytes=19_567_296)))
    row = edge_bench(tmp_path).splitlines()[-1]
    # (98,123,456 + 19,567,296) / 10^6 = 117.7
    assert row.startswith("| `edge-lora.json` | Q4_1 + LoRA, bare, 158 | 118 | ")


def test_the_speed_goal_block_prints_the_benchmarks_verdict(tmp_path: Path) -> None:
    """The verdict is the benchmark's own (bench/harness_speed.py: goal_met), printed
    with the figures it rests on; files without a verdict (torch only) add no line."""
    import json

    from papertools.render.docblocks import speed_goal

    run = {"examples": 158, "batch_size": 8, "engine": "llama.cpp",
           "original": {"json_exact": 53}, "harness": {"json_exact": 55},
           "speedup_examples_per_s": 2.61, "speedup_cpu_time": 2.55,
           "json_exact_mcnemar": {"only_original": 1, "only_harness": 3, "p": 0.625},
           "hardware": {"cpu_model": "Test CPU", "cpu_features": ["avx2"]},
           "speed_goal": {"min_speedup": 20, "min_mcnemar_p": 0.05, "met": False}}
    torch_run = {k: v for k, v in run.items() if k != "speed_goal"}
    (tmp_path / "harness-speed-x.json").write_text(json.dumps([torch_run, run]))
    assert speed_goal(tmp_path) == (
        "- `harness-speed-x.json`, 158 rows, 8 sequences: llama.cpp 2.61x the original "
        "method's examples/s (2.55x in CPU time), JSONExact 53 / 55 (McNemar p = 0.62); "
        "goal: at least 20x with p > 0.05: **not met** (Test CPU (AVX2))\n")
    (tmp_path / "harness-speed-x.json").write_text(json.dumps([torch_run]))
    assert speed_goal(tmp_path).startswith("No benchmark file records the speed goal")
