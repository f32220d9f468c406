"""The hardware record: CPU latencies are compared across machines only through it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")

from edgejson import provenance  # noqa: E402
from edgejson.modelload import cpu_has_bf16  # noqa: E402

pytestmark = pytest.mark.ml

# Two machines that both call themselves "AMD EPYC"; only the flags tell them apart.
AVX512_BF16 = "model name\t: AMD EPYC\nflags\t\t: fpu sse avx2 avx512f avx512_bf16 fma\n"
AVX2_ONLY = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse avx avx2 fma\n"


@pytest.fixture
def cpuinfo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def use(text: str | None) -> None:
        path = tmp_path / "cpuinfo"
        if text is not None:
            path.write_text(text, encoding="utf-8")
        monkeypatch.setattr(provenance, "CPUINFO", path)

    return use


@pytest.mark.parametrize(("text", "features", "bf16"), [
    (AVX512_BF16, ["avx2", "avx512f", "avx512_bf16"], True),
    (AVX2_ONLY, ["avx2"], False),
])
def test_the_record_names_the_instruction_sets(cpuinfo, text: str, features: list[str],
                                               bf16: bool) -> None:
    cpuinfo(text)
    info = provenance.hardware()
    assert info["cpu_model"] == "AMD EPYC"
    assert info["cpu_features"] == features
    assert cpu_has_bf16() is bf16


def test_no_cpuinfo_means_no_features_not_a_crash(cpuinfo) -> None:
    cpuinfo(None)
    assert provenance.hardware()["cpu_features"] == []
    assert cpu_has_bf16() is False


def test_with_a_device_the_record_has_torch_s_dispatch_level() -> None:
    info = provenance.hardware("cpu")
    assert info["torch_threads"] >= 1
    assert info["torch_cpu_capability"] in {"DEFAULT", "NO AVX", "AVX2", "AVX512", "SVE256",
                                            "ZVECTOR", "VSX", "SVE128", "SVE"}
