"""Load the metrics files the paper renders, validated against their JSON Schema and
the consistency rules (`consistency.py`) against the data set they name.

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
import yaml

from maaza_core.consistency import check_metrics, line_of
from maaza_core.errors import UserError
from maaza_core.paths import DATASET_STATS, RESULTS_DIR, RESULTS_SCHEMA, ROOT

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


def load_result(path: Path, schema: dict | None = None, stats: dict | None = None,
                ) -> ModelResult:
    """One results file; with `stats` (`dataset_stats()`), totals must match the data set."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text)
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (fix: save the file as UTF-8)") from exc
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
    try:
        jsonschema.validate(doc, schema or _schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        line = line_of(text, tuple(str(p) for p in exc.absolute_path))
        raise UserError(f"{path}:{line}: {where}: {exc.message} (fix the file; format: "
                        f"{RESULTS_SCHEMA.name})") from exc
    check_metrics(doc, str(path), text, _named_split(path, text, doc, stats))
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


def _named_split(path: Path, text: str, doc: dict, stats: dict | None) -> dict | None:
    """The statistics of the split a file names; a data set the paper lacks is an error."""
    if stats is None:
        return None
    data = doc["dataset"]
    if (data["name"], data["version"]) != (stats["name"], stats["version"]):
        raise UserError(f"{path}:{line_of(text, ('dataset', 'name'))}: dataset is "
                        f"{data['name']} {data['version']} but the paper's data set is "
                        f"{stats['name']} {stats['version']} (fix: evaluate on it)")
    return stats["splits"][data["split"]]


def dataset_stats(path: Path = DATASET_STATS) -> dict:
    """Sizes of the data set's splits and tiers, as `edgejson stats -o FILE` wrote them.

    Why a file: edgejson owns the data, and render must not import it; Make rebuilds the
    file whenever the data set or its reader changes.
    """
    shown = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    fix = f"make {shown}, which runs edgejson stats -o {shown}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{shown}: missing (fix: {fix})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{shown}:{exc.lineno}: not valid JSON: {exc.msg} "
                        f"(fix: delete it and run {fix})") from None


def load_results(results_dir: Path = RESULTS_DIR, stats: dict | None = None,
                 ) -> list[ModelResult]:
    """Every results file, ordered as the paper's tables are: by size, zero-shot first.

    `stats` as `edgejson stats --json` prints them; by default read from DATASET_STATS.
    """
    paths = sorted(results_dir.glob("*.json"))
    if not paths:
        raise UserError(f"{results_dir}: no results files (*.json); see README 'Add a model'")
    schema = _schema()
    stats = dataset_stats() if stats is None else stats
    results = [load_result(p, schema, stats) for p in paths]
    return sorted(results, key=lambda r: (r.parameters, r.method != "zero-shot", r.name))


def by_stem(results: list[ModelResult]) -> dict[str, ModelResult]:
    return {r.stem: r for r in results}


@dataclass(frozen=True)
class Comparison:
    """One entry of comparisons.yaml: model a against model b (file stems)."""

    name: str  # macro key part: cmp/NAME/...
    a: ModelResult
    b: ModelResult


def load_comparisons(path: Path, results: list[ModelResult]) -> list[Comparison]:
    """comparisons.yaml, checked like the results: each entry names two known files on
    the same split, and b's JSONExact is not zero (the ratio a/b must exist)."""
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise UserError(f"{rel}{line}: not valid YAML: {exc} (fix the file)") from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise UserError(f"{rel}:{root.start_mark.line + 1}: expected a list of comparisons "
                        "(- name: ..., a: STEM, b: STEM)")
    table, out, names = by_stem(results), [], set()
    for i, node in enumerate(root.value, start=1):
        where = f"{rel}:{node.start_mark.line + 1}: entry {i}"
        entry = yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.MappingNode) \
            else None
        if not isinstance(entry, dict) or set(entry) != {"name", "a", "b"} or not all(
                isinstance(v, str) and v for v in entry.values()):
            raise UserError(f"{where}: an entry needs exactly the text fields name, a and b "
                            "(fix: - name: x-vs-y, a: STEM, b: STEM)")
        out.append(_comparison(where, entry, table, names))
    return out


def _comparison(where: str, entry: dict, table: dict, names: set[str]) -> Comparison:
    name, a, b = entry["name"], entry["a"], entry["b"]
    where = f"{where} ({name})"
    missing = [s for s in (a, b) if s not in table]
    if missing:
        raise UserError(f"{where}: unknown results file(s) {missing} "
                        f"(known: {', '.join(sorted(table))})")
    if name in names:
        raise UserError(f"{where}: the name is used twice (fix: rename one)")
    if a == b:
        raise UserError(f"{where}: compares {a} with itself (fix: change a or b)")
    ra, rb = table[a], table[b]
    if _split(ra) != _split(rb):
        raise UserError(f"{where}: {a} is on {' '.join(_split(ra))} but {b} is "
                        f"on {' '.join(_split(rb))} (fix: compare results on the same split)")
    if rb.json_exact.correct == 0:
        raise UserError(f"{where}: {b} has no exact match, so the ratio "
                        f"JSONExact({a}) / JSONExact({b}) does not exist (fix: swap a and b "
                        "or drop the entry)")
    names.add(name)
    return Comparison(name, ra, rb)


def _split(r: ModelResult) -> tuple[str, str, str]:
    d = r.raw["dataset"]
    return d["name"], d["version"], d["split"]
