"""`papertools render ...`: data -> LaTeX, one command per generated file, so that Make
can rebuild exactly the file whose inputs changed."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from maaza_core import paired
from maaza_core.atomic import write_atomic
from maaza_core.cli import add_group, add_settings_command, setting
from maaza_core.datastats import load_stats
from maaza_core.errors import UserError
from maaza_core.paths import (
    BENCH_RESULTS_DIR,
    FIGURES_DIR,
    GENERATED_DIR,
    PAPER_DIR,
    RESULTS_DIR,
    TEMPLATES_DIR,
    display,
)
from papertools.render import contexts, deployment
from papertools.render.docblocks import update_docs
from papertools.render.jinja import render
from papertools.render.lint import lint_paper
from papertools.render.macros import all_macros
from papertools.render.pdf import build_pdf
from papertools.render.results import load_paired, load_results

# The names are the files, as in mk/paper.mk: a table per templates/<name>-table.tex.j2,
# a figure per figures/<name>.py.
TABLES = tuple(sorted(p.name.removesuffix("-table.tex.j2")
                      for p in TEMPLATES_DIR.glob("*-table.tex.j2")))
FIGURES = tuple(sorted(p.stem for p in FIGURES_DIR.glob("*.py")))
COMPARISONS = RESULTS_DIR / "comparisons.yaml"


METRICS_FOLDER = "folder of metrics JSON"  # what --results names, for most commands
BENCH_FOLDER = "folder of bench/edge.py's deployment figures (edge-*.json)"


@dataclass(frozen=True, kw_only=True)
class MacrosSettings:
    """`render macros`: the results (with their paired tests) and comparisons to quote."""

    results: Path = setting(RESULTS_DIR, help=f"{METRICS_FOLDER}, with the paired "
                            f"comparisons in its {paired.FOLDER}/")
    comparisons: Path = setting(COMPARISONS, help="pairs of results files the prose compares")
    bench: Path = setting(BENCH_RESULTS_DIR, help=BENCH_FOLDER)
    out: Path = setting(GENERATED_DIR / "macros.tex", flag="-o/--out",
                        help="the macros file to write")


@dataclass(frozen=True, kw_only=True)
class TableSettings:
    """`render table NAME` for a table of the data set's statistics alone."""

    name: str  # the subcommand: templates/<name>-table.tex.j2
    out: Path = setting(flag="-o/--out", required=True, help="the LaTeX table to write")


@dataclass(frozen=True, kw_only=True)
class ResultsTableSettings(TableSettings):
    """`render table NAME` for a table of the metrics files."""

    results: Path = setting(RESULTS_DIR, help=METRICS_FOLDER)


@dataclass(frozen=True, kw_only=True)
class DeploymentTableSettings(ResultsTableSettings):
    """`render table deployment`: the metrics files with their paired tests (the llama.cpp
    runs against the reference), and the deployment figures of bench/edge.py."""

    bench: Path = setting(BENCH_RESULTS_DIR, help=BENCH_FOLDER)


@dataclass(frozen=True, kw_only=True)
class FigureSettings:
    """`render figure NAME`: a figure's LaTeX snippet (its caption carries numbers)."""

    name: str = setting(help="the figure (figures/NAME.py)", choices=FIGURES)
    results: Path = setting(RESULTS_DIR, help=METRICS_FOLDER)
    out: Path = setting(flag="-o/--out", required=True,
                        help="the figure's LaTeX snippet to write")


@dataclass(frozen=True, kw_only=True)
class LintSettings:
    """`render lint`: the LaTeX sources, and the rendered macros whose integers count."""

    paper: Path = setting(PAPER_DIR, help="folder of the LaTeX sources to lint")
    macros: Path = setting(GENERATED_DIR / "macros.tex", help="rendered macros: their "
                           "integer values count as results (the file must exist)")


@dataclass(frozen=True, kw_only=True)
class DocsSettings:
    """`render docs`: the generated blocks of the Markdown docs (bench figures)."""

    check: bool = setting(False, action="store_true", help="change nothing; fail naming "
                          "each stale block (the test and CI run this)")


@dataclass(frozen=True)
class PdfSettings:
    """`render pdf` takes no arguments: paper/main.tex into build/paper.pdf."""


def cmd_macros(s: MacrosSettings) -> int:
    """Write every \\result{KEY} macro of the paper into one file."""
    stats = load_stats()
    macros = all_macros(load_results(s.results, stats), s.comparisons, stats,
                        load_paired(s.results / paired.FOLDER),
                        deployment.load_benches(s.bench))
    write_atomic(s.out, render("macros.tex.j2", {"macros": macros}))
    return 0


def cmd_table(s: TableSettings) -> int:
    """Render one table from its template and context."""
    if isinstance(s, DeploymentTableSettings):
        context = deployment.deployment_table(load_results(s.results),
                                              load_paired(s.results / paired.FOLDER),
                                              deployment.load_benches(s.bench))
    elif isinstance(s, ResultsTableSettings):
        builder = {"results": contexts.results_table, "complexity": contexts.complexity_table,
                   "measured": contexts.measured_table,
                   "measured-ends": contexts.measured_ends_table}
        context = builder[s.name](load_results(s.results))
    else:
        context = contexts.dataset_table(load_stats())
    write_atomic(s.out, render(f"{s.name}-table.tex.j2", context))
    return 0


# Tables built from the data set's statistics alone; every other table reads --results
# (and the deployment table --bench too).
DATA_TABLES = ("dataset",)
TABLE_SETTINGS = {"deployment": DeploymentTableSettings}


def cmd_figure(s: FigureSettings) -> int:
    """Render a figure's LaTeX snippet (the figure itself is drawn by figrun)."""
    context = contexts.figure_context(s.name, load_results(s.results))
    write_atomic(s.out, render(f"fig-{s.name}.tex.j2", context))
    return 0


def cmd_lint(s: LintSettings) -> int:
    """Fail on result numbers typed into the paper.

    Without the macros file the lint cannot tell a rendered count from a typed one, and
    would quietly check less; so a missing file is refused, not skipped."""
    if not s.macros.is_file():
        raise UserError(f"{display(s.macros)}: no such macros file (fix: make render, or "
                        "pass --macros FILE)")
    findings = lint_paper(s.paper, s.macros.read_text(encoding="utf-8"))
    for f in findings:
        print(f)
    if findings:
        raise UserError(f"{len(findings)} literal result number(s) in the paper text")
    return 0


def cmd_docs(s: DocsSettings) -> int:
    """Rewrite the docs' generated blocks from bench/results, or check them."""
    stale = update_docs(check=s.check)
    for line in stale:
        print(line)
    if s.check and stale:
        raise UserError(f"{len(stale)} stale generated block(s) in the docs (fix: make docs)")
    print("docs: every generated block is up to date" if not stale
          else f"docs: rewrote {len(stale)} block(s)")
    return 0


def cmd_pdf(_settings: PdfSettings) -> int:
    """Run latexmk and say where the PDF is."""
    print(f"wrote {build_pdf()}")
    return 0


# name, handler, help (also the description), a runnable example, the settings dataclass;
# `table` is a group of its own, one subcommand per template (see register).
COMMANDS = (
    ("macros", cmd_macros, r"write the \result{KEY} macros file",
     "papertools render macros -o build/generated/macros.tex", MacrosSettings),
    ("figure", cmd_figure, "write a figure's LaTeX snippet (caption with numbers)",
     "papertools render figure finetuned-vs-base -o build/generated/fig-x.tex",
     FigureSettings),
    ("lint", cmd_lint, "fail on result numbers typed into paper/**/*.tex",
     "papertools render lint --macros build/generated/macros.tex", LintSettings),
    ("docs", cmd_docs, "rewrite the Markdown docs' generated blocks (benchmark figures) "
     "from bench/results/*.json", "papertools render docs --check", DocsSettings),
    ("pdf", cmd_pdf, "run latexmk on paper/main.tex; fail on errors and undefined "
     "citations", "papertools render pdf", PdfSettings),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `render` and its subcommands to the `papertools` parser."""
    sub = add_group(subparsers, "render", "render LaTeX from data, lint the paper, build "
                    "the PDF (tables, macros, figure snippets from the metrics JSON and the "
                    "data set; latexmk)",
                    "papertools render table results -o build/generated/results-table.tex",
                    dest="render_command")
    for command in COMMANDS:
        add_settings_command(sub, *command)
    tables = add_group(sub, "table", "write one generated table",
                       "papertools render table dataset -o build/generated/dataset-table.tex",
                       dest="name")
    for name in TABLES:  # one subcommand per table, each with the flags it honours
        data = name in DATA_TABLES
        source = "the data set's statistics" if data else "the metrics files"
        add_settings_command(tables, name, cmd_table, f"write the {name} table from {source}",
                             f"papertools render table {name} -o "
                             f"build/generated/{name}-table.tex",
                             TableSettings if data else
                             TABLE_SETTINGS.get(name, ResultsTableSettings))
