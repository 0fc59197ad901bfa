"""Loading YAML the way CI systems mean it, and walking what was loaded, safely.

PyYAML implements YAML 1.1, where `on`, `off`, `yes` and `no` are booleans: a GitHub
workflow's `on:` key would load as `True`. CI systems read YAML 1.2 (only `true` and
`false` are booleans), so the loader here drops the 1.1 words. Tags it does not know
(GitLab's `!reference`, CloudFormation's `!Ref`) load as plain values instead of failing.

Aliases make a small document a large graph (the "billion laughs"), and a self-
referencing alias a cyclic one, so the walker visits each container once and stops
after a fixed number of nodes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = "tag:yaml.org,2002:bool"
_NODE_BUDGET = 50_000
_MAX_DOCUMENTS = 50
# k8s-style argv lists (`command: ["python", "train.py"]`) read as one command line.
_ARGV_KEYS = frozenset({"command", "args", "entrypoint"})


class CiLoader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader with YAML 1.2 booleans and unknown tags loaded as plain values."""


CiLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
CiLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _plain(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)


CiLoader.add_multi_constructor("!", _plain)
CiLoader.add_multi_constructor("tag:", _plain)


def load_yaml(data: bytes) -> list[Any] | None:
    """The documents of a YAML file, or None if it does not parse."""
    try:
        docs = yaml.load_all(data, Loader=CiLoader)
        return list(itertools.islice(docs, _MAX_DOCUMENTS))
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None


def as_list(value: Any) -> list:
    """`value` if it is a list, else nothing (YAML gives whatever the author wrote)."""
    return value if isinstance(value, list) else []


def trigger_key(doc: dict) -> Any:
    """A GitHub workflow's `on:`, also when a YAML 1.1 tool rewrote it as `true:`."""
    return doc["on"] if "on" in doc else doc.get(True)


def walk(node: Any) -> Iterator[tuple[Any, Any]]:
    """(key, value) pairs of every mapping in the tree, each container once."""
    seen: set[int] = set()
    stack = [node]
    budget = _NODE_BUDGET
    while stack and budget > 0:
        value = stack.pop()
        budget -= 1
        if not isinstance(value, dict | list) or id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            for key, item in value.items():
                yield key, item
                stack.append(item)
        else:
            stack.extend(value)


def strings_under(node: Any, keys: frozenset[str]) -> list[str]:
    """The script text under any of `keys` (e.g. run, script, command), anywhere."""
    found: list[str] = []
    for key, value in walk(node):
        if isinstance(key, str) and key in keys:
            found += _texts(value, " " if key in _ARGV_KEYS else "\n")
    return found


def _texts(value: Any, joiner: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return [joiner.join(value)] if value else []
        return [item for item in value if isinstance(item, str)]
    return []
