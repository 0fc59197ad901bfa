"""Reports over the API: request one (rendered by a worker), follow its status, and
download the PDF once done. As on the pages, each download is an audit event."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import BusinessUnit, Team
from apps.accounts.permissions import InOrganization
from apps.core.api.pagination import PageNumberPagination, paginated_response
from apps.core.api.schema import error_response
from apps.core.api.serializers import IdField
from apps.core.exceptions import ApplicationError
from apps.registry.models import RegisteredModel
from apps.reports import selectors, services
from apps.reports.models import Report

SCOPES = {"team": Team, "model": RegisteredModel, "business_unit": BusinessUnit}


class ReportSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(source="scope_label", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "scope",
            "team",
            "model",
            "business_unit",
            "period",
            "page_size",
            "status",
            "progress",
            "error",
            "sha256",
            "page_count",
            "requested_by",
            "requested_at",
            "generated_at",
            "audit_first_seq",
            "audit_head_seq",
            "audit_head_hash",
            "audit_verified",
        ]
        read_only_fields = fields


class NotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"
    default_detail = "The report is not ready."


def _report(request, report_id: int) -> Report:
    report = selectors.report_get(fetched_by=request.user, report_id=report_id)
    if report is None:
        raise exceptions.NotFound("No such report.")
    return report


class ReportListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    class RequestSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Report.Kind.choices)
        team = IdField(required=False, help_text="team_assessment: the team.")
        model = IdField(
            required=False, help_text="governance: the model; omitted: every model."
        )
        business_unit = IdField(
            required=False,
            help_text="leadership: the business unit; omitted: the organisation.",
        )
        period = serializers.RegexField(
            r"^\d{4}-Q[1-4]$",
            required=False,
            default="",
            error_messages={"invalid": "Write a quarter as 2026-Q3."},
        )
        page_size = serializers.ChoiceField(
            choices=Report.PageSize.choices, default=Report.PageSize.A4
        )

        def validate(self, data: dict) -> dict:
            """Ids become rows of the caller's organisation; another's are unknown."""
            organization_id = self.context["request"].user.organization_id
            for name, model in SCOPES.items():
                if name in data:
                    found = model.objects.filter(
                        pk=data[name], organization_id=organization_id
                    ).first()
                    if found is None:
                        raise serializers.ValidationError({name: ["Not found."]})
                    data[name] = found
            return data

    @extend_schema(responses=ReportSerializer(many=True))
    def get(self, request):
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=ReportSerializer,
            queryset=selectors.report_list(fetched_by=request.user),
            request=request,
            view=self,
        )

    @extend_schema(
        request=RequestSerializer,
        responses={202: ReportSerializer},
        description="Queue a report; a worker renders it. Poll the report until "
        "`status` is `done` (or `failed`, with `error`), then download it.",
    )
    def post(self, request):
        data = self.RequestSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        report = services.report_request(
            requested_by=request.user,
            organization=request.user.organization,
            **data.validated_data,
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


class ReportDetailApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(responses=ReportSerializer)
    def get(self, request, report_id: int):
        return Response(ReportSerializer(_report(request, report_id)).data)


class ReportDownloadApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            409: error_response("The report is not ready."),
        }
    )
    def get(self, request, report_id: int):
        report = _report(request, report_id)
        try:
            content = services.report_download(
                report=report, downloaded_by=request.user
            )
        except ApplicationError as exc:
            if exc.code == NotReady.default_code:
                raise NotReady(exc.message) from exc
            raise
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="tollgate-report-{report.pk}.pdf"'
        )
        return response
