"""LaTeX escaping for text that comes from data (titles, model names, table cells).

Why a hand-written table rather than a package: pylatexenc and pybtex's latexcodec escape
for BibTeX or emit unicode-math commands that pdflatex with T1/utf8 inputenc does not need.
Our documents load ``inputenc`` (utf8) and ``fontenc`` (T1), so accented Latin letters pass
through unchanged; only the ten special characters and a few typographic symbols that the
default utf8 tables lack need commands.
"""

from __future__ import annotations

import re
import unicodedata

# The ten characters with a special meaning in LaTeX text mode.
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}

# Non-ASCII characters that pdflatex's utf8 inputenc cannot typeset without help.
_SYMBOLS = {
    "\u2212": "-",  # minus sign
    "\u00d7": r"\texttimes{}",
    "\u2248": r"$\approx$",
    "\u2264": r"$\leq$",
    "\u2265": r"$\geq$",
    "\u2192": r"$\rightarrow$",
    "\u03b1": r"$\alpha$",
    "\u03b2": r"$\beta$",
    "\u00b1": r"\textpm{}",
    "\u2009": r"\,",  # thin space
    "\u00a0": "~",  # no-break space
}

_PATTERN = re.compile("|".join(re.escape(c) for c in (*_SPECIAL, *_SYMBOLS)))


def latex_escape(value: object) -> str:
    """Escape ``value`` for LaTeX text mode.

    Accented letters are kept as UTF-8 (NFC-normalised so that a decomposed "é" from an
    API becomes one character that inputenc knows); special characters become commands.
    """
    text = unicodedata.normalize("NFC", str(value))
    return _PATTERN.sub(lambda m: _SPECIAL.get(m.group(0)) or _SYMBOLS[m.group(0)], text)
