"""The review over the API: start, verify or reject evidence, rule, complete, reopen.

The policy (an assessor; for reopening also the team lead) is checked here; the
services enforce the rest: nobody reviews what they answered or submitted, and only
the assessor who started the review acts on it.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import InOrganization
from apps.assessments import policies, selectors, services
from apps.assessments.api.lookups import assessment_evidence, visible_assessment
from apps.assessments.api.serializers import (
    AssessmentSerializer,
    EvidenceSerializer,
    ResolutionSerializer,
    SnapshotSerializer,
)
from apps.assessments.models import Assessment, NotApplicableReason
from apps.core.api.serializers import IdField


def reviewable_assessment(request, assessment_id: int) -> Assessment:
    assessment = visible_assessment(request, assessment_id)
    policies.require(
        policies.can_review(request.user, assessment), "review assessments"
    )
    return assessment


class ReviewStartApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(request=None, responses=AssessmentSerializer)
    def post(self, request, assessment_id: int):
        assessment = reviewable_assessment(request, assessment_id)
        assessment = services.review_start(assessment=assessment, reviewer=request.user)
        return Response(AssessmentSerializer(assessment).data)


class EvidenceVerifyApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(request=None, responses=EvidenceSerializer)
    def post(self, request, assessment_id: int, evidence_id: int):
        assessment = reviewable_assessment(request, assessment_id)
        evidence = services.evidence_review(
            evidence=assessment_evidence(assessment, evidence_id),
            reviewer=request.user,
            verified=True,
        )
        return Response(EvidenceSerializer(evidence).data)


class EvidenceRejectApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(serializers.Serializer):
        comment = serializers.CharField(
            max_length=5000, help_text="Why it is rejected."
        )

    @extend_schema(request=InputSerializer, responses=EvidenceSerializer)
    def post(self, request, assessment_id: int, evidence_id: int):
        assessment = reviewable_assessment(request, assessment_id)
        evidence = assessment_evidence(assessment, evidence_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = services.evidence_review(
            evidence=evidence,
            reviewer=request.user,
            verified=False,
            comment=data.validated_data["comment"],
        )
        return Response(EvidenceSerializer(evidence).data)


class DisagreementResolveApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(serializers.Serializer):
        question = IdField()
        value = serializers.JSONField(required=False, allow_null=True, default=None)
        na_reason = serializers.ChoiceField(
            choices=NotApplicableReason.choices, allow_blank=True, default=""
        )
        justification = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, responses=ResolutionSerializer)
    def post(self, request, assessment_id: int):
        assessment = reviewable_assessment(request, assessment_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = selectors.question_get(
            rubric=assessment.rubric, question_id=data.validated_data.pop("question")
        )
        if question is None:
            raise serializers.ValidationError(
                {"question": ["Not a question of this assessment's rubric."]}
            )
        ruling = services.disagreement_resolve(
            assessment=assessment,
            question=question,
            reviewer=request.user,
            **data.validated_data,
        )
        return Response(ResolutionSerializer(ruling).data)


class ConflictResolveApi(APIView):
    permission_classes = [InOrganization]

    class InputSerializer(serializers.Serializer):
        criterion = serializers.CharField(
            max_length=120, help_text="The criterion key, as the scores list it."
        )
        claim_upheld = serializers.BooleanField(
            help_text="True sides with the team's answer, false with the signal."
        )
        justification = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, responses=ResolutionSerializer)
    def post(self, request, assessment_id: int):
        assessment = reviewable_assessment(request, assessment_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        criterion = selectors.criterion_get(
            rubric=assessment.rubric, key=data.validated_data.pop("criterion")
        )
        if criterion is None:
            raise serializers.ValidationError(
                {"criterion": ["Not a criterion of this assessment's rubric."]}
            )
        ruling = services.signal_conflict_resolve(
            assessment=assessment,
            criterion=criterion,
            reviewer=request.user,
            **data.validated_data,
        )
        return Response(ResolutionSerializer(ruling).data)


class ReviewCompleteApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(request=None, responses=SnapshotSerializer)
    def post(self, request, assessment_id: int):
        assessment = reviewable_assessment(request, assessment_id)
        snapshot = services.review_complete(
            assessment=assessment, reviewer=request.user
        )
        return Response(SnapshotSerializer(snapshot).data)


class AssessmentReopenApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(request=None, responses={201: AssessmentSerializer})
    def post(self, request, assessment_id: int):
        assessment = visible_assessment(request, assessment_id)
        policies.require(
            policies.can_reopen(request.user, assessment), "reopen this assessment"
        )
        revision = services.assessment_reopen(
            assessment=assessment, reopened_by=request.user
        )
        return Response(
            AssessmentSerializer(revision).data, status=status.HTTP_201_CREATED
        )
