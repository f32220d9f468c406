"""The one YAML loader: data as safe_load gives it, and the line of any node for messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from maaza_core.errors import DataError
from maaza_core.yamlfile import load_yaml, parse_yaml

TEXT = "name: x\nmodels:\n  - id: a\n    tags: [1, 2]\n  - id: b\n"


def test_lines_of_keys_and_indices() -> None:
    doc = parse_yaml(TEXT, Path("c.yaml"))
    assert doc.data == {"name": "x", "models": [{"id": "a", "tags": [1, 2]}, {"id": "b"}]}
    assert doc.line(["models", 1]) == 5
    assert doc.line(["models", 0, "tags"]) == 4


def test_a_missing_step_points_at_the_deepest_node_that_exists() -> None:
    doc = parse_yaml(TEXT, Path("c.yaml"))
    assert doc.line(["models", 1, "absent"]) == 5
    assert doc.line(["models", 7]) == 3  # the list itself starts at its first item


def test_error_names_file_and_line() -> None:
    err = parse_yaml(TEXT, Path("c.yaml")).error(["models", 1, "id"], "unknown model")
    assert isinstance(err, DataError) and (err.line, str(err)) == (5, "c.yaml:5: unknown model")


def test_bad_yaml_is_a_data_error_with_the_line() -> None:
    with pytest.raises(DataError, match=r"^c\.yaml:3: not valid YAML") as caught:
        parse_yaml("a: 1\nb: 2\nc: d: e\n", Path("c.yaml"))
    assert caught.value.line == 3


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such library file"), (b"a: \xff\n", "invalid UTF-8 at byte 3")])
def test_unreadable_files(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "lib.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_yaml(path, what="library file")


def test_empty_file_has_no_data_and_line_one(tmp_path: Path) -> None:
    (tmp_path / "e.yaml").write_text("# only a comment\n")
    doc = load_yaml(tmp_path / "e.yaml")
    assert (doc.data, doc.root, doc.line(["x"])) == (None, None, 1)


_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=3),
                       max_leaves=10)


@given(_values)
def test_data_is_what_safe_load_returns(value) -> None:
    text = yaml.safe_dump(value)
    assert parse_yaml(text, Path("p.yaml")).data == yaml.safe_load(text)


def _laughs(levels: int, width: int = 9) -> str:
    """The billion-laughs file: each level a list of `width` aliases of the one below."""
    text, below = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n", "l0"
    for level in range(1, levels + 1):
        text += f"l{level}: &l{level} [{', '.join([f'*{below}'] * width)}]\n"
        below = f"l{level}"
    return text


def _merges(levels: int) -> str:
    """Merge keys that double the mapping each level (`<<: [*k, *k]`)."""
    text, below = "k0: &k0 {a: 1, b: 2}\n", "k0"
    for level in range(1, levels + 1):
        text += f"k{level}: &k{level} {{<<: [*{below}, *{below}], x{level}: 1}}\n"
        below = f"k{level}"
    return text


@pytest.mark.parametrize(("text", "message"), [
    (_laughs(8), r"bomb\.yaml:6: aliases expand this to more than 100,000 values"),
    (_merges(40), r"bomb\.yaml:\d+: aliases expand this to more than 100,000 values"),
    ("a: &a [1, *a]\n", r"bomb\.yaml:1: an alias refers to a node that contains it"),
    ("a: &a {b: *a}\n", r"bomb\.yaml:1: an alias refers to a node that contains it"),
])
def test_aliases_that_explode_are_refused(tmp_path: Path, text: str, message: str) -> None:
    """Planted: a YAML bomb (10**9 values from 9 short lines), exponential merge keys and a
    recursive alias; each is refused in well under a second, naming the line."""
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_yaml(path)


def test_ordinary_aliases_and_merges_still_load(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("base: &b {x: 1}\nuse: {<<: *b, y: 2}\nboth: [*b, *b]\n" + _laughs(3),
                    encoding="utf-8")
    data = load_yaml(path).data
    assert data["use"] == {"x": 1, "y": 2} and data["both"] == [{"x": 1}, {"x": 1}]
    assert len(data["l3"]) == 9 and data["l3"][0][0][0][0] == "lol"
