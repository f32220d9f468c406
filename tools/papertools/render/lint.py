"""Catch result numbers typed into the paper's prose instead of taken from a macro.

A typed number goes stale the day a model is re-measured; the lint makes that a build
error. What it flags in ``paper/**/*.tex`` (comments, generated files and templates
excluded):
- decimals such as ``24.7`` and percentages such as ``55\\%``;
- ratios such as ``3.7x`` or ``3.7$\\times$``;
- stand-alone integers equal to a value the macros render (``158 test examples``).
Numbers glued to letters or hyphens (``Qwen2.5-0.5B``, ``SmolLM2-135M``), version names
of other works (``Llama 3.2``, see ``ALLOWED``) and LaTeX lengths (``0.5\\linewidth``,
``2pt``) are not results and pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from maaza_core.paths import PAPER_DIR, ROOT

# A number not glued to a word, hyphen, dot or backslash command on either side.
_NUMBER = re.compile(r"(?<![\w.\-\\/{])(\d+(?:\.\d+)?)(?![\w.\-/]|\.\d)")
_PERCENT = re.compile(r"(?<![\w.\\])\d+(?:\.\d+)?\s*\\%")
_RATIO = re.compile(r"(?<![\w.\\])\d+(?:\.\d+)?\s*(?:x\b|\$\\times\$|\\texttimes)")
# LaTeX dimensions and options: 0.48\linewidth, 2pt, [width=0.9\textwidth]
_LENGTH = re.compile(r"\d+(?:\.\d+)?\s*(?:\\(?:line|text|column)width|pt|em|ex|cm|mm|in)\b")
# Not results: version numbers of other works named in prose (Llama 3.2, Gemma 2, GPT-3),
# and the confidence level of an interval ("95\% Wilson interval", "95\% confidence").
ALLOWED = re.compile(
    r"(?:Llama|Gemma|Phi|Qwen|GPT|Python|draft)[-~ ]?\d+(?:\.\d+)*"
    r"|\b\d\d\\%(?=[~ ]*(?:Wilson|confidence|CI\b|bootstrap|interval))", re.I)


@dataclass(frozen=True)
class Finding:
    """A number typed into the paper's LaTeX where a \\result macro belongs."""

    path: Path  # file with the typed number
    line: int  # 1-based line
    text: str  # the number as typed
    why: str  # which rule it broke

    def __str__(self) -> str:
        rel = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return (f"{rel}:{self.line}: literal result number '{self.text}' ({self.why}); "
                r"use \result{KEY} (keys: build/generated/macros.tex)")


def rendered_integers(macros_tex: str) -> set[str]:
    """Integer values the macros render (counts, totals), as strings."""
    values = re.findall(r"\\defresult\{[^}]*\}\{(\d+)\}", macros_tex)
    # 0-10 are ordinary words in prose ("two tiers", "section 3"); not worth flagging.
    return {v for v in values if int(v) > 10}


def _strip_comment(line: str) -> str:
    return re.split(r"(?<!\\)%", line, maxsplit=1)[0]


def lint_text(path: Path, text: str, integers: set[str]) -> list[Finding]:
    """The typed result numbers of one LaTeX text (comments and verbatim skipped)."""
    findings: list[Finding] = []
    verbatim = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if re.search(r"\\begin\{(verbatim|lstlisting)\}", raw):
            verbatim = True
        if verbatim:
            verbatim = not re.search(r"\\end\{(verbatim|lstlisting)\}", raw)
            continue
        line = ALLOWED.sub(" ", _LENGTH.sub(" ", _strip_comment(raw)))
        line = re.sub(r"\\(?:ref|label|cite\w*|input|include|result|url|href)\{[^}]*\}", " ", line)
        for rx, why in ((_PERCENT, "percentage"), (_RATIO, "ratio")):
            findings += [Finding(path, number, m.group(0), why) for m in rx.finditer(line)]
            line = rx.sub(" ", line)
        for m in _NUMBER.finditer(line):
            value = m.group(1)
            if "." in value:
                findings.append(Finding(path, number, value, "decimal"))
            elif value in integers:
                findings.append(Finding(path, number, value, "equals a rendered result"))
    return findings


def lint_paper(paper_dir: Path = PAPER_DIR, macros_tex: str = "") -> list[Finding]:
    """The typed result numbers of every .tex file under `paper_dir`; integers equal to a rendered
    count count too."""
    integers = rendered_integers(macros_tex)
    findings: list[Finding] = []
    for path in sorted(paper_dir.rglob("*.tex")):
        if "templates" in path.relative_to(paper_dir).parts:
            continue
        findings += lint_text(path, path.read_text(encoding="utf-8"), integers)
    return findings
