"""Request body parsers: DRF's, hardened against bodies that crash the JSON decoder
or the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

# JSON may spell both with an escape (\u0000, \ud800), yet neither is text: PostgreSQL
# refuses NUL in text and jsonb columns, and a lone surrogate cannot be encoded as UTF-8,
# so echoing it back in an error message fails too. Both are refused where they stand.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
NUL_MESSAGE = "Null characters are not allowed."
SURROGATE_MESSAGE = "Unpaired surrogate characters are not allowed."


def _bad_text(data: Any, name: str = "") -> Iterator[tuple[str, str]]:
    """(field name, message) for each string, key or value, that is not text."""
    if isinstance(data, str):
        found = _NOT_TEXT.search(data)
        if found:
            yield name, NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE
    elif isinstance(data, dict):
        for key, value in data.items():
            child = f"{name}.{key}" if name else str(key)
            if _NOT_TEXT.search(key):
                yield from _bad_text(key, name or "non_field_errors")
            else:
                yield from _bad_text(value, child)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _bad_text(item, f"{name}[{index}]")


class JSONParser(parsers.JSONParser):
    """A body nested thousands of levels deep makes the decoder recurse until Python
    gives up (RecursionError, which DRF does not catch): a 400, not a 500. A NUL or a
    lone surrogate in any string is a 400 naming the field, not a 500 further on."""

    def parse(self, stream, media_type=None, parser_context=None):
        problems: dict[str, list[str]] = {}
        try:
            data = super().parse(stream, media_type, parser_context)
            for name, message in _bad_text(data):
                problems.setdefault(name or "non_field_errors", []).append(message)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        if problems:
            raise ValidationError(problems)
        return data
