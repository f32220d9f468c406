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
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from maaza_core.atomic import write_atomic
from maaza_core.consistency import MEANS, RATES, line_of, metrics_problems
from maaza_core.datastats import DatasetStats
from maaza_core.errors import DataError, DataErrors
from maaza_core.intervals import Interval, wilson
from maaza_core.jsonl import parse_json
from maaza_core.paths import RESULTS_SCHEMA, display

FORMAT = "edgejson-metrics/2"
COMPLEXITIES = ("simple", "medium", "complex")
PROVENANCES = ("reported", "measured")  # copied from a publication | run by edgejson


@dataclass(frozen=True)
class Count:
    """A yes/no metric: how many of the scored examples satisfy it."""

    correct: int
    total: int
    ci95: Interval  # Wilson score interval: the one the paper prints

    @property
    def rate(self) -> float:
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
    overall: MetricSet
    by_complexity: Mapping[str, MetricSet]  # tier -> metrics
    by_complexity_note: str | None = None  # which rows the tiers count
    by_schema: Mapping[str, MetricSet] | None = None  # schema id -> metrics (measured)


@dataclass(frozen=True, kw_only=True)
class ModelInfo:
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
    name: str  # "EdgeJSON"
    version: str  # "v3"
    split: str  # "train" or "test"
    examples: int  # examples scored
    sha256: str | None = None  # edgejson.data.data_sha256 (measured runs)


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    prompt_template: str
    decoding: str  # "greedy"
    max_new_tokens: int  # generation limit; hitting it counts as truncation
    batch_size: int | None = None  # rows per generate call (measured runs)
    training: Mapping[str, Any] | None = None  # resolved LoRA config (edgejson train)


@dataclass(frozen=True, kw_only=True)
class Performance:
    """Throughput of a run of `edgejson evaluate` (see edgejson.scoring.performance)."""

    examples: int
    wall_s: float  # generation wall time, each batch counted once
    examples_per_s: float | None
    generated_tokens: int
    generated_tokens_mean: float
    tokens_per_s: float | None
    latency_s: Mapping[str, float]  # p50 | p90 | p99 of a row's batch wall time
    stop_reasons: Mapping[str, int]  # json | eos | length -> rows


class FileDoc:
    """Where a document was read from: its stem keys the paper's macros, its relpath names
    it in messages and generated comments (metrics and paired files alike)."""

    path: Path | None

    @property
    def stem(self) -> str:
        """The file name without .json."""
        assert self.path is not None, "a document that was never read has no file name"
        return self.path.stem

    @property
    def relpath(self) -> str:
        return display(self.path) if self.path is not None else "(not saved)"


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


def _is_integer(checker: Any, instance: Any) -> bool:
    """An integer is written as one: JSON Schema also takes 53.0, which a count is not."""
    return isinstance(instance, int) and not isinstance(instance, bool)


# Draft 2020-12 with "integer" meaning an integer literal (a count written "53.0" is an
# error at its JSON path, never a float that prints as "53.0" or breaks a format).
_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer))


@cache
def schema_validator(schema: Path) -> jsonschema.protocols.Validator:
    """The validator of a schema file, built once per process (metrics and paired files)."""
    return _Validator(json.loads(schema.read_text(encoding="utf-8")))


def data_error(path: Path | str, steps: tuple[str, ...], message: str,
               text: str | None) -> DataError:
    """"FILE:LINE: json/path: message", or "FILE at /json/path: message" without the
    file's text (a document about to be written has no line yet). Shared with the other
    JSON files of the harness (maaza_core.paired), so every one reports alike."""
    pointer = "/" + "/".join(steps)
    if text is None:
        return DataError(path, message, pointer=pointer)
    where = "/".join(steps) or "(top level)"
    return DataError(path, f"{where}: {message}", line=line_of(text, steps), pointer=pointer)


def schema_errors(validator: jsonschema.protocols.Validator, data: Any, path: Path | str,
                  text: str | None, fix: str) -> list[DataError]:
    """Every schema violation as a DataError (none when the data conforms): a hand-edited
    file with three mistakes takes one run to fix. A violation of anyOf/oneOf is one
    error, worded by its most relevant branch."""
    out = []
    for error in validator.iter_errors(data):
        best = jsonschema.exceptions.best_match([error])
        steps = tuple(str(p) for p in best.absolute_path)
        out.append(data_error(path, steps, f"{best.message} ({fix})", text))
    return out


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


def read_json(path: Path, what: str, folder_fix: str) -> tuple[str, Any]:
    """A JSON file's text (for line numbers) and data, read by the one strict reader
    (maaza_core.jsonl.parse_json: no NaN, no duplicate keys); an unreadable file is a
    DataError.

    `what` names the kind of file ("metrics file"), `folder_fix` what to pass instead of
    a folder."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DataError(path, f"no such {what}") from None
    except IsADirectoryError:
        raise DataError(path, f"is a folder (fix: {folder_fix})") from None
    except UnicodeDecodeError:
        raise DataError(path, "not UTF-8 text (fix: save the file as UTF-8)") from None
    return text, parse_json(text, path)


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
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
