"""Serializer building blocks shared by every app's API."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from rest_framework import serializers
from rest_framework.utils.serializer_helpers import ReturnDict

# The largest id the database stores; a larger one is bad input, not a server error.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


def _flat_errors(detail: Any, name: str = "") -> Iterator[tuple[str, list[str]]]:
    """DRF's nested errors as `answers[3].value` names, the way services name them."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors" and name:
                yield from _flat_errors(value, name)
            elif isinstance(key, int):  # DRF keys a list's item errors by index
                yield from _flat_errors(value, f"{name}[{key}]")
            else:
                yield from _flat_errors(value, f"{name}.{key}" if name else key)
    elif isinstance(detail, list) and any(isinstance(i, dict | list) for i in detail):
        for index, item in enumerate(detail):
            yield from _flat_errors(item, f"{name}[{index}]")
    else:
        messages = detail if isinstance(detail, list) else [detail]
        yield name, [str(m) for m in messages]


class FlatErrorsSerializer(serializers.Serializer):
    """Names nested input errors `items[i].field` instead of nesting them."""

    @property
    def errors(self) -> ReturnDict:
        return ReturnDict(dict(_flat_errors(super().errors)), serializer=self)


@functools.cache
def _shared(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    return serializer_class()


def represent(serializer_class: type[serializers.Serializer], instance: Any) -> dict:
    """`serializer_class(instance).data`, rendered by one shared serializer per class.

    Building a serializer deep-copies its declared fields and those of every nested
    serializer: a fifth of a version create's CPU (bench/registry.py). Rendering keeps
    no state on the serializer, so one instance with its fields bound once renders
    any row on any thread, as a ListSerializer's one child renders every item. Only
    for serializers that read nothing from a context (no request-built URLs)."""
    return _shared(serializer_class).to_representation(instance)
