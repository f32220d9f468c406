"""The contract between the harness and the paper: a metrics file written by
`edgejson score` (provenance "measured") renders like the reported ones."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from maaza_core.paths import DATA_DIR, RESULTS_DIR
from papertools.render import contexts
from papertools.render.macros import all_macros
from papertools.render.measured import in_main_protocol
from papertools.render.results import load_paired, load_results


def test_scored_predictions_join_the_paper(tmp_path):
    rows = [json.loads(line) for line in (DATA_DIR / "test.jsonl").read_text().splitlines()]
    preds = tmp_path / "predictions.jsonl"
    # Half the rows answered with the gold JSON inside prose, half with an empty object:
    # JSONExact must come out as exactly the answered half.
    lines = [{"id": r["id"], "output": f"Sure: {json.dumps(r['expected_output'])} done."
              if i % 2 == 0 else "{}"} for i, r in enumerate(rows)]
    preds.write_text("".join(json.dumps(x) + "\n" for x in lines))
    results = tmp_path / "results"
    shutil.copytree(RESULTS_DIR, results)
    out = results / "tiny-measured.json"
    subprocess.run([sys.executable, "-m", "edgejson.cli", "score", str(preds), "--out", str(out),
                    "--name", "Tiny_&_Measured", "--method", "lora", "--model-id", "local/tiny",
                    "--parameters", "1000000", "--disk-size", "4000000"],
                   check=True, capture_output=True)

    measured = {r.stem: r for r in load_results(results, _stats())}["tiny-measured"]
    assert measured.provenance == "measured"
    assert (measured.json_exact.correct, measured.json_exact.total) == (79, 158)  # ceil(158/2)
    assert sum(s.json_exact.total for s in measured.metrics.by_complexity.values()) == 158

    macros = {m.key: m.value for m in all_macros(load_results(results, _stats()),
                                                 results / "comparisons.yaml",
                                                 _stats(), load_paired(results / "paired"))}
    assert macros["tiny-measured/exact"] == r"50.0\%"
    table = contexts.results_table(load_results(results, _stats()))
    # Escaped, and marked as measured so it is never read as a reported run.
    assert any(r["name"] == r"Tiny\_\&\_Measured$^\dagger$" for r in table["rows"])
    assert "measured with the project's harness" in table["note"]
    # Every measured run of the main protocol (bare prompt, no constraint) is a marked row.
    measured = sum(r.provenance == "measured" and in_main_protocol(r)
                   for r in load_results(results, _stats()))
    assert sum(r["name"].endswith("$^\\dagger$") for r in table["rows"]) == measured


def _stats():
    from edgejson.data import dataset_stats

    return dataset_stats()
