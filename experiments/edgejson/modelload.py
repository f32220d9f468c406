"""Loading a causal LM (optionally with a LoRA adapter) and describing what was loaded.

Why the adapter is merged: a model with unmerged LoRA layers runs extra matrix products
per layer, so its timings would not describe the deployed (merged) model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from maaza_core.errors import UserError

from .provenance import cpu_flags
from .registry import check_model_spec, resolve, sha256_files

_WEIGHT_SUFFIXES = (".safetensors", ".bin")


@dataclass(frozen=True)
class LoadedModel:
    """A model ready for generation plus the facts the metrics file records."""

    model: Any  # the transformers model, merged, in eval mode
    tokenizer: Any  # its tokenizer, with a pad token
    device: torch.device  # where the model runs
    dtype: torch.dtype  # the weights' dtype
    info: dict[str, Any]  # parameters, disk size, revision / weight hashes, adapter

    @property
    def context_length(self) -> int | None:
        """The positions the model was trained for (None: its config does not say)."""
        return getattr(self.model.config, "max_position_embeddings", None)

    def close(self) -> None:
        """Nothing to free by hand (PyTorch's memory goes with the object); the llama.cpp
        engine's model (edgejson.llamacpp.LlamaLoaded) has the same method and does."""


def select_device(requested: str = "auto") -> torch.device:
    """cuda, then mps, then cpu for "auto"; an explicit request must be available."""
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda: no CUDA device visible (fix: --device cpu or auto)")
    if requested == "mps" and not torch.backends.mps.is_available():
        raise UserError("--device mps: MPS is not available (fix: --device cpu or auto)")
    return torch.device(requested)


def cpu_has_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX), read from the kernel.

    Measured here (AMD EPYC, 2 threads): one LoRA forward+backward on 8 x 200 tokens took
    19-23 s in fp32 and 4.6-5.4 s under bf16 autocast, with the same loss to 3 decimals.
    """
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def select_dtype(requested: str, device: torch.device) -> torch.dtype:
    """bf16 on GPUs that support it, fp16 on other accelerators, fp32 on CPU for "auto"."""
    if requested != "auto":
        try:
            return getattr(torch, requested)
        except AttributeError:
            raise UserError(f"--dtype {requested}: unknown (fix: float32, bfloat16, float16)"
                            ) from None
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "mps":
        return torch.float16
    return torch.float32


def _weights_folder(model_id: str, revision: str | None) -> Path:
    if Path(model_id).is_dir():
        return Path(model_id)
    from huggingface_hub import snapshot_download

    # Already downloaded by from_pretrained; this only resolves the cached snapshot.
    return Path(snapshot_download(model_id, revision=revision, local_files_only=True))


def weight_files(folder: Path) -> list[Path]:
    """The files holding weights: safetensors when present (what transformers loads)."""
    files = sorted(p for p in folder.iterdir() if p.suffix == ".safetensors")
    return files or sorted(p for p in folder.iterdir() if p.suffix == ".bin")


def describe_weights(model_id: str, revision: str | None,
                     verified_sha256: str | None = None) -> dict[str, Any]:
    """Disk size and identity of the weights: hub commit for hub ids, sha256 for paths.

    `verified_sha256`: a digest the registry has just checked, so 100 MB are not hashed
    a second time.
    """
    if _is_gguf(model_id):
        path = Path(model_id)
        return {"disk_size_bytes": path.stat().st_size, "revision": None,
                "weights_sha256": verified_sha256 or sha256_files([path]), "format": "gguf"}
    folder = _weights_folder(model_id, revision)
    files = weight_files(folder)
    local = Path(model_id).is_dir()
    return {
        "disk_size_bytes": sum(p.stat().st_size for p in files) or None,
        # A hub snapshot folder is named by the commit it was downloaded at.
        "revision": folder.name if not local else None,
        "weights_sha256": sha256_files(files) if files else None,
    }


def _is_gguf(model_id: str) -> bool:
    return model_id.endswith(".gguf")


def _dequantized(model: Any, dtype: Any) -> Any:
    """A plain model with the GGUF's weights, so peft and save_pretrained treat it as any.

    transformers dequantizes GGUF tensors on load but keeps the quantizer attached, and
    a model carrying it cannot be saved; the same weights in a model built from the
    config (minus its quantization entry) behave like a checkpoint loaded from a folder.
    """
    from transformers import AutoConfig, AutoModelForCausalLM

    settings = model.config.to_dict()
    settings.pop("quantization_config", None)
    config = AutoConfig.for_model(**settings)
    plain = AutoModelForCausalLM.from_config(config, dtype=dtype)
    plain.load_state_dict(model.state_dict())
    return plain


def load_base(model_id: str, revision: str | None, dtype: torch.dtype,
              trust_remote_code: bool) -> tuple[Any, Any]:
    """Model and tokenizer by hub id, folder or GGUF file; failures become user errors.

    A GGUF file loads from its folder with ``gguf_file`` (the way transformers reads
    llama.cpp checkpoints) and is dequantized to ``dtype``.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer


    check_model_spec(model_id)
    source, gguf = model_id, {}
    if _is_gguf(model_id):
        source, gguf = str(Path(model_id).parent), {"gguf_file": Path(model_id).name}
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            source, revision=revision, trust_remote_code=trust_remote_code, **gguf)
        # Never unpickle weights (a pickle can carry code): safetensors, or the GGUF.
        model = AutoModelForCausalLM.from_pretrained(
            source, revision=revision, dtype=dtype, trust_remote_code=trust_remote_code,
            use_safetensors=None if gguf else True, **gguf)
    except (OSError, ValueError) as exc:
        raise UserError(f"model {model_id!r}: cannot load ({exc}) (fix: check the id or path, "
                        "and the network or HF_HOME cache for hub ids)") from exc
    if gguf:
        model = _dequantized(model, dtype)
    return model, tokenizer


def _merge_adapter(model: Any, adapter: str) -> Any:
    from peft import PeftModel

    try:
        merged = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    except (OSError, ValueError) as exc:
        raise UserError(f"adapter {adapter!r}: cannot load ({exc}) (fix: pass the folder "
                        "`edgejson train` wrote, or a hub id)") from exc
    return merged


def weights_info(requested: str, model_id: str, revision: str | None, adapter: str | None,
                 entry: Any) -> dict[str, Any]:
    """What the metrics file says of the weights, for either engine: the id as asked for
    (a registry name stays a name, not this machine's cache path), size and identity, and
    the registry's facts (source, licence, quantization)."""
    info = {"id": requested, "adapter": adapter,
            **describe_weights(model_id, revision, entry.sha256 if entry else None)}
    if entry is not None:
        info.update(registry_name=entry.name, upstream=entry.upstream, license=entry.license,
                    quantization=entry.quantization, package=entry.packages, kind=entry.kind)
        if entry.license_url:
            info["license_url"] = entry.license_url
    return info


def load_model(model_id: str, *, adapter: str | None = None, revision: str | None = None,
               device: str = "auto", dtype: str = "auto",
               trust_remote_code: bool = False) -> LoadedModel:
    """Load tokenizer + model (+ merged adapter) for batched greedy generation."""
    requested = model_id
    model_id, entry = resolve(model_id)
    dev = select_device(device)
    torch_dtype = select_dtype(dtype, dev)
    model, tokenizer = load_base(model_id, revision, torch_dtype, trust_remote_code)
    info = weights_info(requested, model_id, revision, adapter, entry)
    if info.get("format") == "gguf":
        info["dequantized_to"] = str(torch_dtype).split(".")[-1]
    if adapter:
        model = _merge_adapter(model, adapter)
        adapter_dir = Path(adapter) if Path(adapter).is_dir() else _weights_folder(adapter, None)
        info["adapter_sha256"] = sha256_files(weight_files(adapter_dir))
    info["parameters"] = sum(p.numel() for p in model.parameters())
    if tokenizer.pad_token_id is None:
        # Generation masks padding through the attention mask, so any id works here.
        tokenizer.pad_token = tokenizer.eos_token
    model.to(dev).eval()
    return LoadedModel(model=model, tokenizer=tokenizer, device=dev, dtype=torch_dtype,
                       info=info)
