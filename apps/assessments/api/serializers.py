"""Shapes shared by several assessment endpoints. None of them queries: the selectors
load what each one reads."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.api.serializers import TeamRefSerializer, UserBriefSerializer
from apps.assessments.models import (
    Answer,
    Assessment,
    Evidence,
    NotApplicableReason,
    Resolution,
    ScoreSnapshot,
)
from apps.core.api.serializers import IdField
from apps.rubrics.models import Rubric


class AnswerInputSerializer(serializers.Serializer):
    question = IdField()
    value = serializers.JSONField(required=False, allow_null=True, default=None)
    na_reason = serializers.ChoiceField(
        choices=NotApplicableReason.choices, allow_blank=True, default=""
    )
    notes = serializers.CharField(
        max_length=5000, allow_blank=True, default="", trim_whitespace=False
    )


class RubricRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rubric
        fields = ["id", "slug", "version"]


class LatestScoresSerializer(serializers.Serializer):
    """The newest snapshot's headline numbers (selector annotations; null if none)."""

    floor = serializers.IntegerField(source="latest_floor", allow_null=True)
    index = serializers.FloatField(source="latest_index", allow_null=True)
    confidence = serializers.FloatField(source="latest_confidence", allow_null=True)


class AssessmentSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer()
    rubric = RubricRefSerializer()
    latest = LatestScoresSerializer(source="*")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "team",
            "period",
            "revision",
            "status",
            "rubric",
            "latest",
            "created_at",
            "updated_at",
        ]


class AnswerSerializer(serializers.ModelSerializer):
    respondent = UserBriefSerializer()

    class Meta:
        model = Answer
        fields = ["id", "respondent", "value", "na_reason", "notes", "updated_at"]


class EvidenceSerializer(serializers.ModelSerializer):
    added_by = UserBriefSerializer()
    reviewed_by = UserBriefSerializer(allow_null=True)
    download_url = serializers.SerializerMethodField(
        help_text="Where an uploaded file is served (null for a link)."
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "question",
            "option_value",
            "url",
            "file_name",
            "content_type",
            "size",
            "sha256",
            "description",
            "status",
            "added_by",
            "created_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "download_url",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, evidence: Evidence) -> str | None:
        if not evidence.file:
            return None
        return reverse(
            "assessments-api:evidence-download",
            kwargs={
                "assessment_id": evidence.assessment_id,
                "evidence_id": evidence.pk,
            },
        )


class ResolutionSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.key", allow_null=True)
    # A plain string: as a choice it would name the N/A reasons' enum a second time.
    chosen_na_reason = serializers.CharField(help_text="An N/A reason, or empty.")
    resolved_by = UserBriefSerializer()

    class Meta:
        model = Resolution
        fields = [
            "id",
            "kind",
            "question",
            "criterion",
            "outcome",
            "chosen_value",
            "chosen_na_reason",
            "justification",
            "resolved_by",
            "created_at",
            "updated_at",
        ]


class SnapshotSerializer(serializers.ModelSerializer):
    rubric = RubricRefSerializer()
    payload = serializers.JSONField(
        help_text="Per dimension level, progress, score and credits; floor, index, "
        "confidence, target gap, conflicts and disagreements."
    )

    class Meta:
        model = ScoreSnapshot
        fields = [
            "id",
            "assessment",
            "kind",
            "rubric",
            "engine_version",
            "floor",
            "index",
            "confidence",
            "target_gap",
            "payload",
            "created_at",
            "created_by",
        ]
