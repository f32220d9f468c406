"""Summary tables: schema errors and unknown keys point at the row's line; special
characters in the data are escaped so that the table compiles and prints them verbatim."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from maaza_core import paths
from maaza_core.errors import DataErrors, UserError
from papertools.litreview.tables import load_rows, render_table, table_spec

SPECIAL = r"R&D 50% $5 #1 a_b {x} ~ ^ \ Émile Łódź"
REAL_DATA = paths.LITREVIEW_DIR / "data"


def _data_dir(tmp_path: Path, name: str, yaml_text: str) -> Path:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(REAL_DATA / f"{name}.schema.json", data)
    (data / f"{name}.yaml").write_text(yaml_text, encoding="utf-8")
    return data


def _edge_row(name: str, cite: str = "alpha2020") -> str:
    return (f"- name: '{name}'\n  platform: phones\n  features: '{SPECIAL}'\n"
            f"  cite: {cite}\n")


def test_special_characters_are_escaped(tmp_path: Path, library) -> None:
    data = _data_dir(tmp_path, "edge-frameworks", _edge_row(SPECIAL))
    tex = render_table(table_spec("edge-frameworks"), library, data)
    for escaped in (r"R\&D", r"50\%", r"\$5", r"\#1", r"a\_b", r"\{x\}",
                    r"\textasciitilde{}", r"\textasciicircum{}", r"\textbackslash{}", "Émile"):
        assert escaped in tex
    assert r"\label{tab:edge-summary}" in tex
    assert r"\citet{alpha2020}" in tex


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex (TeX Live)")
def test_table_with_special_characters_compiles(tmp_path: Path, library) -> None:
    data = _data_dir(tmp_path, "edge-frameworks", _edge_row(SPECIAL))
    table = render_table(table_spec("edge-frameworks"), library, data)
    doc = tmp_path / "doc.tex"
    doc.write_text(
        "\\documentclass{article}\\usepackage[utf8]{inputenc}\\usepackage[T1]{fontenc}"
        "\\usepackage{lmodern}\\usepackage{booktabs}\\usepackage[round,authoryear]{natbib}"
        "\\begin{document}\\section{S}\\label{sec:related-edge}\n" + table + "\\end{document}\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "doc.pdf", "-"], cwd=tmp_path,
                              capture_output=True, text=True, check=True).stdout
        for chunk in ("R&D", "50%", "$5", "#1", "a_b", "{x}", "Émile", "Łódź"):
            assert chunk in text


def test_schema_violation_names_the_line(tmp_path: Path) -> None:
    yaml_text = _edge_row("ok") + "- name: broken\n  platform: phones\n  cite: alpha2020\n"
    data = _data_dir(tmp_path, "edge-frameworks", yaml_text)
    with pytest.raises(UserError) as err:
        load_rows(data / "edge-frameworks.yaml", data / "edge-frameworks.schema.json")
    assert "edge-frameworks.yaml:5:" in str(err.value)
    assert "'features' is a required property" in str(err.value)


def test_wrong_type_points_at_the_field(tmp_path: Path) -> None:
    yaml_text = ("- name: X\n  task: t\n  metric: m\n  structured_output: maybe\n"
                 "  cite: alpha2020\n")
    data = _data_dir(tmp_path, "benchmarks", yaml_text)
    with pytest.raises(UserError) as err:
        load_rows(data / "benchmarks.yaml", data / "benchmarks.schema.json")
    assert "benchmarks.yaml:4:" in str(err.value)


def test_unknown_key_in_a_row(tmp_path: Path, library) -> None:
    data = _data_dir(tmp_path, "edge-frameworks", _edge_row("a") + _edge_row("b", "hu2021lroa"))
    with pytest.raises(UserError) as err:
        render_table(table_spec("edge-frameworks"), library, data)
    assert "edge-frameworks.yaml:5:" in str(err.value)
    assert "closest: hu2021lora" in str(err.value)


def test_every_problem_of_a_file_is_reported_together(tmp_path: Path, library) -> None:
    """A schema violation and an unknown key in one file: one run names both, in file order."""
    yaml_text = (_edge_row("a", "hu2021lroa") + "- name: broken\n  platform: phones\n"
                 "  cite: alpha2020\n" + _edge_row("c", "nokey2020"))
    data = _data_dir(tmp_path, "edge-frameworks", yaml_text)
    with pytest.raises(DataErrors) as err:
        render_table(table_spec("edge-frameworks"), library, data)
    lines = str(err.value).splitlines()
    assert lines[0].startswith("3 problems in ")
    assert [e.line for e in err.value.errors] == [1, 5, 8]
    assert "edge-frameworks.yaml:1: row 'a' cites unknown key 'hu2021lroa'" in lines[1]
    assert "edge-frameworks.yaml:5: 'features' is a required property" in lines[2]
    assert "edge-frameworks.yaml:8: row 'c' cites unknown key 'nokey2020'" in lines[3]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    data = _data_dir(tmp_path, "edge-frameworks", _edge_row("a") + "- name: [unclosed\n")
    with pytest.raises(UserError) as err:
        load_rows(data / "edge-frameworks.yaml", data / "edge-frameworks.schema.json")
    assert "edge-frameworks.yaml:" in str(err.value)


def test_unknown_table_name() -> None:
    with pytest.raises(UserError, match="known: small-models"):
        table_spec("nope")
