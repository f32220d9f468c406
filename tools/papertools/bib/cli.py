"""`papertools bib ...`: the literature commands `make bib` and `make bib-check` run.

Why thin handlers: each one parses arguments, calls a plain function the tests also call,
prints one finding per line and turns the counts into an exit code.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from maaza_core import paths
from maaza_core.cli import add_command
from papertools.bib.config import CHECK_CACHE_DIR
from papertools.bib.findings import ERROR, WARNING, Finding, count

_FMT = argparse.RawDescriptionHelpFormatter


def _print(findings: list[Finding]) -> None:
    for f in findings:
        print(f"{f.severity}: {f}", file=sys.stderr if f.severity == ERROR else sys.stdout)


def _cfg(args: argparse.Namespace):
    from papertools.bib.config import SourceConfig

    return SourceConfig.from_env()


def _library(args: argparse.Namespace):
    from papertools.bib.library import load_library

    return load_library(Path(args.library))


def cmd_build(args: argparse.Namespace) -> int:
    from papertools.bib.build import build_all
    from papertools.bib.records import Cache

    report = build_all(_library(args), Cache(Path(args.cache)), _cfg(args),
                       offline=args.offline, strict=args.strict, out=Path(args.output),
                       sources=args.sources)
    _print(list(report.findings))
    print(report.summary())
    return 1 if report.errors else 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from papertools.bib.records import Cache
    from papertools.bib.refresh import Refresher, wanted_for

    lib = _library(args)
    report = Refresher(_cfg(args), Cache(Path(args.cache)), force=args.force).run(
        wanted_for(lib.entries), offline=args.offline, strict=args.strict)
    _print(report.findings)
    print(f"refresh: fetched {report.fetched}, from cache {report.cached}, "
          f"requests {report.requests}, warnings {count(report.findings, WARNING)}, "
          f"errors {count(report.findings, ERROR)}")
    return 1 if count(report.findings, ERROR) else 0


def cmd_write(args: argparse.Namespace) -> int:
    from papertools.bib.build import write_references
    from papertools.bib.records import Cache

    written = write_references(_library(args), Cache(Path(args.cache)), Path(args.output))
    _print(list(written.findings))
    state = "written" if written.changed else "unchanged"
    print(f"write: {written.path} {state} ({len(written.merged)} entries)")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from papertools.bib.build import verify_library
    from papertools.bib.records import Cache

    findings = verify_library(_library(args), Cache(Path(args.cache)))
    _print(findings)
    errors = count(findings, ERROR)
    print(f"verify: {errors} errors, {count(findings, WARNING)} warnings")
    return 1 if errors or (args.strict and findings) else 0


def cmd_cites(args: argparse.Namespace) -> int:
    from papertools.bib.cites import check_library

    findings = check_library(_library(args), args.sources)
    _print(findings)
    errors = count(findings, ERROR)
    print(f"cites: {errors} errors, {count(findings, WARNING)} uncited entries")
    return 1 if errors else 0


def _readable_bib(path: Path) -> None:
    """A missing path, a folder, an empty or a non-BibTeX file is the user's mistake: say
    so in one line, instead of a traceback or "0 entries, 0 errors" (exit 0)."""
    from maaza_core.errors import DataError

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


def cmd_check(args: argparse.Namespace) -> int:
    from papertools.bib.check import check_file
    from papertools.bib.fixcmd import check_fix_args
    from papertools.bib.records import Cache

    check_fix_args(args.file, args.fix, args.output, args.in_place)

    # Records fetched for this file go to --cache (build/bib-check-cache/ by default);
    # the committed cache is read as well.
    cache = Cache(Path(args.cache), extra_read=(paths.BIB_CACHE_DIR,))
    _readable_bib(Path(args.file))
    report = check_file(Path(args.file), _cfg(args), offline=args.offline, strict=args.strict,
                        cache=cache)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        _print(list(report.findings))
        print(f"bib-check: {report.entries} entries, {report.errors} errors, "
              f"{count(report.findings, WARNING)} warnings")
    if args.fix:
        from papertools.bib.fixcmd import run_fix

        return run_fix(report, args, _cfg(args))
    return 1 if report.errors else 0


def cmd_add(args: argparse.Namespace) -> int:
    from papertools.bib.add import add_works
    from papertools.bib.records import Cache

    keys = add_works(_library(args), args.ids, _cfg(args), args.category,
                     Cache(Path(args.cache)), offline=args.offline)
    print("added: " + ", ".join(keys))
    return 0


def cmd_seed_cache(args: argparse.Namespace) -> int:
    from papertools.bib.records import Cache
    from papertools.bib.seedcache import seed_cache

    report = seed_cache(_library(args), Cache(Path(args.cache)))
    _print(report.findings)
    print(f"seed-cache: {report.fetched} records from the local mirror")
    return 1 if report.findings else 0


# One factory per flag, so each subcommand adds exactly the flags its handler reads.
def _library_opt(p: argparse.ArgumentParser) -> None:
    p.add_argument("--library", default=str(paths.LIBRARY_FILE),
                   help="the library YAML file (default: %(default)s)")


def _cache_opt(p: argparse.ArgumentParser, default: Path = paths.BIB_CACHE_DIR,
               help_: str = "the folder of cached source records") -> None:
    p.add_argument("--cache", default=str(default), help=help_ + " (default: %(default)s)")


def _strict_opt(p: argparse.ArgumentParser, help_: str) -> None:
    p.add_argument("--strict", action="store_true", help=help_)


def _offline_opt(p: argparse.ArgumentParser) -> None:
    p.add_argument("--offline", action="store_true",
                   help="use the cache only, contact no source")


def _output_opt(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", default=str(paths.REFERENCES_BIB),
                   help="the .bib file to write (default: %(default)s)")


def _sources_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="*", default=[str(paths.PAPER_DIR), str(paths.LITREVIEW_DIR)],
                   help="files or folders whose citations are checked (.tex, .md)")


def _strict_sources(p: argparse.ArgumentParser) -> None:
    _strict_opt(p, "a source that cannot answer is an error, not a warning")


def _flags(p: argparse.ArgumentParser, *adders: Callable[[argparse.ArgumentParser], None]
           ) -> None:
    for add in adders:
        add(p)


def register(subparsers: argparse._SubParsersAction) -> None:
    bib = subparsers.add_parser(
        "bib", help="verified literature library (arXiv, Semantic Scholar)",
        description="Refresh, write, verify and check the bibliography.",
        epilog="example: papertools bib build --offline", formatter_class=_FMT)
    sub = bib.add_subparsers(dest="bib_command", required=True, metavar="SUBCOMMAND")
    _library_commands(sub)
    _check_command(sub)
    p = add_command(sub, "add", cmd_add, "add works to the library by arXiv id or DOI and "
                    "fetch them", "papertools bib add 2402.14905 "
                    "10.18653/v1/2020.acl-main.195 -c slm")
    _flags(p, _library_opt, _cache_opt, _offline_opt)
    p.add_argument("ids", nargs="+", help="arXiv ids or DOIs")
    p.add_argument("-c", "--category", action="append", default=[], help="category (repeat)")
    p = add_command(sub, "seed-cache", cmd_seed_cache, "fill bib/cache/ from papers.json "
                    "through a local mirror (no internet needed)", "papertools bib seed-cache")
    _flags(p, _library_opt, _cache_opt)


def _library_commands(sub: argparse._SubParsersAction) -> None:
    """The steps of `make bib`, each also a command of its own."""
    p = add_command(sub, "build", cmd_build, "make bib: refresh, write references.bib, "
                    "verify, check citations; one summary line", "papertools bib build --offline")
    _flags(p, _library_opt, _cache_opt, _strict_sources, _offline_opt, _output_opt,
           _sources_arg)
    p = add_command(sub, "refresh", cmd_refresh, "fetch missing or stale records into "
                    "bib/cache/", "ARXIV_API_URL=http://127.0.0.1:8000/api/query papertools "
                    "bib refresh")
    _flags(p, _library_opt, _cache_opt, _strict_sources, _offline_opt)
    p.add_argument("--force", action="store_true", help="refetch every record")
    p = add_command(sub, "write", cmd_write, "write bib/references.bib from the library and "
                    "cache (offline)", "papertools bib write -o build/references.bib")
    _flags(p, _library_opt, _cache_opt, _output_opt)
    p = add_command(sub, "verify", cmd_verify, "compare every library entry with its source "
                    "records", "papertools bib verify --strict")
    _flags(p, _library_opt, _cache_opt)
    _strict_opt(p, "warnings fail the command too")
    p = add_command(sub, "cites", cmd_cites, "check citations in paper/ and litreview/ "
                    "against the library", "papertools bib cites paper/ litreview/")
    _flags(p, _library_opt, _sources_arg)


def _check_command(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "check", cmd_check, "verify any .bib file against the sources "
                    "(bib-check); --fix writes a corrected copy",
                    "papertools bib check refs.bib --fix -o fixed.bib")
    _cache_opt(p, CHECK_CACHE_DIR, "where records fetched for this file go; the committed "
               "bib/cache/ is read as well")
    _flags(p, _strict_sources, _offline_opt)
    p.add_argument("file", help="the .bib file to check")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.add_argument("--fix", action="store_true",
                   help="print a unified diff of the corrections; with -o or --in-place "
                        "also write them")
    p.add_argument("-o", "--output", help="with --fix: write the corrected copy here")
    p.add_argument("--in-place", action="store_true",
                   help="with --fix: rewrite FILE, keeping the old one as FILE.bak")
