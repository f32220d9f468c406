"""edgejson -> maaza_core <- papertools: neither tool package imports the other.

Why a test: one stray import brings the coupling back (render pulled in the harness for
the split sizes; the harness pulled in the paper tools for errors and paths), and grep
misses imports inside functions less reliably than the syntax tree does."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from maaza_core.paths import ROOT

PACKAGES = {  # package -> where it lives and what it must not import
    "edgejson": (ROOT / "experiments" / "edgejson", {"papertools"}),
    "papertools": (ROOT / "tools" / "papertools", {"edgejson"}),
    "maaza_core": (ROOT / "core" / "maaza_core", {"edgejson", "papertools"}),
}


def forbidden_imports(folder: Path, forbidden: set[str]) -> list[str]:
    """Every `import X` / `from X import` of a forbidden top-level package, as FILE:LINE."""
    found: list[tuple[Path, int]] = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            if any(n.split(".")[0] in forbidden for n in names):
                found.append((path, node.lineno))
    return [f"{p.relative_to(folder.parent)}:{line}" for p, line in sorted(found)]


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_package_imports_only_downwards(package):
    folder, forbidden = PACKAGES[package]
    assert forbidden_imports(folder, forbidden) == []


def test_a_planted_import_is_found(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "ok.py").write_text("import json\nfrom maaza_core.errors import UserError\n")
    (pkg / "bad.py").write_text("def f():\n    from edgejson.data import dataset_stats\n"
                                "import papertools.render\n")
    assert forbidden_imports(pkg, {"edgejson", "papertools"}) == ["pkg/bad.py:2",
                                                                   "pkg/bad.py:3"]
