"""The paper's sources as one self-contained tree, as arXiv compiles them.

Why a tree and not one flattened file: the layout the build already uses resolves every
name without search paths once paper/ and build/ are laid over each other (main.tex and
sections/ from paper/, generated/ and figures/ from build/), so the submission keeps the
files co-authors know, every generated file keeps its comment naming the data it came
from, and nothing is rewritten that could change what LaTeX typesets. The files are
found by following main.tex's \\input and \\includegraphics, so the tree holds exactly
what the paper uses: no logs, no .bib (the .bbl replaces it), no Python, nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from maaza_core.errors import UserError
from maaza_core.paths import BUILD_DIR, LATEX_OUT_DIR, PAPER_DIR, display

MAIN = "main.tex"
# `\input{x}`, `\include{x}`, `\includegraphics[...]{x}`: the commands that name a file.
_FILE_COMMAND = re.compile(r"\\(input|include|includegraphics)\s*(?:\[[^\]]*\])?\s*\{([^}]*)\}")
_BIBLIOGRAPHY = re.compile(r"\\bibliography\s*\{[^}]*\}")
_COMMENT = re.compile(r"(?<!\\)%.*")
# arXiv's rule for file names: letters, digits and _ + - . , = only.
_ARXIV_NAME = re.compile(r"[A-Za-z0-9_+\-.,=]+")


@dataclass(frozen=True)
class Tree:
    """The files of the submission: name inside the tree -> file on disk."""

    files: dict[str, Path]

    def tex(self, name: str) -> str:
        """The text of one LaTeX file of the tree."""
        return self.files[name].read_text(encoding="utf-8")


def uncommented(text: str) -> str:
    """TeX source without its comments (a `%` not escaped as `\\%` to the end of line)."""
    return "\n".join(_COMMENT.sub("", line) for line in text.splitlines())


def referenced(text: str) -> list[tuple[str, str]]:
    """(command, name) for each file the LaTeX `text` names, in order, comments ignored."""
    return [(m.group(1), m.group(2).strip()) for m in _FILE_COMMAND.finditer(uncommented(text))]


def _resolve(command: str, name: str, roots: tuple[Path, ...], where: str) -> tuple[str, Path]:
    """The tree name and the file of one reference, searched in `roots` as TEXINPUTS is."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        raise UserError(f"{where}: \\{command}{{{name}}} points outside the paper's tree "
                        "(arXiv needs relative paths inside it: fix the path)")
    if command != "includegraphics" and pure.suffix != ".tex":
        pure = pure.with_name(pure.name + ".tex")
    for root in roots:
        if (root / pure).is_file():
            return pure.as_posix(), root / pure
    raise UserError(f"{where}: \\{command}{{{name}}}: no file {pure} under "
                    f"{', '.join(display(r) for r in roots)} (fix: make paper)")


def collect(paper: Path = PAPER_DIR, build: Path = BUILD_DIR,
            bbl: Path = LATEX_OUT_DIR / "main.bbl") -> Tree:
    """Every file main.tex needs, found by following its references from `paper` and
    `build`, plus the .bbl under the name pdflatex looks for (main.bbl)."""
    roots = (paper, build)
    files: dict[str, Path] = {MAIN: paper / MAIN}
    queue = [MAIN]
    while queue:
        name = queue.pop(0)
        text = files[name].read_text(encoding="utf-8")
        for command, target in referenced(text):
            tree_name, path = _resolve(command, target, roots, display(files[name]))
            if tree_name not in files:
                files[tree_name] = path
                if path.suffix == ".tex":
                    queue.append(tree_name)
    if _BIBLIOGRAPHY.search(uncommented(files[MAIN].read_text(encoding="utf-8"))):
        if not bbl.is_file():
            raise UserError(f"{display(bbl)}: no bibliography yet (fix: make paper)")
        files["main.bbl"] = bbl
    for name in files:
        bad = [part for part in PurePosixPath(name).parts if not _ARXIV_NAME.fullmatch(part)]
        if bad:
            raise UserError(f"{display(files[name])}: the name {bad[0]!r} has characters "
                            "arXiv refuses (use letters, digits, _ + - . , =)")
    return Tree(dict(sorted(files.items())))
