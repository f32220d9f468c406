"""`papertools release ...`: the arXiv tarball and the marked-up diff (make arxiv, make diff)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from maaza_core.cli import add_command
from maaza_core.paths import BUILD_DIR, display
from papertools.release.arxiv import write_tarball
from papertools.release.diff import write_diff


def cmd_arxiv(args: argparse.Namespace) -> int:
    """Write the submission tarball and list what it holds."""
    tree = write_tarball(args.out)
    print(f"wrote {display(args.out)}: {len(tree.files)} files "
          f"({', '.join(tree.files)})")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """Write the PDF with the changes since the old revision marked."""
    out = write_diff(args.old, args.out, args.venv)
    print(f"wrote {display(out)} (changes since {args.old})")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `papertools release arxiv|diff`."""
    p = subparsers.add_parser(
        "release", help="the arXiv tarball and the diff against an older revision",
        description="Package the built paper for arXiv, or mark the changes since an "
        "older git revision with latexdiff. Both read what `make paper` built.",
        epilog="example: papertools release arxiv -o build/arxiv.tar.gz",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="release_command", required=True, metavar="WHAT")
    q = add_command(sub, "arxiv", cmd_arxiv,
                    "write the arXiv submission (sources, generated LaTeX, figures, .bbl)",
                    "papertools release arxiv -o build/arxiv.tar.gz")
    q.add_argument("-o", "--out", type=Path, default=BUILD_DIR / "arxiv.tar.gz",
                   help="the tarball to write (default: %(default)s)")
    q = add_command(sub, "diff", cmd_diff,
                    "write the paper with the changes since OLD marked (latexdiff)",
                    "papertools release diff HEAD~1 -o build/diff.pdf")
    q.add_argument("old", metavar="OLD", help="the old git revision (HEAD~1, a tag, a hash)")
    q.add_argument("-o", "--out", type=Path, default=BUILD_DIR / "diff.pdf",
                   help="the PDF to write (default: %(default)s)")
    q.add_argument("--venv", type=Path, default=Path(sys.prefix),
                   help="the venv the old revision's build shares when its lock is the "
                   "same (default: this Python's, %(default)s)")
