"""Request body parsers: DRF's, hardened against bodies that crash the JSON decoder
or the database."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

# JSON may spell both with an escape (\u0000, \ud800), yet neither is text: PostgreSQL
# refuses NUL in text and jsonb columns, and a lone surrogate cannot be encoded as UTF-8,
# so echoing it back in an error message fails too. Both are refused where they stand.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
NUL_MESSAGE = "Null characters are not allowed."
SURROGATE_MESSAGE = "Unpaired surrogate characters are not allowed."


def _problem(data: Any) -> str | None:
    """The message for the first string, key or value, in `data` that is not text."""
    if isinstance(data, str):
        found = _NOT_TEXT.search(data)
        if found:
            return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE
        return None
    if isinstance(data, dict):
        items = [item for pair in data.items() for item in pair]
    elif isinstance(data, list):
        items = data
    else:
        return None
    return next(filter(None, map(_problem, items)), None)


def _bad_text(data: Any) -> dict[str, list[str]]:
    """The body's fields holding text that is not text, each named at the top level
    (as a serializer names a JSON field whose content it refuses)."""
    if not isinstance(data, dict):
        problem = _problem(data)
        return {"non_field_errors": [problem]} if problem else {}
    problems = {}
    for key, value in data.items():
        problem = _problem(key) or _problem(value)
        if problem:
            name = key if not _NOT_TEXT.search(key) else "non_field_errors"
            problems[name] = [problem]
    return problems


class JSONParser(parsers.JSONParser):
    """A body nested thousands of levels deep makes the decoder recurse until Python
    gives up (RecursionError, which DRF does not catch): a 400, not a 500. A NUL or a
    lone surrogate in any string is a 400 naming the field, not a 500 further on."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            problems = _bad_text(data)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        if problems:
            raise ValidationError(problems)
        return data
