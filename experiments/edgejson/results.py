"""The metrics JSON (format "edgejson-metrics/1") and the provenance of a measured run.

Every file is validated against experiments/results.schema.json before it is written
and written atomically, so `make paper` never reads a half-written or malformed file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import jsonschema

from maaza_core.atomic import write_atomic
from maaza_core.consistency import check_metrics
from maaza_core.errors import UserError
from maaza_core.paths import RESULTS_SCHEMA, ROOT

FORMAT = "edgejson-metrics/1"
_PACKAGES = ("torch", "transformers", "peft", "tokenizers", "accelerate", "jsonschema",
             "numpy", "scipy", "maaza-paper")


def utc_now() -> str:
    """ISO 8601 timestamp in UTC, second precision."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages a result depends on (None if absent)."""
    out: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit() -> dict[str, Any]:
    """HEAD and whether the tree had uncommitted changes (a dirty run is not reproducible)."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True,
                                  text=True, timeout=10, check=True)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(status) if status is not None
            else None}


def hardware(device: str | None = None) -> dict[str, Any]:
    """The machine a run used; the GPU name matters most for throughput figures."""
    info: dict[str, Any] = {"platform": platform.platform(), "machine": platform.machine(),
                            "processor": platform.processor() or None,
                            "cpu_count": os.cpu_count(), "python": sys.version.split()[0]}
    info["cpu_model"] = _cpu_model()
    if device:
        import torch

        info["torch_threads"] = torch.get_num_threads()  # what CPU timings ran on
        if device.startswith("cuda"):
            info["gpu"] = torch.cuda.get_device_name(0)
    return info


def _cpu_model() -> str | None:
    """The CPU's marketing name (Linux); CPU latencies mean little without it."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def run_provenance(*, device: str | None, dtype: str | None, started: str,
                   data_sha256: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The "run" object of a measured metrics file."""
    return {
        "started": started,
        "finished": utc_now(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "git": git_commit(),
        "packages": package_versions(),
        "hardware": hardware(device),
        "device": device,
        "dtype": dtype,
        "data_sha256": data_sha256,
        **(extra or {}),
    }


def validate_metrics(doc: dict[str, Any], where: str = "metrics", text: str | None = None,
                     ) -> None:
    """Raise a UserError naming the first schema violation, then the first inconsistency
    (the paper's render layer applies the same rules, plus the data set's sizes)."""
    schema = json.loads(RESULTS_SCHEMA.read_text(encoding="utf-8"))
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(doc))
    if error is not None:
        path = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise UserError(f"{where}: not a valid {FORMAT} file at {path}: {error.message}")
    check_metrics(doc, where, text)


def write_json_atomic(path: Path, doc: Any) -> None:
    """Pretty JSON, written atomically (a killed run never leaves half a metrics file)."""
    write_atomic(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def write_metrics(path: Path, doc: dict[str, Any]) -> None:
    """Validate, then write atomically."""
    validate_metrics(doc, str(path))
    write_json_atomic(path, doc)


def read_metrics(path: Path) -> dict[str, Any]:
    """Load and validate a metrics file (either provenance)."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text)
    except FileNotFoundError:
        raise UserError(f"{path}: no such metrics file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder (fix: pass its metrics.json)") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text (fix: pass a metrics JSON file)") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
    validate_metrics(doc, str(path), text)
    return doc
