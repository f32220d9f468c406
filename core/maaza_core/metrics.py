"""The metrics file (format "edgejson-metrics/2"): one typed model and one validator.

Why in the core: the harness writes it (`edgejson evaluate`, `score`), `edgejson compare`
and the render layer read it. They used to hold it as dicts with two validators and two
sets of messages; now every reader and writer goes through `load`, `validate` and `dump`.

Validation is the JSON Schema (experiments/results.schema.json: types, required fields,
no unknown keys) and then the consistency rules (`maaza_core.consistency`: numbers that
must fit together, the stored intervals, the data set's sizes). Errors are DataErrors
naming the file, the line where the file is on disk, and the JSON path.

Rates are stored as counts (correct of total) so that every percentage in the paper is
computed, never copied; each count carries the Wilson interval the paper prints.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from maaza_core.consistency import MEANS, RATES, metrics_problems
from maaza_core.datastats import DatasetStats
from maaza_core.errors import DataErrors
from maaza_core.intervals import Interval, wilson
from maaza_core.jsonfile import (
    FileDoc,
    data_error,
    read_json,
    schema_errors,
    schema_validator,
    write_json,
)
from maaza_core.paths import RESULTS_SCHEMA

FORMAT = "edgejson-metrics/2"
PROVENANCES = ("reported", "measured")  # copied from a publication | run by edgejson


@dataclass(frozen=True)
class Count:
    """A yes/no metric: how many of the scored examples satisfy it."""

    correct: int
    total: int
    ci95: Interval  # Wilson score interval: the one the paper prints

    @property
    def rate(self) -> float:
        """The share of the examples, computed from the counts (the file stores no percentage)."""
        return self.correct / self.total

    @classmethod
    def of(cls, correct: int, total: int) -> Count:
        """A count with its Wilson interval (how the harness makes one)."""
        return cls(correct, total, wilson(correct, total))


@dataclass(frozen=True)
class Mean:
    """A mean of per-example scores in [0, 1] (Field F1)."""

    mean: float
    total: int
    ci95: Interval | None = None  # percentile bootstrap; reported files have none


@dataclass(frozen=True)
class MetricSet:
    """Every metric over one group of examples (all, a tier or a schema)."""

    json_exact: Count
    valid_json: Count | None = None
    schema_compliant: Count | None = None
    truncated: Count | None = None  # None also for outputs rescored without their run
    field_f1: Mean | None = None  # top-level Field F1 (None: not reported)
    field_f1_nested: Mean | None = None  # leaf-path Field F1 (measured runs)


@dataclass(frozen=True)
class Metrics:
    """The metrics of one run: overall, per complexity tier and, for measured runs, per schema."""

    overall: MetricSet
    by_complexity: Mapping[str, MetricSet]  # tier -> metrics
    by_complexity_note: str | None = None  # which rows the tiers count
    by_schema: Mapping[str, MetricSet] | None = None  # schema id -> metrics (measured)


@dataclass(frozen=True, kw_only=True)
class ModelInfo:
    """Which model a result is for, and how it was made (zero-shot or LoRA)."""

    name: str  # display name in tables and figures
    id: str | None = None  # hub id, folder or registry name of the weights
    base_model: str | None = None  # for a fine-tuned model, what the adapter was trained on
    adapter: str | None = None  # LoRA adapter id or folder
    revision: str | None = None  # hub revision or sha256 of the weights
    method: str  # "zero-shot" or "lora"
    parameters: int  # parameter count
    disk_size_bytes: int | None  # size of the weights on disk


@dataclass(frozen=True, kw_only=True)
class DatasetRef:
    """Which data set and split a result was computed on, and on how many examples."""

    name: str  # "EdgeJSON"
    version: str  # "v3"
    split: str  # "train" or "test"
    examples: int  # examples scored
    sha256: str | None = None  # edgejson.data.data_sha256 (measured runs)


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """How the outputs were generated: prompt, decoding, limits (and training, for LoRA)."""

    prompt_template: str
    decoding: str  # "greedy"
    max_new_tokens: int  # generation limit; hitting it counts as truncation
    batch_size: int | None = None  # rows per generate call (measured runs)
    training: Mapping[str, Any] | None = None  # resolved LoRA config (edgejson train)
    # None: a file written before these existed (all bare, unconstrained); such a file
    # has no key, so to_dict leaves the key out and the file reads back byte for byte.
    prompt_format: str | None = None  # edgejson.prompt format name (evaluate --prompt)
    constrain: str | None = None  # "schema": decoding kept the output valid against it
    engine: str | None = None  # "llama.cpp"; None: the float32 reference (edgejson.generate)


@dataclass(frozen=True, kw_only=True)
class Performance:
    """Throughput of a run of `edgejson evaluate` (see edgejson.scoring.performance)."""

    examples: int
    # Timing fields: results.schema.json's descriptions define each one.
    wall_s: float  # generation time: the sum of the rows' shares, each step counted once
    examples_per_s: float | None
    generated_tokens: int
    generated_tokens_mean: float
    tokens_per_s: float | None
    latency_s: Mapping[str, float]  # p50 | p90 | p99 of prefill start -> last token
    stop_reasons: Mapping[str, int]  # json | eos | length -> rows


@dataclass(frozen=True, kw_only=True)
class MetricsDoc(FileDoc):
    """One model evaluated on one split."""

    provenance: str  # one of PROVENANCES
    source: str  # the publication, or the command that measured it
    model: ModelInfo
    dataset: DatasetRef
    config: RunConfig
    metrics: Metrics
    performance: Performance | None = None
    run: Mapping[str, Any] | None = None  # versions, git commit, hardware, timestamps
    path: Path | None = field(default=None, compare=False, repr=False)  # where it was read

    @property
    def json_exact(self) -> Count:
        """Overall JSONExact, the paper's headline metric."""
        return self.metrics.overall.json_exact

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, keys in the order of the schema."""
        out = dataclasses.asdict(self)
        del out["path"]
        # Under "metrics" an absent measure is an absent key (a reported file has no F1
        # interval, say); elsewhere the schema spells "unknown" as null.
        out["metrics"] = _without_none(out["metrics"])
        for key in ("prompt_format", "constrain"):
            if out["config"][key] is None:
                del out["config"][key]
        return {"format": FORMAT, **out}


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    return value


# --- reading --------------------------------------------------------------------------


def _count(data: Mapping[str, Any] | None) -> Count | None:
    if data is None:
        return None
    return Count(data["correct"], data["total"], Interval.from_dict(data["ci95"]))


def _mean(data: Mapping[str, Any] | None) -> Mean | None:
    if data is None:
        return None
    ci = data.get("ci95")
    return Mean(data["mean"], data["total"], None if ci is None else Interval.from_dict(ci))


def _metric_set(data: Mapping[str, Any]) -> MetricSet:
    counts = {k: _count(data.get(k)) for k in RATES}
    return MetricSet(**counts, **{k: _mean(data.get(k)) for k in MEANS})


def from_dict(data: Mapping[str, Any], path: Path | None = None) -> MetricsDoc:
    """The typed document of a dict that passed `validate`."""
    m = data["metrics"]
    by_schema = m.get("by_schema")
    perf = data.get("performance")
    return MetricsDoc(
        provenance=data["provenance"], source=data["source"],
        model=ModelInfo(**data["model"]), dataset=DatasetRef(**data["dataset"]),
        config=RunConfig(**data["config"]),
        metrics=Metrics(
            overall=_metric_set(m["overall"]),
            by_complexity={c: _metric_set(s) for c, s in m["by_complexity"].items()},
            by_complexity_note=m.get("by_complexity_note"),
            by_schema=None if by_schema is None else {
                k: _metric_set(s) for k, s in by_schema.items()}),
        performance=None if perf is None else Performance(**perf),
        run=data.get("run"), path=path)


def validate(data: Any, path: Path, text: str | None = None,
             stats: DatasetStats | None = None) -> None:
    """Raise DataErrors naming every schema violation or, for a schema-valid document,
    every inconsistency (the rules read the document the schema vouched for).

    `text` is the file's content (for line numbers). With `stats`, the document must be on
    that data set and, as only a whole-split run may be rendered, its totals must equal
    the named split's sizes.
    """
    errors = schema_errors(schema_validator(RESULTS_SCHEMA), data, path, text,
                           f"fix the file; format: {FORMAT}, {RESULTS_SCHEMA.name}")
    if errors:
        raise DataErrors(errors, "the metrics file")
    split = None
    if stats is not None:
        ds = data["dataset"]
        if (ds["name"], ds["version"]) != (stats.name, stats.version):
            errors.append(data_error(
                path, ("dataset", "name"), f"dataset is {ds['name']} {ds['version']} but the "
                f"paper's data set is {stats.name} {stats.version} (fix: evaluate on it)", text))
        else:
            split = dataclasses.asdict(stats.splits[ds["split"]])
    errors += [data_error(path, p.path, p.message, text) for p in metrics_problems(data, split)]
    if errors:
        raise DataErrors(errors, "the metrics file")


def load(path: Path, stats: DatasetStats | None = None) -> MetricsDoc:
    """Read and validate a metrics file (either provenance); see `validate` for `stats`."""
    text, data = read_json(path, "metrics file", "pass its metrics.json")
    validate(data, path, text, stats)
    return from_dict(data, path)


def dump(doc: MetricsDoc, path: Path) -> None:
    """Validate, then write pretty JSON atomically: a killed run or a bug never leaves a
    half-written or malformed file for the paper to read."""
    data = doc.to_dict()
    validate(data, path)
    write_json(path, data)
