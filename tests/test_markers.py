"""The markers keep a plain `pytest` fast and offline: the guards of tests/conftest.py must
fail a test that reaches the internet without `network` or loads torch without `ml`, and
leave the honest ones alone. Planted tests run in an inner pytest with a copy of the
conftest, so the guards are exercised exactly as in the real suite."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markexpr import selects

from maaza_core.paths import ROOT

PLANTED = '''
import socket
import pytest

def _swallow(call):
    try:
        call()
    except OSError:
        pass  # code that hides the refusal must still fail the test

def test_connects_out():
    _swallow(lambda: socket.create_connection(("192.0.2.1", 9), timeout=0.2))

def test_looks_up_a_host():
    _swallow(lambda: socket.getaddrinfo("example.org", 443))

@pytest.mark.network
def test_marked_may_connect():
    # The real socket functions, unguarded (nothing is sent: this suite stays offline).
    assert "connect" not in vars(socket.socket) and socket.getaddrinfo.__module__ == "socket"

def test_loopback_is_fine():
    with socket.create_server(("127.0.0.1", 0)) as server:  # the kernel accepts for it
        socket.create_connection(server.getsockname(), timeout=2).close()

def test_imports_torch_quietly():
    try:
        import torch  # noqa: F401
    except ImportError:
        pass

@pytest.mark.ml
def test_marked_ml():
    pass
'''


def inner_pytest(tmp_path: Path, *args: str) -> str:
    """Run the planted tests under a copy of the real conftest; the report's text."""
    for helper in ("conftest.py", "markexpr.py"):
        shutil.copy(ROOT / "tests" / helper, tmp_path / helper)
    (tmp_path / "test_planted.py").write_text(PLANTED)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n  slow: s\n  ml: m\n  network: n\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA",
                           str(tmp_path), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    return proc.stdout + proc.stderr


def outcome(out: str, name: str) -> str:
    """FAILED when any phase failed (the guards fail a test in its teardown, as ERROR)."""
    found = re.findall(rf"^(PASSED|FAILED|ERROR|SKIPPED)\S* .*{name}\b", out, re.M)
    assert found, f"{name} not reported:\n{out}"
    return "FAILED" if {"FAILED", "ERROR"} & set(found) else found[0]


def test_guards_fail_unmarked_network_and_torch_and_pass_the_rest(tmp_path):
    out = inner_pytest(tmp_path, "-m", "not slow and not ml")
    assert outcome(out, "test_connects_out") == "FAILED"
    assert "reached for the network (192.0.2.1" in out and "without @pytest.mark.network" in out
    assert outcome(out, "test_looks_up_a_host") == "FAILED"
    assert "reached for the network (example.org)" in out
    assert outcome(out, "test_marked_may_connect") == "PASSED"
    assert outcome(out, "test_loopback_is_fine") == "PASSED"
    assert outcome(out, "test_imports_torch_quietly") == "FAILED"
    assert "imports torch without @pytest.mark.ml" in out


@pytest.mark.ml
def test_torch_is_not_refused_when_ml_tests_run(tmp_path):
    out = inner_pytest(tmp_path, "-m", "", "-k", "torch or marked_ml")
    assert outcome(out, "test_imports_torch_quietly") == "PASSED"
    assert outcome(out, "test_marked_ml") == "PASSED"


@pytest.mark.parametrize("expr, keeps_ml", [
    ("", True), ("ml", True), ("slow", True), ("network or slow", True),
    ("not slow and not ml and not network", False), ("not ml", False),
    ("not (ml or network)", False), ("slow and not ml", False),
])
def test_which_marker_expressions_can_select_an_ml_test(expr, keeps_ml):
    assert selects(expr, "ml") is keeps_ml


def test_plain_pytest_deselects_slow_ml_and_network():
    import tomllib

    pytest_ini = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    addopts = pytest_ini["ini_options"]["addopts"]
    expr = re.search(r"-m '([^']*)'", addopts).group(1)
    for marker in ("slow", "ml", "network"):
        assert not selects(expr, marker), marker
    declared = {m.split(":")[0] for m in pytest_ini["ini_options"]["markers"]}
    assert declared == {"slow", "ml", "network"}
