"""llama.cpp's own conversion tools, taken from the locked llama-cpp-python sdist.

Why llama.cpp's converters and no GGUF writer of ours: the format llama.cpp loads (tensor
names, vocabulary, metadata, the LoRA-adapter layout) is whatever its converters write,
and a file they wrote is what a llama.cpp user would deploy. The sdist of the pinned
binding (requirements/edge.txt holds its sha256) vendors them in vendor/llama.cpp:
convert_hf_to_gguf.py, convert_lora_to_gguf.py, the `conversion` package both import and
gguf-py, which they put on sys.path themselves. The same sdist built the installed
binding, so the converters and the loader agree on the format.

The sdist (about 77 MB) is downloaded with pip once, checked against the lock's hash, and
only the converters are kept (`LLAMA_TOOLS_DIR/llama-cpp-python-VERSION`, about 3 MB)
with a SOURCE.json naming the sdist and a digest of the kept files, checked at every use;
later exports run offline. The scripts run as subprocesses of this venv's Python.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

from maaza_core.atomic import replacing_dir
from maaza_core.errors import UserError
from maaza_core.paths import LLAMA_TOOLS_DIR, LOCK_EDGE, display

from .registry import pip_download, sha256_files

PACKAGE = "llama-cpp-python"
SOURCE_FILE = "SOURCE.json"  # which sdist the kept files came from, and their digest
# What the two converters import, below vendor/llama.cpp/ in the sdist (and the licence).
KEEP = ("convert_hf_to_gguf.py", "convert_lora_to_gguf.py", "conversion/", "gguf-py/gguf/",
        "LICENSE")
HF_SCRIPT, LORA_SCRIPT = KEEP[0], KEEP[1]
_LINES_SHOWN = 12  # of a failed converter's output, printed above the one-line error


def locked_sdist(lock: Path = LOCK_EDGE) -> tuple[str, str]:
    """The version and sha256 the lock pins for llama-cpp-python: the one place they live."""
    text = lock.read_text(encoding="utf-8") if lock.is_file() else ""
    found = re.search(rf"^{PACKAGE}==(\S+) \\\n\s+--hash=sha256:([0-9a-f]{{64}})$", text,
                      re.MULTILINE)
    if not found:
        raise UserError(f"{display(lock)}: no hash-pinned {PACKAGE} (fix: restore the "
                        "lock, or make lock)")
    return found.group(1), found.group(2)


def tree_digest(folder: Path) -> str:
    """One sha256 over every kept file's relative path and bytes (SOURCE.json excluded)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != SOURCE_FILE
                       and "__pycache__" not in p.parts):
        digest.update(f"{path.relative_to(folder).as_posix()}\0"
                      f"{sha256_files([path])}\n".encode())
    return digest.hexdigest()


def converters(folder: Path = LLAMA_TOOLS_DIR) -> Path:
    """The folder holding the locked sdist's converters, fetched on first use, verified."""
    version, sha = locked_sdist()
    try:
        installed = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        installed = None
    if installed != version:
        raise UserError(f"{PACKAGE} {installed or 'not installed'}, the lock pins {version}: "
                        "the converters must be the installed binding's (fix: make venv-edge)")
    tools = folder / f"{PACKAGE}-{version}"
    if not (tools / SOURCE_FILE).is_file():
        _fetch(tools, version, sha)
    source = json.loads((tools / SOURCE_FILE).read_text(encoding="utf-8"))
    if source.get("sdist_sha256") != sha or source.get("files_sha256") != tree_digest(tools):
        raise UserError(f"{display(tools)}: changed since it was extracted from the sdist "
                        f"(fix: delete the folder; the next export fetches it again)")
    return tools


def _fetch(tools: Path, version: str, sha: str) -> None:
    """Download the sdist with pip, check its hash, keep the converters (atomically)."""
    spec = f"{PACKAGE}=={version}"
    with tempfile.TemporaryDirectory(prefix="edgejson-sdist-") as scratch:
        sdist = pip_download(spec, Path(scratch), what=f"llama.cpp's converters ({spec} "
                             "sdist)", sdist=True)
        got = sha256_files([sdist])
        if got != sha:
            raise UserError(f"{sdist.name} hashes to {got}, {display(LOCK_EDGE)} says {sha} "
                            "(fix: check PIP_INDEX_URL / PIP_FIND_LINKS; a changed upload "
                            "is not the locked release)")
        with replacing_dir(tools) as stage:
            _extract(sdist, stage)
            (stage / SOURCE_FILE).write_text(json.dumps(
                {"sdist": sdist.name, "sdist_sha256": sha,
                 "files_sha256": tree_digest(stage)}, indent=2) + "\n", encoding="utf-8")


def _extract(sdist: Path, stage: Path) -> None:
    """The KEEP paths of vendor/llama.cpp, with that prefix cut ("data" filter: no links
    out of `stage`, no special files)."""
    with tarfile.open(sdist) as tar:
        members = []
        for member in tar.getmembers():
            _, _, rest = member.name.partition("/vendor/llama.cpp/")
            if rest and any(rest == k or k.endswith("/") and rest.startswith(k) for k in KEEP):
                member.name = rest
                members.append(member)
        tar.extractall(stage, members=members, filter="data")
    missing = [k for k in KEEP if not (stage / k).exists()]
    if missing:
        raise UserError(f"{sdist.name}: has no vendor/llama.cpp/{missing[0]} (fix: the lock "
                        "names a llama-cpp-python whose layout this module does not know)")


def run_converter(tools: Path, script: str, args: list[str]) -> None:
    """Run one converter with this venv's Python; its failure is one line (its last),
    after the end of its output on stderr."""
    env = {k: v for k, v in os.environ.items() if k != "NO_LOCAL_GGUF"}  # its own gguf-py
    done = subprocess.run([sys.executable, str(tools / script), *args], capture_output=True,
                          text=True, env=env)
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).strip().splitlines() or ["no output"]
        print("\n".join(lines[-_LINES_SHOWN:]), file=sys.stderr)
        outtype = args[args.index("--outtype") + 1] if "--outtype" in args else "?"
        raise UserError(f"llama.cpp's {script} --outtype {outtype} failed: {lines[-1]} "
                        "(fix: see its output above; a model or "
                        "tokenizer that llama.cpp's converter does not know cannot be "
                        "exported)")


def quantize(source: Path, target: Path, ftype: str) -> None:
    """llama.cpp's quantizer (llama_model_quantize, default parameters) from `source` to
    the file type `ftype` (q4_1: LLAMA_FTYPE_MOSTLY_Q4_1)."""
    from .llamacpp import llama_api, threads

    ll = llama_api()
    params = ll.llama_model_quantize_default_params()
    params.ftype = getattr(ll, f"LLAMA_FTYPE_MOSTLY_{ftype.upper()}")
    params.nthread = threads()
    status = ll.llama_model_quantize(str(source).encode(), str(target).encode(),
                                     ctypes.byref(params))
    if status != 0:
        raise UserError(f"llama.cpp's quantizer returned {status} for {source.name} -> "
                        f"{ftype} (fix: see its messages above)")
