"""The numbers the prose quotes, as LaTeX macros with the file each one comes from.

Prose writes ``\\result{maaza-mlm-135m/exact}``; the key names the results file (or
``data/``, ``cmp/``, ``eval/``) and the quantity. A keyed lookup rather than one
``\\newcommand`` name per number because LaTeX command names cannot hold digits or
hyphens, and names like ``\\MaazaMLMOneThreeFiveExact`` help nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from maaza_core.errors import UserError
from maaza_core.paths import DATA_DIR, RESULTS_DIR, ROOT
from papertools.render import numbers as fmt
from papertools.render.results import COMPLEXITIES, ModelResult, load_comparisons

METHOD_LABEL = {"zero-shot": "zero-shot", "lora": "LoRA fine-tuned"}


@dataclass(frozen=True)
class Macro:
    key: str  # what prose passes to \result{...}
    value: str  # LaTeX text it expands to
    source: str  # file (and detail) the value is computed from, written as a comment


def model_macros(r: ModelResult) -> list[Macro]:
    src = r.relpath
    lo, hi = r.json_exact.wilson()
    m = [
        Macro(f"{r.stem}/name", r.name, src),
        Macro(f"{r.stem}/params", fmt.params(r.parameters), f"{src}: {r.parameters} parameters"),
        Macro(f"{r.stem}/method", METHOD_LABEL[r.method], src),
        Macro(f"{r.stem}/exact", fmt.percent(r.json_exact.rate) + r"\%",
              f"{src}: {r.json_exact.correct} of {r.json_exact.total}"),
        Macro(f"{r.stem}/exact-correct", fmt.integer(r.json_exact.correct), src),
        Macro(f"{r.stem}/exact-total", fmt.integer(r.json_exact.total), src),
        Macro(f"{r.stem}/exact-ci-low", fmt.percent(lo) + r"\%", f"{src}: Wilson 95% interval"),
        Macro(f"{r.stem}/exact-ci-high", fmt.percent(hi) + r"\%", f"{src}: Wilson 95% interval"),
        Macro(f"{r.stem}/f1", "n/a" if r.field_f1 is None else fmt.decimal(r.field_f1),
              f"{src}: metrics.overall.field_f1"),
    ]
    if r.disk_size_bytes is not None:
        m.append(Macro(f"{r.stem}/disk", fmt.megabytes(r.disk_size_bytes) + r"\,MB",
                       f"{src}: {r.disk_size_bytes} bytes"))
    for c in COMPLEXITIES:
        if c in r.by_complexity:
            count = r.by_complexity[c]
            m.append(Macro(f"{r.stem}/exact-{c}", fmt.percent(count.rate) + r"\%",
                           f"{src}: {c}: {count.correct} of {count.total}"))
    return m + training_macros(r)


def training_macros(r: ModelResult) -> list[Macro]:
    t = r.training
    if not t:
        return []
    src = f"{r.relpath}: config.training"
    fields = {
        "lora-rank": fmt.integer(t["rank"]),
        "lora-alpha": fmt.integer(t["alpha"]),
        "lora-dropout": f"{t['dropout']:g}",
        "lr": fmt.scientific(t["learning_rate"]),
        # 3 and 3.0 both print "3"; a fractional run (1.5 epochs) keeps its fraction.
        "epochs": f"{float(t['epochs']):g}",
        "batch": fmt.integer(t["effective_batch_size"]),
        "warmup": fmt.percent(t["warmup_ratio"], digits=0) + r"\%",
    }
    return [Macro(f"{r.stem}/{k}", v, src) for k, v in fields.items()]


def comparison_macros(results: list[ModelResult], path: Path) -> list[Macro]:
    out: list[Macro] = []
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    for cmp in load_comparisons(path, results):
        name, ra, rb = cmp.name, cmp.a, cmp.b
        src = f"{rel}: {ra.relpath} vs {rb.relpath}"
        out += [
            Macro(f"cmp/{name}/exact-ratio",
                  fmt.ratio(ra.json_exact.rate / rb.json_exact.rate) + r"$\times$", src),
            Macro(f"cmp/{name}/size-ratio",
                  fmt.ratio(rb.parameters / ra.parameters) + r"$\times$", src),
            Macro(f"cmp/{name}/exact-gain",
                  fmt.points(ra.json_exact.rate, rb.json_exact.rate), src),
        ]
    return out


def dataset_macros(stats: dict, data_dir: Path = DATA_DIR) -> list[Macro]:
    src = data_dir.relative_to(ROOT).as_posix() if data_dir.is_relative_to(ROOT) else str(data_dir)
    train, test = stats["splits"]["train"], stats["splits"]["test"]
    labelled = {c: test["by_complexity"][c]["labelled"] for c in COMPLEXITIES}
    values = {
        "train-examples": train["examples"],
        "test-examples": test["examples"],
        "schemas": stats["schemas"]["total"],
        "train-unlabelled": train["unlabelled"],
        "test-unlabelled": test["unlabelled"],
        "test-labelled": sum(labelled.values()),
    }
    for c in COMPLEXITIES:
        values[f"schemas-{c}"] = stats["schemas"]["by_complexity"][c]
        values[f"test-labelled-{c}"] = labelled[c]
        values[f"test-{c}"] = test["by_complexity"][c]["examples"]
    return [Macro(f"data/{k}", fmt.integer(v), src) for k, v in values.items()]


def eval_macros(results: list[ModelResult]) -> list[Macro]:
    """Evaluation settings shared by every run; a mismatch is an error, since the paper
    states one setting for all models."""
    settings = {(r.raw["config"]["max_new_tokens"], r.raw["config"]["decoding"]) for r in results}
    if len(settings) != 1:
        raise UserError(f"results disagree on max_new_tokens/decoding: {sorted(settings)}")
    (max_new, decoding), = settings
    src = f"{RESULTS_DIR.relative_to(ROOT).as_posix()}/*.json: config"
    return [Macro("eval/max-new-tokens", fmt.integer(max_new), src),
            Macro("eval/decoding", decoding, src)]


def all_macros(results: list[ModelResult], comparisons: Path, stats: dict) -> list[Macro]:
    from papertools.render.measured import load_paired, measured_macros, paired_macros

    macros = [m for r in results for m in model_macros(r) + measured_macros(r)]
    macros += [m for p in load_paired() for m in paired_macros(p)]
    macros += comparison_macros(results, comparisons) + dataset_macros(stats) + eval_macros(results)
    seen: set[str] = set()
    for m in macros:
        if m.key in seen:
            raise UserError(f"two results define the macro key '{m.key}'; rename one file")
        seen.add(m.key)
    return macros
