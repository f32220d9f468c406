"""A build interrupted at any stage, or run twice at once, never leaves a broken tree.

Slow (real `make paper` runs in a copy of the repository). Each test changes one result
so that every stage has work to do, interrupts or races the build, and then asks the
next plain `make paper` to succeed, leave the tree up to date (`make -q`), and show the
new number in the PDF.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from treecopy import copy_tree, with_exact_correct

from maaza_core.paths import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
                       reason="needs TeX Live and poppler-utils (see .ci/run)"),
]
RESULT = Path("experiments/results/maaza-mlm-135m.json")
# JSONExact of that model as the PDF prints it, for 39 and 40 correct of 158.
PRINTED = {39: "24.7", 40: "25.3"}


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAAZA_ROOT")}


def _make_cmd(*args: str) -> list[str]:
    return ["make", "--no-print-directory", f"VENV={ROOT / '.venv'}", *args]


def make(tree: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(_make_cmd(*args), cwd=tree, env=_env(), capture_output=True,
                          text=True, timeout=600)


def start(tree: Path) -> subprocess.Popen:
    """`make paper` in its own session, so that Ctrl-C can reach it as a terminal would.

    SIGINT is reset to its default in the child: a test run started in the background of a
    non-interactive shell (or under nohup) inherits it ignored, and make would then never
    see the Ctrl-C this test sends.
    """
    return subprocess.Popen(_make_cmd("paper"), cwd=tree, env=_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def session_processes(session: int) -> list[tuple[str, float]]:
    """(command line, seconds alive) of the live processes of one session (from /proc)."""
    out = []
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    ticks = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session:
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                out.append((cmdline.decode(errors="replace"),
                            uptime - int(fields[19]) / ticks))
        except (OSError, IndexError, ValueError):
            continue
    return out


def set_correct(tree: Path, correct: int) -> None:
    path = tree / RESULT
    path.write_text(with_exact_correct(path.read_text(encoding="utf-8"), correct),
                    encoding="utf-8")


def pdf_text(tree: Path) -> str:
    out = subprocess.run(["pdftotext", str(tree / "build" / "paper.pdf"), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


def assert_recovers(tree: Path, correct: int) -> None:
    """The next plain build works, leaves the tree up to date, and shows the new number."""
    proc = make(tree, "paper")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert make(tree, "-q", "paper").returncode == 0, "tree not up to date after the build"
    assert PRINTED[correct] in pdf_text(tree)
    leftovers = [p for p in (tree / "build").rglob("*") if ".tmp" in p.name]
    assert leftovers == [], leftovers


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("repo") / "maaza"
    copy_tree(tree)
    proc = make(tree, "paper")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return tree


# (stage, a process of that stage, how long it must have run). A Python stage is hit
# once its process is 0.15 s old: the first ~30 ms are the interpreter's own start-up
# (site, .pth files), before any program can handle the signal.
@pytest.mark.parametrize(("stage", "pattern", "age"), [
    ("render", r"papertools render (macros|table|figure)", 0.15),
    ("figures", r"papertools\.render\.figrun", 0.15),
    ("latexmk", r"\bpdflatex\b", 0.1),  # inside a pdflatex run: what broke later builds
])
def test_a_build_interrupted_at_each_stage_recovers(tree, stage, pattern, age):
    correct = 40 if PRINTED[39] in pdf_text(tree) else 39
    set_correct(tree, correct)
    child = start(tree)
    deadline, seen = time.monotonic() + 120, False
    while time.monotonic() < deadline and child.poll() is None:
        if any(re.search(pattern, c) and alive >= age
               for c, alive in session_processes(child.pid)):
            seen = True
            os.killpg(child.pid, signal.SIGINT)
            break
        time.sleep(0.01)
    output = child.communicate(timeout=120)[0]
    assert seen, f"the build never reached the {stage} stage:\n{output}"
    assert child.returncode != 0, output
    assert "Traceback" not in output, output[output.index("Traceback") - 400:]
    assert_recovers(tree, correct)


def test_two_builds_at_once_both_succeed(tree):
    correct = 40 if PRINTED[39] in pdf_text(tree) else 39
    set_correct(tree, correct)
    first, second = start(tree), start(tree)
    outputs = [p.communicate(timeout=600)[0] for p in (first, second)]
    assert (first.returncode, second.returncode) == (0, 0), "\n".join(outputs)
    assert make(tree, "-q", "paper").returncode == 0
    assert PRINTED[correct] in pdf_text(tree)
    assert [p for p in (tree / "build").rglob("*") if ".tmp" in p.name] == []


def test_runaway_argument_is_reported_in_its_section_and_the_fix_rebuilds(tree):
    section = tree / "paper" / "sections" / "method.tex"
    original = section.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, start=1)
                if text.strip() and not text.lstrip().startswith(("%", "\\")) and i > 3)
    lines[line - 1] = lines[line - 1].rstrip("\n") + r" \textbf{never closed" + "\n"
    section.write_text("".join(lines), encoding="utf-8")
    try:
        proc = make(tree, "paper")
        assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
        assert f"LaTeX error: paper/sections/method.tex:{line}: " in proc.stderr, proc.stderr
        assert "the argument that starts here is never closed" in proc.stderr
    finally:
        section.write_text(original, encoding="utf-8")
    correct = 39 if PRINTED[39] in pdf_text(tree) else 40
    assert_recovers(tree, correct)
