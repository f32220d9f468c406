"""From a predictions file to a metrics document: scores, performance, model facts.

Shared by `edgejson evaluate` (which generated the predictions) and `edgejson score`
(which rescored outputs produced elsewhere), so both write identical metrics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from maaza_core.errors import UserError

from .aggregate import aggregate
from .data import DATASET_NAME, DATASET_VERSION, Dataset, Example
from .metrics import ExampleScore, score_example
from .predictions import Predictions
from .prompt import PROMPT_TEMPLATE
from .results import FORMAT


def match_predictions(examples: Sequence[Example], preds: Predictions, where: str,
                      partial: bool = False) -> list[Example]:
    """The examples to score; every prediction must belong to the split."""
    known = {e.id for e in examples}
    unknown = [i for i in preds.records if i not in known]
    if unknown:
        raise UserError(f"{where}: {len(unknown)} ids are not in the split, e.g. {unknown[0]!r} "
                        "(fix: pass the split the outputs were made for, --split)")
    missing = [e for e in examples if e.id not in preds.records]
    if missing and not partial:
        raise UserError(f"{where}: {len(missing)} of {len(examples)} examples have no "
                        f"prediction, e.g. {missing[0].id!r} (fix: finish the run, or "
                        "--partial to score only the predicted ones)")
    return [e for e in examples if e.id in preds.records]


def score_predictions(examples: Sequence[Example], preds: Predictions,
                      dataset: Dataset) -> list[ExampleScore]:
    """One ExampleScore per example, in the order of `examples`."""
    scores = []
    for ex in examples:
        record = preds.records[ex.id]
        truncated = record.get("truncated")
        scores.append(score_example(ex, record["output"], dataset.validator(ex.schema_id),
                                    truncated if isinstance(truncated, bool) else None))
    return scores


def performance(records: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Throughput from the generation records; None for outputs made elsewhere.

    A row's latency is the wall time of its batch (what a caller of that batch waits);
    total time is the sum over batches, counted once per batch (wall / rows per row).
    """
    if not records or any("batch_wall_s" not in r for r in records):
        return None
    wall = sum(r["batch_wall_s"] / r["batch_n"] for r in records)
    tokens = sum(int(r["generated_tokens"]) for r in records)
    latency = np.asarray([r["batch_wall_s"] for r in records])
    return {
        "examples": len(records),
        "wall_s": round(wall, 3),
        "examples_per_s": round(len(records) / wall, 4) if wall else None,
        "generated_tokens": tokens,
        "generated_tokens_mean": round(tokens / len(records), 2),
        "tokens_per_s": round(tokens / wall, 2) if wall else None,
        "latency_s": {f"p{q}": round(float(np.percentile(latency, q)), 4) for q in (50, 90, 99)},
        "stop_reasons": dict(Counter(r.get("stop", "unknown") for r in records)),
    }


def metrics_document(*, model: dict[str, Any], split: str, data_sha256: str,
                     scores: Sequence[ExampleScore], config: dict[str, Any],
                     perf: dict[str, Any] | None, run: dict[str, Any],
                     source: str) -> dict[str, Any]:
    """Assemble a measured metrics file (validated by `write_metrics`)."""
    return {
        "format": FORMAT,
        "provenance": "measured",
        "source": source,
        "model": model,
        "dataset": {"name": DATASET_NAME, "version": DATASET_VERSION, "split": split,
                    "examples": len(scores), "sha256": data_sha256},
        "config": {"prompt_template": PROMPT_TEMPLATE, "decoding": "greedy", **config},
        "metrics": aggregate(scores),
        "performance": perf,
        "run": run,
    }


def summary_lines(doc: dict[str, Any]) -> list[str]:
    """A short human summary of a metrics document for the terminal."""
    lines = [f"{doc['model']['name']} on {doc['dataset']['split']} "
             f"({doc['dataset']['examples']} examples)"]
    groups = {"overall": doc["metrics"]["overall"], **doc["metrics"]["by_complexity"]}
    for name, ms in groups.items():
        parts = []
        for key in ("json_exact", "valid_json", "schema_compliant", "truncated"):
            if ms.get(key):
                parts.append(f"{key} {ms[key]['correct']}/{ms[key]['total']}")
        for key in ("field_f1", "field_f1_nested"):
            if ms.get(key):
                parts.append(f"{key} {ms[key]['mean']:.3f}")
        lines.append(f"  {name:<8} " + ", ".join(parts))
    perf = doc.get("performance")
    if perf:
        lines.append(f"  speed    {perf['examples_per_s']} ex/s, {perf['tokens_per_s']} tok/s, "
                     f"{perf['generated_tokens']} tokens")
    return lines
