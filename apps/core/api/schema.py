"""OpenAPI generation: component names for the nested serializers every API declares,
and the one error shape (apps.core.api.errors) on every operation's failures."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework.pagination import CursorPagination

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {},
                    "description": "Messages per input field (nested for nested input).",
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}
ERROR_DESCRIPTIONS = {
    "400": "The input is not valid, or the service refused it.",
    "401": "No valid credentials.",
    "403": "The caller may not do this.",
    "404": "No such object visible to the caller, or no such page.",
    "429": "Too many requests.",
}


def error_response(description: str) -> OpenApiResponse:
    """An operation's own error status, e.g. `responses={409: error_response("...")}`."""
    return OpenApiResponse(
        response={"$ref": "#/components/schemas/Error"}, description=description
    )


class AutoSchema(openapi.AutoSchema):
    """Names `TeamListApi.OutputSerializer` "TeamListOutput", not "Output".

    Every API nests its own `InputSerializer`/`OutputSerializer` (STYLE.md §3), so the
    bare class names collide across views and drf-spectacular would merge them.
    """

    def get_serializer_name(self, serializer, direction: str) -> str:
        cls = type(serializer)
        outer, _, inner = cls.__qualname__.rpartition(".")
        if not outer or "<locals>" in outer:
            return super().get_serializer_name(serializer, direction)
        outer = outer.rpartition(".")[2].removesuffix("Api")
        return outer + inner.removesuffix("Serializer")

    def get_paginated_name(self, serializer_name: str) -> str:
        """A cursor page (no count) is not a numbered page of the same serializer."""
        if isinstance(self._get_paginator(), CursorPagination):
            return f"Cursor{serializer_name}List"
        return super().get_paginated_name(serializer_name)

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None:
            return None
        error = ResolvedComponent(
            name="Error",
            type=ResolvedComponent.SCHEMA,
            object="Error",
            schema=ERROR_SCHEMA,
        )
        registry.register_on_missing(error)
        content = {"application/json": {"schema": error.ref}}
        for code in self._error_statuses(operation):
            operation["responses"].setdefault(
                code, {"content": content, "description": ERROR_DESCRIPTIONS[code]}
            )
        return operation

    def _error_statuses(self, operation: dict) -> list[str]:
        """Any call may lack credentials, be refused or be throttled; input can be
        invalid, and a path's object or a page number may not exist."""
        locations = {param["in"] for param in operation.get("parameters", [])}
        codes = ["401", "403", "429"]
        if "requestBody" in operation or "query" in locations:
            codes.append("400")
        if locations & {"path", "query"}:
            codes.append("404")
        return sorted(codes)
