"""One CLI convention in fact: every command of both tools takes exactly the arguments
of its settings dataclass, argparse stays in the CLI modules, and a flag is honoured or
refused, never accepted and dropped.

The commands are discovered from the parsers (as in test_cli_help.py), so a command added
with hand-written `add_argument` calls fails here without anyone listing it.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
from pathlib import Path

import pytest
from clitree import TOOLS, leaves

from edgejson.cli import main as edgejson_main
from maaza_core.cli import add_command, add_settings_command, setting
from maaza_core.paths import ROOT
from papertools.cli import main as papertools_main

PACKAGES = (ROOT / "core" / "maaza_core", ROOT / "experiments" / "edgejson",
            ROOT / "tools" / "papertools")


def mismatches(parser: argparse.ArgumentParser) -> list[str]:
    """Arguments without a settings field (accepted, then dropped by settings_from) and
    settings fields without an argument."""
    settings = parser.get_default("settings")
    if not dataclasses.is_dataclass(settings):
        return ["no settings dataclass (register it with add_settings_command)"]
    fields = {f.name for f in dataclasses.fields(settings) if "help" in f.metadata}
    dests = {a.dest for a in parser._actions if not isinstance(a, argparse._HelpAction)}
    return ([f"argument {d} has no field in {settings.__name__}" for d in sorted(dests - fields)]
            + [f"field {f} of {settings.__name__} has no argument" for f in
               sorted(fields - dests)])


CASES = [(tool, path, p) for tool, build in TOOLS for path, p in leaves(build())]


@pytest.mark.parametrize(("tool", "path", "parser"), CASES,
                         ids=[" ".join((t, *p)) for t, p, _ in CASES])
def test_every_argument_is_a_setting(tool, path, parser) -> None:
    assert mismatches(parser) == []


def test_an_ad_hoc_flag_is_found() -> None:
    @dataclasses.dataclass(frozen=True)
    class Settings:
        out: Path | None = setting(None, help="where to write")

    sub = argparse.ArgumentParser().add_subparsers()
    good = add_settings_command(sub, "good", print, "a command", "tool good", Settings)
    assert mismatches(good) == []
    bad = add_settings_command(sub, "bad", print, "a command", "tool bad", Settings)
    bad.add_argument("--json", action="store_true", help="print JSON")  # the planted flag
    assert mismatches(bad) == ["argument json has no field in Settings"]
    bare = add_command(sub, "bare", print, "a command", "tool bare")
    assert mismatches(bare) == ["no settings dataclass (register it with add_settings_command)"]


def test_argparse_stays_in_the_cli_modules() -> None:
    # Library functions take settings objects or plain values (bib fixcmd.run_fix took
    # the whole namespace); only the command-line modules and the figure scripts' shared
    # entry point (render/figstyle.py) may import argparse.
    allowed = {"cli.py", "figstyle.py"}
    found = []
    for folder in PACKAGES:
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                     for a in n.names}
            if "argparse" in names and path.name not in allowed:
                found.append(path.relative_to(ROOT).as_posix())
    assert found == []


def test_stats_json_with_out_prints_json_and_writes_the_file(tmp_path, capsys) -> None:
    out = tmp_path / "stats.json"
    assert edgejson_main(["stats", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""  # -o alone: the file only (make's rule)
    written = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    assert edgejson_main(["stats", "--json", "-o", str(out)]) == 0
    assert json.loads(capsys.readouterr().out) == written  # --json is honoured with -o
    assert json.loads(out.read_text(encoding="utf-8")) == written


def test_render_lint_refuses_a_missing_macros_file(tmp_path, capsys) -> None:
    missing = tmp_path / "macros.tex"
    assert papertools_main(["render", "lint", "--macros", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "no such macros file" in err and "make render" in err
