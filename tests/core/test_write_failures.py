"""OS errors while writing (issue 22, item 6): a write the system refuses is one line
naming the path and the reason, exit 1, no traceback, and the previous file stays intact
with no temporary file left beside it.

Planted with the real system, not mocks: the file-size limit (RLIMIT_FSIZE, `ulimit -f`)
in a child process, a folder path that runs through a file, and (when not root, who may
write anywhere) a read-only folder.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from maaza_core.atomic import replacing, write_atomic
from maaza_core.errors import UserError

BIN = Path(sys.executable).parent
OLD = "% the previous macros, which must survive\n" * 100  # 4,300 bytes


def _limited(limit: int):
    def set_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return set_limit


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("command", [
    ["papertools", "render", "macros", "-o"],  # ~24 kB of macros
    ["edgejson", "stats", "-o"],  # ~2 kB of statistics
])
def test_the_file_size_limit_is_one_line_and_keeps_the_old_file(tmp_path, command):
    out = tmp_path / "out.txt"
    out.write_text(OLD)
    env = {k: v for k, v in os.environ.items() if k != "MAAZA_ROOT"}
    proc = subprocess.run([str(BIN / command[0]), *command[1:], str(out)], env=env,
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=_limited(1000))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(
        f"{command[0]}: error: {out}: cannot write: File too large"), proc.stderr
    assert out.read_text() == OLD and _only(tmp_path) == ["out.txt"]


def test_a_folder_through_a_file_is_one_line(tmp_path):
    (tmp_path / "results").write_text("a file where a folder should be\n")
    with pytest.raises(UserError, match=r"results/x\.json: cannot write: (Not a directory|"
                                        r"File exists)"):
        write_atomic(tmp_path / "results" / "x.json", "{}")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_one_line_and_keeps_the_old_file(tmp_path):
    out = tmp_path / "ro" / "refs.bib"
    out.parent.mkdir()
    out.write_text(OLD)
    out.parent.chmod(0o555)
    try:
        with pytest.raises(UserError, match=r"refs\.bib: cannot write: Permission denied"):
            write_atomic(out, "new")
        assert out.read_text() == OLD and _only(out.parent) == ["refs.bib"]
    finally:
        out.parent.chmod(0o755)


def test_an_error_reading_another_file_keeps_its_own_message(tmp_path):
    """Silent case: only the write's own failure is reworded; a missing input read inside
    the block is still that input's error, and a good write just writes."""
    out = tmp_path / "fig.pdf"
    with pytest.raises(FileNotFoundError), replacing(out):
        (tmp_path / "missing.json").read_text()
    write_atomic(out, "ok")
    assert out.read_text() == "ok" and _only(tmp_path) == ["fig.pdf"]


def test_a_refused_predictions_append_is_one_line_and_keeps_the_rows(tmp_path):
    """The predictions file is appended to, not replaced: a refused append names the file,
    and the rows written before it stay readable (a torn tail is cut on resume)."""
    out = tmp_path / "predictions.jsonl"
    code = ("import sys; from pathlib import Path; from edgejson.predictions import "
            "PredictionWriter\n"
            "from maaza_core.errors import UserError\n"
            f"w = PredictionWriter(Path({str(out)!r}), {{'model': 'm'}})\n"
            "w.write_rows([{'id': 'a', 'output': 'x' * 100}])\n"
            "try:\n    w.write_rows([{'id': 'b', 'output': 'y' * 5000}])\n"
            "except UserError as e:\n    print(e); sys.exit(3)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, preexec_fn=_limited(1000))
    assert proc.returncode == 3, proc.stderr
    assert f"{out}: cannot write: File too large" in proc.stdout
    from edgejson.predictions import read_predictions
    assert list(read_predictions(out, repair=True).records) == ["a"]
