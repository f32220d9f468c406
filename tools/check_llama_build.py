"""Fail at install time when the llama.cpp build cannot evaluate a multi-token prompt.

Why: llama-cpp-python is compiled on the machine that installs it (PyPI has no wheel), and
a build that imports fine can still crash later: one built with -march=native on an
AVX-512/AMX machine died with a segmentation fault in its first multi-token prompt
evaluation, while one-token prompts worked. `make venv-edge` runs this check after the
install, so such a build fails there, with a message, and not in the middle of a run.

The check runs in a child process, so a crash inside the C library becomes an error line
naming the signal instead of killing the installer's shell with no explanation.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time

MODEL = "smollm2-135m-instruct-q4_1"  # experiments/configs/models.yaml; `make venv-edge` fetches it
PROMPT = ("Extract the structured JSON data from the following text.\n\nInput: Order 1182 "
          "shipped to Lisbon on 3 May, two boxes, total 41.90 EUR.\n\nOutput:")
NEW_TOKENS = 16


def child() -> int:
    """Load the model, evaluate the prompt in one batch, decode a few tokens greedily."""
    import llama_cpp

    from edgejson.llamacpp import threads
    from edgejson.registry import load_registry

    path = load_registry()[MODEL].path
    started = time.perf_counter()
    llm = llama_cpp.Llama(model_path=str(path), n_ctx=512, n_batch=512, n_threads=threads(),
                          verbose=False)
    tokens = llm.tokenize(PROMPT.encode(), add_bos=True)
    llm.eval(tokens)  # the multi-token prompt evaluation that crashed native builds
    out = llm.create_completion(PROMPT, max_tokens=NEW_TOKENS, temperature=0.0)
    text = out["choices"][0]["text"]
    print(f"llama.cpp build ok: llama-cpp-python {llama_cpp.__version__}, "
          f"{len(tokens)}-token prompt evaluated, {out['usage']['completion_tokens']} tokens "
          f"generated in {time.perf_counter() - started:.1f} s: {text.strip()[:40]!r}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when the build works, 1 (with the reason) when it fails or crashes."""
    parser = argparse.ArgumentParser(
        description="Check the llama.cpp build: one multi-token prompt, a few tokens.",
        epilog="example: .venv/bin/python tools/check_llama_build.py  (make venv-edge runs it)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    if parser.parse_args(argv).child:
        return child()
    done = subprocess.run([sys.executable, __file__, "--child"], check=False)
    if done.returncode == 0:
        return 0
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        print(f"error: the llama.cpp build crashed ({name}) evaluating a multi-token prompt; "
              "it was probably compiled for another CPU (fix: rebuild with the portable flags "
              "of the Makefile: `make venv-edge` after `.venv/bin/uv cache clean "
              "llama-cpp-python`)", file=sys.stderr)
    else:
        print(f"error: the llama.cpp check failed (exit {done.returncode}, above); fix: "
              "make venv-edge", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
