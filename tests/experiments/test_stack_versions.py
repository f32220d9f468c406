"""Start-up check of the model stack's versions."""

from __future__ import annotations

from importlib import metadata

import pytest

from edgejson.versions import check_installed, check_ml_stack, declared
from maaza_core.errors import UserError


def test_the_declared_transformers_floor_is_the_one_the_engine_needs() -> None:
    (line,) = declared(["transformers"])
    assert line.startswith("transformers<6,>=5.24") or line.startswith("transformers>=5.24")


@pytest.mark.ml
def test_this_environment_passes() -> None:
    pytest.importorskip("transformers")
    check_ml_stack()


def test_an_unmet_requirement_names_both_versions() -> None:
    have = metadata.version("jsonschema")
    with pytest.raises(UserError, match=rf"jsonschema {have} is installed, but the harness "
                       r"needs jsonschema>=99\.0"):
        check_installed(["jsonschema>=99.0"])
    with pytest.raises(UserError, match=r"no-such-dist is not installed.*make venv-ml"):
        check_installed(["no-such-dist>=1"])
    check_installed([f"jsonschema=={have}"])
