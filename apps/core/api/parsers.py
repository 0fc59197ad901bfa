"""Request body parsers: DRF's, hardened against bodies that crash the JSON decoder."""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """A body nested thousands of levels deep makes the decoder recurse until Python
    gives up (RecursionError, which DRF does not catch): a 400, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
