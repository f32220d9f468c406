"""Contexts for the generated tables and figure snippets: plain dicts of strings.

Every cell is formatted here (``numbers.py``) and escaped here (``latex_escape``), so the
templates in ``paper/templates/`` only lay out what they are given.
"""

from __future__ import annotations

from papertools.render import numbers as fmt
from papertools.render.latex import latex_escape
from papertools.render.macros import METHOD_LABEL
from papertools.render.results import COMPLEXITIES, ModelResult, by_stem


def _sources(results: list[ModelResult]) -> str:
    return ", ".join(r.relpath for r in results)


def _provenance_note(results: list[ModelResult]) -> str:
    kinds = sorted({r.provenance for r in results})
    if kinds == ["measured"]:
        return "Measured with the project's harness (edgejson evaluate)."
    if kinds == ["reported"]:
        return "Authors' reported runs, not yet re-measured with the project's harness."
    return (MEASURED_MARK + " measured with the project's harness "
            "(Section~\\ref{sec:experiments-measured}); the others are the authors' reported runs.")


# Marks a measured run in every table, so it is never read as one of the reported runs.
MEASURED_MARK = "$^\\dagger$"


def _display_name(r: ModelResult) -> str:
    return latex_escape(r.name) + (MEASURED_MARK if r.provenance == "measured" else "")


def results_table(results: list[ModelResult]) -> dict:
    best = max(r.json_exact.rate for r in results)
    rows = []
    for r in results:
        lo, hi = r.json_exact.wilson()
        rows.append({
            "name": _display_name(r),
            "params": fmt.params(r.parameters),
            "method": METHOD_LABEL[r.method],
            "exact": fmt.percent(r.json_exact.rate),
            "best": r.json_exact.rate == best,
            "ci": f"[{fmt.percent(lo)}, {fmt.percent(hi)}]",
            "counts": f"{r.json_exact.correct}/{r.json_exact.total}",
            "f1": "--" if r.field_f1 is None else fmt.decimal(r.field_f1),
            "disk": "--" if r.disk_size_bytes is None else fmt.megabytes(r.disk_size_bytes),
        })
    return {"rows": rows, "note": _provenance_note(results), "sources": _sources(results),
            "n": results[0].json_exact.total}


def complexity_table(results: list[ModelResult]) -> dict:
    rows = []
    for r in results:
        cells = []
        for c in COMPLEXITIES:
            count = r.by_complexity.get(c)
            cells.append("--" if count is None else
                         f"{fmt.percent(count.rate)} ({count.correct}/{count.total})")
        rows.append({"name": _display_name(r), "method": METHOD_LABEL[r.method],
                     "cells": cells})
    notes = [latex_escape(n) for n in sorted(
        {r.raw["metrics"].get("by_complexity_note", "") for r in results} - {""})]
    if any(r.provenance == "measured" for r in results):
        notes.append(MEASURED_MARK + " Measured runs score every test row, the rows without a "
                     "label in the tier of their schema.")
    return {"rows": rows, "tiers": [c.capitalize() for c in COMPLEXITIES],
            "notes": notes, "sources": _sources(results)}


def dataset_table(stats: dict) -> dict:
    splits = ("train", "test")
    s = {k: stats["splits"][k] for k in splits}

    def row(label: str, values: list[int | str]) -> dict:
        return {"label": label, "cells": [str(v) for v in values]}

    rows = [row("Examples", [s[k]["examples"] for k in splits]),
            row("Schemas used", [s[k]["schemas"] for k in splits])]
    for c in COMPLEXITIES:
        rows.append(row(
            f"\\quad {c} (labelled)",
            [f"{s[k]['by_complexity'][c]['examples']} ({s[k]['by_complexity'][c]['labelled']})"
             for k in splits],
        ))
    rows.append(row("Without complexity label", [s[k]["unlabelled"] for k in splits]))
    tiers = stats["schemas"]["by_complexity"]
    return {"rows": rows, "splits": [k.capitalize() for k in splits],
            "schemas_total": stats["schemas"]["total"],
            "schema_tiers": ", ".join(f"{tiers[c]} {c}" for c in COMPLEXITIES),
            "name": latex_escape(f"{stats['name']} {stats['version']}"),
            "sha": stats.get("sha256", "")[:12]}


def figure_context(name: str, results: list[ModelResult]) -> dict:
    """Numbers quoted in a figure's caption, formatted like the prose's."""
    t = by_stem(results)
    ctx: dict = {"name": name, "file": f"figures/{name}.pdf", "sources": _sources(results),
                 "measured": any(r.provenance == "measured" for r in results)}
    best = max(results, key=lambda r: r.json_exact.rate)
    ctx["best"] = {"name": latex_escape(best.name), "exact": fmt.percent(best.json_exact.rate)}
    zero = [r for r in results if r.method == "zero-shot"]
    best_zero = max(zero, key=lambda r: r.json_exact.rate) if zero else best
    ctx["best_zero"] = {"name": latex_escape(best_zero.name),
                        "exact": fmt.percent(best_zero.json_exact.rate),
                        "params": fmt.params(best_zero.parameters)}
    ctx["pairs"] = [
        {"tuned": latex_escape(r.name), "base": latex_escape(t[b].name),
         "gain": fmt.points(r.json_exact.rate, t[b].json_exact.rate)}
        for r in results if r.method == "lora"
        for b in [base_stem(r, results)] if b is not None
    ]
    return ctx


def base_stem(tuned: ModelResult, results: list[ModelResult]) -> str | None:
    """The zero-shot results file of a fine-tuned model's base (same Hugging Face id)."""
    base_id = tuned.raw["model"].get("base_model")
    for r in results:
        if r.method == "zero-shot" and r.raw["model"].get("id") == base_id:
            return r.stem
    return None
