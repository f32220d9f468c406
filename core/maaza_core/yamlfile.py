"""The one YAML loader that remembers lines: data for the code, file:line for the user.

Why: the library, the related-work tables, the batch config, the model registry and the
comparisons are YAML that people edit. A message about one of them must point at the line
to change, which plain `yaml.safe_load` forgets. Here the file is composed once into
nodes (which keep their marks) and the plain data is built from those same nodes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from maaza_core.errors import DataError

Step = str | int  # a mapping key or a list index, as in a jsonschema error path


@dataclasses.dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML file: its plain data and the node tree that knows the lines."""

    path: Path  # the file it came from, for messages
    data: Any  # what yaml.safe_load would return (None for an empty file)
    root: yaml.Node | None  # the composed nodes; None for an empty file

    def node(self, steps: Sequence[Step] = ()) -> yaml.Node | None:
        """The node at a path of keys and indices, or the deepest one that exists (so a
        missing field points at the mapping it should be in)."""
        node = self.root
        for step in steps:
            child = _child(node, step)
            if child is None:
                break
            node = child
        return node

    def line(self, steps: Sequence[Step] = ()) -> int:
        """1-based line of the node at `steps` (see `node`); 1 for an empty file."""
        node = self.node(steps)
        return node.start_mark.line + 1 if node is not None else 1

    def error(self, steps: Sequence[Step], message: str) -> DataError:
        """A DataError at the line of `steps`, ready to raise or collect."""
        return DataError(self.path, message, line=self.line(steps))


def _child(node: yaml.Node | None, step: Step) -> yaml.Node | None:
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int):
        return node.value[step] if -len(node.value) <= step < len(node.value) else None
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == step), None)
    return None


def load_yaml(path: Path, *, what: str = "YAML file", missing_fix: str = "create it") -> YamlDoc:
    """Parse `path`; a missing file, bad UTF-8 or bad YAML is a DataError with the line."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DataError(path, f"no such {what} (fix: {missing_fix})") from None
    except UnicodeDecodeError as exc:
        raise DataError(path, f"invalid UTF-8 at byte {exc.start} (fix: re-save it as "
                              "UTF-8)") from None
    return parse_yaml(text, path)


# How many values a document may hold once its aliases are expanded. Our largest YAML
# file (bib/library.yaml) holds about 600; a "billion laughs" file of nine nested lists
# of ten aliases holds 10**9 in a few hundred bytes, and the code walking that data (or
# the merge keys `<<` while it is built) would take the machine with it.
MAX_VALUES = 100_000


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _refuse_bombs(root: yaml.Node, path: Path) -> None:
    """DataError when aliases expand past MAX_VALUES values, or refer to themselves.

    The composer gives one node object per anchor, reused at every alias, so sizes are
    counted once per node (iteratively: deep nesting must not exhaust the stack)."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()  # nodes whose children are being counted: the ancestors
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            open_.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in _children(node))
            if sizes[id(node)] > MAX_VALUES:
                raise DataError(path, f"aliases expand this to more than {MAX_VALUES:,} "
                                "values (fix: write the data out, or use fewer nested "
                                "aliases)", line=node.start_mark.line + 1)
            continue
        if id(node) in sizes:
            continue
        open_.add(id(node))
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_:
                raise DataError(path, "an alias refers to a node that contains it, which "
                                "never ends when expanded (fix: remove the alias)",
                                line=node.start_mark.line + 1)
            stack.append((child, False))


def parse_yaml(text: str, path: Path) -> YamlDoc:
    """Like `load_yaml` for text already read; `path` only names it in messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is not None:
            _refuse_bombs(root, path)
        # Constructing from the composed tree (not a second parse) keeps data and lines
        # in step; yaml.safe_load(yaml.serialize(node)) would re-emit and re-read it.
        data = yaml.SafeLoader("").construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DataError(path, f"not valid YAML: {exc.problem or exc.context} (fix: correct "
                              "the YAML)", line=mark.line + 1 if mark else 1) from None
    except yaml.YAMLError as exc:
        raise DataError(path, f"not valid YAML: {exc} (fix: correct the YAML)") from None
    return YamlDoc(path, data, root)
