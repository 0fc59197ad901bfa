"""Assessments change only through their services (each step audited): read-only here."""

from django.contrib import admin

from apps.assessments.models import (
    Answer,
    Assessment,
    Evidence,
    Resolution,
    ScoreSnapshot,
)
from apps.core.admin import ReadOnlyModelAdmin


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyModelAdmin):
    list_display = [
        "team",
        "period",
        "revision",
        "status",
        "rubric",
        "submitted_at",
        "reviewer",
    ]
    list_filter = ["status", "period"]
    list_select_related = ["team", "rubric", "reviewer"]
    search_fields = ["team__name", "period"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyModelAdmin):
    list_display = [
        "assessment",
        "question",
        "respondent",
        "value",
        "na_reason",
        "updated_at",
    ]
    list_select_related = ["assessment__team", "question", "respondent"]
    search_fields = ["question__key", "respondent__username"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyModelAdmin):
    list_display = ["assessment", "question", "url", "file_name", "sha256", "status"]
    list_filter = ["status"]
    list_select_related = ["assessment__team", "question"]
    search_fields = ["url", "file_name", "sha256"]


@admin.register(Resolution)
class ResolutionAdmin(ReadOnlyModelAdmin):
    list_display = [
        "assessment",
        "kind",
        "outcome",
        "question",
        "criterion",
        "resolved_by",
    ]
    list_filter = ["kind", "outcome"]
    list_select_related = ["assessment__team", "question", "criterion", "resolved_by"]
    search_fields = ["justification"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyModelAdmin):
    list_display = [
        "assessment",
        "kind",
        "floor",
        "index",
        "confidence",
        "engine_version",
        "created_at",
    ]
    list_filter = ["kind", "engine_version"]
    list_select_related = ["assessment__team"]
    search_fields = ["assessment__team__name"]
