"""`edgejson export-gguf`: a LoRA adapter as GGUF files llama.cpp runs, by llama.cpp's tools.

What it writes into one folder (edgejson.llamatools runs the converters):
- lora-f32.gguf: the adapter in llama.cpp's LoRA-adapter format (convert_lora_to_gguf.py),
  applied at run time on the unchanged base file (`edgejson evaluate BASE --engine
  llama.cpp --adapter lora-f32.gguf`): the very weights the reference engine evaluates
  (the base's Q4_1 values plus the float32 adapter), though llama.cpp multiplies the Q4_1
  tensors with activations rounded to 8 bits (its Q8_1 dot products);
- merged-f16.gguf, merged-q8_0.gguf: the adapter merged into the float32 base by peft
  (merge_and_unload, as the reference engine does), converted by convert_hf_to_gguf.py;
- merged-q4_1.gguf: the base's own type, by llama.cpp's quantizer (llama_model_quantize,
  default parameters) from a float32 conversion of the merged model;
- manifest.json: each file's type, bytes and sha256, the adapter's and the base's
  sha256, the binding whose sdist gave the converters; and the adapter's
  edgejson_train.json, so that a run of these files names its training.
The folder is written beside its place and renamed in at the end (replacing_dir): a failed
step leaves the previous export, or nothing, and never a manifest over missing files.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maaza_core.atomic import replacing_dir
from maaza_core.cli import check_settings, setting
from maaza_core.errors import DataError, UserError
from maaza_core.jsonfile import read_json, write_json
from maaza_core.paths import display

from .exportmanifest import FORMAT, MANIFEST, file_entry
from .train import TRAIN_CONFIG_FILE

ADAPTER_CONFIG, ADAPTER_WEIGHTS = "adapter_config.json", "adapter_model.safetensors"
# --types: a name -> the file it writes. lora-*: convert_lora_to_gguf --outtype; f32, f16,
# q8_0: convert_hf_to_gguf --outtype of the merged model; q4_1: the quantizer.
FILES = {"lora-f32": "lora-f32.gguf", "lora-f16": "lora-f16.gguf", "f32": "merged-f32.gguf",
         "f16": "merged-f16.gguf", "q8_0": "merged-q8_0.gguf", "q4_1": "merged-q4_1.gguf"}
DEFAULT_TYPES = ("lora-f32", "f16", "q8_0", "q4_1")
# The quantizer's source. Float32, not the f16 file: from f16 every merged weight would be
# rounded twice (to f16's 11-bit significand, then to a 4-bit step), and the blocks' scale
# and minimum would be computed from already-rounded values; from f32 Q4_1 rounds once,
# the merged float32 weights the reference engine evaluates.
Q4_1_FROM = "f32"


def _known_types(value: Any) -> str | None:
    """Check of --types (a name on the command line, the tuple in code)."""
    bad = [v for v in ((value,) if isinstance(value, str) else value) if v not in FILES]
    return f"unknown type {bad[0]!r} (fix: one of {', '.join(FILES)})" if bad else None


@dataclass(frozen=True)
class ExportSettings:
    """`edgejson export-gguf`: which adapter, onto which base, into which folder."""

    adapter: Path = setting(metavar="ADAPTER_DIR", help="the LoRA adapter "
                            "folder `edgejson train` wrote (adapter_config.json, "
                            "adapter_model.safetensors)")
    out: Path = setting(flag="--out", required=True, metavar="DIR", help="folder for the "
                        "GGUF files and manifest.json; an earlier export there is replaced "
                        "as a whole when this one succeeds")
    base: str | None = setting(None, help="the base model the adapter was trained on: "
                               "registry name, GGUF file, folder or hub id (default: the "
                               "model of the adapter's edgejson_train.json, else "
                               "adapter_config.json's base_model_name_or_path)")
    types: tuple[str, ...] = setting(DEFAULT_TYPES, nargs="+", check=_known_types,
                                     metavar="TYPE",
                                     help=f"files to write: {', '.join(FILES)}")
    progress: bool = setting(True, help="show the progress bar")


def adapter_config(folder: Path) -> dict[str, Any]:
    """The adapter folder's config, after checking it is a LoRA adapter in safetensors:
    before any model loads, so a wrong folder costs no time."""
    fix = ("fix: pass the folder `edgejson train --out` wrote, e.g. "
           "runs/train/maaza-135m-instruct-q4 after make measured")
    if not folder.is_dir():
        raise UserError(f"{display(folder)}: no such adapter folder ({fix})")
    for name in (ADAPTER_CONFIG, ADAPTER_WEIGHTS):
        if not (folder / name).is_file():
            raise UserError(f"{display(folder)}: no {name}, so not a LoRA adapter folder "
                            f"({fix})")
    _, config = read_json(folder / ADAPTER_CONFIG, "adapter config", fix)
    if not isinstance(config, dict) or config.get("peft_type") != "LORA":
        raise DataError(folder / ADAPTER_CONFIG, "not a LoRA adapter config (peft_type is "
                        f"{config.get('peft_type') if isinstance(config, dict) else None!r}; "
                        f"{fix})", pointer="/peft_type")
    return config


def _check_lora_format(folder: Path, config: dict[str, Any], types: tuple[str, ...]) -> None:
    """llama.cpp scales an adapter by alpha / r: rsLoRA (alpha / sqrt(r)) and DoRA have no
    GGUF form there, so their lora-* files would be another model. Merged files are fine."""
    if any(t.startswith("lora-") for t in types):
        for key in ("use_rslora", "use_dora"):
            if config.get(key):
                raise DataError(folder / ADAPTER_CONFIG, f"{key} is set, which llama.cpp's "
                                "adapters do not support (fix: --types without lora-*)",
                                pointer=f"/{key}")


def base_spec(settings: ExportSettings, config: dict[str, Any]) -> str:
    """--base, else the model the adapter was trained on (edgejson train records it)."""
    train = settings.adapter / TRAIN_CONFIG_FILE
    recorded = json.loads(train.read_text(encoding="utf-8")).get("model") \
        if train.is_file() else config.get("base_model_name_or_path")
    spec = settings.base or recorded
    if not spec:
        raise UserError(f"{display(settings.adapter)}: names no base model (fix: --base)")
    return spec


def _refuse_foreign(out: Path) -> None:
    """The folder is replaced as a whole: only an earlier export's folder, or none."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())
                         and not (out / MANIFEST).is_file()):
        raise UserError(f"{display(out)}: exists and holds no {MANIFEST}, so it is no "
                        "earlier export, and this one would replace it (fix: --out a new "
                        "or empty folder)")


def export_gguf(settings: ExportSettings) -> dict[str, Any]:
    """Write the export (module docstring) and return its manifest."""
    from tqdm.auto import tqdm

    from .llamatools import converters
    from .versions import check_ml_stack

    check_settings(settings)
    config = adapter_config(settings.adapter)
    _check_lora_format(settings.adapter, config, settings.types)
    _refuse_foreign(settings.out)
    base = base_spec(settings, config)
    tools = converters()  # before the slow imports: offline without the cache fails fast
    check_ml_stack()
    steps = ["load", *sorted(set(settings.types), key=list(FILES).index), "manifest"]
    with replacing_dir(settings.out) as stage, \
            tqdm(total=len(steps), desc="export-gguf", disable=not settings.progress) as bar:
        job = _Export(settings, tools, stage, base)
        for step in steps:
            bar.set_postfix_str(step)
            job.run(step)
            bar.update()
        shutil.rmtree(stage / ".work")
    return job.manifest


class _Export:
    """The steps of one export, in the staging folder; intermediates go to .work/."""

    def __init__(self, settings: ExportSettings, tools: Path, stage: Path, base: str) -> None:
        self.settings, self.tools, self.stage, self.base = settings, tools, stage, base
        self.work = stage / ".work"
        self.manifest: dict[str, Any] = {}

    def run(self, step: str) -> None:
        """One step: load, a file type, or the manifest."""
        if step == "load":
            self._load()
        elif step == "manifest":
            self._write_manifest()
        elif step.startswith("lora-"):
            self._lora(step)
        else:
            self._merged(step)

    def _load(self) -> None:
        """The float32 base (dequantized when a GGUF), saved as the converters read it:
        config + tokenizer for the adapter's --base, the merged model in full."""
        import torch

        from .modelload import _merge_adapter, describe_weights, load_base
        from .registry import resolve

        path, entry = resolve(self.base)
        model, tokenizer = load_base(path, None, torch.float32, False)
        self.base_sha256 = describe_weights(path, None, entry.sha256 if entry else None)[
            "weights_sha256"]
        # The converters pick their model class by config.json's `architectures`, which a
        # model built from a GGUF's config (modelload._dequantized) lacks.
        model.config.architectures = [type(model).__name__]
        model.config.save_pretrained(self.work / "base")
        tokenizer.save_pretrained(self.work / "base")
        if any(not t.startswith("lora-") for t in self.settings.types):
            merged = _merge_adapter(model, str(self.settings.adapter))
            merged.save_pretrained(self.work / "merged")
            tokenizer.save_pretrained(self.work / "merged")

    def _lora(self, kind: str) -> None:
        from .llamatools import LORA_SCRIPT, run_converter

        run_converter(self.tools, LORA_SCRIPT, [
            "--base", str(self.work / "base"), "--outtype", kind.removeprefix("lora-"),
            "--outfile", str(self.stage / FILES[kind]), str(self.settings.adapter)])

    def _merged(self, kind: str) -> None:
        from .llamatools import HF_SCRIPT, quantize, run_converter

        outtype = Q4_1_FROM if kind == "q4_1" else kind
        source = self.stage / FILES[outtype] if outtype in self.settings.types \
            else self.work / FILES[outtype]
        if not source.is_file():  # f32 is converted once, for q4_1 and for itself
            run_converter(self.tools, HF_SCRIPT, ["--outtype", outtype, "--outfile",
                                                  str(source), str(self.work / "merged")])
        if kind == "q4_1":
            quantize(source, self.stage / FILES[kind], kind)

    def _write_manifest(self) -> None:
        from importlib import metadata

        from .llamatools import PACKAGE, SOURCE_FILE
        from .registry import sha256_files

        adapter = self.settings.adapter
        training = adapter / TRAIN_CONFIG_FILE
        if training.is_file():
            shutil.copyfile(training, self.stage / TRAIN_CONFIG_FILE)
        source = json.loads((self.tools / SOURCE_FILE).read_text(encoding="utf-8"))
        self.manifest = {
            "format": FORMAT, "adapter": display(adapter),
            "adapter_sha256": sha256_files([adapter / ADAPTER_WEIGHTS]),
            "adapter_config_sha256": sha256_files([adapter / ADAPTER_CONFIG]),
            "base": self.base, "base_sha256": self.base_sha256,
            "llama_cpp_python": metadata.version(PACKAGE),
            "sdist_sha256": source["sdist_sha256"], "q4_1_from": Q4_1_FROM,
            "training": TRAIN_CONFIG_FILE if training.is_file() else None,
            "files": [file_entry(self.stage / FILES[t], t)
                      for t in FILES if t in self.settings.types]}
        write_json(self.stage / MANIFEST, self.manifest)
