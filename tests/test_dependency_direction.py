"""edgejson -> maaza_core <- papertools: neither tool package imports the other, the
sub-packages of papertools import only downwards, and no module imports itself back.

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


# Sub-packages of papertools -> the sibling sub-packages they may import. The related-work
# drafts cite through the library (bib) and render their tables like the paper's (render);
# bib and render stand alone, so neither may reach into the other or into litreview.
SUBPACKAGES = {
    "papertools.bib": set(),
    "papertools.render": set(),
    "papertools.litreview": {"papertools.bib", "papertools.render"},
}


def module_graph(folder: Path, package: str) -> dict[str, set[str]]:
    """Module -> the modules of `package` it imports, wherever the import stands (inside a
    function or under TYPE_CHECKING too: either only hides a cycle, it does not break it).

    `from pkg.mod import name` counts as an import of pkg.mod, and of pkg.mod.name when
    that is a module itself."""
    modules = {}
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder).with_suffix("").parts
        name = ".".join((package, *parts)).removesuffix(".__init__")
        modules[name] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of `graph` (its strongly connected components of two or more
    modules, or a module importing itself), each sorted, by Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_import_cycles_between_modules(package):
    folder, _ = PACKAGES[package]
    assert cycles(module_graph(folder, package)) == []


def test_subpackages_import_only_what_they_may():
    graph = module_graph(PACKAGES["papertools"][0], "papertools")
    wrong = []
    for module, imported in sorted(graph.items()):
        own = next((s for s in SUBPACKAGES if module.startswith(s + ".") or module == s), None)
        if own is None:
            continue  # papertools.cli, the edge, wires every sub-package together
        for target in sorted(imported):
            other = next((s for s in SUBPACKAGES if target.startswith(s + ".")), None)
            if other and other != own and other not in SUBPACKAGES[own]:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_a_planted_cycle_is_found(tmp_path):
    # A cycle hidden in a function and one behind TYPE_CHECKING are cycles all the same;
    # a chain that only goes down is not.
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.b import x\n")
    (pkg / "b.py").write_text("def f():\n    from . import a\n")
    (pkg / "sub" / "c.py").write_text("from typing import TYPE_CHECKING\n"
                                      "if TYPE_CHECKING:\n    from ..sub.d import y\n")
    (pkg / "sub" / "d.py").write_text("from pkg.sub import c\nfrom pkg import a\n")
    (pkg / "e.py").write_text("import pkg.a\n")
    assert cycles(module_graph(pkg, "pkg")) == [["pkg.a", "pkg.b"],
                                                 ["pkg.sub.c", "pkg.sub.d"]]
