"""Assessments over the API: list, start, read, answer, attach evidence, submit, scores.

The review endpoints are in reviews.py. Every read goes through a selector and every
write through a service; a row the caller may not read is a 404, an act their roles do
not allow a 403.
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors as accounts_selectors
from apps.accounts.api.serializers import TeamRefSerializer, UserBriefSerializer
from apps.accounts.permissions import InOrganization
from apps.assessments import policies, selectors, services
from apps.assessments.api.lookups import assessment_evidence, visible_assessment
from apps.assessments.api.serializers import (
    AnswerInputSerializer,
    AnswerSerializer,
    AssessmentSerializer,
    EvidenceSerializer,
    LatestScoresSerializer,
    ResolutionSerializer,
    RubricRefSerializer,
    SnapshotSerializer,
)
from apps.assessments.models import PERIOD_PATTERN, Answer, Assessment
from apps.assessments.scoring import rollup
from apps.core.api.pagination import PageNumberPagination, paginated_response
from apps.core.api.parsers import JSONParser
from apps.core.api.serializers import FlatErrorsSerializer, IdField
from apps.rubrics import selectors as rubric_selectors


class AssessmentListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        team = IdField(required=False)
        period = serializers.RegexField(PERIOD_PATTERN, required=False)
        status = serializers.ChoiceField(
            choices=Assessment.Status.choices, required=False
        )

    @extend_schema(
        parameters=[FilterSerializer], responses=AssessmentSerializer(many=True)
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=AssessmentSerializer,
            queryset=selectors.assessment_list(
                fetched_by=request.user, **filters.validated_data
            ),
            request=request,
            view=self,
        )


class AssessmentCreateApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(serializers.Serializer):
        team = IdField()
        period = serializers.RegexField(
            PERIOD_PATTERN, error_messages={"invalid": "Use a quarter such as 2026-Q4."}
        )
        rubric_slug = serializers.SlugField(max_length=60)
        rubric_version = serializers.CharField(
            max_length=30, required=False, help_text="Default: the latest published."
        )

    @extend_schema(request=InputSerializer, responses={201: AssessmentSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = accounts_selectors.team_get(
            fetched_by=request.user, team_id=data.validated_data["team"]
        )
        if team is None:
            raise serializers.ValidationError({"team": ["Unknown team."]})
        policies.require(
            policies.can_start(request.user, team), "start this team's assessment"
        )
        rubric = self._rubric(**data.validated_data)
        assessment = services.assessment_create(
            team=team,
            period=data.validated_data["period"],
            rubric=rubric,
            created_by=request.user,
        )
        return Response(
            AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED
        )

    @staticmethod
    def _rubric(*, rubric_slug: str, rubric_version: str | None = None, **_):
        if rubric_version:
            rubric = rubric_selectors.rubric_get(
                slug=rubric_slug, version=rubric_version
            )
        else:
            rubric = rubric_selectors.rubric_latest_published(slug=rubric_slug)
        if rubric is None:
            raise serializers.ValidationError(
                {"rubric_slug": ["No such published rubric."]}
            )
        return rubric


class AnswerGroupSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    question_key = serializers.CharField(source="question.key")
    disagreement = serializers.BooleanField(
        help_text="Respondents gave different answers."
    )
    resolved = serializers.BooleanField(help_text="An assessor ruled which counts.")
    answers = AnswerSerializer(many=True)


class AssessmentDetailApi(APIView):
    permission_classes = [InOrganization]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="assessment.pk")
        team = TeamRefSerializer(source="assessment.team")
        period = serializers.CharField(source="assessment.period")
        revision = serializers.IntegerField(source="assessment.revision")
        status = serializers.CharField(source="assessment.status")
        rubric = RubricRefSerializer(source="assessment.rubric")
        latest = LatestScoresSerializer(source="assessment")
        created_by = UserBriefSerializer(source="assessment.created_by")
        created_at = serializers.DateTimeField(source="assessment.created_at")
        submitted_by = UserBriefSerializer(
            source="assessment.submitted_by", allow_null=True
        )
        submitted_at = serializers.DateTimeField(
            source="assessment.submitted_at", allow_null=True
        )
        reviewer = UserBriefSerializer(source="assessment.reviewer", allow_null=True)
        reviewed_at = serializers.DateTimeField(
            source="assessment.reviewed_at", allow_null=True
        )
        previous_revision = serializers.IntegerField(
            source="assessment.previous_revision_id", allow_null=True
        )
        next_revision = serializers.IntegerField(
            source="assessment.next_revision.pk", allow_null=True
        )
        answers = AnswerGroupSerializer(source="answer_groups", many=True)
        disagreements = AnswerGroupSerializer(many=True)
        evidence = EvidenceSerializer(many=True)
        resolutions = ResolutionSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request, assessment_id: int):
        detail = selectors.assessment_detail(
            fetched_by=request.user, assessment_id=assessment_id
        )
        if detail is None:
            raise exceptions.NotFound("No such assessment.")
        return Response(self.OutputSerializer(detail).data)


class AnswerSaveApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(FlatErrorsSerializer):
        answers = AnswerInputSerializer(many=True, allow_empty=False, max_length=1000)

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Answer
            fields = ["id", "question", "respondent", "value", "na_reason", "notes"]

    @extend_schema(request=InputSerializer, responses=OutputSerializer(many=True))
    def post(self, request, assessment_id: int):
        assessment = visible_assessment(request, assessment_id)
        policies.require(
            policies.can_answer(request.user, assessment), "answer this assessment"
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.answers_save(
            assessment=assessment,
            respondent=request.user,
            items=[
                services.AnswerInput(**item) for item in data.validated_data["answers"]
            ],
        )
        return Response(self.OutputSerializer(saved, many=True).data)


class EvidenceAddApi(APIView):
    permission_classes = [InOrganization]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        question = IdField()
        file = serializers.FileField(required=False, allow_empty_file=True)
        url = serializers.URLField(max_length=500, required=False, default="")
        option_value = serializers.CharField(
            max_length=60, required=False, allow_blank=True, default=""
        )
        description = serializers.CharField(
            max_length=300, required=False, allow_blank=True, default=""
        )

    @extend_schema(
        request={
            "multipart/form-data": InputSerializer,
            "application/json": InputSerializer,
        },
        responses={201: EvidenceSerializer},
    )
    def post(self, request, assessment_id: int):
        assessment = visible_assessment(request, assessment_id)
        policies.require(
            policies.can_answer(request.user, assessment), "add evidence here"
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = selectors.question_get(
            rubric=assessment.rubric, question_id=data.validated_data.pop("question")
        )
        if question is None:
            raise serializers.ValidationError(
                {"question": ["Not a question of this assessment's rubric."]}
            )
        evidence = services.evidence_add(
            assessment=assessment,
            question=question,
            added_by=request.user,
            upload=data.validated_data.pop("file", None),
            **data.validated_data,
        )
        return Response(
            EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED
        )


class EvidenceDownloadApi(APIView):
    permission_classes = [InOrganization]

    # Served with the type the file was uploaded as (a PDF, an image, ...).
    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    def get(self, request, assessment_id: int, evidence_id: int):
        assessment = visible_assessment(request, assessment_id)
        evidence = assessment_evidence(assessment, evidence_id)
        if not evidence.file:
            raise exceptions.NotFound("This evidence is a link, not a file.")
        try:
            stored = evidence.file.open("rb")
        except FileNotFoundError as exc:
            raise exceptions.NotFound("The file is missing from storage.") from exc
        response = FileResponse(
            stored,
            as_attachment=True,
            filename=evidence.file_name,
            content_type=evidence.content_type or "application/octet-stream",
        )
        # Never rendered by the browser, whatever the file claims to be.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class AssessmentSubmitApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(request=None, responses=SnapshotSerializer)
    def post(self, request, assessment_id: int):
        assessment = visible_assessment(request, assessment_id)
        policies.require(
            policies.can_submit(request.user, assessment), "submit this assessment"
        )
        snapshot = services.assessment_submit(
            assessment=assessment, submitted_by=request.user
        )
        return Response(SnapshotSerializer(snapshot).data)


class AssessmentScoresApi(APIView):
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        snapshot = IdField(required=False, help_text="Default: the latest.")

    @extend_schema(parameters=[FilterSerializer], responses=SnapshotSerializer)
    def get(self, request, assessment_id: int):
        assessment = visible_assessment(request, assessment_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        snapshot = selectors.snapshot_get(
            assessment=assessment, snapshot_id=filters.validated_data.get("snapshot")
        )
        if snapshot is None:
            raise exceptions.NotFound("No scores for this assessment yet.")
        return Response(SnapshotSerializer(snapshot).data)


class ChangeSerializer(serializers.Serializer):
    a = serializers.FloatField(allow_null=True)
    b = serializers.FloatField(allow_null=True)
    delta = serializers.FloatField(allow_null=True, help_text="b − a")


class CompareSideSerializer(serializers.Serializer):
    """One side of a comparison: its latest snapshot and whose it is."""

    assessment = serializers.IntegerField(source="assessment.pk")
    team = serializers.CharField(source="assessment.team.name")
    period = serializers.CharField(source="assessment.period")
    revision = serializers.IntegerField(source="assessment.revision")
    snapshot = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    created_at = serializers.DateTimeField()
    rubric = RubricRefSerializer()


class DimensionChangeSerializer(serializers.Serializer):
    id = serializers.CharField()
    level = ChangeSerializer()
    score = ChangeSerializer()


class AssessmentCompareApi(APIView):
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        a = IdField(help_text="The earlier assessment.")
        b = IdField(help_text="The later assessment.")

    class OutputSerializer(serializers.Serializer):
        a = CompareSideSerializer()
        b = CompareSideSerializer()
        dimensions = DimensionChangeSerializer(many=True)
        floor = ChangeSerializer()
        index = ChangeSerializer()
        confidence = ChangeSerializer()

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        comparison = selectors.assessment_comparison(
            a=visible_assessment(request, filters.validated_data["a"]),
            b=visible_assessment(request, filters.validated_data["b"]),
        )
        return Response(self.OutputSerializer(comparison).data)


class AssessmentRollupApi(APIView):
    """The organisation (or a business unit) at a glance: the latest score of each team."""

    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        period = serializers.RegexField(
            PERIOD_PATTERN, required=False, help_text="Only scores of this quarter."
        )
        business_unit = IdField(required=False)

    class OutputSerializer(serializers.Serializer):
        teams = serializers.IntegerField(help_text="Teams with scores.")
        median_index = serializers.FloatField(allow_null=True)
        min_floor = serializers.IntegerField(allow_null=True)
        level_distribution = serializers.DictField(
            child=serializers.DictField(child=serializers.IntegerField()),
            help_text="Per dimension: how many teams are at each level 0–4.",
        )

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        scores = selectors.latest_team_scores(
            fetched_by=request.user, **filters.validated_data
        )
        return Response(self.OutputSerializer(rollup(scores)).data)
