"""Run one figures/*.py script under the command-line handler, imports included.

Why: the scripts import matplotlib and the results loader before their own handler
starts, so a Ctrl-C in that second printed a traceback. `make paper` runs them as
`python -m papertools.render.figrun figures/NAME.py -o OUT`; running a script directly
still works.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from maaza_core.cli import run_main


def main() -> int:
    """Run the figure script named first in argv under run_main, its imports included."""
    if len(sys.argv) < 2:
        print("usage: python -m papertools.render.figrun figures/NAME.py [-o OUT.pdf]\n"
              "example: python -m papertools.render.figrun figures/accuracy-vs-params.py "
              "-o build/figures/accuracy-vs-params.pdf", file=sys.stderr)
        return 2
    script = sys.argv[1]
    sys.argv = sys.argv[1:]  # the script parses its own arguments
    return run_main(Path(script).stem, lambda: runpy.run_path(script, run_name="__main__"))


if __name__ == "__main__":
    sys.exit(main())
