"""Stop when the virtual environment's torch is a CUDA build nobody asked for.

Why: nothing in this project needs a GPU, and the CPU build is pinned on purpose
(requirements/torch-cpu.txt). A CUDA build costs gigabytes and arrives silently when torch
is resolved from PyPI (a plain `pip install .[ml]`, or a lock written without the pin),
so `make venv-ml` runs this check after every install and fails loudly instead. A GPU user
asks for CUDA with TORCH_VARIANT (`make venv-ml TORCH_VARIANT=cu128`, the variant's name
on PyTorch's index): the check then warns, because that torch is outside the lock.
"""

from __future__ import annotations

import argparse
import os
import sys

VARIANT = "TORCH_VARIANT"  # the Makefile's variable, passed on by `make venv-ml`


def main(argv: list[str] | None = None) -> int:
    """Exit 0 for a CPU torch (or a CUDA one asked for, with a warning), 1 otherwise."""
    parser = argparse.ArgumentParser(
        description="Fail unless the installed torch is a CPU build (or CUDA was asked for).",
        epilog=f"example: .venv/bin/python tools/check_torch_cpu.py   "
               f"({VARIANT}=cu128 accepts a CUDA build with a warning)")
    parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("error: torch is not installed in this environment (fix: make venv-ml)",
              file=sys.stderr)
        return 1
    cuda = torch.version.cuda
    if cuda is None:
        print(f"torch {torch.__version__}: CPU build")
        return 0
    variant = os.environ.get(VARIANT, "cpu")
    if variant != "cpu":
        print(f"warning: torch {torch.__version__} is a CUDA {cuda} build ({VARIANT}="
              f"{variant}): it is not the lock's CPU wheel, so runs may differ from the "
              "paper's and its file was not hash-checked", file=sys.stderr)
        return 0
    print(f"error: torch {torch.__version__} is a CUDA {cuda} build, but this project "
          f"installs the CPU build pinned in requirements/torch-cpu.txt (fix: "
          f"make distclean venv-ml; a GPU user sets {VARIANT}=cu128 or another CUDA "
          "variant of https://download.pytorch.org/whl/)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
