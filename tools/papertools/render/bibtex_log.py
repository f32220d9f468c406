"""Fail the build when BibTeX complains or a citation would print as a key fragment.

Why a gate: BibTeX only warns. An entry without author, key or year still compiles, and
natbib then prints the first three letters of the citation key, "(tfl)", or an empty
year where the reader expects "(Google, 2017)". latexmk exits 0 either way, so these
slipped into the PDF unnoticed. This module reads what BibTeX left behind after latexmk,
the ``.blg`` log and the ``.bbl`` it wrote, and turns every such problem into one line
naming the entry, the problem and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from maaza_core.errors import UserError
from maaza_core.paths import LIBRARY_FILE, display

# "Warning--empty year in llamacpp", "Warning--to sort, need author or key in tflite",
# "Warning--I didn't find a database entry for "foo"".
_WARNING = re.compile(r"^Warning--(?P<what>.*?)(?: in (?P<key>[^\s]+))?\s*$")
_MISSING_ENTRY = re.compile(r'database entry for "(?P<key>[^"]+)"')
# BibTeX errors end in "---line 12 of file references.bib" (the bad line follows).
_ERROR = re.compile(r"^(?P<what>.*?)---line (?P<line>\d+) of file (?P<file>\S+)\s*$")
FIX_ENTRY = ("give the entry the missing field (software and web pages: author or "
             "organization, year and key) in the override of its bib/library.yaml entry, "
             "then run `make bib`")


@dataclass(frozen=True)
class Problem:
    """One warning or error of the BibTeX log that the build reports."""

    key: str  # citation key of the entry ("" when BibTeX names none)
    what: str  # the problem, in BibTeX's words or ours


def blg_problems(text: str) -> list[Problem]:
    """Every warning and error of a BibTeX log, in order."""
    problems = []
    for line in text.splitlines():
        if line.startswith("Warning--"):
            m = _WARNING.match(line)
            assert m is not None  # the pattern accepts any "Warning--" line
            missing = _MISSING_ENTRY.search(line)
            key = missing.group("key") if missing else (m.group("key") or "")
            problems.append(Problem(key, "BibTeX warning: " + m.group("what")))
        elif m := _ERROR.match(line):
            where = f"{m.group('file')}:{m.group('line')}"
            problems.append(Problem("", f"BibTeX error at {where}: {m.group('what').strip()}"))
    return problems


def bibitems(bbl: str) -> list[tuple[str, str]]:
    """(label, key) of every ``\\bibitem[label]{key}``; the label may span lines and
    hold braces, so the closing bracket is found at brace depth zero."""
    items = []
    for start in (m.end() for m in re.finditer(r"\\bibitem\[", bbl)):
        depth, i = 0, start
        while i < len(bbl) and not (bbl[i] == "]" and depth == 0):
            depth += {"{": 1, "}": -1}.get(bbl[i], 0)
            i += 1
        key = re.match(r"\]\{([^}]*)\}", bbl[i:])
        if key:
            items.append((" ".join(bbl[start:i].split()), key.group(1)))
    return items


def label_problems(label: str, key: str) -> list[Problem]:
    """natbib labels read "Short authors(Year)Long authors"; the short part falls back to
    the first three letters of the key when the entry has neither author nor key."""
    m = re.match(r"(?P<short>.*?)\((?P<year>[^()]*)\)", label)
    if m is None:
        return [Problem(key, f"citation label '{label}' has no (year)")]
    short = m.group("short").replace("{", "").replace("}", "").strip()
    problems = []
    if not short or short == key[:3]:  # plainnat's fallback: `cite$ #1 #3 substring$`
        problems.append(Problem(key, f"citation renders as the key fragment '({short})' "
                                     "instead of its authors"))
    if not m.group("year").strip():
        problems.append(Problem(key, "citation renders without a year"))
    return problems


def library_line(key: str, library: Path = LIBRARY_FILE) -> str:
    """`bib/library.yaml:LINE` of the entry, where the fix goes (the .bib is generated)."""
    if key and library.exists():
        for n, line in enumerate(library.read_text(encoding="utf-8").splitlines(), start=1):
            if re.match(rf"-\s+key:\s*['\"]?{re.escape(key)}['\"]?\s*$", line):
                return f"{display(library)}:{n}"
    return display(library)


def check_bibliography(stem: Path, library: Path = LIBRARY_FILE) -> None:
    """Raise UserError listing every problem of ``stem``.blg and ``stem``.bbl (the files
    latexmk left in its output folder); silent when BibTeX had nothing to say."""
    problems: list[Problem] = []
    blg, bbl = stem.with_suffix(".blg"), stem.with_suffix(".bbl")
    if blg.exists():
        problems += blg_problems(blg.read_text(encoding="latin-1"))
    if bbl.exists():
        for label, key in bibitems(bbl.read_text(encoding="latin-1")):
            problems += label_problems(label, key)
    if problems:
        lines = [f"{library_line(p.key, library)}: entry '{p.key}': {p.what}" if p.key
                 else p.what for p in dict.fromkeys(problems)]
        raise UserError("\n".join(lines) + f"\n(fix: {FIX_ENTRY}; BibTeX log: {display(blg)})")
