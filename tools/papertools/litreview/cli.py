"""`papertools litreview ...`: check, convert and assemble the related-work section.

Make calls one sub-command per generated file (so editing one draft rebuilds one
fragment); `build` does everything at once for a quick preview without Make.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tqdm import tqdm

from maaza_core import paths
from maaza_core.atomic import write_atomic
from papertools.bib.cites import Library, load_library
from papertools.litreview.assemble import fragment_name, related_work_tex, table_name
from papertools.litreview.drafts import check_drafts, convert_draft, display, draft_paths
from papertools.litreview.tables import TABLES, check_keys, load_rows, render_table, table_spec

OUT_DIR = paths.GENERATED_DIR / "litreview"  # what the paper inputs as generated/litreview/
DATA_DIR = paths.LITREVIEW_DIR / "data"  # table rows and their JSON Schemas


def _library(args: argparse.Namespace) -> Library:
    return load_library(args.library)


def cmd_convert(args: argparse.Namespace) -> int:
    convert_draft(args.draft, args.out, _library(args))
    print(f"wrote {display(args.out)}")
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    write_atomic(args.out, render_table(table_spec(args.name), _library(args), args.data))
    print(f"wrote {display(args.out)}")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    write_atomic(args.out, related_work_tex(draft_paths(args.drafts)))
    print(f"wrote {display(args.out)}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    library = _library(args)
    drafts = draft_paths(args.drafts)
    citations = check_drafts(drafts, library)
    rows = 0
    for spec in TABLES:
        data = args.data / f"{spec.name}.yaml"
        found, lines = load_rows(data, args.data / f"{spec.name}.schema.json")
        check_keys(data, found, lines, library)
        rows += len(found)
    print(f"ok: {len(citations)} citations in {len(drafts)} drafts and {rows} table rows "
          f"resolve to {display(library.path)}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    library = _library(args)
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


def _add(sub, name: str, func, help_: str, example: str) -> argparse.ArgumentParser:
    q = sub.add_parser(name, help=help_, description=help_, epilog=f"example: {example}",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    q.add_argument("--library", type=Path, default=paths.LIBRARY_FILE,
                   help="curated library whose keys are valid (default: %(default)s)")
    q.set_defaults(func=func)
    return q


def _add_sources(q: argparse.ArgumentParser) -> None:
    q.add_argument("--drafts", type=Path, default=paths.LITREVIEW_DIR,
                   help="folder of NN-*.md drafts (default: %(default)s)")
    q.add_argument("--data", type=Path, default=DATA_DIR,
                   help="folder of table YAML and schemas (default: %(default)s)")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "litreview", help="related work: check citations, convert drafts, render tables",
        description="Turn the Markdown drafts in litreview/ into LaTeX with pandoc (natbib "
        "citations, keys checked against bib/library.yaml first) and render the summary "
        "tables from litreview/data/.",
        epilog="example: papertools litreview check",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="litreview_command", required=True, metavar="WHAT")
    q = _add(sub, "convert", cmd_convert, "convert one Markdown draft to a LaTeX fragment",
             "papertools litreview convert litreview/01-small-language-models.md "
             "-o build/generated/litreview/01-small-language-models.tex")
    q.add_argument("draft", type=Path, help="the Markdown draft")
    q.add_argument("-o", "--out", type=Path, required=True, help="the LaTeX fragment")
    q = _add(sub, "table", cmd_table, "render one summary table from its YAML rows",
             "papertools litreview table benchmarks "
             "-o build/generated/litreview/table-benchmarks.tex")
    q.add_argument("name", choices=[s.name for s in TABLES])
    q.add_argument("-o", "--out", type=Path, required=True, help="the LaTeX table to write")
    q.add_argument("--data", type=Path, default=DATA_DIR,
                   help="folder of the curated YAML tables (default: %(default)s)")
    q = _add(sub, "index", cmd_index, "write the file that inputs every fragment and table",
             "papertools litreview index -o build/generated/litreview/related-work.tex")
    q.add_argument("-o", "--out", type=Path, default=OUT_DIR / "related-work.tex",
                   help="the index file to write (default: %(default)s)")
    q.add_argument("--drafts", type=Path, default=paths.LITREVIEW_DIR,
                   help="folder of the Markdown drafts NN-*.md (default: %(default)s)")
    q = _add(sub, "check", cmd_check, "check every citation key of the drafts and tables",
             "papertools litreview check")
    _add_sources(q)
    q = _add(sub, "build", cmd_build, "convert all drafts, render all tables, write the index",
             "papertools litreview build --out-dir build/generated/litreview")
    _add_sources(q)
    q.add_argument("--out-dir", type=Path, default=OUT_DIR,
                   help="folder for the LaTeX fragments (default: %(default)s)")
