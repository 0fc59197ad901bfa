"""Read a model's version by alias (the serving path), set or remove an unprotected
alias. Protected aliases (every policy target) move only through promotion requests."""

from __future__ import annotations

import re

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import InOrganization
from apps.core.api.serializers import represent
from apps.registry import selectors, services
from apps.registry.api import lookups
from apps.registry.api.serializers import AliasSerializer
from apps.registry.models import ALIAS_PATTERN, Alias

# Version numbers are stored as PostgreSQL integers.
MAX_VERSION_NUMBER = 2**31 - 1


def _alias(request, model_id: int, name: str) -> Alias:
    alias = selectors.alias_get(fetched_by=request.user, model_id=model_id, name=name)
    if alias is None:
        raise exceptions.NotFound("No such alias.")
    return alias


class AliasApi(APIView):
    permission_classes = [InOrganization]

    class SetInputSerializer(serializers.Serializer):
        version = serializers.IntegerField(
            min_value=1,
            max_value=MAX_VERSION_NUMBER,
            help_text="The version number of this model, e.g. 3 for v3.",
        )

    @extend_schema(responses=AliasSerializer)
    def get(self, request, model_id: int, alias: str):
        # One query for the alias and its version (plus the caller's roles): serving
        # systems poll this.
        return Response(represent(AliasSerializer, _alias(request, model_id, alias)))

    @extend_schema(request=SetInputSerializer, responses=AliasSerializer)
    def put(self, request, model_id: int, alias: str):
        model = lookups.visible_model(request, model_id)
        if not re.fullmatch(ALIAS_PATTERN, alias):
            raise serializers.ValidationError(
                {
                    "name": [
                        "Lowercase letters, digits, - and _, starting with a letter."
                    ]
                }
            )
        data = self.SetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = selectors.version_of_model(
            model=model, number=data.validated_data["version"]
        )
        if version is None:
            raise serializers.ValidationError({"version": ["No such version."]})
        moved = services.alias_set(
            model=model, name=alias, version=version, set_by=request.user
        )
        return Response(represent(AliasSerializer, moved))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, model_id: int, alias: str):
        services.alias_delete(
            alias=_alias(request, model_id, alias), deleted_by=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
