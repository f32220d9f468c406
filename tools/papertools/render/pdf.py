"""Run latexmk and turn its log into one actionable message.

Why not just call latexmk from Make: a failed pdflatex run prints hundreds of lines, and
undefined citations or references are only warnings to LaTeX. Co-authors need the first
error with file:line, and a missing citation must fail the build, naming the key and where
it is used, instead of printing "(?)" in the PDF.

Why a lock and a marker: latexmk keeps its state (aux, fdb_latexmk, log) in build/latex.
Two builds at once overwrite each other's state, so the second waits for the first. A
build interrupted (Ctrl-C) or failed there leaves state that latexmk trusts: it reported
the old "Interruption" again on every later run. The marker says "a run is under way";
finding it at the start means the last run did not finish, and the folder is rebuilt
from scratch.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from maaza_core.atomic import os_errors_of, replacing
from maaza_core.errors import UserError
from maaza_core.paths import (
    BIB_DIR,
    BUILD_DIR,
    LATEX_OUT_DIR,
    PAPER_DIR,
    PAPER_PDF,
    ROOT,
    TEX_PACKAGES,
    display,
)
from papertools.render.bibtex_log import check_bibliography

# -norc first (latexmk reads rc files as it meets this flag): no system, user
# (~/.latexmkrc) or project rc file can change the commands, e.g. add -shell-escape.
# -g: Make runs this only when an input changed, and latexmk 4.79 takes a *deleted* input
# (a removed figure's snippet) for no change, handing back the old PDF with the figure.
LATEXMK_FLAGS = ["-norc", "-g", "-pdf", "-pdflatex=pdflatex -no-shell-escape %O %S",
                 "-halt-on-error", "-interaction=nonstopmode", "-file-line-error"]

_UNDEFINED = re.compile(
    r"(Citation|Reference) [`']([^']+)' on page \S+ undefined on input line (\d+)")
_MISSING_FILE = re.compile(r"File `([^']+)' not found")
_FILE_LINE_ERROR = re.compile(r"^(\S+\.(?:tex|sty|cls|bbl|aux)):(\d+): (.*)$")
# A box this much wider than its line shows in the PDF: a table or figure running into the
# margin (3.5 mm). Smaller overshoots are the few points microtype leaves in prose.
TOO_WIDE_PT = 10.0
_OVERFULL = re.compile(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\) .*?lines? (\d+(?:--\d+)?)")
# The log opens a file with "(" and its path, and closes it with ")"; other parentheses
# ("(Font)") are pushed and popped too, so that the nesting stays in step.
_LOG_PAREN = re.compile(r"\(([^\s()]*)|\)")
LOCK_FILE = BUILD_DIR / ".latex.lock"
INCOMPLETE = ".incomplete"  # in LATEX_OUT_DIR while latexmk runs (see module docstring)


@dataclass(frozen=True)
class Undefined:
    """An undefined citation or reference, with where LaTeX met it."""

    kind: str  # "Citation" or "Reference"
    key: str  # the citation key or label
    uses: tuple[str, ...]  # file:line of each use in the sources


# What TeX may do, whatever the user's environment, texmf.cnf or ~/.latexmkrc says:
# kpathsea takes a variable from the environment before texmf.cnf, so these win.
#   shell_escape=f: no \write18 (pdflatex also gets -no-shell-escape, latexmk -norc);
#   openin_any/openout_any=p ("paranoid"): no absolute path outside TEXMFOUTPUT (the
#   output folder), no "..", no dot files, for reading and writing alike.
TEX_SAFETY = {"shell_escape": "f", "openin_any": "p", "openout_any": "p"}
# Variables through which the environment would widen what TeX reads or how latexmk
# runs; the build sets its own search paths below.
_DROPPED = ("TEXINPUTS", "BIBINPUTS", "BSTINPUTS", "LATEXMKRCSYS", "shell_escape_commands")


def latex_env() -> dict[str, str]:
    """generated/ and figures/ resolve to build/, bibliography files to bib/, and log
    lines are not wrapped; TeX's safety settings (TEX_SAFETY) override the user's."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    sep = os.pathsep
    # The trailing separator keeps TeX Live's own trees after ours.
    env["TEXINPUTS"] = f"{PAPER_DIR}{sep}{BUILD_DIR}{sep}"
    env["BIBINPUTS"] = f"{BIB_DIR}{sep}"
    env["TEXMFOUTPUT"] = str(LATEX_OUT_DIR)
    env.update(TEX_SAFETY)
    # TeX wraps log lines at 79 characters, which splits the warnings we parse in two;
    # kpathsea reads these texmf.cnf settings from the environment.
    env["max_print_line"] = "10000"
    env["error_line"] = "254"
    env["half_error_line"] = "238"
    return env


def tex_install_command(packages: Path = TEX_PACKAGES) -> str:
    """The apt command for the one package list that CI and tools/install-tex.sh use too."""
    names = [line.split("#")[0].strip() for line in packages.read_text().splitlines()]
    return ("apt-get update && apt-get install -y --no-install-recommends "
            + " ".join(n for n in names if n))


@contextmanager
def exclusive_build(lock: Path = LOCK_FILE) -> Iterator[None]:
    """Hold the build lock; a second build waits (the kernel frees it if we die)."""
    with os_errors_of(lock, *lock.parents):
        lock.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock, "a", encoding="utf-8")  # closed by the with below
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"papertools: another build holds {lock}; waiting for it", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def run_latexmk(main: str = "main.tex") -> Path:
    """latexmk in build/latex, from scratch when the last run there did not finish."""
    if shutil.which("latexmk") is None:
        raise UserError(f"latexmk not found. Install TeX Live (as root): {tex_install_command()}")
    marker = LATEX_OUT_DIR / INCOMPLETE
    if marker.exists():
        print("papertools: the last LaTeX run failed or was interrupted; starting from a "
              f"clean {display(LATEX_OUT_DIR)}/", file=sys.stderr)
        shutil.rmtree(LATEX_OUT_DIR)
    LATEX_OUT_DIR.mkdir(parents=True, exist_ok=True)
    marker.touch()
    cmd = ["latexmk", *LATEXMK_FLAGS, f"-outdir={LATEX_OUT_DIR}", main]
    proc = subprocess.run(cmd, cwd=PAPER_DIR, env=latex_env(), capture_output=True, text=True,
                          errors="replace")
    log = LATEX_OUT_DIR / Path(main).with_suffix(".log").name
    if proc.returncode != 0:
        raise UserError(first_error(log, proc.stdout + proc.stderr))
    marker.unlink()
    return log


def first_error(log: Path, output: str) -> str:
    """The first '!' or file:line error of the log, with the log's path.

    A runaway argument (an unclosed brace) is reported by TeX where the file or paragraph
    ends, often main.tex; the log quotes the argument's start, which is found in the
    sources instead.
    """
    text = log.read_text(encoding="latin-1") if log.exists() else output
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _FILE_LINE_ERROR.match(line)
        if m or line.startswith("!"):
            context = " ".join(s.strip() for s in lines[i + 1:i + 3] if s.strip())
            where = f"{_source_path(m.group(1))}:{m.group(2)}: " if m else ""
            message = m.group(3) if m else line
            if i >= 2 and lines[i - 2].startswith("Runaway argument?"):
                start = runaway_start(lines[i - 1])
                if start:
                    where = f"{start}: "
                    message += " (the argument that starts here is never closed)"
            if (missing := _MISSING_FILE.search(message)) and (use := input_use(missing[1])):
                where, message = f"{use}: ", message.removeprefix("! ")
            return f"LaTeX error: {where}{message} [{context}] (full log: {log})"
    tail = "\n".join(output.strip().splitlines()[-15:])
    return f"latexmk failed (full log: {log}):\n{tail}"


def input_use(name: str) -> str | None:
    """file:line of the one place the sources (paper/, build/generated) name the file TeX
    did not find, as an \\input/\\include/\\includegraphics argument; None otherwise.

    Why: LaTeX reports a missing file without the line that asked for it."""
    stem = re.escape(name.removesuffix(".tex"))
    pattern = re.compile(r"\\(?:input|include|includegraphics)(?:\[[^\]]*\])?\{" + stem
                         + r"(?:\.tex)?\}")
    found = [f"{_source_path(str(path))}:{n}"
             for root in (PAPER_DIR, BUILD_DIR / "generated")
             for path in sorted(root.rglob("*.tex"))
             for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace")
                                      .splitlines(), start=1) if pattern.search(line)]
    return found[0] if len(found) == 1 else None


def _normal(text: str) -> tuple[str, list[int]]:
    """Whitespace runs as one space, no space after a control word (as TeX prints them),
    and for each character kept its offset in `text`."""
    out: list[str] = []
    offsets: list[int] = []
    for m in re.finditer(r"\\[a-zA-Z]+\s*|\s+|.", text, re.S):
        piece = m.group()
        if piece[0] == "\\" and len(piece) > 1 and piece[1].isalpha():
            piece = piece.rstrip()
        elif piece.isspace():
            piece = " "
        out.append(piece)
        offsets += [m.start()] * len(piece)
    return "".join(out), offsets


def runaway_start(quoted: str) -> str | None:
    """file:line where the argument TeX quotes after "Runaway argument?" begins, if one
    place in the sources (paper/, build/generated) matches; None otherwise."""
    probe, _ = _normal(quoted.replace("\\ETC.", "").strip())
    probe = probe[:60].rstrip()
    if len(probe) < 8:
        return None
    found = []
    for root in (PAPER_DIR, BUILD_DIR / "generated"):
        for path in sorted(root.rglob("*.tex")):
            source = path.read_text(encoding="utf-8", errors="replace")
            flat, offsets = _normal(source)
            at = flat.find(probe)
            if at >= 0 and flat.find(probe, at + 1) < 0:
                line = source.count("\n", 0, offsets[at]) + 1
                found.append(f"{_source_path(str(path))}:{line}")
    return found[0] if len(found) == 1 else None


def _source_path(name: str) -> str:
    """A path relative to the repository when it is inside it, else as TeX wrote it."""
    for base in (PAPER_DIR, BUILD_DIR):
        candidate = (base / name).resolve()
        if candidate.exists() and candidate.is_relative_to(ROOT.resolve()):
            return candidate.relative_to(ROOT.resolve()).as_posix()
    return name


def undefined(log: Path) -> list[Undefined]:
    """Every undefined citation and reference the final LaTeX log reports."""
    text = log.read_text(encoding="latin-1")
    found = {(m.group(1), m.group(2)) for m in _UNDEFINED.finditer(text)}
    return [Undefined(kind, key, tuple(find_uses(kind, key))) for kind, key in sorted(found)]


def too_wide(log: Path, limit: float = TOO_WIDE_PT) -> list[str]:
    """Every box the final LaTeX log reports as wider than its line by more than `limit`
    points, as 'FILE:LINES: N pt too wide' (the file the log had open at the warning)."""
    found, stack = [], []
    for line in log.read_text(encoding="latin-1").splitlines():
        warning = _OVERFULL.search(line)
        if warning and float(warning[1]) > limit:
            where = next((f for f in reversed(stack) if f.endswith(".tex")), "main.tex")
            found.append(f"{_source_path(where)}:{warning[2]}: {float(warning[1]):.0f} pt "
                         "too wide")
        for paren in _LOG_PAREN.finditer(line[:warning.start()] if warning else line):
            if paren[0] != ")":
                stack.append(paren[1])
            elif stack:
                stack.pop()
    return found


def find_uses(kind: str, key: str) -> list[str]:
    """Where the sources use ``key`` (the log gives a line but not the file)."""
    cmd = r"\\(?:[a-zA-Z]*cite[a-zA-Z]*\*?)" if kind == "Citation" else r"\\(?:auto|eq|page)?ref"
    args = r"(?:\[[^\]]*\])*\{[^}]*(?<![\w:-])"  # optional [..] args, then the key list
    pattern = re.compile(cmd + args + re.escape(key) + r"(?![\w:-])")
    uses = []
    for root in (PAPER_DIR, BUILD_DIR / "generated"):
        for path in sorted(root.rglob("*.tex")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    uses.append(f"{path.relative_to(ROOT).as_posix()}:{n}")
    return uses


def build_pdf(out: Path = PAPER_PDF) -> Path:
    """Run latexmk on paper/main.tex into build/; fail on the first LaTeX error and on anything
    undefined."""
    with exclusive_build():
        return _build_pdf(out)


def _build_pdf(out: Path) -> Path:
    log = run_latexmk()
    missing = undefined(log)
    if missing:
        lines = [f"undefined {u.kind.lower()} '{u.key}' used at "
                 f"{', '.join(u.uses) or 'an unknown place'}" for u in missing]
        hint = ("add the entry to bib/library.yaml and run `make bib`, or fix the key"
                if any(u.kind == "Citation" for u in missing) else "fix the \\label or \\ref")
        raise UserError("\n".join(lines) + f"\n({hint}; full log: {log})")
    wide = too_wide(log)
    if wide:
        raise UserError("\n".join(wide) + "\n(these run into the page margin in the PDF: "
                        "shorten the labels, or for a generated table wrap it in "
                        f"\\begin{{adjustbox}}{{max width=\\linewidth}}; full log: {log})")
    check_bibliography(log.with_suffix(""))  # BibTeX warnings, "(tfl)"-style labels
    with replacing(out) as tmp:
        shutil.copyfile(LATEX_OUT_DIR / "main.pdf", tmp)
    return out
