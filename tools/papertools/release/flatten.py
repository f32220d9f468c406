"""One LaTeX file from the paper's tree, as latexdiff needs it.

Why our own flattener rather than `latexdiff --flatten`: latexdiff looks for files next
to the main file only, never inlines the .bbl of a tree built elsewhere, and cannot know
that `\\result{KEY}` prints a number: two revisions with the same prose and different
results would diff as equal. Here every `\\input` is inlined (also inside a macro's
definition), `\\bibliography` becomes the .bbl's text, and each `\\result{KEY}` becomes
its value in that revision's generated/macros.tex, so changed numbers are marked.
"""

from __future__ import annotations

import re

from maaza_core.errors import UserError
from papertools.release.tree import MAIN, Tree

_INPUT = re.compile(r"\\(?:input|include)\s*\{([^}]*)\}")
_BIBLIOGRAPHY = re.compile(r"\\bibliography\s*\{[^}]*\}")
_RESULT = re.compile(r"\\result\s*\{([^}]*)\}")
_DEFRESULT = "\\defresult{"
_COMMENT_LINE = re.compile(r"(?<!\\)%")
MACROS = "generated/macros.tex"


def braced(text: str, start: int) -> tuple[str, int]:
    """The balanced group that opens at text[start] ('{'), and the index after it."""
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "{" and text[i - 1] != "\\":
            depth += 1
        elif ch == "}" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1:i], i + 1
    raise ValueError(f"unbalanced braces after offset {start}")


def result_values(macros: str) -> dict[str, str]:
    """KEY -> the LaTeX of its value, from a generated macros file's \\defresult lines."""
    values: dict[str, str] = {}
    at = macros.find(_DEFRESULT)
    while at != -1:
        key, after = braced(macros, at + len(_DEFRESULT) - 1)
        values[key], after = braced(macros, after)
        at = macros.find(_DEFRESULT, after)
    values.pop("#1", None)  # the definition of \defresult itself
    return values


def _ends_in_comment(text: str) -> bool:
    last = text.rsplit("\n", 1)[-1]
    return bool(_COMMENT_LINE.search(last))


def _inline(tree: Tree, name: str, seen: tuple[str, ...]) -> str:
    """The file's text with each \\input replaced by the (inlined) file it names."""
    if name in seen:
        raise UserError(f"{name}: \\input loop ({' -> '.join((*seen, name))})")
    text = tree.tex(name)
    out: list[str] = []
    pos = 0
    for m in _INPUT.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if _COMMENT_LINE.search(text, line_start, m.start()):
            continue  # commented out
        target = m.group(1).strip()
        target = target if target.endswith(".tex") else target + ".tex"
        body = _inline(tree, target, (*seen, name)).rstrip("\n")
        rest = m.end()
        if _ends_in_comment(body):
            # The file's end closes its last comment, as TeX's end of file does.
            body += "\n"
            if text.startswith("\n", rest):
                rest += 1
        out.append(text[pos:m.start()] + body)
        pos = rest
    out.append(text[pos:])
    return "".join(out)


def flatten(tree: Tree) -> str:
    """main.tex with every file inlined, the bibliography included and results expanded."""
    text = _inline(tree, MAIN, ())
    if "main.bbl" in tree.files:
        bbl = tree.files["main.bbl"].read_text(encoding="utf-8")
        text = _BIBLIOGRAPHY.sub(lambda _: bbl, text, count=1)
    values = result_values(tree.tex(MACROS)) if MACROS in tree.files else {}
    begin = text.find("\\begin{document}")
    body = _RESULT.sub(lambda m: values.get(m.group(1), m.group(0)), text[begin:])
    return text[:begin] + body
