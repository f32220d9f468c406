"""Markdown drafts -> LaTeX fragments with pandoc (``--natbib``), keys checked first.

Why check first: in ``--natbib`` mode pandoc copies ``@key`` into ``\\citep{key}`` without
looking it up, so a misspelt key would only show up as a "Citation undefined" warning in
the LaTeX log, far from the line that caused it. The keys are found with the literature
helper's parser (``papertools.bib.cites``) so the drafts and ``make bib`` agree on what
counts as a citation.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pypandoc

from maaza_core import paths
from maaza_core.atomic import write_atomic
from maaza_core.errors import DataError, UserError
from maaza_core.paths import display
from maaza_core.suggest import did_you_mean
from papertools.bib.cites import Citation, Library, find_citations
from papertools.litreview.syntax import citation_syntax_errors


@dataclass(frozen=True)
class PandocConfig:
    """How drafts are handed to pandoc."""

    # Pandoc's Markdown with its defaults: citations, header ids, raw LaTeX (\ref, \result).
    source_format: str = "markdown"
    # natbib commands instead of citeproc; keep the draft's line breaks so that a LaTeX
    # error in the fragment is found at the same line in the Markdown.
    extra_args: tuple[str, ...] = ("--natbib", "--wrap=preserve")


# Drafts are the files whose name starts with two digits: the digits give the order.
DRAFT_GLOB = "[0-9][0-9]-*.md"
NO_SUCH_DRAFT = "no such draft (fix: check the path)"
FIX_UNKNOWN = "fix: correct the key, or add the work with `papertools bib add ARXIV_ID`"


def draft_paths(folder: Path = paths.LITREVIEW_DIR) -> list[Path]:
    """The drafts of a folder in the order they appear in the paper."""
    return in_paper_order(folder.glob(DRAFT_GLOB))


def in_paper_order(drafts: Iterable[Path]) -> list[Path]:
    """Sorted by file name: the two-digit prefix gives the order."""
    return sorted(drafts, key=lambda draft: (draft.name, draft))


def named_drafts(given: Iterable[Path]) -> list[Path]:
    """Drafts named on a command line (Make passes the ones it found), in paper order;
    UserError for a path that is not a draft, which the paper would input by mistake."""
    drafts = in_paper_order(given)
    for draft in drafts:
        if not fnmatch.fnmatchcase(draft.name, DRAFT_GLOB):
            raise UserError(f"{display(draft)}: not a draft (fix: drafts are named "
                            f"{DRAFT_GLOB}, e.g. 06-topic.md)")
        if not draft.is_file():
            raise DataError(draft, NO_SUCH_DRAFT)
    return drafts


def unknown_citations(citations: list[Citation], library: Library) -> list[str]:
    """One message per citation whose key the library lacks, naming file:line."""
    known = set(library.keys)
    return [
        f"{display(c.path)}:{c.line}: unknown citation key '{c.key}' "
        f"({did_you_mean(c.key, known)}; {FIX_UNKNOWN})"
        for c in citations
        if c.key not in known
    ]


# Raw LaTeX that reads a file: \input{x}, \include{x}, \includegraphics[..]{x}, TeX's
# own `\input x`, \openin3=x ... The name is group 2 (braced) or 3 (bare).
_READS = re.compile(r"\\(@@input|input|include|InputIfFileExists|IfFileExists|"
                    r"includegraphics|includepdf|lstinputlisting|verbatiminput|openin\d*)"
                    r"(?![A-Za-z@])\*?\s*(?:\[[^\]]*\]\s*)*(?:=\s*)?(?:\{([^}]*)\}|([^\s{}\\]+))")


def outside_reads(path: Path, text: str) -> list[str]:
    """One "file:line: ..." message per raw LaTeX read of a file outside the project.

    Why here as well as in TeX (openin_any=p, render/pdf.py): TeX only says that it did not
    read a file, somewhere in its log; the draft's line is where the fix goes. A name that
    is absolute, starts at ~ or climbs with .. is refused, which is TeX's own rule."""
    out = []
    for match in _READS.finditer(text):
        name = (match.group(2) if match.group(2) is not None else match.group(3)).strip()
        if name.startswith(("/", "~")) or ".." in Path(name).parts or ":" in name[:3]:
            line = text.count("\n", 0, match.start()) + 1
            out.append(f"{display(path)}:{line}: {match.group(0)!s} reads a file outside the "
                       "project (fix: drafts may only input files below it, by a relative "
                       "name without '..')")
    return out


def check_drafts(drafts: list[Path], library: Library) -> list[Citation]:
    """All citations of ``drafts``; raise UserError listing every malformed citation,
    every unknown key and every raw LaTeX read outside the project."""
    texts = {d: d.read_text(encoding="utf-8") for d in drafts}
    problems = [msg for d, text in texts.items()
                for msg in citation_syntax_errors(d, text) + outside_reads(d, text)]
    citations = find_citations(drafts)
    problems += unknown_citations(citations, library)
    if problems:
        raise UserError("\n".join(problems))
    return citations


def to_latex(markdown: str, config: PandocConfig = PandocConfig()) -> str:
    """Convert Markdown text to a LaTeX fragment (no preamble, natbib citations)."""
    try:
        return pypandoc.convert_text(
            markdown, "latex", format=config.source_format, extra_args=list(config.extra_args)
        )
    except RuntimeError as exc:  # pypandoc reports a failing pandoc this way
        raise UserError(f"pandoc failed: {exc} (fix: check the Markdown syntax)") from exc


def fragment_header(draft: Path) -> str:
    """The comment that opens a generated fragment: its source draft, and not to edit it."""
    return (
        f"% Generated from {display(draft)} by `papertools litreview convert`.\n"
        "% Edit the Markdown draft, not this file (see litreview/README.md).\n"
    )


def convert_draft(draft: Path, out: Path, library: Library) -> None:
    """Check the draft's keys, convert it, write ``out`` atomically."""
    try:
        markdown = draft.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataError(draft, NO_SUCH_DRAFT) from exc
    except UnicodeDecodeError as exc:
        raise UserError(f"{display(draft)}: not UTF-8 (fix: re-save it as UTF-8)") from exc
    check_drafts([draft], library)
    write_atomic(out, fragment_header(draft) + to_latex(markdown))
