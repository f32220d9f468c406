"""Arguments that are not what they look like (issue 22, item 5): each is refused before
any model loads, by the one rule declared on the settings field (maaza_core.cli.setting),
whether it comes from a flag, a batch YAML file or code.

The model named in the refused commands does not exist anywhere: had the command got as far
as loading it, the error would be another one (no such model), so the message proves the
argument was checked first.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from edgejson.batch import load_batch
from edgejson.cli import build_parser, main
from edgejson.evaluate import EvalSettings, evaluate
from edgejson.registry import check_model_spec
from maaza_core.cli import check_settings, settings_from
from maaza_core.errors import UserError
from maaza_core.paths import RUNS_DIR

NO_MODEL = "nobody/no-such-model"


@pytest.mark.parametrize(("flags", "message"), [
    (["--limit", "0"], r"argument --limit: must be at least 1 \(got 0\)"),
    (["--limit", "-5"], r"argument --limit: must be at least 1 \(got -5\)"),
    (["--batch-size", "0"], r"argument --batch-size: must be at least 1"),
    (["--batch-size", "-2"], r"argument --batch-size: must be at least 1"),
    (["--max-new-tokens", "0"], r"argument --max-new-tokens: must be at least 1"),
    (["--device", "tpu"], r"argument --device: unknown value 'tpu' \(fix: one of auto, cuda"),
    (["--dtype", "float8"], r"argument --dtype: unknown value 'float8'"),
    (["--name", "../../experiments/results/x"], r"argument --name: .* is not a plain name"),
    (["--split", "../../etc"], r"argument --split: unknown value '../../etc'"),
    (["--split", "validation"], r"argument --split: unknown value 'validation'"),
])
def test_bad_flags_are_usage_errors(flags, message, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["evaluate", NO_MODEL, *flags])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(message, err), err


@pytest.mark.parametrize("flags", [
    ["--limit", "1"], ["--batch-size", "1"], ["--max-new-tokens", "1"],
    ["--device", "cpu"], ["--device", "cuda:1"], ["--name", "Maaza 135M"],
    ["--split", "train"],
])
def test_good_flags_pass_the_checks(flags) -> None:
    """Silent case: accepted values parse into the settings, and those pass the check."""
    args = build_parser().parse_args(["evaluate", NO_MODEL, *flags])
    check_settings(settings_from(EvalSettings, args))


def test_settings_built_in_code_are_checked_too(tmp_path: Path) -> None:
    settings = EvalSettings(model=NO_MODEL, batch_size=0, out_dir=tmp_path)
    with pytest.raises(UserError, match=r"--batch-size 0: must be at least 1"):
        evaluate(settings)
    assert not any(tmp_path.iterdir())


def test_name_and_split_stay_below_runs() -> None:
    """The default output folder of every accepted name is inside runs/."""
    for name in ("SmolLM2-135M", "..x", "a.b c"):
        out = EvalSettings(model=NO_MODEL, name=name).out.resolve()
        assert out.is_relative_to(RUNS_DIR.resolve()) and out != RUNS_DIR.resolve()


@pytest.mark.parametrize("what", ["model", "adapter"])
def test_a_folder_of_pickle_weights_is_refused(tmp_path: Path, what: str, capsys) -> None:
    folder = tmp_path / "weights"
    folder.mkdir()
    marker = "adapter_config.json" if what == "adapter" else "config.json"
    (folder / marker).write_text("{}")
    (folder / ("adapter_model.bin" if what == "adapter" else "pytorch_model.bin")).write_bytes(
        b"\x80\x04not really a pickle")
    args = [str(folder)] if what == "model" else [NO_MODEL, "--adapter", str(folder)]
    assert main(["evaluate", *args, "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "weights are pickle files only" in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()
    # silent case: the same folder with safetensors beside the pickle passes the check
    (folder / "model.safetensors").write_bytes(b"")
    check_model_spec(str(folder), what)


def _config(tmp_path: Path, entry: str, defaults: str = "", out_dir: str = "") -> Path:
    path = tmp_path / "eval.yaml"
    path.write_text(f"{out_dir}defaults:\n  split: test\n{defaults}models:\n"
                    f"  - model: x\n{entry}", encoding="utf-8")
    return path


@pytest.mark.parametrize(("entry", "defaults", "message"), [
    ("    batch_size: eight\n", "", r"eval\.yaml:6: batch_size: expected an integer, got 'eight'"),
    ("    batch_size: 0\n", "", r"eval\.yaml:6: batch_size: must be at least 1"),
    ("    limit: 2.5\n", "", r"eval\.yaml:6: limit: expected an integer"),
    ("    trust_remote_code: yes please\n", "", r"eval\.yaml:6: trust_remote_code: expected "
     "true or false"),
    ("    device: tpu\n", "", r"eval\.yaml:6: device: unknown value 'tpu'"),
    ("", "  max_new_tokens: -1\n", r"eval\.yaml:4: max_new_tokens: must be at least 1"),
    ("    name: ../../x\n", "", r"eval\.yaml:6: name: .* is not a plain name"),
    ("    out: ../../../experiments/results\n", "", r"eval\.yaml:6: out: .* leads outside"),
    ("    out: /etc\n", "", r"eval\.yaml:6: out: .* leads outside"),
])
def test_batch_values_are_checked_like_flags(tmp_path, entry, defaults, message) -> None:
    config = _config(tmp_path, entry, defaults, out_dir=f"out_dir: {tmp_path / 'runs'}\n")
    with pytest.raises(UserError, match=message):
        load_batch(config)


def test_batch_out_dir_in_the_repository_must_be_below_runs(tmp_path) -> None:
    with pytest.raises(UserError, match=r"eval\.yaml:1: out_dir: experiments is in the "
                       "repository but not below runs/"):
        load_batch(_config(tmp_path, "", out_dir="out_dir: experiments\n"))
    entry, = load_batch(_config(tmp_path, "    out: a/b\n", out_dir="out_dir: runs/eval\n"))
    assert entry.settings.out_dir == (RUNS_DIR / "eval" / "a" / "b").resolve()


def test_batch_good_values_are_typed(tmp_path) -> None:
    """Silent case: well-typed values load, Paths become Paths, defaults fill the rest."""
    config = _config(tmp_path, "    name: a\n    batch_size: 8\n    limit: 3\n    data_dir: "
                     "experiments/data/edgejson-v3\n", out_dir=f"out_dir: {tmp_path}\n")
    entry, = load_batch(config)
    assert dataclasses.replace(entry.settings, out_dir=None) == dataclasses.replace(
        EvalSettings(model="x", name="a", batch_size=8, limit=3, split="test",
                     data_dir=entry.settings.data_dir))
    assert isinstance(entry.settings.data_dir, Path)
