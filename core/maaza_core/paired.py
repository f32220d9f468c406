"""The paired-comparison file (experiments/paired.schema.json): one typed model and one
validator for what `edgejson compare --json` prints and the paper quotes.

Why in the core: the harness writes it and the render layer reads it, and neither may
import the other. The render layer used to carry its own loader with its own checks;
now writer and reader go through `validate` (the schema, then the rules no schema can
state), and errors are DataErrors naming the file, the line and the JSON path.

The file has no format key: the committed files and the command's output stay exactly
what they were; the schema's $id, FORMAT, names the format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from maaza_core.atomic import write_atomic
from maaza_core.errors import DataErrors
from maaza_core.intervals import Interval
from maaza_core.jsonfile import (
    FileDoc,
    data_error,
    read_json,
    schema_errors,
    schema_validator,
)
from maaza_core.jsonfile import (
    dumps as dumps_json,
)
from maaza_core.paths import PAIRED_SCHEMA, display

FORMAT = "edgejson-paired/1"
SCHEMA = PAIRED_SCHEMA
YES_NO = ("json_exact", "valid_json", "schema_compliant")  # McNemar and paired bootstrap
MEANS = ("field_f1", "field_f1_nested")  # paired bootstrap only
FOLDER = "paired"  # RESULTS/paired/ holds the comparisons the paper quotes
REGENERATE = "fix: regenerate it with `edgejson compare A B --json`"


@dataclass(frozen=True)
class McNemar:
    """McNemar's exact test: only the examples where the two runs disagree count."""

    only_a: int  # examples only A got right
    only_b: int  # examples only B got right
    p_value: float  # two-sided exact binomial p, unrounded


@dataclass(frozen=True)
class PairedMetric:
    """One metric of both runs on the same examples."""

    a: float  # A's mean (a share for a yes/no metric)
    b: float  # B's mean
    diff: float  # B - A
    ci95: Interval  # paired percentile bootstrap of B - A
    mcnemar: McNemar | None = None  # yes/no metrics only


@dataclass(frozen=True, kw_only=True)
class PairedDoc(FileDoc):
    """Run B against run A over the examples both answered."""

    a: str  # what the report calls A (model name or file name)
    b: str
    examples: int  # paired observations
    dropped: Mapping[str, int]  # "a" | "b" -> examples left out (--allow-subset)
    metrics: Mapping[str, PairedMetric]  # YES_NO and MEANS names, in that order
    path: Path | None = field(default=None, compare=False, repr=False)  # where it was read

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, keys in the order the harness has always printed them."""
        out: dict[str, Any] = {"a": self.a, "b": self.b, "examples": self.examples,
                               "dropped": dict(self.dropped), "metrics": {}}
        for name, m in self.metrics.items():
            entry: dict[str, Any] = {"a": m.a, "b": m.b, "diff": m.diff,
                                     "ci95": m.ci95.to_dict()}
            if m.mcnemar is not None:
                entry["mcnemar"] = {"only_a": m.mcnemar.only_a, "only_b": m.mcnemar.only_b,
                                    "p_value": m.mcnemar.p_value}
            out["metrics"][name] = entry
        return out


def from_dict(data: Mapping[str, Any], path: Path | None = None) -> PairedDoc:
    """The typed comparison of a dict that passed `validate`."""
    def metric(d: Mapping[str, Any]) -> PairedMetric:
        mc = d.get("mcnemar")
        return PairedMetric(
            float(d["a"]), float(d["b"]), float(d["diff"]), Interval.from_dict(d["ci95"]),
            None if mc is None else McNemar(mc["only_a"], mc["only_b"], float(mc["p_value"])))

    return PairedDoc(a=data["a"], b=data["b"], examples=data["examples"],
                     dropped=dict(data["dropped"]),
                     metrics={k: metric(v) for k, v in data["metrics"].items()}, path=path)


def _problems(data: Mapping[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """Values the schema lets through that no comparison can produce: (JSON path, why)."""
    n, out = data["examples"], []
    for name, m in data["metrics"].items():
        low, high, diff = m["ci95"]["low"], m["ci95"]["high"], m["diff"]
        if not -1 <= low <= diff <= high <= 1:
            out.append((("metrics", name, "ci95"), f"[{low}, {high}] around {diff} is "
                        f"impossible ({REGENERATE})"))
        mc = m.get("mcnemar")
        if mc is None:
            continue
        if mc["only_a"] + mc["only_b"] > n:
            out.append((("metrics", name, "mcnemar"), f"{mc['only_a']} + {mc['only_b']} "
                        f"discordant pairs do not fit in {n} examples ({REGENERATE})"))
        # An exact binomial p-value is never 0; a 0 here means it was rounded away.
        if not 0 < mc["p_value"] <= 1:
            out.append((("metrics", name, "mcnemar"), f"p = {mc['p_value']} is impossible "
                        f"({REGENERATE})"))
    return out


def validate(data: Any, path: Path | str, text: str | None = None) -> None:
    """Raise DataErrors naming every schema violation or, for a schema-valid document,
    every impossible value. `text` is the file's content, for line numbers."""
    errors = schema_errors(schema_validator(SCHEMA), data, path, text,
                           f"{REGENERATE}; format: {FORMAT}, {display(SCHEMA)}")
    if not errors:
        errors = [data_error(path, steps, message, text) for steps, message in _problems(data)]
    if errors:
        raise DataErrors(errors, "the paired comparison file")


def load(path: Path) -> PairedDoc:
    """Read and validate one paired-comparison file."""
    text, data = read_json(path, "paired comparison file", "pass one of its *.json files")
    validate(data, path, text)
    return from_dict(data, path)


def dumps(doc: PairedDoc, where: Path | str = "(edgejson compare output)") -> str:
    """Validate, then the file's text: how `edgejson compare --json` prints it."""
    data = doc.to_dict()
    validate(data, where)
    return dumps_json(data)


def dump(doc: PairedDoc, path: Path) -> None:
    """Validate, then write atomically: no half-written comparison for the paper."""
    write_atomic(path, dumps(doc, path))
