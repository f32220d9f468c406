"""What reaches LaTeX (issue 22, item 4): whatever the user's ~/.latexmkrc and environment
say, the build runs no shell command and reads no file outside the project.

The planted mistakes are the ones a user's setup really makes: a ~/.latexmkrc that adds
-shell-escape (minted users have one), `shell_escape=t` and `openin_any=a` exported for
another project, and a TEXINPUTS that points outside the tree. The document is a small one
in a tree of its own (MAAZA_ROOT), built by the real `papertools render pdf`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent

DOCUMENT = r"""\documentclass{article}
\newread\probefile
\newcommand\probe[2]{\openin\probefile=#1 \ifeof\probefile\typeout{#2: BLOCKED}\else
  \typeout{#2: READ}\closein\probefile\fi}
\begin{document}
\immediate\write18{touch SHELL}
\probe{OUTSIDE}{absolute}
\probe{../../outside/secret.tex}{parent}
\probe{secret-on-texinputs.tex}{texinputs}
\probe{generated/inside.tex}{inside}
Text.
\end{document}
"""


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory) -> tuple[str, Path, Path]:
    """Build the probe document with a hostile HOME and environment; (log, tree, outside)."""
    base = tmp_path_factory.mktemp("tex")
    tree, home, outside = base / "tree", base / "home", base / "outside"
    for folder in (tree / "paper", tree / "build" / "generated", home, outside):
        folder.mkdir(parents=True)
    (outside / "secret.tex").write_text("secret\n")
    (outside / "secret-on-texinputs.tex").write_text("secret\n")
    (tree / "build" / "generated" / "inside.tex").write_text("inside\n")
    (tree / "paper" / "main.tex").write_text(
        DOCUMENT.replace("OUTSIDE", str(outside / "secret.tex")))
    (home / ".latexmkrc").write_text(
        "$pdflatex = 'pdflatex -shell-escape %O %S';\n$pdf_mode = 1;\n")
    env = {**os.environ, "MAAZA_ROOT": str(tree), "HOME": str(home), "shell_escape": "t",
           "openin_any": "a", "openout_any": "a", "TEXINPUTS": f"{outside}{os.pathsep}"}
    proc = subprocess.run([str(BIN / "papertools"), "render", "pdf"], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    log = (tree / "build" / "latex" / "main.log").read_text(encoding="latin-1")
    return log, tree, outside


def test_no_shell_escape_whatever_latexmkrc_and_env_say(hostile_build) -> None:
    log, tree, _ = hostile_build
    assert not list(tree.rglob("SHELL*"))
    assert "write18 enabled" not in log


@pytest.mark.parametrize("probe", ["absolute", "parent", "texinputs"])
def test_no_file_outside_the_project_is_read(hostile_build, probe) -> None:
    log, _, _ = hostile_build
    assert f"{probe}: BLOCKED" in log and f"{probe}: READ" not in log


def test_files_inside_the_project_are_read(hostile_build) -> None:
    """Silent case: generated/ (build/generated on TEXINPUTS) still resolves, and the PDF
    is written."""
    log, tree, _ = hostile_build
    assert "inside: READ" in log
    assert (tree / "build" / "paper.pdf").stat().st_size > 0
