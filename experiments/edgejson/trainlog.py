"""The per-step training log: one JSON line per optimizer step, appended as it happens.

Why a file of our own: the trainer's history lives in its checkpoints and vanishes with
them, and a run killed between checkpoints loses its last steps. This log survives, and
on resume the steps after the checkpoint (which are about to be redone) are dropped, so
the log always describes exactly one run with no step twice.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from maaza_core.atomic import os_errors_of, write_atomic
from maaza_core.jsonl import iter_jsonl


class LossLog(TrainerCallback):
    """Appends {step, epoch, loss, learning_rate, grad_norm, seconds} per logged step."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.started = time.monotonic()

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        """Start the clock and the log file: a resumed run appends to the steps already logged."""
        # state.global_step is the resumed checkpoint's step (0 for a fresh run).
        kept = [r for r in read_loss_log(self.path) if r["step"] <= state.global_step]
        write_atomic(self.path, "".join(json.dumps(r) + "\n" for r in kept))

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None,
               **kwargs: Any) -> None:
        """Append one optimizer step (loss, learning rate, gradient norm, seconds) to the log."""
        if not logs or "loss" not in logs:
            return
        row = {"step": state.global_step, "epoch": round(state.epoch or 0.0, 4),
               "loss": logs["loss"], "learning_rate": logs.get("learning_rate"),
               "grad_norm": logs.get("grad_norm"),
               "seconds": round(time.monotonic() - self.started, 1)}
        with os_errors_of(self.path), self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
            fh.flush()


def read_loss_log(path: Path) -> list[dict[str, Any]]:
    """The rows of a loss log; a torn last line (killed mid-write) is ignored."""
    if not path.is_file():
        return []
    return [row for _, row in iter_jsonl(path, torn_tail_ok=True)]
