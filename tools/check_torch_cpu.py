"""Stop when the virtual environment's torch is a CUDA build.

Why: nothing in this project needs a GPU, and the CPU build is pinned on purpose
(requirements/torch-cpu.txt). A CUDA build costs gigabytes and arrives silently when torch
is resolved from PyPI (a plain `pip install .[ml]`, or a lock written without the pin),
so `make venv-ml` runs this check after every install and fails loudly instead.
"""

from __future__ import annotations

import argparse
import os
import sys

OPT_IN = "ALLOW_CUDA_TORCH"


def main(argv: list[str] | None = None) -> int:
    """Exit 1 when the venv's torch is a CUDA build (unless ALLOW_CUDA_TORCH=1): a multi-GB download
    nobody asked for."""
    parser = argparse.ArgumentParser(
        description="Fail unless the installed torch is a CPU build.",
        epilog=f"example: .venv/bin/python tools/check_torch_cpu.py   ({OPT_IN}=1 accepts CUDA)")
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
    if os.environ.get(OPT_IN) == "1":
        print(f"torch {torch.__version__}: CUDA {cuda} build, accepted ({OPT_IN}=1)")
        return 0
    print(f"error: torch {torch.__version__} is a CUDA {cuda} build, but this project "
          f"installs the CPU build pinned in requirements/torch-cpu.txt (fix: "
          f"make distclean venv-ml; or set {OPT_IN}=1 to keep it)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
