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
from maaza_core.errors import DataError, DataErrors, UserError
from maaza_core.paths import LITREVIEW_DATA_DIR, display
from maaza_core.suggest import did_you_mean
from maaza_core.yamlfile import YamlDoc, load_yaml
from papertools.bib.cites import Library
from papertools.litreview.drafts import FIX_UNKNOWN
from papertools.render.jinja import render
from papertools.render.texescape import latex_escape

Row = dict[str, Any]


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
        """The Jinja template of the table (paper/templates/)."""
        return f"litreview/{self.name}.tex.j2"  # relative to paths.TEMPLATES_DIR

    def data_file(self, data_dir: Path = LITREVIEW_DATA_DIR) -> Path:
        """The YAML rows of the table in `data_dir`."""
        return data_dir / f"{self.name}.yaml"

    def schema_file(self, data_dir: Path = LITREVIEW_DATA_DIR) -> Path:
        """The JSON Schema the rows are checked against."""
        return data_dir / f"{self.name}.schema.json"


TABLES: tuple[TableSpec, ...] = (
    TableSpec("small-models", "tab:slm-summary", _slm_cells),
    TableSpec("benchmarks", "tab:benchmark-summary", _benchmark_cells),
    TableSpec("edge-frameworks", "tab:edge-summary", _edge_cells),
)


def table_spec(name: str) -> TableSpec:
    """The table named `name`; an unknown name is a UserError with the closest one."""
    for spec in TABLES:
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in TABLES)
    raise UserError(f"unknown table '{name}' (known: {known})")


def _schema_errors(doc: YamlDoc, schema_path: Path) -> list[DataError]:
    """Every schema violation of the rows, each at its row's (or field's) line."""
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    return [doc.error(list(e.absolute_path), f"{e.message} (fix: see {display(schema_path)})")
            for e in validator.iter_errors(doc.data)]


def _key_errors(doc: YamlDoc, library: Library) -> list[DataError]:
    """A row citing no key of the curated library, at the row's line; rows whose cite
    the schema already refused are left to its message."""
    known = set(library.keys)
    rows = doc.data if isinstance(doc.data, list) else []
    return [doc.error([index], f"row '{row.get('name')}' cites unknown key '{row['cite']}' "
                      f"({did_you_mean(row['cite'], known)}; {FIX_UNKNOWN})")
            for index, row in enumerate(rows)
            if isinstance(row, dict) and isinstance(row.get("cite"), str)
            and row["cite"] not in known]


def _load(path: Path) -> YamlDoc:
    doc = load_yaml(path, what="table data file")
    if doc.data is None:
        raise doc.error((), "empty table data (fix: add rows)")
    return doc


def load_rows(path: Path, schema_path: Path) -> tuple[list[Row], list[int]]:
    """The rows of a data file and their 1-based lines; DataErrors names every schema
    violation."""
    doc = _load(path)
    if errors := _schema_errors(doc, schema_path):
        raise DataErrors(errors, display(path))
    return doc.data, [doc.line([index]) for index in range(len(doc.data))]


def checked_rows(spec: TableSpec, library: Library,
                 data_dir: Path = LITREVIEW_DATA_DIR) -> list[Row]:
    """The rows of ``spec``'s data file, valid against its schema, citing library keys;
    every problem of the file (schema and keys) is reported in one DataErrors."""
    path = spec.data_file(data_dir)
    doc = _load(path)
    errors = _schema_errors(doc, spec.schema_file(data_dir)) + _key_errors(doc, library)
    if errors:
        raise DataErrors(errors, display(path))
    return doc.data


def render_table(
    spec: TableSpec,
    library: Library,
    data_dir: Path = LITREVIEW_DATA_DIR,
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
