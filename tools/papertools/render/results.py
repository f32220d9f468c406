"""Load the metrics files the paper renders, validated against their JSON Schema.

Why counts and not percentages: a percentage copied from a paper cannot be checked or
re-rounded; ``correct``/``total`` can, and it lets the same code compute confidence
intervals for reported and measured results alike.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from papertools.cli import UserError
from papertools.paths import RESULTS_DIR, RESULTS_SCHEMA, ROOT

COMPLEXITIES = ("simple", "medium", "complex")
# z for a two-sided 95% interval: the 97.5th percentile of the standard normal.
Z95 = 1.959964


@dataclass(frozen=True)
class Count:
    correct: int  # examples that satisfy the metric
    total: int  # examples scored

    @property
    def rate(self) -> float:
        return self.correct / self.total

    def wilson(self, z: float = Z95) -> tuple[float, float]:
        """Wilson score interval: unlike the normal approximation it stays inside [0, 1]
        and behaves at 0 of n, which matters for the 0/25 complex-tier scores."""
        n, p = self.total, self.rate
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ModelResult:
    stem: str  # file name without .json: the key used in macros (e.g. maaza-mlm-135m)
    path: Path  # where the numbers come from, for comments in generated files
    name: str  # display name
    method: str  # "zero-shot" or "lora"
    parameters: int  # parameter count
    disk_size_bytes: int | None  # size of the weights on disk
    provenance: str  # "reported" or "measured"
    json_exact: Count  # overall JSONExact
    field_f1: float | None  # overall Field F1 (top-level keys), None when not reported
    by_complexity: dict[str, Count]  # JSONExact per complexity tier
    training: dict | None  # resolved LoRA config for fine-tuned models
    raw: dict  # the whole document, for anything else a template needs

    @property
    def relpath(self) -> str:
        try:
            return self.path.resolve().relative_to(ROOT.resolve()).as_posix()
        except ValueError:
            return self.path.as_posix()


def _schema() -> dict:
    return json.loads(RESULTS_SCHEMA.read_text(encoding="utf-8"))


def load_result(path: Path, schema: dict | None = None) -> ModelResult:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
    try:
        jsonschema.validate(doc, schema or _schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise UserError(
            f"{path}: {where}: {exc.message} (fix the file; format: {RESULTS_SCHEMA.name})"
        ) from exc
    metrics = doc["metrics"]
    f1 = metrics["overall"].get("field_f1")
    return ModelResult(
        stem=path.stem,
        path=path,
        name=doc["model"]["name"],
        method=doc["model"]["method"],
        parameters=doc["model"]["parameters"],
        disk_size_bytes=doc["model"].get("disk_size_bytes"),
        provenance=doc["provenance"],
        json_exact=Count(**_count(metrics["overall"]["json_exact"])),
        field_f1=None if f1 is None else f1["mean"],
        by_complexity={
            c: Count(**_count(m["json_exact"])) for c, m in metrics["by_complexity"].items()
        },
        training=doc["config"].get("training"),
        raw=doc,
    )


def _count(d: dict) -> dict:
    return {"correct": d["correct"], "total": d["total"]}


def load_results(results_dir: Path = RESULTS_DIR) -> list[ModelResult]:
    """Every results file, ordered as the paper's tables are: by size, zero-shot first."""
    paths = sorted(results_dir.glob("*.json"))
    if not paths:
        raise UserError(f"{results_dir}: no results files (*.json); see README 'Add a model'")
    schema = _schema()
    results = [load_result(p, schema) for p in paths]
    return sorted(results, key=lambda r: (r.parameters, r.method != "zero-shot", r.name))


def by_stem(results: list[ModelResult]) -> dict[str, ModelResult]:
    return {r.stem: r for r in results}
