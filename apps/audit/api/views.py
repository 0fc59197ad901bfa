from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsAuditReader
from apps.audit import selectors
from apps.audit.integrity import chain_verify
from apps.audit.models import AuditEvent
from apps.core.api.pagination import SeqCursorPagination, paginated_response


class AuditEventSerializer(serializers.ModelSerializer):
    occurred_at = serializers.SerializerMethodField(
        help_text="When the event happened: ts from the hashed event (UTC)."
    )
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_username = serializers.CharField(allow_null=True, default=None)
    body = serializers.SerializerMethodField(help_text="The hashed event, parsed.")
    prev_hash = serializers.SerializerMethodField()
    hash = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "occurred_at",
            "actor",
            "actor_username",
            "actor_type",
            "action",
            "object_type",
            "object_id",
            "body",
            "canonical",
            "prev_hash",
            "hash",
        ]

    def get_occurred_at(self, event: AuditEvent) -> str:
        return event.ts

    def get_body(self, event: AuditEvent) -> dict:
        return json.loads(event.canonical)

    def get_prev_hash(self, event: AuditEvent) -> str:
        return bytes(event.prev_hash).hex()

    def get_hash(self, event: AuditEvent) -> str:
        return bytes(event.hash).hex()


class AuditEventListApi(APIView):
    pagination_class = SeqCursorPagination
    permission_classes = [IsAuditReader]

    class FilterSerializer(serializers.Serializer):
        actor = serializers.IntegerField(required=False)
        action = serializers.CharField(required=False)
        action_prefix = serializers.CharField(required=False)
        object_type = serializers.CharField(required=False)
        object_id = serializers.CharField(required=False)
        occurred_after = serializers.DateTimeField(required=False)
        occurred_before = serializers.DateTimeField(required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=AuditEventSerializer(many=True)
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = selectors.audit_event_list(
            fetched_by=request.user, filters=filters.validated_data
        )
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=AuditEventSerializer,
            queryset=events,
            request=request,
            view=self,
        )


class AuditEventDetailApi(APIView):
    permission_classes = [IsAuditReader]

    @extend_schema(responses=AuditEventSerializer)
    def get(self, request, seq: int):
        event = selectors.audit_event_get(fetched_by=request.user, seq=seq)
        if event is None:
            raise exceptions.NotFound()
        return Response(AuditEventSerializer(event).data)


class AuditVerifyApi(APIView):
    permission_classes = [IsAuditReader]

    class OutputSerializer(serializers.Serializer):
        ok = serializers.BooleanField()
        chain = serializers.CharField()
        head_seq = serializers.IntegerField()
        head_hash = serializers.CharField()
        first_bad_seq = serializers.IntegerField(allow_null=True)
        reason = serializers.CharField(allow_null=True)
        detail = serializers.CharField(allow_null=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        chain = selectors.chain_of(organization=request.user.organization)
        if chain is None:
            raise exceptions.NotFound("The organisation has no audit events yet.")
        result = chain_verify(chain=chain)
        finding = result.finding
        return Response(
            self.OutputSerializer(
                {
                    "ok": result.ok,
                    "chain": result.chain,
                    "head_seq": result.head_seq,
                    "head_hash": result.head_hash,
                    "first_bad_seq": finding.seq if finding else None,
                    "reason": str(finding.reason) if finding else None,
                    "detail": finding.detail if finding else None,
                }
            ).data
        )
