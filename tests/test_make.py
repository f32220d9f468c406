"""The Makefile's promises: nothing happens while it is read, `make -q paper` is true after
any build (also after a library edit that leaves references.bib as it was), `make clean
paper` works, each list of names exists once, and the lock covers pyproject.toml.

The build tests run Make in a copy of the repository with this checkout's venv, as
tests/test_paper_build.py does; the others only read files or run `make -n`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from treecopy import copy_tree, pin_adapter

from maaza_core.paths import ROOT


def run_make(tree: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAAZA_ROOT")}
    return subprocess.run(["make", "--no-print-directory", f"VENV={ROOT / '.venv'}", *args],
                          cwd=tree, env=env, capture_output=True, text=True)


def built_ok(tree: Path, *args: str) -> str:
    proc = run_make(tree, *args)
    assert proc.returncode == 0, f"make {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def up_to_date(tree: Path) -> bool:
    return run_make(tree, "-q", "paper").returncode == 0


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    copy = tmp_path / "maaza"
    copy_tree(copy)
    return copy


# --- reading the Makefile does nothing ------------------------------------------------

def test_reading_the_makefile_writes_nothing(tree):
    for args in (["help"], ["-n", "paper"], ["-q", "paper"]):
        run_make(tree, *args)
        assert not (tree / "build").exists(), f"make {' '.join(args)} created build/"


def test_plan_lists_every_table_and_figure_python_knows(tree):
    from papertools.litreview.tables import TABLES as LITREVIEW_TABLES
    from papertools.render.cli import FIGURES, TABLES

    plan = built_ok(tree, "-n", "render")
    assert set(re.findall(r"render table (\S+)", plan)) == set(TABLES)
    assert set(re.findall(r"render figure (\S+)", plan)) == set(FIGURES)
    assert set(re.findall(r"litreview table (\S+)", plan)) == {t.name for t in LITREVIEW_TABLES}


def test_a_new_table_template_is_planned_without_editing_make(tree):
    templates = tree / "paper" / "templates"
    shutil.copy(templates / "results-table.tex.j2", templates / "extra-table.tex.j2")
    assert "render table extra -o build/generated/extra-table.tex" in built_ok(tree, "-n", "render")


def test_a_venv_of_another_checkout_is_not_repointed_at_this_one(tree, tmp_path):
    venv = tmp_path / "venv"  # a venv whose project is ROOT, as the tests share it
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "root.pth").write_text(f"{ROOT / 'tools'}\n")
    (venv / "bin" / "uv").write_text("#!/bin/sh\nexit 1\n")  # never reached: the check comes first
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAAZA_ROOT")}
    proc = subprocess.run(["make", "--no-print-directory", f"VENV={venv}", "venv"], cwd=tree,
                          env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    assert f"is the venv of the checkout {ROOT}, not of this one" in proc.stderr


@pytest.mark.slow
def test_a_new_bench_file_re_renders_the_deployment_table_and_the_macros(tree):
    """bench/results/edge-*.json are inputs of the deployment table and the macros (not
    of the other tables): a new figures file must reach the PDF without a clean build."""
    import json

    sys.path.insert(0, str(ROOT / "tests" / "tools" / "render"))
    from test_deployment import bench_figures

    targets = ("build/generated/deployment-table.tex", "build/generated/macros.tex",
               "build/generated/results-table.tex")
    built_ok(tree, *targets)
    assert run_make(tree, "-q", *targets).returncode == 0
    (tree / "bench" / "results" / "edge-x.json").write_text(json.dumps(bench_figures()))
    for target, stale in zip(targets, (True, True, False), strict=True):
        assert (run_make(tree, "-q", target).returncode == 1) == stale, target
    built_ok(tree, *targets)
    assert "Test CPU 9000" in (tree / targets[0]).read_text(encoding="utf-8")


# --- runs longer than a session: make save-partial, then a later make resumes -----------

def test_save_partial_keeps_whole_lines_of_unfinished_runs_only(tree):
    runs = tree / "runs" / "measured"
    (runs / "slow").mkdir(parents=True)
    (runs / "slow" / "predictions.jsonl").write_text('{"h": 1}\n{"id": "a"}\n{"id": "b", "ou')
    (runs / "done").mkdir()
    (runs / "done" / "predictions.jsonl").write_text('{"h": 1}\n{"id": "a"}\n')
    (runs / "done" / "metrics.json").write_text("{}")
    out = built_ok(tree, "save-partial")
    partial = tree / "experiments" / "partial-runs"
    assert (partial / "slow.predictions.jsonl").read_text() == '{"h": 1}\n{"id": "a"}\n'
    assert "slow.predictions.jsonl: 1 rows after the header" in out
    assert not (partial / "done.predictions.jsonl").exists()


def test_saved_rows_seed_a_run_without_predictions_and_never_overwrite_one(tree):
    partial = tree / "experiments" / "partial-runs"
    partial.mkdir(parents=True, exist_ok=True)
    (partial / "r.predictions.jsonl").write_text("saved\n")
    seed = ["--eval", "seed: ; $(call seed_partial,r)", "seed"]
    built_ok(tree, *seed)
    run = tree / "runs" / "measured" / "r" / "predictions.jsonl"
    assert run.read_text() == "saved\n"
    run.write_text("newer\n")
    built_ok(tree, *seed)
    assert run.read_text() == "newer\n"
    plan = built_ok(tree, "-n", "runs/measured/gemma-3-270m-q4-few-shot-3-constrained/metrics.json")
    seeding = plan.index("experiments/partial-runs/gemma-3-270m-q4-few-shot-3-constrained")
    assert seeding < plan.index("edgejson evaluate")


# --- publishing runs, restoring the committed adapter ----------------------------------

@pytest.mark.slow
def test_publish_copies_runs_then_pairs_the_published_files(tree):
    results, runs = tree / "experiments" / "results", tree / "runs" / "measured"
    for run, source in (("zs", "smollm2-135m-instruct-q4"), ("ft", "maaza-135m-instruct-q4")):
        (runs / run).mkdir(parents=True)
        shutil.copy(results / f"{source}.json", runs / run / "metrics.json")
        shutil.copy(results / f"{source}.predictions.jsonl", runs / run / "predictions.jsonl")
    partial = tree / "experiments" / "partial-runs"
    partial.mkdir(parents=True, exist_ok=True)
    (partial / "ft.predictions.jsonl").write_text("saved\n")
    built_ok(tree, "--eval", "pub: ; $(call publish,zs ft:zs:ft:ft-vs-zs)", "pub")
    assert (results / "ft.predictions.jsonl").read_bytes() == \
        (runs / "ft" / "predictions.jsonl").read_bytes()
    assert (results / "zs.json").is_file() and not (partial / "ft.predictions.jsonl").exists()
    paired = json.loads((results / "paired" / "ft-vs-zs.json").read_text())
    assert (paired["a"], paired["b"]) == ("zs.predictions.jsonl", "ft.predictions.jsonl")
    committed = results / "paired" / "maaza-135m-instruct-q4-vs-zero-shot.json"
    names = {"a": None, "b": None}
    assert paired | names == json.loads(committed.read_text()) | names
    assert not list((results / "paired").glob("*.tmp"))


def test_publish_stops_at_a_missing_run_and_leaves_no_pair(tree):
    proc = run_make(tree, "--eval", "pub: ; $(call publish,nothing:a:b:out)", "pub")
    assert proc.returncode != 0
    assert not (tree / "experiments" / "results" / "paired" / "out.json").exists()


@pytest.mark.parametrize("run, pair", [
    ("maaza-135m-instruct-q4-constrained",
     ":maaza-135m-instruct-q4-constrained:maaza-135m-instruct-q4:maaza-135m-instruct-q4-vs-constrained"),
    ("smollm2-135m-instruct-q4-chat",
     ":smollm2-135m-instruct-q4-chat:maaza-135m-instruct-q4:maaza-135m-instruct-q4-vs-chat"),
    ("maaza-135m-instruct-q4-q4_1-llamacpp", ":maaza-135m-instruct-q4:maaza-135m-instruct-q4-q4_1-"
     "llamacpp:maaza-135m-instruct-q4-q4_1-llamacpp-vs-float32"),
])
def test_publish_run_pairs_each_run_as_its_list_does(run, pair):
    assert f"for tuple in {run}{pair};" in built_ok(ROOT, "-n", "publish-run", f"RUN={run}")


def test_publishing_a_fine_tuned_run_publishes_its_adapter_with_hashes(tree):
    """Each fine-tuned run's adapter is committed next to it (a clean clone restores it
    instead of training); the Gemma LoRA run is published like the 135M one."""
    run, trained = "gemma-3-270m-q4-lora", tree / "runs" / "train" / "gemma-3-270m-q4-lora"
    trained.mkdir(parents=True)
    for name in ("adapter_config.json", "adapter_model.safetensors", "edgejson_train.json",
                 "train_log.jsonl"):
        (trained / name).write_text(name)
    built_ok(tree, "--eval", f"pub: ; $(call publish_adapter,{run})", "pub")
    committed = tree / "experiments" / "results" / "adapters" / run
    assert (committed / "adapter_model.safetensors").read_text() == "adapter_model.safetensors"
    assert subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"],
                          cwd=committed).returncode == 0
    plan = built_ok(tree, "-n", "publish-run", f"RUN={run}")
    assert f"for tuple in {run}:{run}:maaza-135m-instruct-q4:maaza-135m-instruct-q4-vs-" \
           f"{run};" in plan
    # ... and paired with the same model's 3-shot run: what fine-tuning changed for it.
    assert f"gemma-3-270m-q4-few-shot-3:{run}:gemma-3-270m-q4-few-shot-3-vs-lora" in plan


def test_the_pairs_between_baselines_reproduce_the_committed_file(tree):
    paired = tree / "experiments" / "results" / "paired"
    committed = (paired / "gemma-3-270m-q4-few-shot-3-vs-constrained.json").read_bytes()
    (paired / "gemma-3-270m-q4-few-shot-3-vs-constrained.json").unlink()
    plan = built_ok(tree, "-n", "publish-run", "RUN=gemma-3-270m-q4-few-shot-3-constrained")
    pairs = [t for t in plan.split() if t.count(":") == 2 and t.endswith("-vs-constrained")]
    built_ok(tree, "--eval", f"p: ; $(call pair_published,{' '.join(pairs)})", "p")
    assert (paired / "gemma-3-270m-q4-few-shot-3-vs-constrained.json").read_bytes() == committed


def test_the_gemma_adapter_is_trained_with_its_own_model_and_epochs():
    out = built_ok(ROOT, "-n", "runs/train/gemma-3-270m-q4-lora/edgejson_train.json",
                   "RETRAIN=1", "GEMMA_EPOCHS=2")
    assert "train gemma-3-270m-q4_k_m --out runs/train/gemma-3-270m-q4-lora" in out
    assert "--epochs 2 " in out and "--epochs 3" not in out


def test_publish_run_of_an_unknown_run_lists_the_runs():
    proc = run_make(ROOT, "-n", "publish-run", "RUN=maaza")
    assert proc.returncode != 0 and "RUN=maaza is not a measured run" in proc.stderr
    assert "maaza-135m-instruct-q4-constrained" in proc.stderr


ADAPTER = "runs/train/maaza-135m-instruct-q4"


@pytest.fixture
def committed_adapter(tree: Path) -> Path:
    """A stand-in committed adapter whose SHA256SUMS match (no training is started)."""
    folder = tree / "experiments" / "results" / "adapters" / "maaza-135m-instruct-q4"
    pin_adapter(folder, b"weights")
    return folder


@pytest.fixture
def logged_cli(tmp_path: Path) -> tuple[str, Path]:
    """A BIN= folder whose `edgejson` only logs its arguments: shows which commands the
    rule runs without fetching a model or training one."""
    folder, log = tmp_path / "bin", tmp_path / "edgejson.log"
    folder.mkdir()
    for tool in (ROOT / ".venv" / "bin").iterdir():
        if tool.name != "edgejson":
            (folder / tool.name).symlink_to(tool)
    (folder / "edgejson").write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    (folder / "edgejson").chmod(0o755)
    return f"BIN={folder}", log


@pytest.mark.ml
def test_the_committed_adapter_is_restored_instead_of_trained(tree, committed_adapter,
                                                              logged_cli):
    bin_flag, log = logged_cli
    built_ok(tree, f"{ADAPTER}/edgejson_train.json", bin_flag)
    assert not log.exists()
    assert (tree / ADAPTER / "adapter_model.safetensors").read_bytes() == b"weights"
    assert (tree / ADAPTER / "train_log.jsonl").read_bytes() == \
        (committed_adapter / "train_log.jsonl").read_bytes()
    built_ok(tree, f"{ADAPTER}/edgejson_train.json", bin_flag, "RETRAIN=1")  # though restored
    assert log.read_text().splitlines()[-1].startswith("train smollm2-135m-instruct-q4_1")


@pytest.mark.ml
def test_a_committed_adapter_that_fails_its_checksum_is_refused(tree, committed_adapter):
    (committed_adapter / "adapter_model.safetensors").write_bytes(b"other weights")
    proc = run_make(tree, f"{ADAPTER}/edgejson_train.json")
    assert proc.returncode != 0
    assert "does not match its SHA256SUMS" in proc.stderr and "RETRAIN=1" in proc.stderr
    assert not (tree / ADAPTER).exists()


def test_save_partial_keeps_the_newest_training_checkpoint_and_training_resumes_it(
        tree, logged_cli):
    run = tree / ADAPTER
    for step in (5, 10, 45):  # numerically newest is 45, not 5 (text order)
        (run / "checkpoints" / f"checkpoint-{step}").mkdir(parents=True)
        (run / "checkpoints" / f"checkpoint-{step}" / "state").write_text(str(step))
    (run / "train_log.jsonl").write_text('{"step": 46}\n')
    out = built_ok(tree, "save-partial")
    saved = tree / "experiments" / "partial-runs" / "train" / "maaza-135m-instruct-q4"
    assert "train/maaza-135m-instruct-q4: checkpoint-45" in out
    assert [p.name for p in (saved / "checkpoints").iterdir()] == ["checkpoint-45"]
    assert (saved / "train_log.jsonl").read_text() == '{"step": 46}\n'
    shutil.rmtree(tree / "runs")  # a later session: runs/ is gone, git kept the copy
    bin_flag, log = logged_cli
    built_ok(tree, f"{ADAPTER}/edgejson_train.json", bin_flag, "RETRAIN=1")
    assert (run / "checkpoints" / "checkpoint-45" / "state").read_text() == "45"
    assert "train smollm2-135m-instruct-q4_1" in log.read_text()


# --- make -q paper after any build (slow: LaTeX) -----------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    if shutil.which("latexmk") is None:
        pytest.skip("needs TeX Live (tools/tex-packages.txt)")
    copy = tmp_path_factory.mktemp("built") / "maaza"
    copy_tree(copy)
    built_ok(copy, "paper")
    return copy


@pytest.mark.slow
def test_library_edit_that_keeps_references_bib_leaves_make_up_to_date(built):
    bib = built / "bib" / "references.bib"
    before = bib.read_bytes()
    library = built / "bib" / "library.yaml"
    original = library.read_text()
    library.write_text(original + "# a note that changes no entry\n")
    try:
        assert not up_to_date(built)  # the edit is seen ...
        built_ok(built, "paper")
        assert bib.read_bytes() == before  # ... the file keeps its content ...
        assert up_to_date(built)  # ... and Make is up to date again
    finally:
        library.write_text(original)
        built_ok(built, "paper")


@pytest.mark.slow
def test_added_and_removed_draft_reach_the_index(built):
    index = built / "build" / "generated" / "litreview" / "related-work.tex"
    draft = built / "litreview" / "99-planted.md"
    draft.write_text("## Planted\n\nA paragraph without citations.\n")
    built_ok(built, "paper")
    assert "99-planted" in index.read_text()
    assert up_to_date(built)
    draft.unlink()
    assert "litreview index" in built_ok(built, "-n", "paper")
    built_ok(built, "paper")
    assert "99-planted" not in index.read_text()
    assert up_to_date(built)


@pytest.mark.slow
def test_clean_paper_works_and_leaves_make_up_to_date(built):
    built_ok(built, "clean", "paper")
    assert (built / "build" / "paper.pdf").is_file()
    assert up_to_date(built)


# --- one TeX package list ---------------------------------------------------------------

def test_tex_packages_are_listed_in_one_file_only():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    holders = [name for name in tracked.stdout.splitlines()
               if (ROOT / name).is_file() and name != "tests/test_make.py"
               and "texlive-latex-extra" in (ROOT / name).read_text(errors="replace")]
    assert holders == ["tools/tex-packages.txt"]


def test_latexmk_missing_message_reads_the_list(tmp_path):
    from papertools.render.pdf import tex_install_command

    listing = tmp_path / "tex-packages.txt"
    listing.write_text("# comment\nlatexmk\n\ntexlive-planted  # why\n")
    assert tex_install_command(listing).endswith(
        "--no-install-recommends latexmk texlive-planted")


# --- the lock ---------------------------------------------------------------------------

def pins(lock: Path) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", lock.read_text(), flags=re.M)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found}


def declared(extras: tuple[str, ...]) -> set[str]:
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in extras:
        specs += project["optional-dependencies"][extra]
    return {re.sub(r"[-_.]+", "-", Requirement(s).name).lower() for s in specs}


def test_lock_covers_pyproject_fix_make_lock():
    base, ml = pins(ROOT / "requirements/base.txt"), pins(ROOT / "requirements/ml.txt")
    assert declared(("dev",)) <= set(base), "run `make lock` after editing pyproject.toml"
    assert declared(("dev", "ml")) <= set(ml), "run `make lock` after editing pyproject.toml"
    assert {n: v for n, v in ml.items() if n in base} == base  # one version per package
    assert "torch" not in base
    assert ml["torch"].endswith("+cpu")
    assert pins(ROOT / "requirements/uv.txt")["uv"] == base["uv"]


# --- where torch comes from (make -n: the command, never an install) ----------------------

def venv_ml_plan(tmp_path: Path, *args: str) -> str:
    """The commands `make venv-ml` would run for a venv that does not exist yet."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MAAZA_ROOT", "TORCH_WHEELS", "TORCH_VARIANT")}
    proc = subprocess.run(["make", "--no-print-directory", "-n", f"VENV={tmp_path / 'venv'}",
                           "venv-ml", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_missing_wheel_folder_falls_back_to_the_pytorch_cpu_page(tmp_path):
    plan = venv_ml_plan(tmp_path, f"TORCH_WHEELS={tmp_path / 'no-such-folder'}")
    assert "--require-hashes --find-links https://download.pytorch.org/whl/cpu/torch/ " \
           "-r requirements/ml.txt" in plan
    assert "tools/check_torch_cpu.py" in plan


def test_an_existing_wheel_folder_is_used(tmp_path):
    plan = venv_ml_plan(tmp_path, f"TORCH_WHEELS={tmp_path}")
    assert f"--find-links {tmp_path} -r requirements/ml.txt" in plan
    assert "download.pytorch.org" not in plan


def test_cuda_variant_installs_its_torch_then_the_rest_of_the_lock(tmp_path):
    plan = venv_ml_plan(tmp_path, "TORCH_VARIANT=cu128", f"TORCH_WHEELS={tmp_path / 'none'}")
    version = pins(ROOT / "requirements/ml.txt")["torch"].removesuffix("+cpu")
    assert (f"--find-links https://download.pytorch.org/whl/cu128/torch/ "
            f'"torch=={version}+cu128"') in plan
    assert "warning: TORCH_VARIANT=cu128" in plan
    assert "TORCH_VARIANT=cu128 " in plan and "tools/check_torch_cpu.py" in plan


def test_lock_without_torch_keeps_every_other_pin(tmp_path):
    plan = venv_ml_plan(tmp_path, "TORCH_VARIANT=cu128")
    awk = next(line for line in plan.splitlines() if line.startswith("awk "))
    program = awk.split("'")[1]
    out = subprocess.run(["awk", program, str(ROOT / "requirements/ml.txt")], check=True,
                         capture_output=True, text=True).stdout
    lock = tmp_path / "rest.txt"
    lock.write_text(out)
    kept = pins(lock)
    assert "torch" not in kept and "--hash" in out
    assert kept == {n: v for n, v in pins(ROOT / "requirements/ml.txt").items() if n != "torch"}
    assert out.count("--hash=sha256:") == (ROOT / "requirements/ml.txt").read_text().count(
        "--hash=sha256:") - 1  # the torch pin has one hash: the CPU wheel's


# --- the CPU torch check ----------------------------------------------------------------

CHECK = ROOT / "tools" / "check_torch_cpu.py"


def fake_torch(folder: Path, cuda: str | None) -> Path:
    """A stand-in package with torch's two attributes the check reads: a real CUDA build is
    gigabytes, and the check must be seen failing on one."""
    pkg = folder / "torch"
    (pkg / "version").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from torch import version\n__version__ = '9.9.9'\n")
    (pkg / "version" / "__init__.py").write_text(f"cuda = {cuda!r}\n")
    return folder


def check(path: Path, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "TORCH_VARIANT"}
    full.update(PYTHONPATH=str(path), **env)
    return subprocess.run([sys.executable, str(CHECK)], env=full, capture_output=True, text=True)


def test_cuda_torch_fails_loudly(tmp_path):
    proc = check(fake_torch(tmp_path, "12.4"))
    assert proc.returncode == 1
    assert "torch 9.9.9 is a CUDA 12.4 build" in proc.stderr
    assert "requirements/torch-cpu.txt" in proc.stderr


def test_cuda_torch_accepted_with_a_warning_when_asked(tmp_path):
    proc = check(fake_torch(tmp_path, "12.4"), TORCH_VARIANT="cu128")
    assert proc.returncode == 0
    assert "warning: torch 9.9.9 is a CUDA 12.4 build (TORCH_VARIANT=cu128)" in proc.stderr


def test_cpu_variant_named_explicitly_still_refuses_cuda(tmp_path):
    assert check(fake_torch(tmp_path, "12.4"), TORCH_VARIANT="cpu").returncode == 1


def test_cpu_torch_passes(tmp_path):
    proc = check(fake_torch(tmp_path, None))
    assert proc.returncode == 0 and "CPU build" in proc.stdout


@pytest.mark.ml
def test_installed_torch_is_the_cpu_build():
    pytest.importorskip("torch")
    proc = subprocess.run([sys.executable, str(CHECK)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# --- the README's quick start, which CI runs as written ------------------------------------

def quick_start() -> list[str]:
    """The commands of the README's quick-start block, as .ci/run reads them."""
    ci = (ROOT / ".ci" / "run").read_text()
    program = re.search(r"awk '(.*?)' README.md", ci, re.S).group(1)
    out = subprocess.run(["awk", program, str(ROOT / "README.md")], check=True,
                         capture_output=True, text=True).stdout
    return [c for c in (line.split("#")[0].strip() for line in out.splitlines()) if c]


def test_ci_runs_the_readme_quick_start_and_each_step_is_a_listed_target():
    steps = quick_start()
    assert steps == ["make paper", "make test"]
    listed = run_make(ROOT, "help").stdout
    for step in steps:
        assert re.search(rf"^  {step.split()[1]}\s", listed, re.M), step


# --- make spelling -------------------------------------------------------------------------

@pytest.mark.parametrize("text, words, fails", [
    ("A well labelled table.\n", "", "labelled ==> labeled"),  # British, the paper is American
    ("We recieve the data.\n", "", "recieve ==> receive"),
    ("A labeled table; we receive the data.\n", "", None),
    ("Teh model.\n", "# why\nteh\n", None),  # a project word
])
def test_spelling_flags_mistakes_and_honors_the_word_list(tmp_path, text, words, fails):
    prose, word_list = tmp_path / "draft.md", tmp_path / "words.txt"
    prose.write_text(text)
    word_list.write_text(words)
    proc = run_make(ROOT, "spelling", f"SPELLING_FILES={prose}", f"SPELLING_WORDS={word_list}")
    if fails:
        assert proc.returncode != 0 and fails in proc.stdout + proc.stderr
    else:
        assert proc.returncode == 0, proc.stdout + proc.stderr
