"""Fixtures every test folder shares, and the guards that keep a plain `pytest` fast and
offline.

Why guards: the markers (pyproject.toml, DEVELOPERS.md) only help if every test that
needs the model stack is marked `ml` and every test that reaches the internet `network`.
A test that forgets is caught here instead of slowing or breaking a co-author's `make
check`: while a run deselects `ml`, importing torch, transformers or peft is refused and
fails the test that tried; a test not marked `network` that connects anywhere but this
machine (or resolves a name other than localhost) fails, naming the address. Subprocesses
are outside these guards (DEVELOPERS.md says how the whole run was checked offline).
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterator

import pytest
from markexpr import selects

from maaza_core.paths import DATASET_STATS

ML_MODULES = ("torch", "transformers", "peft")
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "")
_ml_attempts: list[str] = []  # ML imports refused while the current test ran
_net_attempts: list[str] = []  # non-local addresses the current test reached for


class _RefuseML:
    """A meta-path finder that refuses the model stack, so a run without `ml` never loads it
    (also not while collecting the ml modules, which then skip)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in ML_MODULES:
            _ml_attempts.append(name)
            raise ModuleNotFoundError(f"{name} is refused while this run deselects the ml marker "
                                      "(mark the test @pytest.mark.ml)", name=name)
        return None


def pytest_configure(config: pytest.Config) -> None:
    """Refuse the model stack for the whole run when the run deselects `ml`."""
    if not selects(config.getoption("markexpr") or "", "ml"):
        sys.meta_path.insert(0, _RefuseML)


def _is_local(host: object) -> bool:
    if not isinstance(host, str) or host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost


@pytest.fixture(autouse=True)
def _guards(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that loads the model stack without `ml`, or reaches the internet
    without `network` (the connection is refused and recorded, so code that swallows the
    error still fails the test)."""
    _ml_attempts.clear()
    _net_attempts.clear()
    # `--record` reaches the APIs by definition (tests/tools/bib/recorder.py): no guard.
    recording = request.config.getoption("--record")
    if request.node.get_closest_marker("network") is None and not recording:
        real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

        def connect(sock: socket.socket, address, *args):
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
                _net_attempts.append(f"{address[0]}:{address[1]}")
                raise ConnectionRefusedError(f"network refused in tests: {address}")
            return real_connect(sock, address, *args)

        def getaddrinfo(host, *args, **kwargs):
            if not _is_local(host):
                _net_attempts.append(str(host))
                raise socket.gaierror(f"network refused in tests: {host}")
            return real_getaddrinfo(host, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield
    if _net_attempts:
        pytest.fail(f"reached for the network ({', '.join(_net_attempts)}) without "
                    "@pytest.mark.network", pytrace=False)
    if _ml_attempts and request.node.get_closest_marker("ml") is None:
        pytest.fail(f"imports {_ml_attempts[0]} without @pytest.mark.ml", pytrace=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--record`: refresh tests/fixtures/api-recordings from the real APIs (see
    tests/fixtures/README.md and tests/tools/bib/recorder.py)."""
    parser.addoption("--record", action="store_true", default=False,
                     help="literature tests: forward the mirror's requests to the APIs "
                     "(RECORD_ARXIV_URL, RECORD_S2_URL) and save the answers as recordings")


@pytest.fixture(autouse=True, scope="session")
def dataset_stats_file() -> None:
    """Render reads the data set's statistics that `make` writes (build/generated/); a clean
    clone has none yet, and no test may depend on which test happened to write it first."""
    if not DATASET_STATS.is_file():
        from edgejson.data import dataset_stats

        dataset_stats().dump(DATASET_STATS)
