"""`papertools bib ...`: the literature commands `make bib` and `make bib-check` run.

Why thin handlers: each one takes its settings, calls a plain function the tests also
call, prints one finding per line and turns the counts into an exit code. The modules
that parse BibTeX or talk to the sources (build, refresh, check, add, seedcache) are
imported by the handler that needs them, so `papertools --help` and the commands that
need none of them start without their dependencies (pybtex, bibtexparser, the clients).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from maaza_core import paths
from maaza_core.cli import add_group, add_settings_command, setting
from maaza_core.errors import DataError
from papertools.bib.cites import check_library
from papertools.bib.config import CHECK_CACHE_DIR, SourceConfig
from papertools.bib.findings import ERROR, WARNING, Finding, count
from papertools.bib.library import load_library
from papertools.bib.records import Cache

# --- settings: one small dataclass per option, combined per command --------------------
# Each command's settings inherit exactly the options its handler reads, so a flag is
# never accepted and ignored (tests/tools/bib/test_cli_flags.py).


@dataclass(frozen=True, kw_only=True)
class LibraryOption:
    """The curated library the command reads."""

    library: Path = setting(paths.LIBRARY_FILE, help="the library YAML file")


@dataclass(frozen=True, kw_only=True)
class CacheOption:
    """Where source records are cached."""

    cache: Path = setting(paths.BIB_CACHE_DIR, help="the folder of cached source records")


@dataclass(frozen=True, kw_only=True)
class OfflineOption:
    """Whether sources may be asked."""

    offline: bool = setting(False, action="store_true",
                            help="use the cache only, contact no source")


@dataclass(frozen=True, kw_only=True)
class StrictSourcesOption:
    """Whether a silent source fails the command."""

    strict: bool = setting(False, action="store_true",
                           help="a source that cannot answer is an error, not a warning")


@dataclass(frozen=True, kw_only=True)
class OutputOption:
    """The BibTeX file written from the library."""

    output: Path = setting(paths.REFERENCES_BIB, flag="-o/--output",
                           help="the .bib file to write")


@dataclass(frozen=True, kw_only=True)
class SourcesArgument:
    """The files whose citations are checked."""

    sources: tuple[str, ...] = setting((str(paths.PAPER_DIR), str(paths.LITREVIEW_DIR)),
                                       flag="sources", nargs="*",
                                       help="files or folders whose citations are checked "
                                       "(.tex, .md; default: paper/ and litreview/)")


@dataclass(frozen=True, kw_only=True)
class BuildSettings(SourcesArgument, OutputOption, OfflineOption, StrictSourcesOption,
                    CacheOption, LibraryOption):
    """`bib build` (make bib): refresh, write, verify, check citations."""


@dataclass(frozen=True, kw_only=True)
class RefreshSettings(OfflineOption, StrictSourcesOption, CacheOption, LibraryOption):
    """`bib refresh`: fetch missing or stale records."""

    force: bool = setting(False, action="store_true", help="refetch every record")


@dataclass(frozen=True, kw_only=True)
class WriteSettings(OutputOption, CacheOption, LibraryOption):
    """`bib write`: references.bib from the library and the cache."""


@dataclass(frozen=True, kw_only=True)
class VerifySettings(CacheOption, LibraryOption):
    """`bib verify`: every entry against its records."""

    strict: bool = setting(False, action="store_true", help="warnings fail the command too")


@dataclass(frozen=True, kw_only=True)
class CitesSettings(SourcesArgument, LibraryOption):
    """`bib cites`: every citation of the sources against the library."""


@dataclass(frozen=True, kw_only=True)
class CheckSettings(OfflineOption, StrictSourcesOption):
    """`bib check FILE` (bib-check), and `--fix`."""

    cache: Path = setting(CHECK_CACHE_DIR, help="where records fetched for this file go; "
                          "the committed bib/cache/ is read as well")
    file: Path = setting(help="the .bib file to check")
    json: bool = setting(False, action="store_true", help="machine-readable report")
    fix: bool = setting(False, action="store_true", help="print a unified diff of the "
                        "corrections; with -o or --in-place also write them")
    output: Path | None = setting(None, flag="-o/--output",
                                  help="with --fix: write the corrected copy here")
    in_place: bool = setting(False, action="store_true",
                             help="with --fix: rewrite FILE, keeping the old one as FILE.bak")


@dataclass(frozen=True, kw_only=True)
class AddSettings(OfflineOption, CacheOption, LibraryOption):
    """`bib add ID...`: new works into the library, their records into the cache."""

    ids: tuple[str, ...] = setting(flag="ids", nargs="+", help="arXiv ids or DOIs")
    category: tuple[str, ...] | None = setting(None, flag="-c/--category", action="append",
                                               help="category (repeat)")


@dataclass(frozen=True, kw_only=True)
class SeedCacheSettings(CacheOption, LibraryOption):
    """`bib seed-cache`: the cache from the recorded facts, through the local mirror."""


# --- handlers ---------------------------------------------------------------------------


def _print(findings: list[Finding]) -> None:
    for f in findings:
        print(f"{f.severity}: {f}", file=sys.stderr if f.severity == ERROR else sys.stdout)


def cmd_build(s: BuildSettings) -> int:
    """`make bib` in one command, with one summary line."""
    from papertools.bib.build import build_all

    report = build_all(load_library(s.library), Cache(s.cache), SourceConfig.from_env(),
                       offline=s.offline, strict=s.strict, out=s.output,
                       sources=list(s.sources))
    _print(list(report.findings))
    print(report.summary())
    return 1 if report.errors else 0


def cmd_refresh(s: RefreshSettings) -> int:
    """Fetch what the cache lacks (or everything with --force)."""
    from papertools.bib.refresh import Refresher, wanted_for

    lib = load_library(s.library)
    report = Refresher(SourceConfig.from_env(), Cache(s.cache), force=s.force).run(
        wanted_for(lib.entries), offline=s.offline, strict=s.strict)
    _print(report.findings)
    print(f"refresh: fetched {report.fetched}, from cache {report.cached}, "
          f"requests {report.requests}, warnings {count(report.findings, WARNING)}, "
          f"errors {count(report.findings, ERROR)}")
    return 1 if count(report.findings, ERROR) else 0


def cmd_write(s: WriteSettings) -> int:
    """Write references.bib from the library and the cache, offline."""
    from papertools.bib.build import write_references

    written = write_references(load_library(s.library), Cache(s.cache), s.output)
    _print(list(written.findings))
    state = "written" if written.changed else "unchanged"
    print(f"write: {written.path} {state} ({len(written.merged)} entries)")
    return 0


def cmd_verify(s: VerifySettings) -> int:
    """Compare every entry with its records; --strict fails on warnings too."""
    from papertools.bib.build import verify_library

    findings = verify_library(load_library(s.library), Cache(s.cache))
    _print(findings)
    errors = count(findings, ERROR)
    print(f"verify: {errors} errors, {count(findings, WARNING)} warnings")
    return 1 if errors or (s.strict and findings) else 0


def cmd_cites(s: CitesSettings) -> int:
    """Check every citation of the sources against the library."""
    findings = check_library(load_library(s.library), list(s.sources))
    _print(findings)
    errors = count(findings, ERROR)
    print(f"cites: {errors} errors, {count(findings, WARNING)} uncited entries")
    return 1 if errors else 0


def _readable_bib(path: Path) -> None:
    """A missing path, a folder, an empty or a non-BibTeX file is the user's mistake: say
    so in one line, instead of a traceback or "0 entries, 0 errors" (exit 0)."""
    fix = "fix: pass a .bib file, e.g. bib/references.bib"
    if path.is_dir():
        raise DataError(path, f"is a folder, not a BibTeX file ({fix})")
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise DataError(path, f"no such file ({fix})") from None
    except OSError as exc:
        raise DataError(path, f"cannot be read: {exc.strerror} ({fix})") from None
    if not re.search(r"@\s*[A-Za-z]+\s*[{(]", text):
        what = "empty" if not text.strip() else "not a BibTeX file (no @type{key, ...} entry)"
        raise DataError(path, f"{what} ({fix})")


def cmd_check(s: CheckSettings) -> int:
    """bib-check: findings of any .bib file; with --fix, the corrected copy."""
    from papertools.bib.check import check_file
    from papertools.bib.fixcmd import check_fix_args, run_fix

    check_fix_args(s.file, s.fix, s.output, s.in_place)
    # Records fetched for this file go to --cache (build/bib-check-cache/ by default);
    # the committed cache is read as well.
    cache = Cache(s.cache, extra_read=(paths.BIB_CACHE_DIR,))
    _readable_bib(s.file)
    cfg = SourceConfig.from_env()
    report = check_file(s.file, cfg, offline=s.offline, strict=s.strict, cache=cache)
    if s.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        _print(list(report.findings))
        print(f"bib-check: {report.entries} entries, {report.errors} errors, "
              f"{count(report.findings, WARNING)} warnings")
    if s.fix:
        return run_fix(report, cfg, output=s.output, in_place=s.in_place,
                       notes_to_stderr=s.json)
    return 1 if report.errors else 0


def cmd_add(s: AddSettings) -> int:
    """Add works by arXiv id or DOI, fetching their records."""
    from papertools.bib.add import add_works

    keys = add_works(load_library(s.library), list(s.ids), SourceConfig.from_env(),
                     list(s.category or ()), Cache(s.cache), offline=s.offline)
    print("added: " + ", ".join(keys))
    return 0


def cmd_seed_cache(s: SeedCacheSettings) -> int:
    """Rebuild the cache from the recorded facts through the local fact server."""
    from papertools.bib.seedcache import seed_cache

    report = seed_cache(load_library(s.library), Cache(s.cache))
    _print(report.findings)
    print(f"seed-cache: {report.fetched} records from the local mirror")
    return 1 if report.findings else 0


# name, handler, help (also the description), a runnable example, the settings dataclass
COMMANDS = (
    ("build", cmd_build, "make bib: refresh, write references.bib, verify, check "
     "citations; one summary line", "papertools bib build --offline", BuildSettings),
    ("refresh", cmd_refresh, "fetch missing or stale records into bib/cache/",
     "ARXIV_API_URL=http://127.0.0.1:8000/api/query papertools bib refresh", RefreshSettings),
    ("write", cmd_write, "write bib/references.bib from the library and cache (offline)",
     "papertools bib write -o build/references.bib", WriteSettings),
    ("verify", cmd_verify, "compare every library entry with its source records",
     "papertools bib verify --strict", VerifySettings),
    ("cites", cmd_cites, "check citations in paper/ and litreview/ against the library",
     "papertools bib cites paper/ litreview/", CitesSettings),
    ("check", cmd_check, "verify any .bib file against the sources (bib-check); --fix "
     "writes a corrected copy", "papertools bib check refs.bib --fix -o fixed.bib",
     CheckSettings),
    ("add", cmd_add, "add works to the library by arXiv id or DOI and fetch them",
     "papertools bib add 2402.14905 10.18653/v1/2020.acl-main.195 -c slm", AddSettings),
    ("seed-cache", cmd_seed_cache, "fill bib/cache/ from papers.json through a local mirror "
     "(no internet needed)", "papertools bib seed-cache", SeedCacheSettings),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `bib` and its subcommands to the `papertools` parser."""
    sub = add_group(subparsers, "bib", "verified literature library (arXiv, Semantic "
                    "Scholar): refresh, write, verify and check the bibliography",
                    "papertools bib build --offline", dest="bib_command")
    for command in COMMANDS:
        add_settings_command(sub, *command)
