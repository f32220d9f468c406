"""From a predictions file to a metrics document: scores, performance, model facts.

Shared by `edgejson evaluate` (which generated the predictions) and `edgejson score`
(which rescored outputs produced elsewhere), so both write identical metrics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from maaza_core import metrics
from maaza_core.cli import setting
from maaza_core.errors import UserError
from maaza_core.metrics import DatasetRef, MetricsDoc, ModelInfo, Performance, RunConfig
from maaza_core.paths import DATA_DIR

from .aggregate import aggregate
from .data import (
    DATASET_NAME,
    DATASET_VERSION,
    Dataset,
    Example,
    data_sha256,
    load_dataset,
    load_split,
)
from .examplescore import ExampleScore, score_example
from .predictions import Predictions, read_predictions
from .prompt import BARE, PromptFormat, parse_format, prompt_template
from .provenance import run_name, run_provenance, utc_now


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


def _timing(record: dict[str, Any]) -> tuple[float, float] | None:
    """(share of the total wall time, latency) of one generation record, None if absent
    (outputs made elsewhere). The generator writes both per row; no committed file holds
    the fixed-batch harness's batch_wall_s that preceded them."""
    if "wall_s" in record and "latency_s" in record:
        return float(record["wall_s"]), float(record["latency_s"])
    return None


def performance(records: Sequence[dict[str, Any]]) -> Performance | None:
    """Throughput from the generation records; None for outputs made elsewhere.

    Total time is the sum of the rows' shares (each decode step's wall time split among
    the rows it advanced, plus a row's own prefill), so it adds up to the run's
    generation time; a row's latency is from its prefill to its last token. The
    schema's `performance` descriptions define every field.
    """
    timings = [_timing(r) for r in records]
    if not records or any(t is None for t in timings):
        return None
    wall = sum(share for share, _ in timings)
    tokens = sum(int(r["generated_tokens"]) for r in records)
    latency = np.asarray([lat for _, lat in timings])
    return Performance(
        examples=len(records),
        wall_s=round(wall, 3),
        examples_per_s=round(len(records) / wall, 4) if wall else None,
        generated_tokens=tokens,
        generated_tokens_mean=round(tokens / len(records), 2),
        tokens_per_s=round(tokens / wall, 2) if wall else None,
        latency_s={f"p{q}": round(float(np.percentile(latency, q)), 4) for q in (50, 90, 99)},
        stop_reasons=dict(Counter(r.get("stop", "unknown") for r in records)),
    )


def metrics_document(*, model: ModelInfo, split: str, data_sha256: str,
                     scores: Sequence[ExampleScore], max_new_tokens: int,
                     batch_size: int | None = None, training: dict[str, Any] | None = None,
                     prompt_format: PromptFormat = BARE, constrain: str = "none",
                     engine: str = "torch",
                     perf: Performance | None, run: dict[str, Any],
                     source: str) -> MetricsDoc:
    """A measured metrics document (validated when `maaza_core.metrics.dump` writes it)."""
    return MetricsDoc(
        provenance="measured",
        source=source,
        model=model,
        dataset=DatasetRef(name=DATASET_NAME, version=DATASET_VERSION, split=split,
                           examples=len(scores), sha256=data_sha256),
        config=RunConfig(prompt_template=prompt_template(prompt_format), decoding="greedy",
                         max_new_tokens=max_new_tokens, batch_size=batch_size,
                         training=training, prompt_format=prompt_format.name,
                         constrain=constrain,
                         # Absent for the reference, so its files stay byte for byte.
                         engine=None if engine == "torch" else engine),
        metrics=aggregate(scores),
        performance=perf,
        run=run,
    )


def summary_lines(doc: MetricsDoc) -> list[str]:
    """A short human summary of a metrics document for the terminal."""
    lines = [f"{doc.model.name} on {doc.dataset.split} ({doc.dataset.examples} examples)"]
    groups = {"overall": doc.metrics.overall, **doc.metrics.by_complexity}
    for name, ms in groups.items():
        parts = [f"{key} {c.correct}/{c.total}"
                 for key in ("json_exact", "valid_json", "schema_compliant", "truncated")
                 for c in [getattr(ms, key)] if c is not None]
        parts += [f"{key} {m.mean:.3f}" for key in ("field_f1", "field_f1_nested")
                  for m in [getattr(ms, key)] if m is not None]
        lines.append(f"  {name:<8} " + ", ".join(parts))
    perf = doc.performance
    if perf:
        lines.append(f"  speed    {perf.examples_per_s} ex/s, {perf.tokens_per_s} tok/s, "
                     f"{perf.generated_tokens} tokens")
    return lines


@dataclass(frozen=True)
class ScoreSettings:
    """Rescoring outputs made elsewhere (`edgejson score`); the help texts are its flags."""

    predictions: Path = setting(help="predictions JSONL, one {\"id\", \"output\"} per line")
    split: str | None = setting(None, help="split the outputs answer (default: the file's "
                                "header, else test)")
    out: Path | None = setting(None, help="write the metrics JSON here (needs --parameters)")
    name: str | None = setting(None, help="model display name (default: the predictions' "
                               "folder)")
    model_id: str | None = setting(None, help="hub id or path of the model that produced the "
                                   "outputs")
    method: str = setting("zero-shot", choices=("zero-shot", "lora"),
                          help="how the model was trained")
    parameters: int | None = setting(None, help="parameter count (needed with --out)")
    disk_size: int | None = setting(None, help="size of the weight files in bytes")
    partial: bool = setting(False, help="score only the predicted examples")
    data_dir: Path = setting(DATA_DIR, flag="--data", help="the EdgeJSON folder")


def _score_model(s: ScoreSettings, header: dict[str, Any] | None) -> ModelInfo:
    """The model block of a rescored file; the format needs a parameter count to be saved.

    The name is the run's (`run_name`) when the predictions header names the model, else
    the predictions' folder (a file written without a header).
    """
    if s.parameters is None and s.out:
        raise UserError("--out needs --parameters (the metrics format requires the model's "
                        "parameter count; fix: e.g. --parameters 135000000)")
    model = s.model_id or (header or {}).get("model")
    name = run_name(s.name, model) if model else s.name or s.predictions.parent.name
    return ModelInfo(name=name, id=s.model_id,
                     method=s.method, parameters=s.parameters or 0,
                     disk_size_bytes=s.disk_size)


def score_file(s: ScoreSettings) -> MetricsDoc:
    """Score a predictions file on its split; with `s.out`, validate and write the result."""
    started = utc_now()
    preds = read_predictions(s.predictions)
    split = s.split or (preds.settings or {}).get("split") or "test"
    dataset = load_dataset(s.data_dir)
    examples = match_predictions(load_split(split, s.data_dir, dataset), preds,
                                 str(s.predictions), partial=s.partial)
    if not examples:
        raise UserError(f"{s.predictions}: no predictions to score (fix: pass the "
                        "predictions.jsonl of a run that generated at least one row)")
    sha = data_sha256(s.data_dir)
    doc = metrics_document(
        model=_score_model(s, preds.settings), split=split, data_sha256=sha,
        scores=score_predictions(examples, preds, dataset),
        max_new_tokens=(preds.settings or {}).get("max_new_tokens", 512),
        prompt_format=parse_format((preds.settings or {}).get("prompt", "bare")),
        constrain=(preds.settings or {}).get("constrain", "none"),
        perf=performance([preds.records[e.id] for e in examples]),
        run=run_provenance(device=None, dtype=None, started=started, data_sha256=sha,
                           extra={"predictions": str(s.predictions)}),
        source=f"Rescored by `edgejson score` from {s.predictions.name}.")
    if s.out:
        metrics.dump(doc, s.out)
    return doc
