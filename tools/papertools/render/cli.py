"""`papertools render ...`: data -> LaTeX, one command per generated file, so that Make
can rebuild exactly the file whose inputs changed."""

from __future__ import annotations

import argparse
from pathlib import Path

from maaza_core import paired
from maaza_core.atomic import write_atomic
from maaza_core.cli import add_command
from maaza_core.datastats import load_stats
from maaza_core.errors import UserError
from maaza_core.paths import (
    FIGURES_DIR,
    GENERATED_DIR,
    PAPER_DIR,
    RESULTS_DIR,
    TEMPLATES_DIR,
)
from papertools.render import contexts
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


def cmd_macros(args: argparse.Namespace) -> int:
    stats = load_stats()
    macros = all_macros(load_results(args.results, stats), args.comparisons, stats,
                        load_paired(args.results / paired.FOLDER))
    write_atomic(args.out, render("macros.tex.j2", {"macros": macros}))
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    if args.name == "dataset":
        context = contexts.dataset_table(load_stats())
    else:
        builder = {"results": contexts.results_table, "complexity": contexts.complexity_table,
                   "measured": contexts.measured_table}
        context = builder[args.name](load_results(args.results))
    write_atomic(args.out, render(f"{args.name}-table.tex.j2", context))
    return 0


# Tables built from the data set's statistics alone; every other table reads --results.
DATA_TABLES = ("dataset",)


def cmd_figure(args: argparse.Namespace) -> int:
    context = contexts.figure_context(args.name, load_results(args.results))
    write_atomic(args.out, render(f"fig-{args.name}.tex.j2", context))
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    macros = args.macros.read_text(encoding="utf-8") if args.macros.exists() else ""
    findings = lint_paper(args.paper, macros)
    for f in findings:
        print(f)
    if findings:
        raise UserError(f"{len(findings)} literal result number(s) in the paper text")
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    print(f"wrote {build_pdf()}")
    return 0


METRICS_FOLDER = "folder of metrics JSON"  # what --results names, for most commands


def _results_flag(parser: argparse.ArgumentParser, what: str = METRICS_FOLDER) -> None:
    parser.add_argument("--results", type=Path, default=RESULTS_DIR,
                        help=f"{what} (default: %(default)s)")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "render", help="render LaTeX from data, lint the paper, build the PDF",
        description="Render generated LaTeX (tables, macros, figure snippets) from the "
        "metrics JSON and the data set; lint the paper for typed numbers; run latexmk.",
        epilog="example: papertools render table results -o build/generated/results-table.tex",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="render_command", required=True, metavar="WHAT")

    def add(name: str, func, help_: str, example: str, results: str | None = METRICS_FOLDER,
            ) -> argparse.ArgumentParser:
        q = add_command(sub, name, func, help_, example)
        if results:  # only the commands that read the metrics files take --results
            _results_flag(q, results)
        return q

    q = add("macros", cmd_macros, r"write the \result{KEY} macros file",
            "papertools render macros -o build/generated/macros.tex",
            results=f"{METRICS_FOLDER}, with the paired comparisons in its {paired.FOLDER}/")
    q.add_argument("--comparisons", type=Path, default=COMPARISONS,
                   help="pairs of results files the prose compares (default: %(default)s)")
    q.add_argument("-o", "--out", type=Path, default=GENERATED_DIR / "macros.tex",
                   help="the macros file to write (default: %(default)s)")
    q = add("table", cmd_table, "write one generated table",
            "papertools render table dataset -o build/generated/dataset-table.tex",
            results=None)
    tables_sub = q.add_subparsers(dest="name", required=True, metavar="NAME")
    for name in TABLES:  # one subcommand per table, each with the flags it honours
        source = "the data set's statistics" if name in DATA_TABLES else "the metrics files"
        t = add_command(tables_sub, name, cmd_table, f"write the {name} table from {source}",
                        f"papertools render table {name} -o build/generated/{name}-table.tex")
        if name not in DATA_TABLES:
            _results_flag(t)
        t.add_argument("-o", "--out", type=Path, required=True,
                       help="the LaTeX table to write")
    q = add("figure", cmd_figure, "write a figure's LaTeX snippet (caption with numbers)",
            "papertools render figure finetuned-vs-base -o build/generated/fig-x.tex")
    q.add_argument("name", choices=FIGURES)
    q.add_argument("-o", "--out", type=Path, required=True,
                   help="the figure's LaTeX snippet to write")
    q = add("lint", cmd_lint, "fail on result numbers typed into paper/**/*.tex",
            "papertools render lint --macros build/generated/macros.tex", results=None)
    q.add_argument("--paper", type=Path, default=PAPER_DIR,
                   help="folder of the LaTeX sources to lint (default: %(default)s)")
    q.add_argument("--macros", type=Path, default=GENERATED_DIR / "macros.tex",
                   help="rendered macros: their integer values count as results")
    add("pdf", cmd_pdf, "run latexmk on paper/main.tex; fail on errors and undefined citations",
        "papertools render pdf", results=None)
