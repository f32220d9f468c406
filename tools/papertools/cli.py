"""`papertools`: one entry point over the literature and rendering functions.

Each area registers its own subcommands (see ``_AREAS``) so that the CLI stays a thin
layer: the work happens in plain functions that the tests call directly.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from maaza_core.cli import run_command, run_main

# module -> that module defines register(subparsers) adding its commands.
_AREAS = (
    "papertools.render.cli",
    "papertools.bib.cli",
    "papertools.litreview.cli",
    "papertools.release.cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The `papertools` parser: each area adds its command group."""
    parser = argparse.ArgumentParser(
        prog="papertools",
        description="Literature and rendering tools for the Maaza paper.",
        epilog="example: papertools render macros -o build/generated/macros.tex",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _AREAS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # An area not present in this checkout is skipped; an import error inside an
            # area that exists is a bug and is shown.
            if exc.name is None or not name.startswith(exc.name):
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The `papertools` command: parse, run the chosen command with its settings."""
    def body() -> int | None:
        return run_command(build_parser().parse_args(argv))

    return run_main("papertools", body)


if __name__ == "__main__":
    sys.exit(main())
