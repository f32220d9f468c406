"""The paper with the changes since an older revision marked (latexdiff).

Why the old revision is built, not just checked out: its numbers live in generated files
(tables, \\result macros) that only its own `make paper` writes from its own results and
code. So the old revision is checked out in a temporary git worktree and built there by
its own Makefile and its own Python code (PYTHONPATH puts its packages first), sharing
this checkout's venv, as the end-to-end tests do, when its lock is the same (a revision
with another lock gets a venv of its own). Both documents are then flattened
(release/flatten.py) and diffed, and the result is compiled with pdflatex alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from maaza_core.atomic import replacing, write_atomic
from maaza_core.errors import UserError
from maaza_core.paths import BUILD_DIR, ROOT, display
from papertools.release.flatten import flatten
from papertools.release.tree import collect

DIFF_DIR = BUILD_DIR / "diff"  # old.tex, new.tex, diff.tex and pdflatex's files
# CFONT: additions blue and sans serif, deletions red and small. It needs only the color
# package, where the default (UNDERLINE) needs ulem, which the TeX list does not install.
LATEXDIFF_FLAGS = ["--type=CFONT", "--encoding=utf8"]
PDFLATEX_FLAGS = ["-interaction=nonstopmode", "-halt-on-error", "-file-line-error"]
BASE_LOCK = Path("requirements/base.txt")
PACKAGE_DIRS = ("tools", "experiments", "core")  # where the packages live in a checkout


def _git(*args: str, cwd: Path = ROOT) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise UserError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout.strip()


def resolve(revision: str) -> str:
    """The commit a revision names (HEAD~1, a tag, a hash), or one clear error."""
    if not revision:
        raise UserError("no old revision given (usage: make diff OLD=HEAD~1)")
    try:
        return _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except UserError:
        raise UserError(f"{revision!r} is not a commit of this repository "
                        "(fix: OLD=HEAD~1, a tag or a hash from git log)") from None


@contextmanager
def worktree(commit: str) -> Iterator[Path]:
    """A temporary git worktree of `commit`, removed again whatever happens."""
    with tempfile.TemporaryDirectory(prefix="maaza-diff-") as tmp:
        path = Path(tmp) / "old"
        _git("worktree", "add", "--detach", "--quiet", str(path), commit)
        try:
            yield path
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT,
                           capture_output=True)
            subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True)


def build_command(old: Path, venv: Path) -> tuple[list[str], dict[str, str]]:
    """`make paper` for the old tree, and its environment.

    The shared venv's stamps are named old (-o) so the old Makefile neither reinstalls nor
    repoints it; a revision whose lock differs builds a venv of its own instead.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAAZA_ROOT", "PYTHONPATH")}
    cmd = ["make", "--no-print-directory", "-C", str(old)]
    own_lock = (ROOT / BASE_LOCK).read_bytes() == (old / BASE_LOCK).read_bytes()
    if own_lock:
        cmd += [f"VENV={venv}", "-o", f"{venv}/.stamp-base", "-o", f"{venv}/bin/uv"]
        env["PYTHONPATH"] = os.pathsep.join(str(old / d) for d in PACKAGE_DIRS)
    return [*cmd, "paper"], env


def build_old(old: Path, venv: Path) -> None:
    """Run the old revision's own `make paper`; its first error lines if it fails."""
    cmd, env = build_command(old, venv)
    print(f"papertools: building the old revision ({' '.join(cmd[3:])})", file=sys.stderr)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-12:])
        raise UserError(f"make paper failed in the old revision:\n{tail}")


def pdflatex(tex: Path, texinputs: Path) -> Path:
    """Compile `tex` twice with pdflatex alone (labels and citations settle on the second)."""
    env = dict(os.environ, TEXINPUTS=f"{texinputs}{os.pathsep}")
    for _ in range(2):
        proc = subprocess.run(["pdflatex", *PDFLATEX_FLAGS, tex.name], cwd=tex.parent,
                              env=env, capture_output=True, text=True, errors="replace")
        if proc.returncode != 0:
            log = tex.with_suffix(".log")
            first = next((line for line in proc.stdout.splitlines()
                          if line.startswith("!") or ".tex:" in line), "see the log")
            raise UserError(f"pdflatex failed on {display(tex)}: {first} (full log: "
                            f"{display(log)})")
    return tex.with_suffix(".pdf")


def write_diff(revision: str, out: Path, venv: Path) -> Path:
    """build/diff.pdf: the current build against `revision`'s, changes marked."""
    if shutil.which("latexdiff") is None:
        raise UserError("latexdiff not found (fix: install the packages of "
                        "tools/tex-packages.txt, which lists it)")
    commit = resolve(revision)
    DIFF_DIR.mkdir(parents=True, exist_ok=True)
    new_tex = DIFF_DIR / "new.tex"
    write_atomic(new_tex, flatten(collect()))
    with worktree(commit) as old:
        build_old(old, venv)
        old_tree = collect(old / "paper", old / "build", old / "build" / "latex" / "main.bbl")
        write_atomic(DIFF_DIR / "old.tex", flatten(old_tree))
    proc = subprocess.run(["latexdiff", *LATEXDIFF_FLAGS, "old.tex", "new.tex"],
                          cwd=DIFF_DIR, capture_output=True, text=True)
    if proc.returncode != 0:
        raise UserError(f"latexdiff failed: {proc.stderr.strip()[-500:]}")
    write_atomic(DIFF_DIR / "diff.tex", proc.stdout)
    pdf = pdflatex(DIFF_DIR / "diff.tex", BUILD_DIR)
    with replacing(out) as tmp:
        shutil.copyfile(pdf, tmp)
    return out
