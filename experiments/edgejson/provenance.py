"""The provenance of a measured run: versions, git commit, hardware, timestamps.

The metrics file itself (its model, validation and writing) is `maaza_core.metrics`.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from maaza_core.paths import ROOT

_PACKAGES = ("torch", "transformers", "peft", "tokenizers", "accelerate", "jsonschema",
             "numpy", "scipy", "maaza-paper")


def run_name(name: str | None, model: str) -> str:
    """The name a run goes by: the metrics file's model.name, `batch --only`, the out folder.

    One derivation, so that the name a user reads in a metrics file is the one the batch
    config accepts: the given name, else the last part of the model id or path.
    """
    return name or Path(model.rstrip("/")).name


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


# Instruction-set extensions CPU matmul speed hinges on: two machines both named "AMD EPYC"
# ran the same zero-shot benchmark at very different speeds, one with AVX-512 and BF16, one
# with AVX2 only (bench/results/harness-speed-smollm2-135m-instruct-q4-zero-shot*.json).
CPU_FEATURES = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")
CPUINFO = Path("/proc/cpuinfo")  # Linux; elsewhere the fields are None and no features


def hardware(device: str | None = None) -> dict[str, Any]:
    """The machine a run used; the GPU name matters most for throughput figures."""
    info: dict[str, Any] = {"platform": platform.platform(), "machine": platform.machine(),
                            "processor": platform.processor() or None,
                            "cpu_count": os.cpu_count(), "python": sys.version.split()[0]}
    info["cpu_model"] = cpuinfo_field("model name") or platform.processor() or None
    flags = cpu_flags()
    info["cpu_features"] = [f for f in CPU_FEATURES if f in flags]
    if device:
        import torch

        info["torch_threads"] = torch.get_num_threads()  # what CPU timings ran on
        info["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
        if device.startswith("cuda"):
            info["gpu"] = torch.cuda.get_device_name(0)
    return info


def cpu_flags() -> set[str]:
    """The CPU's instruction-set flags as the kernel reports them (empty off Linux)."""
    return set((cpuinfo_field("flags") or "").split())


def cpuinfo_field(name: str) -> str | None:
    """A field of the first CPU in /proc/cpuinfo (Linux); None elsewhere."""
    try:
        for line in CPUINFO.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == name:
                return value.strip()
    except OSError:
        pass
    return None


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
