"""Every module (and attribute) of our packages that the Markdown docs name exists.

Why: docs named `papertools.bib.mirror` long after it had become
`papertools.bib.factserver` (plus a test helper); a reader following the name found
nothing. Names are dotted paths starting with one of our packages, in any *.md file.
"""

from __future__ import annotations

import importlib
import re

from maaza_core.paths import ROOT

# Not inside a file name or path (`.edgejson.lock`, `tools/papertools/x.py`).
NAME = re.compile(r"(?<![\w./-])(?:papertools|edgejson|maaza_core)(?:\.[A-Za-z_]\w*)+")


def missing_names(text: str) -> list[str]:
    """The dotted names in `text` that are neither a module nor an attribute of one."""
    out = []
    for name in sorted(set(NAME.findall(text))):
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):  # the longest importable prefix
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
            except ModuleNotFoundError:
                continue
            try:
                for attr in parts[cut:]:
                    obj = getattr(obj, attr)
            except AttributeError:
                out.append(name)
            break
        else:
            out.append(name)
    return out


def test_the_docs_name_only_what_exists() -> None:
    docs = [p for p in sorted(ROOT.rglob("*.md"))
            if not {".venv", "build", "node_modules", ".cache"} & set(p.parts)]
    found = {p.relative_to(ROOT).as_posix(): missing_names(p.read_text(encoding="utf-8"))
             for p in docs}
    assert {k: v for k, v in found.items() if v} == {}


def test_a_planted_name_is_found() -> None:
    text = "uses `papertools.bib.mirror` and `maaza_core.errors.UserError`, " \
           "`maaza_core.paths.NO_SUCH`, `edgejson.cli` and the file `.edgejson.lock`"
    assert missing_names(text) == ["maaza_core.paths.NO_SUCH", "papertools.bib.mirror"]
