"""YAML loading that remembers the line of every mapping key and list item.

Error messages must point at the line of the offending field, so the loader builds
dicts and lists that carry their source lines.
"""

from __future__ import annotations

from typing import Any

import yaml


class LineDict(dict):
    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):
    line: int = 0
    item_lines: list[int]


# libyaml's parser when available (about 15x faster); same safe constructors either way.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):
    def construct_mapping(self, node, deep=False):
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {
            self.construct_object(key, deep=True): key.start_mark.line + 1
            for key, _ in node.value
        }
        return mapping

    def construct_sequence(self, node, deep=False):
        sequence = LineList(super().construct_sequence(node, deep=True))
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        return sequence


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)
_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LineLoader.construct_sequence
)


def load_with_lines(text: str) -> Any:
    """Parse YAML (safe subset only); mappings and lists know their lines."""
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)


def line_of(root: Any, path: tuple[Any, ...]) -> int:
    """The line of the deepest node on `path` that exists (1 when nothing matches)."""
    line, node = getattr(root, "line", 1), root
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line, node = node.key_lines.get(step, line), node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            line, node = node.item_lines[step], node[step]
        else:
            break
    return line


def plain(value: Any) -> Any:
    """The same data as built-in dicts and lists (for storing and dumping)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
