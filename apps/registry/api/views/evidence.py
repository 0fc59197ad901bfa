"""Evidence for a version: list, attach a file or link, review, download.

Downloads are not audited, as for assessment evidence: reading is open to everyone who
can see the model, and the audit trail records changes.
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import InOrganization
from apps.core.api.pagination import PageNumberPagination, paginated_response
from apps.core.api.parsers import JSONParser
from apps.core.api.serializers import IdField
from apps.core.uploads import content_type_for
from apps.registry import selectors, services
from apps.registry.api import lookups
from apps.registry.api.serializers import EvidenceItemSerializer
from apps.registry.models import EvidenceItem, EvidenceRequirement


class EvidenceListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class AddInputSerializer(serializers.Serializer):
        requirement_key = serializers.SlugField(max_length=60)
        kind = serializers.ChoiceField(choices=EvidenceRequirement.Kind.choices)
        file = serializers.FileField(required=False, allow_empty_file=True)
        url = serializers.URLField(
            max_length=1000, required=False, allow_blank=True, default=""
        )
        note = serializers.CharField(
            max_length=1000, required=False, allow_blank=True, default=""
        )
        supersedes = IdField(
            required=False, help_text="The reviewed item this one replaces."
        )

    @extend_schema(responses=EvidenceItemSerializer(many=True))
    def get(self, request, version_id: int):
        version = lookups.visible_version(request, version_id)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=EvidenceItemSerializer,
            queryset=selectors.version_evidence(version=version),
            request=request,
            view=self,
        )

    @extend_schema(
        request={
            "multipart/form-data": AddInputSerializer,
            "application/json": AddInputSerializer,
        },
        responses={201: EvidenceItemSerializer},
    )
    def post(self, request, version_id: int):
        version = lookups.visible_version(request, version_id)
        data = self.AddInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        item = services.evidence_add(
            version=version,
            submitted_by=request.user,
            upload=fields.pop("file", None),
            supersedes=self._replaced(request, fields.pop("supersedes", None)),
            **fields,
        )
        return Response(
            EvidenceItemSerializer(item).data, status=status.HTTP_201_CREATED
        )

    @staticmethod
    def _replaced(request, evidence_id: int | None) -> EvidenceItem | None:
        if evidence_id is None:
            return None
        item = selectors.evidence_get(fetched_by=request.user, item_id=evidence_id)
        if item is None:
            raise serializers.ValidationError({"supersedes": ["Unknown evidence."]})
        return item


class EvidenceReviewApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(serializers.Serializer):
        accept = serializers.BooleanField()
        comment = serializers.CharField(
            max_length=1000,
            required=False,
            allow_blank=True,
            default="",
            help_text="Required to reject.",
        )

    @extend_schema(request=InputSerializer, responses=EvidenceItemSerializer)
    def post(self, request, evidence_id: int):
        item = lookups.visible_evidence(request, evidence_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.evidence_review(
            item=item, reviewed_by=request.user, **data.validated_data
        )
        return Response(EvidenceItemSerializer(item).data)


class EvidenceDownloadApi(APIView):
    permission_classes = [InOrganization]

    # Served with the type the file was uploaded as (a PDF, an image, ...).
    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    def get(self, request, evidence_id: int):
        item = lookups.visible_evidence(request, evidence_id)
        if not item.file:
            raise exceptions.NotFound("This evidence is a link, not a file.")
        try:
            stored = item.file.open("rb")
        except FileNotFoundError as exc:
            raise exceptions.NotFound("The file is missing from storage.") from exc
        response = FileResponse(
            stored,
            as_attachment=True,
            filename=item.file_name,
            content_type=content_type_for(item.file_name),
        )
        # Never rendered by the browser, whatever the file claims to be.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
