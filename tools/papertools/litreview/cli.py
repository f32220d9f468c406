"""`papertools litreview ...`: check, convert and assemble the related-work section.

Make calls one sub-command per generated file (so editing one draft rebuilds one
fragment) and hands `index` the drafts it found, so the build lists them once; `build`
does everything at once for a quick preview without Make.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from maaza_core import paths
from maaza_core.atomic import write_atomic
from maaza_core.cli import add_command, add_settings, setting
from maaza_core.paths import LITREVIEW_DATA_DIR, display
from papertools.bib.cites import load_library
from papertools.litreview.assemble import fragment_name, related_work_tex, table_name
from papertools.litreview.drafts import check_drafts, convert_draft, draft_paths, named_drafts
from papertools.litreview.tables import TABLES, checked_rows, render_table, table_spec

OUT_DIR = paths.GENERATED_DIR / "litreview"  # what the paper inputs as generated/litreview/


@dataclass(frozen=True)
class Sources:
    """Where the section's inputs live. Each subcommand takes the flags of the inputs it
    reads and no others, so a flag on the command line is never silently ignored."""

    library: Path = setting(paths.LIBRARY_FILE, help="curated library whose keys are valid")
    drafts: Path = setting(paths.LITREVIEW_DIR, help="folder of the NN-*.md drafts")
    data: Path = setting(LITREVIEW_DATA_DIR,
                         help="folder of the table YAML files and their JSON Schemas")


def cmd_convert(args: argparse.Namespace) -> int:
    convert_draft(args.draft, args.out, load_library(args.library))
    print(f"wrote {display(args.out)}")
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    spec = table_spec(args.name)
    write_atomic(args.out, render_table(spec, load_library(args.library), args.data))
    print(f"wrote {display(args.out)}")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    write_atomic(args.out, related_work_tex(named_drafts(args.draft)))
    print(f"wrote {display(args.out)}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    library = load_library(args.library)
    drafts = draft_paths(args.drafts)
    citations = check_drafts(drafts, library)
    rows = sum(len(checked_rows(spec, library, args.data)) for spec in TABLES)
    print(f"ok: {len(citations)} citations in {len(drafts)} drafts and {rows} table rows "
          f"resolve to {display(library.path)}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    library = load_library(args.library)
    drafts = draft_paths(args.drafts)
    steps = len(drafts) + len(TABLES) + 1
    with tqdm(total=steps, desc="litreview", unit="file") as bar:
        for draft in drafts:
            convert_draft(draft, args.out_dir / f"{fragment_name(draft)}.tex", library)
            bar.update()
        for spec in TABLES:
            tex = render_table(spec, library, args.data)
            write_atomic(args.out_dir / f"{table_name(spec)}.tex", tex)
            bar.update()
        write_atomic(args.out_dir / "related-work.tex", related_work_tex(drafts))
        bar.update()
    print(f"wrote {steps} files to {display(args.out_dir)}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "litreview", help="related work: check citations, convert drafts, render tables",
        description="Turn the Markdown drafts in litreview/ into LaTeX with pandoc (natbib "
        "citations, keys checked against bib/library.yaml first) and render the summary "
        "tables from litreview/data/.",
        epilog="example: papertools litreview check",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="litreview_command", required=True, metavar="WHAT")
    q = add_command(sub, "convert", cmd_convert, "convert one Markdown draft to a LaTeX fragment",
                    "papertools litreview convert litreview/01-small-language-models.md "
                    "-o build/generated/litreview/01-small-language-models.tex")
    q.add_argument("draft", type=Path, help="the Markdown draft")
    q.add_argument("-o", "--out", type=Path, required=True, help="the LaTeX fragment")
    add_settings(q, Sources, ["library"])
    q = add_command(sub, "table", cmd_table, "render one summary table from its YAML rows",
                    "papertools litreview table benchmarks "
                    "-o build/generated/litreview/table-benchmarks.tex")
    q.add_argument("name", choices=[s.name for s in TABLES])
    q.add_argument("-o", "--out", type=Path, required=True, help="the LaTeX table to write")
    add_settings(q, Sources, ["library", "data"])
    q = add_command(sub, "index", cmd_index,
                    "write the file that inputs the given drafts and every table",
                    "papertools litreview index litreview/[0-9][0-9]-*.md "
                    "-o build/generated/litreview/related-work.tex")
    q.add_argument("draft", type=Path, nargs="*",
                   help="the drafts (NN-*.md) to input; the paper orders them by name")
    q.add_argument("-o", "--out", type=Path, default=OUT_DIR / "related-work.tex",
                   help="the index file to write (default: %(default)s)")
    q = add_command(sub, "check", cmd_check, "check every citation key of the drafts and tables",
                    "papertools litreview check")
    add_settings(q, Sources, ["library", "drafts", "data"])
    q = add_command(sub, "build", cmd_build,
                    "convert all drafts, render all tables, write the index",
                    "papertools litreview build --out-dir build/generated/litreview")
    add_settings(q, Sources, ["library", "drafts", "data"])
    q.add_argument("--out-dir", type=Path, default=OUT_DIR,
                   help="folder for the LaTeX fragments (default: %(default)s)")
