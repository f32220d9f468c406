"""The installed model stack against the versions this project declares.

Why: the harness relies on recent APIs (the slot cache hands a forward pass its cache
through `cache=`, which transformers accepts from 5.24 on), and an older install fails
deep inside a forward pass with a message that names none of this. Checking at start-up
turns that into one line naming what is installed and what is required. The required
versions are read from the installed project's metadata (pyproject.toml's `ml` extra),
so they are declared once.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata

from packaging.requirements import Requirement

from maaza_core.errors import UserError

PROJECT = "maaza-paper"
CHECKED = ("torch", "transformers", "peft", "llguidance")  # what the harness calls directly


def declared(names: Iterable[str] = CHECKED) -> list[str]:
    """The project's requirements for `names` (pyproject.toml), as requirement strings."""
    try:
        lines = metadata.requires(PROJECT) or []
    except metadata.PackageNotFoundError:  # running from a tree that was never installed
        return []
    wanted = set(names)
    return [line for line in lines if Requirement(line).name in wanted]


def check_installed(requirements: Iterable[str]) -> None:
    """Raise a UserError naming the installed and the required version of the first
    requirement the environment does not meet."""
    for line in requirements:
        req = Requirement(line)
        try:
            have = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            raise UserError(f"{req.name} is not installed, and the harness needs "
                            f"{req.name}{req.specifier} (fix: make venv-ml)") from None
        if not req.specifier.contains(have, prereleases=True):
            raise UserError(f"{req.name} {have} is installed, but the harness needs "
                            f"{req.name}{req.specifier} (fix: make venv-ml installs the "
                            "locked versions)")


def check_ml_stack() -> None:
    """Check the model stack before a command loads a model."""
    check_installed(declared())
