"""Which keys the paper and the related-work drafts cite, and whether the library has them.

Why regexes and not a TeX or pandoc parser: the check must run in well under a second on
every `make bib` and import nothing heavy (no network clients), and citation commands
have a small, regular syntax. Comments and code spans are removed first so that an
e-mail address or a commented-out cite is never taken for a citation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from maaza_core.suggest import did_you_mean
from papertools.bib.findings import ERROR, WARNING, Finding
from papertools.bib.library import Library, load_library

__all__ = [
    "Citation",
    "Library",
    "check_citations",
    "find_citations",
    "load_library",
]

# \cite, \citep, \citet*, \citealp, \citeauthor, \nocite, \parencite, \Textcite ...
# with up to two optional [..] arguments (natbib: pre- and post-note) before {keys}.
_TEX_CITE = re.compile(r"\\(?:[A-Za-z]*cite[A-Za-z]*)\*?\s*(?:\[[^\]]*\]\s*){0,2}\{([^}]*)\}")
# A % that is not escaped starts a comment that runs to the end of the line.
_TEX_COMMENT = re.compile(r"(?<!\\)%.*$")
# Pandoc: @key or @{key}; a key starts with a word character and may hold internal
# punctuation (:.#$%&-+?<>~/) but ends with a word character. Not after a word
# character, '.' or '@' (that is an e-mail address such as a.b@c.org).
_MD_CITE = re.compile(
    r"(?<![\w.@])-?@(?:\{([^}]+)\}|(\w(?:[\w:.#$%&\-+?<>~/]*\w)?))"
)
_MD_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


@dataclass(frozen=True)
class Citation:
    """One use of a key in a source file."""

    key: str  # the cited key
    path: Path  # file it occurs in
    line: int  # 1-based line number

    def where(self) -> str:
        """"file:line" of the citation, as messages and editors link it."""
        return f"{self.path}:{self.line}"


def _tex_citations(path: Path, text: str) -> list[Citation]:
    found = []
    lines = [_TEX_COMMENT.sub("", line) for line in text.splitlines()]
    # Join lines so a \cite{a,\n b} spanning lines is found; map offsets back to lines.
    starts, joined, pos = [], [], 0
    for line in lines:
        starts.append(pos)
        joined.append(line)
        pos += len(line) + 1
    blob = "\n".join(joined)
    for match in _TEX_CITE.finditer(blob):
        line_no = blob.count("\n", 0, match.start()) + 1
        for key in match.group(1).split(","):
            key = key.strip()
            if key and key != "*":
                found.append(Citation(key, path, line_no))
    return found


def _md_citations(path: Path, text: str) -> list[Citation]:
    found, in_fence = [], False
    for line_no, line in enumerate(text.splitlines(), start=1):
        if _MD_FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        line = _MD_CODE_SPAN.sub("", line)
        for match in _MD_CITE.finditer(line):
            found.append(Citation(match.group(1) or match.group(2), path, line_no))
    return found


def _expand(paths: Iterable[Path | str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(q for q in p.rglob("*") if q.suffix in (".tex", ".md"))
        elif p.exists():
            files.append(p)
    return files


def find_citations(paths: Iterable[Path | str]) -> list[Citation]:
    """Citations in .tex and .md files (folders are searched recursively), in file order."""
    found: list[Citation] = []
    for path in _expand(paths):
        text = path.read_text(encoding="utf-8", errors="replace")
        parse = _tex_citations if path.suffix == ".tex" else _md_citations
        found += parse(path, text)
    return found


def check_citations(
    citations: Sequence[Citation],
    keys: Sequence[str],
    keep: Iterable[str] = (),
) -> list[Finding]:
    """Unknown keys (error, with the closest keys) and entries nobody cites (warning)
    unless listed in `keep`. Duplicate keys are no concern here: the library loader and
    the .bib parser refuse them before any key list reaches this check."""
    findings: list[Finding] = []
    known = set(keys)
    for cite in citations:
        if cite.key not in known:
            findings.append(Finding(ERROR, cite.where(), f"unknown key '{cite.key}' "
                                    f"({did_you_mean(cite.key, known)})"))
    cited = {c.key for c in citations}
    for key in sorted(known - cited - set(keep)):
        findings.append(
            Finding(WARNING, key, "never cited (fix: cite it, remove it, or set keep: true)")
        )
    return findings


def check_library(library: Library, sources: Iterable[Path | str]) -> list[Finding]:
    """The citation check `make bib` runs: the library against paper/ and litreview/."""
    citations = find_citations(sources)
    keep = [e.key for e in library.entries if e.keep]
    return check_citations(citations, library.keys, keep)
