"""Where llama.cpp's converters come from: the locked llama-cpp-python sdist, checked
against the lock's hash, kept in .cache and checked again at every use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from edgejson.llamatools import converters, locked_sdist
from maaza_core.errors import UserError


def test_the_lock_gives_the_version_and_hash(tmp_path: Path) -> None:
    version, sha = locked_sdist()
    assert version and len(sha) == 64
    lock = tmp_path / "edge.txt"
    lock.write_text("llama-cpp-python==0.3.36\n")  # planted: pinned, but without a hash
    with pytest.raises(UserError, match=r"edge\.txt: no hash-pinned llama-cpp-python"):
        locked_sdist(lock)


@pytest.mark.ml  # llama-cpp-python installed (make venv-edge), whose version it checks
@pytest.mark.network  # the first use downloads the sdist from PyPI
def test_a_changed_converter_is_refused(tmp_path: Path) -> None:
    tools = converters()
    copy = tmp_path / tools.name
    shutil.copytree(tools, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert converters(tmp_path) == copy  # a faithful copy passes, offline
    script = copy / "convert_hf_to_gguf.py"
    script.write_text(script.read_text() + "\n# changed\n")
    with pytest.raises(UserError, match=r"changed since it was extracted .*fix: delete"):
        converters(tmp_path)


@pytest.mark.ml
def test_without_the_sdist_and_offline_the_error_says_what_to_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No cached converters and no index (PIP_NO_INDEX: pip connects nowhere)."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    with pytest.raises(UserError, match=r"pip could not download llama-cpp-python==\S+ "
                                        r"\(.*\) \(fix: check the network"):
        converters(tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing half-extracted
