"""Bad input, shared by the test_bad_input_* modules: values, bodies and a state check.

Every value here is one a client can send. The rejected ones must come back as a 4xx
with a message and leave the database as it was; the valid but unusual ones (right to
left, zero width, emoji, combining marks) must be accepted and kept as sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.apps import apps

NUL = "a\x00b"
LONE_SURROGATE = "a\ud800b"
MEGABYTE = "x" * 1_000_000
# Valid text that naive code mangles: right-to-left with its marks, a zero-width space
# and joiner, an emoji with a skin tone, a combining accent (not normalised to é).
UNUSUAL_TEXT = "Ünï \u05e2\u05d1\u05e8\u05d9\u05ea\u200f a\u200bb \U0001f9ea\U0001f3fd e\u0301 \u2067x\u2069"

INT_OUT_OF_RANGE = [2**63, 2**70, -(2**63) - 1]

# Raw bodies sent as application/json: none is a JSON object.
MALFORMED_JSON = {
    "truncated": b'{"name": "x',
    "missing value": b'{"a":}',
    "trailing comma": b'{"a": 1,}',
    "NaN": b'{"a": NaN}',
    "Infinity": b'{"a": Infinity}',
    "not UTF-8": b'{"a": "\xff\xfe"}',
    "a list": b"[1, 2]",
    "a number": b"42",
    "null": b"null",
    "a string": b'"text"',
    "nested deeply": b"[" * 100_000 + b"]" * 100_000,
}


def json_body(data: Any) -> bytes:
    """JSON with every non-ASCII character escaped: a lone surrogate can be sent."""
    return json.dumps(data, ensure_ascii=True).encode()


def _resolve(spec: dict, components: dict) -> dict:
    while "$ref" in spec:
        spec = components[spec["$ref"].rsplit("/", 1)[-1]]
    for key in ("allOf", "oneOf", "anyOf"):
        if key in spec:
            return _resolve(spec[key][0], components)
    return spec


def field_kind(spec: dict, components: dict) -> str:
    """string, text (free text), enum, integer, number, boolean, array, object, file."""
    spec = _resolve(spec, components)
    if "enum" in spec:
        return "enum"
    kind = spec.get("type", "any")
    if kind == "string":
        if spec.get("format") == "binary":
            return "file"
        if spec.get("format") or spec.get("pattern"):
            return "string"
        return "text"
    return kind


def bad_values(spec: dict, components: dict) -> Iterator[tuple[str, Any]]:
    """(label, value) pairs the field must refuse."""
    resolved = _resolve(spec, components)
    kind = field_kind(spec, components)
    if kind in ("text", "string", "enum"):
        limit = resolved.get("maxLength")
        yield "huge", "x" * (limit + 1) if limit else MEGABYTE
        yield "NUL", NUL
        yield "lone surrogate", LONE_SURROGATE
        yield "object", {"a": 1}
        yield "list", ["a"]
    if kind == "enum":
        yield "unknown choice", "not-a-choice"
    if kind == "integer":
        yield "text", "abc"
        yield "fraction", 1.5
        yield "list", [1]
        for value in INT_OUT_OF_RANGE:
            yield f"{value}", value
    if kind == "number":
        yield "text", "abc"
        yield "object", {"a": 1}
        yield "overflow", 1e400  # sent as the literal 1e400, which JSON reads as inf
    if kind == "boolean":
        yield "list", [True]
        yield "object", {"a": 1}
        yield "text", "maybe"
    if kind == "array":
        yield "text", "abc"
        yield "object", {"a": 1}
        yield "NUL item", [NUL]
        yield "lone surrogate item", [LONE_SURROGATE]
    if kind == "any":
        yield "NUL", NUL
        yield "lone surrogate", LONE_SURROGATE
    if kind in ("object", "any"):
        yield "NUL value", {"k": NUL}
        yield "NUL key", {NUL: "v"}
        yield "lone surrogate value", {"k": LONE_SURROGATE}
        if kind == "object":
            yield "text", "abc"
            yield "list", [1]


def encode(data: dict) -> bytes:
    """json_body, with an inf written the way a client's 1e400 arrives."""
    return json_body(data).replace(b"Infinity", b"1e400")


# --- The state check ----------------------------------------------------------------


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every model of the project's apps, in primary-key order."""
    state = {}
    for model in apps.get_models():
        if model.__module__.startswith("apps."):
            rows = model._base_manager.order_by("pk").values_list()
            state[model._meta.label] = [tuple(map(_plain, row)) for row in rows]
    return state


def _plain(value: Any) -> Any:
    return (
        json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value
    )


def changes(before: dict, after: dict) -> list[str]:
    """The models whose rows differ, with the row counts before and after."""
    return [
        f"{label} ({len(before[label])} -> {len(after[label])} rows)"
        for label in before
        if before[label] != after[label]
    ]


def holds(state: dict, text: str) -> bool:
    """Whether some stored value (a column, or a string inside JSON) contains `text`."""
    needle = json.dumps(text)[1:-1]
    for rows in state.values():
        for row in rows:
            for value in row:
                if isinstance(value, str) and (text in value or needle in value):
                    return True
    return False


def error_of(response) -> dict:
    """The API's error body: {"code", "message", "fields"}; {} when it is not one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body.get("error", {}) if isinstance(body, dict) else {}
