"""YAML read with the position of every node, so errors can name file, line and column."""

from __future__ import annotations

from typing import Any

import yaml

Path_ = tuple[Any, ...]
Marks = dict[Path_, tuple[int, int]]


class DuplicateKey(Exception):
    def __init__(self, key: str, line: int, column: int, first_line: int):
        self.key, self.line, self.column, self.first_line = key, line, column, first_line
        super().__init__(f"key '{key}' appears twice (first on line {first_line})")


def load_with_marks(text: str) -> tuple[Any, Marks]:
    """Parse one YAML document; return the data and {path: (line, column)} (1-based).

    Raises yaml.YAMLError for syntax errors and DuplicateKey for a key given twice in
    one mapping (PyYAML would silently keep the last one).
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    marks: Marks = {}
    if node is None:
        return None, marks
    return _build(node, (), marks, yaml.SafeLoader("")), marks


def _build(node: yaml.Node, path: Path_, marks: Marks, constructor: yaml.SafeLoader) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                key = str(key)
            if key in out:
                first = marks[path + (key,)][0]
                raise DuplicateKey(str(key), key_node.start_mark.line + 1,
                                   key_node.start_mark.column + 1, first)
            marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _build(value_node, path + (key,), marks, constructor)
            # the key's own line is the better place to point at for a scalar value
            if not isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode)):
                marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), marks, constructor) for i, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def position(marks: Marks, path: Path_) -> tuple[int | None, int | None]:
    """The position of the deepest known node on `path` (a missing field points at its record)."""
    for n in range(len(path), -1, -1):
        if path[:n] in marks:
            return marks[path[:n]]
    return None, None
