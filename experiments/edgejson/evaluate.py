"""`edgejson evaluate`: generate (resumably), score, write the metrics file.

Layout of an output folder: predictions.jsonl (grows as batches finish) and
metrics.json (written at the end, atomically); .edgejson.lock while a run writes.

A run is one model on one dataset: an existing predictions file is resumed only when its
fingerprint (what was evaluated: the settings that change outputs, the hashes of the
weights, adapter and data) is this run's; otherwise the run stops and says so (--restart
starts the folder over). Retraining an adapter in place or changing the weights at a path
can therefore never mix two models' rows under one metrics file.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from maaza_core import metrics
from maaza_core.cli import at_least, check_settings, one_of, plain_name, setting
from maaza_core.errors import UserError
from maaza_core.metrics import MetricsDoc, ModelInfo
from maaza_core.paths import DATA_DIR, ROOT, RUNS_DIR

from .data import (
    SPLITS,
    Dataset,
    asserted_schema,
    data_sha256,
    load_dataset,
    load_split,
)
from .predictions import Predictions, PredictionWriter, locked, read_predictions
from .prompt import NAMES_HELP, PromptFormat, encode_prompts, parse_format
from .provenance import run_name, run_provenance, utc_now
from .scoring import metrics_document, performance, score_predictions, summary_lines
from .train import read_train_config

PREDICTIONS_FILE = "predictions.jsonl"
METRICS_FILE = "metrics.json"
CONSTRAINTS = ("none", "schema")  # --constrain; edgejson.constrain implements "schema"
# What a constrained run's grammar is compiled from, in its resume fingerprint: 2, the
# schema as the scorer asserts it (edgejson.data.asserted_schema: formats are annotations).
# Version 1 enforced the formats, and so forbade EdgeJSON's own date-times; its files are
# not resumed by a version-2 run, which names the change.
CONSTRAIN_GRAMMAR = 2
# --engine: the float32 reference (edgejson.generate) or the GGUF run as deployed
# (edgejson.llamacpp); the reference stays the default (experiments/README.md, Edge).
ENGINES = ("torch", "llama.cpp")
# EvalSettings fields that decide where and how fast a run goes, not what it generates;
# every other field (and a field added later) is part of the resume fingerprint. The
# data folder enters as the data's sha256. Greedy outputs do not depend on the batch
# size in float32 (experiments/README.md, Speed), nor on which rows a run covers.
NOT_OUTPUT = frozenset({"out_dir", "name", "limit", "batch_size", "device", "progress",
                        "restart", "data_dir"})


@dataclass(frozen=True)
class EvalSettings:
    """One evaluation; also the header of its predictions file (minus the volatile keys).

    The help texts are also the flags of `edgejson evaluate` (maaza_core.cli.add_settings).
    """

    model: str = setting(help="(base) model: hub id, folder, GGUF file or name in "
                         "experiments/configs/models.yaml")
    out_dir: Path | None = setting(None, flag="--out", help="folder for predictions.jsonl "
                                   "and metrics.json (default: runs/<name>-<split>)")
    name: str | None = setting(None, help="display name in tables (default: last part of "
                               "the model id)", check=plain_name)
    adapter: str | None = setting(None, help="LoRA adapter folder or hub id (merged before "
                                  "timing)")
    revision: str | None = setting(None, help="hub revision of the model (branch, tag, "
                                   "commit)")
    split: str = setting("test", help="split to evaluate, train or test",
                         check=one_of(*SPLITS))
    limit: int | None = setting(None, help="first N examples only (in file order), for "
                                "smoke runs", check=at_least(1))
    # The one default batch size (make eval and batch configs inherit it): the most slots
    # benchmarked, which beat every smaller count in the same run on 2-core CPUs
    # (bench/results/harness-speed-*.json, tabulated in experiments/README.md, Speed).
    # Not measured on a GPU.
    batch_size: int = setting(64, help="rows decoded together; a finished row's slot is "
                              "refilled at once", check=at_least(1))
    max_new_tokens: int = setting(512, help="generation limit; hitting it counts as "
                                  "truncation", check=at_least(1))
    device: str = setting("auto", help="auto, cuda (or cuda:N), mps or cpu",
                          check=one_of("auto", "cuda", "mps", "cpu", pattern=r"cuda:\d+"))
    dtype: str = setting("auto", help="auto, float32, bfloat16 or float16",
                         check=one_of("auto", "float32", "bfloat16", "float16"))
    trust_remote_code: bool = setting(False, help="allow code shipped with the weights "
                                      "(off: safer)")
    data_dir: Path = setting(DATA_DIR, flag="--data", help="the EdgeJSON folder")
    prompt: str = setting("bare", help=f"prompt format: {NAMES_HELP} (edgejson/prompt.py "
                          "describes each)")
    constrain: str = setting("none", choices=CONSTRAINTS, help="schema: every token keeps "
                             "the output a prefix of a JSON value valid against the row's "
                             "schema (llguidance); none: plain greedy decoding")
    engine: str = setting("torch", choices=ENGINES, help="torch: dequantize to --dtype and "
                          "decode with PyTorch (the reference); llama.cpp: run the GGUF as "
                          "deployed, in its quantized types on the CPU (make venv-edge)")
    progress: bool = setting(True, help="show a progress bar")
    restart: bool = setting(False, help="delete the output folder's predictions and "
                            "metrics and start over (needed when they were made with "
                            "other weights, adapter, data or settings)")

    @property
    def display_name(self) -> str:
        """The run's name (provenance.run_name): tables, metrics file and `batch --only` agree on
        it."""
        return run_name(self.name, self.model)

    @property
    def out(self) -> Path:
        """The output folder: out_dir, else runs/<name>-<split>."""
        return self.out_dir or RUNS_DIR / f"{self.display_name.lower()}-{self.split}"

    def fingerprint(self) -> dict[str, Any]:
        """The settings part of the resume fingerprint: every field but NOT_OUTPUT, as it
        reads back from the predictions file's header (a tuple as a list, a Path as text),
        so an unchanged setting always compares equal. A reference run leaves `engine` out,
        so files written before the setting existed (all reference runs) still resume."""
        grammar = {} if self.constrain == "none" else {"constrain_grammar": CONSTRAIN_GRAMMAR}
        return json.loads(json.dumps({**{f.name: getattr(self, f.name) for f in fields(self)
                                         if f.name not in NOT_OUTPUT
                                         and (f.name, getattr(self, f.name)) != ("engine",
                                                                                 "torch")},
                                      **grammar}, default=str))


def run_fingerprint(settings: EvalSettings, info: dict[str, Any], dtype: str,
                    data_sha: str) -> dict[str, Any]:
    """What was evaluated: the settings part, the weights and adapter the model loaded
    (their sha256, or the hub commit), the dtype "auto" resolved to, the data's sha256."""
    return {**settings.fingerprint(), "dtype_loaded": dtype,
            "weights_sha256": info.get("weights_sha256"), "weights_revision":
            info.get("revision"), "adapter_sha256": info.get("adapter_sha256"),
            "data_sha256": data_sha}


def constraint_schemas(dataset: Dataset, constrain: str) -> dict[str, Any] | None:
    """The schemas rows decode under (None: unconstrained), as the scorer asserts them;
    each engine compiles only those of the rows it decodes."""
    if constrain == "none":
        return None
    return {sid: asserted_schema(schema) for sid, schema in dataset.schemas.items()}


def _existing(settings: EvalSettings, preds_path: Path) -> Predictions | None:
    """The predictions a run would resume (a torn last line cut), after --restart none."""
    if settings.restart:
        for name in (PREDICTIONS_FILE, METRICS_FILE):
            (settings.out / name).unlink(missing_ok=True)
    if not preds_path.exists() or preds_path.stat().st_size == 0:
        return None
    return read_predictions(preds_path, repair=True)


def _check_resume(existing: Predictions | None, wanted: dict[str, Any],
                  preds_path: Path) -> None:
    """Refuse to resume a file whose fingerprint differs in any key of `wanted`."""
    if existing is None:
        return
    recorded = existing.settings or {}
    changed = [f"{k}: {_short(recorded.get(k, '(not recorded)'))} there, {_short(v)} now"
               for k, v in wanted.items() if recorded.get(k, "(not recorded)") != v]
    if changed:
        raise UserError(f"{preds_path}: made by another run ({'; '.join(changed)}); a run "
                        "is one model on one dataset (fix: choose another --out, or pass "
                        "--restart to delete its predictions and start over)")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:24] + "..."


def _pending(existing: Predictions | None, ids: list[str]) -> set[str]:
    """Ids still to generate."""
    return set(ids) - set(existing.records if existing else ())


def _model_info(settings: EvalSettings, info: dict[str, Any]) -> ModelInfo:
    """The model part of the metrics file. A merged GGUF of `edgejson export-gguf` is a
    fine-tuned model too: its base and adapter come from the export's manifest."""
    export = info.get("export") or {}
    return ModelInfo(
        name=settings.display_name,
        id=settings.model,
        base_model=settings.model if settings.adapter else export.get("base"),
        adapter=settings.adapter or export.get("adapter"),
        revision=info.get("revision") or info.get("weights_sha256"),
        method="lora" if settings.adapter or export else "zero-shot",
        parameters=int(info["parameters"]),
        disk_size_bytes=info.get("disk_size_bytes"),
    )


def _training_config(adapter: str | None, info: dict[str, Any]) -> dict[str, Any] | None:
    """The resolved config `edgejson train` saved next to a local adapter, or the copy an
    export of it keeps beside its manifest, if any."""
    export = info.get("export")
    if export and export.get("training"):
        return read_train_config((ROOT / export["manifest"]).parent)
    if adapter and Path(adapter).is_dir():
        return read_train_config(Path(adapter))
    return None


def _engine(settings: EvalSettings) -> tuple[Callable[[], Any], Callable[..., None]]:
    """The chosen engine's loader and generation loop (same contract for both).

    llama.cpp takes the GGUF as it is: flags that only the reference honours are refused
    rather than silently ignored.
    """
    if settings.engine == "llama.cpp":
        ignored = [flag for flag, value, default in (
            ("--dtype", settings.dtype, "auto"), ("--revision", settings.revision, None),
            ("--trust-remote-code", settings.trust_remote_code, False))
            if value != default] + (["--device " + settings.device]
                                    if settings.device not in ("auto", "cpu") else [])
        if ignored:
            raise UserError(f"--engine llama.cpp: {', '.join(ignored)} applies to the torch "
                            "engine only (llama.cpp computes in the GGUF's own types on the "
                            "CPU; fix: drop the flag)")
        from .llamacpp import load_llama
        from .llamacpp import run_generation as llama_generation

        return lambda: load_llama(settings.model, adapter=settings.adapter), llama_generation
    from .generate import run_generation  # torch is imported only when generating
    from .modelload import load_model

    return lambda: load_model(settings.model, adapter=settings.adapter,
                              revision=settings.revision, device=settings.device,
                              dtype=settings.dtype,
                              trust_remote_code=settings.trust_remote_code), run_generation


def beyond_context(ids: list[str], encoded: list[list[int]], context: int | None,
                   max_new_tokens: int) -> str | None:
    """Say which rows can run past the positions the model was trained for. Why only a
    warning: the run stays the protocol's (a long few-shot prompt is what that format
    gives), but a reader of its scores must know that those rows' outputs come from
    positions the model never saw."""
    if not context:
        return None
    over = [i for i, tokens in zip(ids, encoded, strict=True)
            if len(tokens) + max_new_tokens > context]
    if not over:
        return None
    shown = ", ".join(over[:5]) + (", ..." if len(over) > 5 else "")
    return (f"{len(over)} of {len(ids)} rows have a prompt that, with {max_new_tokens} new "
            f"tokens, exceeds the {context} positions the model was trained for ({shown}); "
            "their outputs come from positions it never saw (fix, if unwanted: a prompt "
            "format with fewer shots, or a model with a longer context)")


def evaluate(settings: EvalSettings) -> MetricsDoc:
    """Run (or resume) one evaluation and return its metrics document."""
    from .versions import check_ml_stack

    check_settings(settings)  # a settings object from code or YAML meets the flags' rules
    check_ml_stack()  # before importing transformers: an old one fails obscurely
    load, run_generation = _engine(settings)

    started = utc_now()
    fmt = parse_format(settings.prompt)
    dataset = load_dataset(settings.data_dir)
    examples = load_split(settings.split, settings.data_dir, dataset)[: settings.limit]
    sha = data_sha256(settings.data_dir)
    preds_path = settings.out / PREDICTIONS_FILE
    with locked(settings.out):
        existing = _existing(settings, preds_path)
        _check_resume(existing, settings.fingerprint(), preds_path)  # before the slow load
        loaded = load()
        dtype = str(loaded.dtype).split(".")[-1]
        fingerprint = run_fingerprint(settings, loaded.info, dtype, sha)
        _check_resume(existing, fingerprint, preds_path)
        pending = _pending(existing, [e.id for e in examples])
        todo = [e for e in examples if e.id in pending]
        encoded = encode_prompts(fmt, todo, loaded.tokenizer, dataset.schemas,
                                 load_split("train", settings.data_dir, dataset) if fmt.shots
                                 else [], settings.model)
        warning = beyond_context([e.id for e in todo], encoded, loaded.context_length,
                                 settings.max_new_tokens)
        if warning:
            print(f"edgejson evaluate: warning: {warning}", file=sys.stderr)
        with PredictionWriter(preds_path, fingerprint) as writer:
            run_generation(loaded, todo, encoded,
                           slots=settings.batch_size, max_new_tokens=settings.max_new_tokens,
                           on_rows=writer.write_rows, progress=settings.progress,
                           schemas=constraint_schemas(dataset, settings.constrain))
        doc = _document(settings, examples, dataset, loaded, sha, started, dtype, fmt,
                        resumed=len(pending) < len(examples))
        loaded.close()
        metrics.dump(doc, settings.out / METRICS_FILE)
    return doc


def _document(settings: EvalSettings, examples: list[Any], dataset: Any, loaded: Any,
              sha: str, started: str, dtype: str, fmt: PromptFormat,
              resumed: bool) -> MetricsDoc:
    """The metrics document of the finished predictions file."""
    preds = read_predictions(settings.out / PREDICTIONS_FILE)
    records = [preds.records[e.id] for e in examples]
    return metrics_document(
        model=_model_info(settings, loaded.info), split=settings.split, data_sha256=sha,
        scores=score_predictions(examples, preds, dataset),
        max_new_tokens=settings.max_new_tokens, batch_size=settings.batch_size,
        prompt_format=fmt, constrain=settings.constrain, engine=settings.engine,
        training=_training_config(settings.adapter, loaded.info), perf=performance(records),
        run=run_provenance(device=str(loaded.device), dtype=dtype, started=started,
                           data_sha256=sha,
                           extra={"weights": loaded.info, "resumed": resumed,
                                  "trust_remote_code": settings.trust_remote_code}),
        source="Measured by `edgejson evaluate` in this repository (see run.command).",
    )


def print_summary(doc: MetricsDoc) -> None:
    """Print the terminal summary of a metrics document."""
    print("\n".join(summary_lines(doc)))
