"""A run of a GGUF file learns from the export's manifest which adapter and base it was
made from, and only while the file is the one the manifest hashed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edgejson.exportmanifest import FORMAT, MANIFEST, export_facts
from edgejson.registry import sha256_files
from maaza_core.errors import DataError


def _export(tmp_path: Path) -> Path:
    gguf = tmp_path / "merged-q4_1.gguf"
    gguf.write_bytes(b"GGUF weights")
    (tmp_path / MANIFEST).write_text(json.dumps({
        "format": FORMAT, "adapter": "runs/train/x", "adapter_sha256": "a" * 64,
        "base": "smollm2-135m-instruct-q4_1", "base_sha256": "b" * 64,
        "llama_cpp_python": "0.3.36", "training": None,
        "files": [{"name": gguf.name, "type": "q4_1", "sha256": sha256_files([gguf])}]}))
    return gguf


def test_the_file_the_manifest_hashed_names_its_adapter(tmp_path: Path) -> None:
    gguf = _export(tmp_path)
    facts = export_facts(gguf, sha256_files([gguf]))
    assert facts is not None
    assert (facts["adapter"], facts["adapter_sha256"], facts["type"]) == (
        "runs/train/x", "a" * 64, "q4_1")


def test_a_file_changed_after_the_export_is_refused(tmp_path: Path) -> None:
    gguf = _export(tmp_path)
    gguf.write_bytes(b"other weights")  # planted: replaced after the export
    with pytest.raises(DataError, match=r"manifest\.json at /files: merged-q4_1\.gguf has "
                                        r"changed since the export"):
        export_facts(gguf, sha256_files([gguf]))


def test_other_files_are_no_export(tmp_path: Path) -> None:
    gguf = _export(tmp_path)
    other = tmp_path / "base.gguf"
    other.write_bytes(b"x")
    assert export_facts(other, sha256_files([other])) is None  # not listed
    (tmp_path / MANIFEST).unlink()
    assert export_facts(gguf, sha256_files([gguf])) is None  # no manifest
