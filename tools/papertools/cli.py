"""`papertools`: one entry point over the literature and rendering functions.

Each area registers its own subcommands (see ``_AREAS``) so that the CLI stays a thin
layer: the work happens in plain functions that the tests call directly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable

# module -> that module defines register(subparsers) adding its commands.
_AREAS = (
    "papertools.render.cli",
    "papertools.bib.cli",
    "papertools.litreview.cli",
)


class UserError(Exception):
    """An error caused by input the user can fix; printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
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


def run_main(prog: str, body: Callable[[], int | None], interrupted: str = "interrupted") -> int:
    """The one top-level handler of every command (papertools and edgejson).

    Why: a user's mistake deserves one line naming the input and the fix (exit 1), Ctrl-C
    an exit 130 without a traceback (also while the tool is still importing), and a reader
    that closes the pipe (`| head`) silence. Anything else is our bug and keeps its
    traceback. argparse's usage errors exit 2 on their own.
    """
    try:
        return int(body() or 0)
    except UserError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: {interrupted}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at /dev/null so that flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell tool killed by the closed pipe reports


def main(argv: list[str] | None = None) -> int:
    def body() -> int:
        args = build_parser().parse_args(argv)
        return args.func(args)

    return run_main("papertools", body)


if __name__ == "__main__":
    sys.exit(main())
