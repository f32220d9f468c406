"""The litreview subcommands: each takes the flags of the inputs it reads and no others,
and `index` inputs exactly the drafts it is given (Make's list), in paper order."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from maaza_core import paths
from maaza_core.cli import run_command, run_main
from papertools.litreview import cli
from papertools.litreview.drafts import draft_paths

DRAFT = paths.LITREVIEW_DIR / "01-small-language-models.md"
# Each subcommand with its required arguments (the output goes to {out}).
COMMANDS = {
    "convert": [str(DRAFT), "-o", "{out}/f.tex"],
    "table": ["benchmarks", "-o", "{out}/t.tex"],
    "index": ["-o", "{out}/i.tex"],
    "check": [],
    "build": ["--out-dir", "{out}"],
}
READS = {  # the source flags each subcommand honours
    "convert": {"--library"},
    "table": {"--library", "--data"},
    "index": set(),
    "check": {"--library", "--drafts", "--data"},
    "build": {"--library", "--drafts", "--data"},
}


def main(argv: list[str]) -> int:
    """`papertools ARGV` with only the litreview commands registered."""
    parser = argparse.ArgumentParser(prog="papertools")
    cli.register(parser.add_subparsers(dest="command", required=True))

    def body() -> int | None:
        return run_command(parser.parse_args(argv))

    return run_main("papertools", body)


def _bad_sources(tmp_path: Path) -> dict[str, Path]:
    """One broken input per flag: a missing library, a draft citing an unknown key, a data
    folder without tables; a command that reads the flag must fail on it."""
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "01-x.md").write_text("[@not_a_key_2099]\n", encoding="utf-8")
    (tmp_path / "data").mkdir()
    return {"--library": tmp_path / "missing.yaml", "--drafts": drafts, "--data": tmp_path / "data"}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("flag", ["--library", "--drafts", "--data"])
def test_a_source_flag_is_declared_only_where_it_is_read(tmp_path, capsys, command, flag):
    out = tmp_path / "out"
    args = [a.replace("{out}", str(out)) for a in COMMANDS[command]]
    bad = _bad_sources(tmp_path)[flag]
    if flag in READS[command]:
        assert main(["litreview", command, *args]) == 0  # the defaults work ...
        assert main(["litreview", command, *args, flag, str(bad)]) == 1  # ... the flag is read
        assert "error:" in capsys.readouterr().err
    else:
        with pytest.raises(SystemExit) as exit_:
            main(["litreview", command, *args, flag, str(bad)])
        assert exit_.value.code == 2
        assert f"unrecognized arguments: {flag}" in capsys.readouterr().err


def test_index_inputs_the_given_drafts_in_paper_order(tmp_path):
    for name in ("02-b.md", "01-a.md"):
        (tmp_path / name).write_text("text\n", encoding="utf-8")
    out = tmp_path / "related-work.tex"
    assert main(["litreview", "index", str(tmp_path / "02-b.md"), str(tmp_path / "01-a.md"),
                 "-o", str(out)]) == 0
    inputs = re.findall(r"\\input\{generated/litreview/(\d\d-\w)\}", out.read_text())
    assert inputs == ["01-a", "02-b"]


@pytest.mark.parametrize(("name", "message"), [
    ("README.md", "README.md: not a draft (fix: drafts are named [0-9][0-9]-*.md"),
    ("07-absent.md", "07-absent.md: no such draft"),
])
def test_index_refuses_what_is_not_a_draft(tmp_path, capsys, name, message):
    (tmp_path / "README.md").write_text("notes\n", encoding="utf-8")
    out = tmp_path / "related-work.tex"
    assert main(["litreview", "index", str(tmp_path / name), "-o", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU Make")
def test_make_hands_index_the_drafts_python_finds():
    """The build lists the drafts once (Make's wildcard); `check` and `build` glob them in
    Python for people running them by hand. The two must find the same files."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAAZA_ROOT")}
    index = paths.GENERATED_DIR.relative_to(paths.ROOT) / "litreview" / "related-work.tex"
    plan = subprocess.run(["make", "-n", "-B", "--no-print-directory",
                           f"VENV={paths.ROOT / '.venv'}", str(index)],
                          cwd=paths.ROOT, env=env, capture_output=True, text=True, check=True)
    command = next(line for line in plan.stdout.splitlines() if "litreview index" in line)
    given = command.split("litreview index", 1)[1].split(" -o ", 1)[0].split()
    assert sorted(given) == [str(d.relative_to(paths.ROOT)) for d in draft_paths()]
