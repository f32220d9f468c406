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
from maaza_core.cli import add_group, add_settings_command, setting
from maaza_core.paths import LITREVIEW_DATA_DIR, display
from papertools.bib.cites import load_library
from papertools.litreview.assemble import fragment_name, related_work_tex, table_name
from papertools.litreview.drafts import check_drafts, convert_draft, draft_paths, named_drafts
from papertools.litreview.tables import TABLES, checked_rows, render_table, table_spec

OUT_DIR = paths.GENERATED_DIR / "litreview"  # what the paper inputs as generated/litreview/


@dataclass(frozen=True, kw_only=True)
class LibrarySetting:
    """The library whose keys are valid: every litreview command reads it but `index`."""

    library: Path = setting(paths.LIBRARY_FILE, help="curated library whose keys are valid")


@dataclass(frozen=True, kw_only=True)
class DataSetting:
    """Where the summary tables' rows and schemas live."""

    data: Path = setting(LITREVIEW_DATA_DIR,
                         help="folder of the table YAML files and their JSON Schemas")


@dataclass(frozen=True, kw_only=True)
class Sources(DataSetting, LibrarySetting):
    """Every input of the section: the library, the drafts, the table data. Each command
    takes the settings of the inputs it reads and no others, so a flag on the command
    line is never silently ignored."""

    drafts: Path = setting(paths.LITREVIEW_DIR, help="folder of the NN-*.md drafts")


@dataclass(frozen=True, kw_only=True)
class ConvertSettings(LibrarySetting):
    """`litreview convert`: one draft to one LaTeX fragment."""

    draft: Path = setting(help="the Markdown draft")
    out: Path = setting(flag="-o/--out", required=True, help="the LaTeX fragment")


@dataclass(frozen=True, kw_only=True)
class TableSettings(DataSetting, LibrarySetting):
    """`litreview table NAME`: one summary table."""

    name: str = setting(help="the table", choices=[s.name for s in TABLES])
    out: Path = setting(flag="-o/--out", required=True, help="the LaTeX table to write")


@dataclass(frozen=True, kw_only=True)
class IndexSettings:
    """`litreview index`: the file that inputs the drafts and tables (reads no library)."""

    draft: tuple[Path, ...] = setting((), flag="draft", nargs="*", type=Path,
                                      help="the drafts (NN-*.md) to input; the paper "
                                      "orders them by name")
    out: Path = setting(OUT_DIR / "related-work.tex", flag="-o/--out",
                        help="the index file to write")


@dataclass(frozen=True, kw_only=True)
class BuildSettings(Sources):
    """`litreview build`: everything at once, into one folder."""

    out_dir: Path = setting(OUT_DIR, help="folder for the LaTeX fragments")


def cmd_convert(s: ConvertSettings) -> int:
    """Convert one draft (its citation keys checked against the library first)."""
    convert_draft(s.draft, s.out, load_library(s.library))
    print(f"wrote {display(s.out)}")
    return 0


def cmd_table(s: TableSettings) -> int:
    """Render one summary table from its checked rows."""
    spec = table_spec(s.name)
    write_atomic(s.out, render_table(spec, load_library(s.library), s.data))
    print(f"wrote {display(s.out)}")
    return 0


def cmd_index(s: IndexSettings) -> int:
    """Write the file that inputs the given drafts and every table."""
    write_atomic(s.out, related_work_tex(named_drafts(list(s.draft))))
    print(f"wrote {display(s.out)}")
    return 0


def cmd_check(s: Sources) -> int:
    """Check every citation key of the drafts and table rows without converting."""
    library = load_library(s.library)
    drafts = draft_paths(s.drafts)
    citations = check_drafts(drafts, library)
    rows = sum(len(checked_rows(spec, library, s.data)) for spec in TABLES)
    print(f"ok: {len(citations)} citations in {len(drafts)} drafts and {rows} table rows "
          f"resolve to {display(library.path)}")
    return 0


def cmd_build(s: BuildSettings) -> int:
    """Convert all drafts, render all tables, write the index (a preview without Make)."""
    library = load_library(s.library)
    drafts = draft_paths(s.drafts)
    steps = len(drafts) + len(TABLES) + 1
    with tqdm(total=steps, desc="litreview", unit="file") as bar:
        for draft in drafts:
            convert_draft(draft, s.out_dir / f"{fragment_name(draft)}.tex", library)
            bar.update()
        for spec in TABLES:
            tex = render_table(spec, library, s.data)
            write_atomic(s.out_dir / f"{table_name(spec)}.tex", tex)
            bar.update()
        write_atomic(s.out_dir / "related-work.tex", related_work_tex(drafts))
        bar.update()
    print(f"wrote {steps} files to {display(s.out_dir)}")
    return 0


# name, handler, help (also the description), a runnable example, the settings dataclass
COMMANDS = (
    ("convert", cmd_convert, "convert one Markdown draft to a LaTeX fragment",
     "papertools litreview convert litreview/01-small-language-models.md "
     "-o build/generated/litreview/01-small-language-models.tex", ConvertSettings),
    ("table", cmd_table, "render one summary table from its YAML rows",
     "papertools litreview table benchmarks -o build/generated/litreview/table-benchmarks.tex",
     TableSettings),
    ("index", cmd_index, "write the file that inputs the given drafts and every table",
     "papertools litreview index litreview/[0-9][0-9]-*.md "
     "-o build/generated/litreview/related-work.tex", IndexSettings),
    ("check", cmd_check, "check every citation key of the drafts and tables",
     "papertools litreview check", Sources),
    ("build", cmd_build, "convert all drafts, render all tables, write the index",
     "papertools litreview build --out-dir build/generated/litreview", BuildSettings),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `litreview` and its subcommands to the `papertools` parser."""
    sub = add_group(subparsers, "litreview", "related work: check citations, convert drafts, "
                    "render tables (Markdown drafts in litreview/ to LaTeX with pandoc, keys "
                    "checked against bib/library.yaml first; summary tables from "
                    "litreview/data/)", "papertools litreview check", dest="litreview_command")
    for command in COMMANDS:
        add_settings_command(sub, *command)
