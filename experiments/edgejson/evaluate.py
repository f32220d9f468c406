"""`edgejson evaluate`: generate (resumably), score, write the metrics file.

Layout of an output folder: predictions.jsonl (grows as batches finish) and
metrics.json (written at the end, atomically).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from maaza_core.errors import UserError
from maaza_core.paths import DATA_DIR

from .data import data_sha256, load_dataset, load_split
from .predictions import PredictionWriter, read_predictions
from .results import run_provenance, utc_now, write_metrics
from .scoring import metrics_document, performance, score_predictions, summary_lines

PREDICTIONS_FILE = "predictions.jsonl"
METRICS_FILE = "metrics.json"


@dataclass(frozen=True)
class EvalSettings:
    """One evaluation; also the header of its predictions file (minus the volatile keys)."""

    model: str  # hub id or local folder of the base model
    out_dir: Path  # where predictions.jsonl and metrics.json go
    name: str | None = None  # display name in tables (default: last part of the id)
    adapter: str | None = None  # LoRA adapter folder or hub id, merged before timing
    revision: str | None = None  # hub revision (branch, tag or commit)
    split: str = "test"  # which split to evaluate
    limit: int | None = None  # first N examples only (in file order), for smoke runs
    batch_size: int | None = None  # rows per generate() call (None: fastest for the device)
    max_new_tokens: int = 512  # the paper's limit; hitting it counts as truncation
    device: str = "auto"  # auto | cuda | mps | cpu
    dtype: str = "auto"  # auto | float32 | bfloat16 | float16
    trust_remote_code: bool = False  # run code shipped with the weights (off: safer)
    data_dir: Path = DATA_DIR  # the EdgeJSON folder
    progress: bool = True  # show a progress bar

    def fingerprint(self) -> dict[str, Any]:
        """What must match for a resumed run to continue an existing predictions file.

        batch_size and limit may change between runs: outputs do not depend on them.
        """
        keys = ("model", "adapter", "revision", "split", "max_new_tokens", "dtype",
                "trust_remote_code")
        return {k: asdict(self)[k] for k in keys}


def _pending(settings: EvalSettings, preds_path: Path, ids: list[str]) -> set[str]:
    """Ids still to generate; checks that an existing file was made the same way."""
    if not preds_path.exists():
        return set(ids)
    existing = read_predictions(preds_path, repair=True)
    if existing.settings is not None and existing.settings != settings.fingerprint():
        raise UserError(f"{preds_path}: made with other settings {existing.settings} "
                        "(fix: choose another --out folder or delete the file)")
    return set(ids) - set(existing.records)


def _model_block(settings: EvalSettings, info: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": settings.name or Path(settings.model.rstrip("/")).name,
        "id": settings.model,
        "base_model": settings.model if settings.adapter else None,
        "adapter": settings.adapter,
        "revision": info.get("revision") or info.get("weights_sha256"),
        "method": "lora" if settings.adapter else "zero-shot",
        "parameters": int(info["parameters"]),
        "disk_size_bytes": info.get("disk_size_bytes"),
    }


def _training_config(adapter: str | None) -> dict[str, Any] | None:
    """The resolved config `edgejson train` saved next to a local adapter, if any."""
    from .train import read_train_config

    if adapter and Path(adapter).is_dir():
        return read_train_config(Path(adapter))
    return None


def evaluate(settings: EvalSettings) -> dict[str, Any]:
    """Run (or resume) one evaluation and return its metrics document."""
    from .generate import run_generation  # torch is imported only when generating
    from .modelload import auto_batch_size, load_model

    started = utc_now()
    dataset = load_dataset(settings.data_dir)
    examples = load_split(settings.split, settings.data_dir, dataset)[: settings.limit]
    preds_path = settings.out_dir / PREDICTIONS_FILE
    pending = _pending(settings, preds_path, [e.id for e in examples])
    loaded = load_model(settings.model, adapter=settings.adapter, revision=settings.revision,
                        device=settings.device, dtype=settings.dtype,
                        trust_remote_code=settings.trust_remote_code)
    batch_size = settings.batch_size or auto_batch_size(loaded.device)
    with PredictionWriter(preds_path, settings.fingerprint()) as writer:
        run_generation(loaded, [e for e in examples if e.id in pending],
                       batch_size=batch_size, max_new_tokens=settings.max_new_tokens,
                       on_batch=writer.write_batch, progress=settings.progress)
    preds = read_predictions(preds_path)
    records = [preds.records[e.id] for e in examples]
    sha = data_sha256(settings.data_dir)
    doc = metrics_document(
        model=_model_block(settings, loaded.info), split=settings.split, data_sha256=sha,
        scores=score_predictions(examples, preds, dataset),
        config={"max_new_tokens": settings.max_new_tokens, "batch_size": batch_size,
                "training": _training_config(settings.adapter)},
        perf=performance(records),
        run=run_provenance(device=str(loaded.device), dtype=str(loaded.dtype).split(".")[-1],
                           started=started, data_sha256=sha,
                           extra={"weights": loaded.info, "resumed": len(pending) < len(examples),
                                  "trust_remote_code": settings.trust_remote_code}),
        source="Measured by `edgejson evaluate` in this repository (see run.command).",
    )
    write_metrics(settings.out_dir / METRICS_FILE, doc)
    return doc


def print_summary(doc: dict[str, Any]) -> None:
    """Print the terminal summary of a metrics document."""
    print("\n".join(summary_lines(doc)))
