"""What only a run of the project's own harness can tell (validity, truncation, tokens,
time per example, how rows ended), formatted once for the macros and the measured-runs
table, so that the prose and the table cannot print the same figure differently.

Reported results carry none of this: a file without ``"provenance": "measured"`` has no
measured values. The macros are built in ``macros.py``, the tables in ``contexts.py``; the
order and labels of the measured runs (`measured_runs`, `RunLabel`) are shared by those
tables and the measured-runs figure, so a run sits in the same place under the same name
in all three. `main_protocol` picks the runs that the tables and figures of the main
results show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from maaza_core.consistency import STOPS
from maaza_core.metrics import MetricsDoc
from papertools.render import numbers as fmt

# Rates a measured run adds to JSONExact: macro and table name -> metrics key.
RATES = {"valid": "valid_json", "schema": "schema_compliant", "truncated": "truncated"}


def measured_values(r: MetricsDoc) -> dict[str, tuple[str, str]]:
    """What a run measured, formatted once for macros and table: name -> (value, where).

    A figure the file does not have (timings of rescored outputs) is simply absent.
    """
    overall, perf = r.metrics.overall, r.performance
    out = {name: (fmt.percent(c.rate), f"{key}: {c.correct} of {c.total}")
           for name, key in RATES.items() for c in [getattr(overall, key)] if c is not None}
    if overall.field_f1_nested is not None:
        out["f1-nested"] = (fmt.decimal(overall.field_f1_nested.mean),
                            "metrics.overall.field_f1_nested")
    if perf:
        out["tokens-mean"] = (fmt.decimal(perf.generated_tokens_mean, 0),
                              "performance.generated_tokens_mean")
        # Run time per example: the run's generation time / examples (rows decoded
        # together), what results.schema.json calls performance.wall_s / examples.
        out["s-per-example"] = (fmt.decimal(perf.wall_s / perf.examples, 2),
                          f"performance.wall_s {perf.wall_s} / {perf.examples} examples")
        for stop in STOPS:
            out[f"stop-{stop}"] = (fmt.integer(perf.stop_reasons.get(stop, 0)),
                                   "performance.stop_reasons")
    return out


# A file written before prompt formats existed has no config.prompt_format: its runs all
# used the plain template the fine-tuning uses (maaza_core.metrics.RunConfig).
DEFAULT_PROMPT = "bare"
# A run name's trailing note of its shots, "(3-shot)" or "(few-shot, 3 examples)".
SHOTS_NOTE = re.compile(r"\s*\([^()]*shot[^()]*\)\s*$")


@dataclass(frozen=True)
class RunLabel:
    """How a measured run is named in tables and figures: the checkpoint, then how it
    was prompted and decoded, each in its own column."""

    model: str  # the display name without the words naming prompt and decoding
    prompt: str  # edgejson prompt format name (bare, chat, chat-schema, few-shot-K, ...)
    decoding: str  # "greedy", or "constrained" for greedy decoding under the schema

    def __str__(self) -> str:
        """One line, for a figure's axis: 'model, prompt, decoding'."""
        return f"{self.model}, {self.prompt}, {self.decoding}"


def run_label(r: MetricsDoc) -> RunLabel:
    """The run's label. Run names repeat the prompt and decoding after the model's name
    ("SmolLM2-135M-Instruct chat-schema constrained"); with their own columns those words
    would be printed twice, so trailing words naming them are dropped from the name, and
    so is a trailing parenthesis that names the shots ("Gemma-3-270M (3-shot)")."""
    prompt = r.config.prompt_format or DEFAULT_PROMPT
    decoding = "constrained" if r.config.constrain == "schema" else r.config.decoding
    words = SHOTS_NOTE.sub("", r.model.name).split() or r.model.name.split()
    while len(words) > 1 and words[-1] in {prompt, decoding, "constrained"}:
        words.pop()
    return RunLabel(" ".join(words), prompt, decoding)


def measured_runs(results: list[MetricsDoc]) -> list[MetricsDoc]:
    """The measured runs in the order of the measured table and figure: prompted runs
    first, fine-tuned ones after them (zero-shot before LoRA, as the other tables do at each size);
    within each, by model size and name, then prompt format (alphabetical: bare, chat,
    chat-schema, few-shot-K), unconstrained before constrained."""
    def key(r: MetricsDoc) -> tuple:
        label = run_label(r)
        return (r.model.method != "zero-shot", r.model.parameters, label.model,
                label.prompt, label.decoding == "constrained", r.stem)
    return sorted((r for r in results if r.provenance == "measured"), key=key)


def in_main_protocol(r: MetricsDoc) -> bool:
    """Whether a run follows the protocol of the main results (Section 5.1): the bare
    prompt, decoded without a constraint. Every reported run does."""
    label = run_label(r)
    return label.prompt == DEFAULT_PROMPT and label.decoding != "constrained"


def main_protocol(results: list[MetricsDoc]) -> list[MetricsDoc]:
    """The runs of the main results' tables and figures: the reported ones and the measured
    ones under the same protocol. The measured baselines of other prompt formats or
    decodings appear only in the measured table and figure (Section 5.5), which would
    otherwise be repeated, one row and one bar per run, in every table and figure."""
    return [r for r in results if in_main_protocol(r)]
