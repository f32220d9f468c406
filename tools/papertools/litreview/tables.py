"""The three related-work summary tables: curated YAML rows -> validated -> LaTeX floats.

Why YAML + JSON Schema: co-authors edit the rows by hand, so the file must be readable
and every mistake must point at its line. ``maaza_core.yamlfile`` keeps the line of each
node, ``jsonschema`` says which row and field failed, and the two together give file:line.
Cells are formatted and escaped here; the templates only lay them out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from maaza_core import paths
from maaza_core.errors import UserError
from maaza_core.paths import display
from maaza_core.suggest import did_you_mean
from maaza_core.yamlfile import load_yaml
from papertools.bib.cites import Library
from papertools.litreview.drafts import FIX_UNKNOWN
from papertools.render.jinja import render
from papertools.render.latex import latex_escape

Row = dict[str, Any]
DATA_DIR = paths.LITREVIEW_DIR / "data"  # <name>.yaml rows and <name>.schema.json per table


def _cite(row: Row) -> str:
    # The key is checked against the library and the schema's key pattern before this runs.
    return f"\\citet{{{row['cite']}}}"


def _slm_cells(row: Row) -> list[str]:
    return [
        latex_escape(row["name"]),
        latex_escape(row["organization"]),
        str(row["year"]),
        latex_escape(", ".join(row["sizes"])),
        latex_escape(row.get("tokens") or "--"),
        latex_escape(row["contribution"]),
        _cite(row),
    ]


def _benchmark_cells(row: Row) -> list[str]:
    return [
        latex_escape(row["name"]),
        latex_escape(row["task"]),
        latex_escape(row["metric"]),
        "yes" if row["structured_output"] else "no",
        _cite(row),
    ]


def _edge_cells(row: Row) -> list[str]:
    return [
        latex_escape(row["name"]),
        latex_escape(row["platform"]),
        latex_escape(row["features"]),
        _cite(row),
    ]


@dataclass(frozen=True)
class TableSpec:
    """One summary table: where its data, schema and template live (the appendix sets them
    in this order)."""

    name: str  # data litreview/data/<name>.yaml, schema <name>.schema.json
    label: str  # \label of the float; the drafts refer to it with \ref
    cells: Callable[[Row], list[str]]  # one row -> its formatted, escaped LaTeX cells

    @property
    def template(self) -> str:
        return f"litreview/{self.name}.tex.j2"  # relative to paths.TEMPLATES_DIR

    def data_file(self, data_dir: Path = DATA_DIR) -> Path:
        return data_dir / f"{self.name}.yaml"

    def schema_file(self, data_dir: Path = DATA_DIR) -> Path:
        return data_dir / f"{self.name}.schema.json"


TABLES: tuple[TableSpec, ...] = (
    TableSpec("small-models", "tab:slm-summary", _slm_cells),
    TableSpec("benchmarks", "tab:benchmark-summary", _benchmark_cells),
    TableSpec("edge-frameworks", "tab:edge-summary", _edge_cells),
)


def table_spec(name: str) -> TableSpec:
    for spec in TABLES:
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in TABLES)
    raise UserError(f"unknown table '{name}' (known: {known})")


def load_rows(path: Path, schema_path: Path) -> tuple[list[Row], list[int]]:
    """The rows of a data file and their 1-based lines; UserError on any schema violation."""
    doc = load_yaml(path, what="table data file")
    if doc.data is None:
        raise doc.error((), "empty table data (fix: add rows)")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(e.absolute_path))
    if errors:
        raise UserError("\n".join(
            str(doc.error(list(e.absolute_path), f"{e.message} (fix: see {display(schema_path)})"))
            for e in errors
        ))
    return doc.data, [doc.line([index]) for index in range(len(doc.data))]


def check_keys(path: Path, rows: list[Row], lines: list[int], library: Library) -> None:
    """Every row must cite a key of the curated library."""
    known = set(library.keys)
    problems = [
        f"{display(path)}:{line}: row '{row['name']}' cites unknown key '{row['cite']}' "
        f"({did_you_mean(row['cite'], known)}; {FIX_UNKNOWN})"
        for row, line in zip(rows, lines, strict=True)
        if row["cite"] not in known
    ]
    if problems:
        raise UserError("\n".join(problems))


def checked_rows(spec: TableSpec, library: Library, data_dir: Path = DATA_DIR) -> list[Row]:
    """The rows of ``spec``'s data file, valid against its schema, citing library keys."""
    data = spec.data_file(data_dir)
    rows, lines = load_rows(data, spec.schema_file(data_dir))
    check_keys(data, rows, lines, library)
    return rows


def render_table(
    spec: TableSpec,
    library: Library,
    data_dir: Path = DATA_DIR,
    templates_dir: Path = paths.TEMPLATES_DIR,
) -> str:
    """The LaTeX float for ``spec`` from its checked data."""
    context = {
        "label": spec.label,
        "source": display(spec.data_file(data_dir)),
        "rows": [spec.cells(row) for row in checked_rows(spec, library, data_dir)],
    }
    text = render(spec.template, context, templates_dir=templates_dir)
    return text if text.endswith("\n") else text + "\n"  # the float ends its own line
