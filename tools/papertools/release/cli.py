"""`papertools release ...`: the arXiv tarball and the marked-up diff (make arxiv, make diff)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from maaza_core.cli import add_group, add_settings_command, setting
from maaza_core.paths import BUILD_DIR, display
from papertools.release.arxiv import write_tarball
from papertools.release.diff import write_diff


@dataclass(frozen=True, kw_only=True)
class ArxivSettings:
    """`release arxiv`: where the submission tarball goes."""

    out: Path = setting(BUILD_DIR / "arxiv.tar.gz", flag="-o/--out",
                        help="the tarball to write")


@dataclass(frozen=True, kw_only=True)
class DiffSettings:
    """`release diff OLD`: the revision to compare with, and where the PDF goes."""

    old: str = setting(flag="OLD", help="the old git revision (HEAD~1, a tag, a hash)")
    out: Path = setting(BUILD_DIR / "diff.pdf", flag="-o/--out", help="the PDF to write")
    venv: Path = setting(Path(sys.prefix), help="the venv the old revision's build shares "
                         "when its lock is the same (this Python's by default)")


def cmd_arxiv(s: ArxivSettings) -> int:
    """Write the submission tarball and list what it holds."""
    tree = write_tarball(s.out)
    print(f"wrote {display(s.out)}: {len(tree.files)} files ({', '.join(tree.files)})")
    return 0


def cmd_diff(s: DiffSettings) -> int:
    """Write the PDF with the changes since the old revision marked."""
    out = write_diff(s.old, s.out, s.venv)
    print(f"wrote {display(out)} (changes since {s.old})")
    return 0


# name, handler, help (also the description), a runnable example, the settings dataclass
COMMANDS = (
    ("arxiv", cmd_arxiv, "write the arXiv submission (sources, generated LaTeX, figures, "
     ".bbl)", "papertools release arxiv -o build/arxiv.tar.gz", ArxivSettings),
    ("diff", cmd_diff, "write the paper with the changes since OLD marked (latexdiff)",
     "papertools release diff HEAD~1 -o build/diff.pdf", DiffSettings),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `papertools release arxiv|diff`."""
    sub = add_group(subparsers, "release", "the arXiv tarball and the diff against an older "
                    "revision (both read what `make paper` built; the diff marks changes "
                    "with latexdiff)", "papertools release arxiv -o build/arxiv.tar.gz",
                    dest="release_command")
    for command in COMMANDS:
        add_settings_command(sub, *command)
