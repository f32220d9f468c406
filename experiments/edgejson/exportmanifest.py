"""The manifest of an `edgejson export-gguf` folder: written by the export, read by a run.

Why a module of its own: the llama.cpp engine reads it (a run of an exported file names
the adapter and base it came from), and the engine must not import the export, which
imports the engine's quantizer.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from maaza_core.errors import DataError
from maaza_core.jsonfile import read_json
from maaza_core.paths import display

from .registry import sha256_files

MANIFEST = "manifest.json"
FORMAT = "edgejson-gguf-export/1"


def file_entry(path: Path, kind: str) -> dict[str, Any]:
    """A written file: its type, size, digest and how many tensors of each GGUF type."""
    from gguf import GGUFReader

    tensors = Counter(t.tensor_type.name for t in GGUFReader(path).tensors)
    return {"name": path.name, "type": kind, "bytes": path.stat().st_size,
            "sha256": sha256_files([path]), "tensor_types": dict(sorted(tensors.items()))}


def export_facts(path: Path, sha256: str | None) -> dict[str, Any] | None:
    """What a run of `path` must record when the file is one of an export's: the adapter
    and base it was made from, and its manifest (None for any other GGUF)."""
    manifest = path.parent / MANIFEST
    if not manifest.is_file():
        return None
    _, doc = read_json(manifest, "export manifest", "pass the file")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return None
    entry = next((f for f in doc.get("files") or () if f.get("name") == path.name), None)
    if entry is None:
        return None
    if entry.get("sha256") != sha256:
        raise DataError(manifest, f"{path.name} has changed since the export (sha256 "
                        f"{sha256}) (fix: export it again, make gguf-ft)", pointer="/files")
    return {"manifest": display(manifest), "type": entry["type"],
            **{k: doc.get(k) for k in ("adapter", "adapter_sha256", "base", "base_sha256",
                                       "llama_cpp_python", "training")}}
