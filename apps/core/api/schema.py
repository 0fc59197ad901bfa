"""OpenAPI generation: component names for the nested serializers every API declares."""

from __future__ import annotations

from drf_spectacular import openapi


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
