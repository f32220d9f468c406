"""The one top-level handler that both command-line tools (papertools, edgejson) run in."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from maaza_core.errors import UserError


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
