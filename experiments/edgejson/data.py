"""Loading the EdgeJSON benchmark: rows, their JSON Schemas, validation and statistics.

This module must stay importable without torch or transformers: the paper build renders
the dataset table from `dataset_stats` in a virtual environment that has no model stack.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from jsonschema import validators

from maaza_core.datastats import COMPLEXITIES, DatasetStats, SchemaCounts, SplitStats, TierStats
from maaza_core.errors import UserError
from maaza_core.jsonl import iter_jsonl
from maaza_core.paths import DATA_DIR

SPLITS = ("train", "test")
DATASET_NAME = "EdgeJSON"
DATASET_VERSION = "v3"


@dataclass(frozen=True)
class Example:
    """One benchmark row, normalised over the two row shapes of the data files."""

    id: str  # unique row id, e.g. "edgejson_invoice_template_018"
    schema_id: str  # stem of the schema file under schemas/<complexity>/
    prompt: str  # the unstructured input text
    expected: Any  # the gold JSON value
    complexity: str  # effective complexity: the label, else the schema's folder
    labelled: bool  # whether the row carried a complexity label itself
    line: int  # 1-based line in the JSONL file, for error messages


@dataclass(frozen=True)
class Dataset:
    """The benchmark folder: schemas by id and the folder each lives in."""

    root: Path  # folder holding train.jsonl, test.jsonl and schemas/
    schemas: dict[str, dict[str, Any]] = field(repr=False)  # schema id -> JSON Schema
    folders: dict[str, str] = field(repr=False)  # schema id -> simple|medium|complex

    @cached_property
    def _validators(self) -> dict[str, Any]:
        # validator_for honours the draft each schema declares in "$schema".
        out = {}
        for sid, schema in self.schemas.items():
            cls = validators.validator_for(schema)
            cls.check_schema(schema)
            out[sid] = cls(schema)
        return out

    def validator(self, schema_id: str) -> Any:
        """The jsonschema validator for one schema (built once, reused per example)."""
        return self._validators[schema_id]


# Keywords whose value is a schema, a list of schemas, or a map of names to schemas:
# asserted_schema walks into these and nowhere else, so that a property *named* "format"
# (in "properties") or a "format" inside an enum, const or example value is kept.
_SUBSCHEMA = ("items", "additionalItems", "additionalProperties", "contains", "not", "if",
              "then", "else", "propertyNames", "unevaluatedItems", "unevaluatedProperties")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions",
                   "dependentSchemas")


def asserted_schema(schema: Any) -> Any:
    """The schema as the benchmark asserts it: without its "format" annotations.

    The scorer's validator (`Dataset.validator`) does not assert formats, as JSON Schema
    leaves them annotations unless a format checker is asked for, and EdgeJSON's own
    answers need that: all 230 date-times of the test answers have no time zone, which
    RFC 3339 ("format": "date-time") requires. A grammar compiled from the raw schema
    (llguidance and llama.cpp both enforce the formats) would make those answers
    impossible to write, so the constraint gets this schema: the language it allows is
    exactly the outputs the scorer counts as schema-valid."""
    if not isinstance(schema, dict):
        return schema
    out = {k: v for k, v in schema.items() if k != "format"}
    for key in _SUBSCHEMA:
        if key in out:
            out[key] = asserted_schema(out[key])
    for key in _SUBSCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [asserted_schema(s) for s in out[key]]
    for key in _SUBSCHEMA_MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {name: asserted_schema(s) for name, s in out[key].items()}
    return out


def load_dataset(data_dir: Path = DATA_DIR) -> Dataset:
    """Read every schema under schemas/<complexity>/ once."""
    schema_root = data_dir / "schemas"
    if not schema_root.is_dir():
        raise UserError(f"{schema_root}: no schemas folder (fix: point --data at EdgeJSON v3)")
    schemas: dict[str, dict[str, Any]] = {}
    folders: dict[str, str] = {}
    for complexity in COMPLEXITIES:
        for path in sorted((schema_root / complexity).glob("*.json")):
            try:
                schemas[path.stem] = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise UserError(f"{path}:{exc.lineno}: invalid JSON schema: {exc.msg}") from exc
            folders[path.stem] = complexity
    return Dataset(root=data_dir, schemas=schemas, folders=folders)


def _parse_row(raw: dict[str, Any], dataset: Dataset, where: str, line: int) -> Example:
    missing = [k for k in ("id", "schema_id", "prompt", "expected_output") if k not in raw]
    if missing:
        raise UserError(f"{where}: row lacks {', '.join(missing)} (fix: repair the row)")
    schema_id = raw["schema_id"]
    folder = dataset.folders.get(schema_id)
    if folder is None:
        raise UserError(f"{where}: unknown schema_id {schema_id!r} (fix: add its schema file)")
    label = raw.get("complexity")
    if label is not None and label not in COMPLEXITIES:
        raise UserError(f"{where}: complexity {label!r} is not one of {COMPLEXITIES}")
    return Example(
        id=str(raw["id"]),
        schema_id=schema_id,
        prompt=raw["prompt"],
        expected=raw["expected_output"],
        complexity=label or folder,
        labelled=label is not None,
        line=line,
    )


def load_split(split: str, data_dir: Path = DATA_DIR, dataset: Dataset | None = None,
               ) -> list[Example]:
    """Load one split; both row shapes become `Example`s and no row is dropped."""
    dataset = dataset or load_dataset(data_dir)
    path = data_dir / f"{split}.jsonl"
    if not path.is_file():
        raise UserError(f"{path}: no such split file (fix: use one of {', '.join(SPLITS)})")
    examples: list[Example] = []
    seen: set[str] = set()
    for number, raw in iter_jsonl(path):
        where = f"{path}:{number}"
        example = _parse_row(raw, dataset, where, number)
        if example.id in seen:
            raise UserError(f"{where}: duplicate id {example.id!r}")
        seen.add(example.id)
        examples.append(example)
    return examples


def validate_expected(examples: list[Example], dataset: Dataset) -> list[str]:
    """Check every gold answer against its schema; returns "id: message" per failure."""
    failures = []
    for ex in examples:
        for error in dataset.validator(ex.schema_id).iter_errors(ex.expected):
            path = "/".join(str(p) for p in error.absolute_path) or "(root)"
            failures.append(f"{ex.id} (line {ex.line}) at {path}: {error.message}")
    return failures


def data_sha256(data_dir: Path = DATA_DIR) -> str:
    """One hash over the split files and schemas, so a metrics file names its exact data."""
    digest = hashlib.sha256()
    files = [data_dir / f"{s}.jsonl" for s in SPLITS] + sorted(data_dir.glob("schemas/*/*.json"))
    for path in files:
        if path.is_file():
            # The relative path is hashed too: moving a schema to another folder
            # changes its complexity, so it must change the hash.
            digest.update(path.relative_to(data_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _split_stats(examples: list[Example]) -> SplitStats:
    by_c = {}
    for c in COMPLEXITIES:
        rows = [e for e in examples if e.complexity == c]
        by_c[c] = TierStats(examples=len(rows), labelled=sum(e.labelled for e in rows),
                            schemas=len({e.schema_id for e in rows}))
    return SplitStats(examples=len(examples), unlabelled=sum(not e.labelled for e in examples),
                      schemas=len({e.schema_id for e in examples}), by_complexity=by_c)


def dataset_stats(data_dir: Path = DATA_DIR) -> DatasetStats:
    """Counts for the paper's dataset table; rows count under their effective complexity."""
    dataset = load_dataset(data_dir)
    per_folder = Counter(dataset.folders.values())
    return DatasetStats(
        name=DATASET_NAME, version=DATASET_VERSION, sha256=data_sha256(data_dir),
        schemas=SchemaCounts(total=len(dataset.schemas),
                             by_complexity={c: per_folder.get(c, 0) for c in COMPLEXITIES}),
        splits={s: _split_stats(load_split(s, data_dir, dataset)) for s in SPLITS},
    )


def gold_failures(data_dir: Path = DATA_DIR) -> list[str]:
    """Every gold answer of every split that fails its own schema ("id: message")."""
    dataset = load_dataset(data_dir)
    return [f for split in SPLITS
            for f in validate_expected(load_split(split, data_dir, dataset), dataset)]


def stats_lines(stats: DatasetStats) -> list[str]:
    """The terminal summary of `edgejson stats`."""
    lines = [f"{stats.name} {stats.version}  sha256 {stats.sha256[:16]}…",
             f"schemas: {stats.schemas.total} {dict(stats.schemas.by_complexity)}"]
    for split, s in stats.splits.items():
        by = ", ".join(f"{c} {v.examples} ({v.labelled} labelled, {v.schemas} schemas)"
                       for c, v in s.by_complexity.items())
        lines.append(f"{split}: {s.examples} examples, {s.unlabelled} unlabelled, "
                     f"{s.schemas} schemas; {by}")
    return lines
