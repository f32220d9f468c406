"""The atomic writer keeps a file's permissions and creates new files per the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from maaza_core.atomic import write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    """Set a umask for one test and restore the old one."""
    saved = os.umask(0o022)
    yield os.umask
    os.umask(saved)


@pytest.mark.parametrize("mode", [0o644, 0o755, 0o600, 0o664])
def test_an_existing_file_keeps_its_mode(tmp_path, umask, mode):
    umask(0o077)  # a umask that would give 0600 must not matter for an existing file
    path = tmp_path / "references.bib"
    path.write_text("old\n")
    path.chmod(mode)
    write_atomic(path, "new\n")
    assert path.read_text() == "new\n" and _mode(path) == mode


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_follows_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    path = tmp_path / "sub" / "new.yaml"
    write_atomic(path, "x: 1\n")
    assert _mode(path) == mode
    assert os.umask(mask) == mask  # the writer left the umask as it found it


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "library.yaml"
    path.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "bad \udc80 surrogate\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["library.yaml"]


def test_a_folder_is_replaced_whole_or_not_at_all(tmp_path, umask):
    """replacing_dir: the new folder replaces the old one as a whole; an error inside the
    block leaves the old one as it was; neither leaves a temporary folder beside it."""
    from maaza_core.atomic import replacing_dir

    umask(0o022)
    path = tmp_path / "export"
    path.mkdir()
    (path / "old.gguf").write_text("old")
    with pytest.raises(RuntimeError), replacing_dir(path) as stage:
        (stage / "new.gguf").write_text("half")
        raise RuntimeError("a step failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]
    assert [p.name for p in path.iterdir()] == ["old.gguf"]
    with replacing_dir(path) as stage:
        (stage / "new.gguf").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]
    assert [p.name for p in path.iterdir()] == ["new.gguf"]
    with replacing_dir(tmp_path / "fresh") as stage:
        (stage / "a").write_text("a")
    assert _mode(tmp_path / "fresh") == 0o755  # not mkdtemp's 0700
