"""The three related-work summary tables: curated YAML rows -> validated -> LaTeX floats.

Why YAML + JSON Schema: co-authors edit the rows by hand, so the file must be readable
and every mistake must point at its line. PyYAML's composer keeps a mark on each node,
``jsonschema`` says which row and field failed, and the two together give file:line.
Cells are formatted and escaped here; the templates only lay them out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from maaza_core import paths
from maaza_core.errors import UserError
from papertools.bib.cites import Library, closest_keys
from papertools.litreview.drafts import FIX_UNKNOWN, display
from papertools.render.jinja import render
from papertools.render.latex import latex_escape

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
        return f"litreview/{self.name}.tex.j2"  # relative to paths.TEMPLATES_DIR


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


def _compose(path: Path) -> yaml.Node:
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UserError(f"{path}: no such table data file (fix: create it)") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise UserError(f"{display(path)}:{line}: {exc.problem} (fix: correct the YAML)") from exc
    if node is None:
        raise UserError(f"{display(path)}:1: empty table data (fix: add rows)")
    return node


def _node_at(node: yaml.Node, where: list[Any]) -> yaml.Node:
    """The YAML node at a jsonschema error path (row index, then field name)."""
    for step in where:
        if isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            node = node.value[step]
        elif isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == step]
            if not match:
                break
            node = match[0]
        else:
            break
    return node


def load_rows(path: Path, schema_path: Path) -> tuple[list[Row], list[int]]:
    """The rows of a data file and their 1-based lines; UserError on any schema violation."""
    node = _compose(path)
    rows = yaml.safe_load(yaml.serialize(node))
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(rows), key=lambda e: list(e.absolute_path))
    if errors:
        raise UserError("\n".join(
            f"{display(path)}:{_node_at(node, list(e.absolute_path)).start_mark.line + 1}: "
            f"{e.message} (fix: see {display(schema_path)})"
            for e in errors
        ))
    lines = [item.start_mark.line + 1 for item in node.value]
    return rows, lines


def check_keys(path: Path, rows: list[Row], lines: list[int], library: Library) -> None:
    """Every row must cite a key of the curated library."""
    known = set(library.keys)
    problems = [
        f"{display(path)}:{line}: row '{row['name']}' cites unknown key '{row['cite']}' "
        f"(closest: {', '.join(closest_keys(row['cite'], known)) or 'none'}; {FIX_UNKNOWN})"
        for row, line in zip(rows, lines, strict=True)
        if row["cite"] not in known
    ]
    if problems:
        raise UserError("\n".join(problems))


def render_table(
    spec: TableSpec,
    library: Library,
    data_dir: Path = paths.LITREVIEW_DIR / "data",
    templates_dir: Path = paths.TEMPLATES_DIR,
) -> str:
    """The LaTeX float for ``spec`` from its checked data."""
    data = data_dir / f"{spec.name}.yaml"
    rows, lines = load_rows(data, data_dir / f"{spec.name}.schema.json")
    check_keys(data, rows, lines, library)
    context = {
        "label": spec.label,
        "source": display(data),
        "rows": [spec.cells(row) for row in rows],
    }
    text = render(spec.template, context, templates_dir=templates_dir)
    return text if text.endswith("\n") else text + "\n"  # the float ends its own line
