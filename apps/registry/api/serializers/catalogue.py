"""Shapes of the registry catalogue: models, aliases, versions, evidence. None of them
queries: the selectors load what each one reads.

Statuses, kinds and outcomes are plain strings in the output (their values are in the
help text): as choice fields they would name one enum per component, and the schema
generator warns about those collisions.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from apps.accounts.api.serializers import TeamRefSerializer, UserBriefSerializer
from apps.core.api.serializers import IdField
from apps.registry.models import (
    SHA256_PATTERN,
    EvidenceItem,
    EvidenceRequirement,
    ModelVersion,
    RegisteredModel,
    RiskTier,
)

# Generous bounds on free-form JSON a client sends (characters of its JSON text).
MAX_METRICS_JSON = 64 * 1024
MAX_MODEL_CARD_JSON = 256 * 1024


def choices_text(choices: type) -> str:
    """The values of a TextChoices, for the help text of a plain-string field."""
    return " | ".join(choices.values)


# --- References ------------------------------------------------------------------------


class ModelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    risk_tier = serializers.CharField(help_text=choices_text(RiskTier))
    team = serializers.IntegerField(source="team_id")


class VersionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelVersion
        fields = ["id", "version"]


# --- Models and aliases ----------------------------------------------------------------


class AliasSerializer(serializers.Serializer):
    """An alias and the version it points at: what a serving system reads. A plain
    Serializer: a ModelSerializer rebuilds its fields from the model on every
    instance, a cost that shows on the hottest read (bench/registry.py)."""

    model = serializers.IntegerField(source="model_id")
    name = serializers.CharField()
    version = serializers.IntegerField(source="version.version")
    version_id = serializers.IntegerField()
    version_status = serializers.CharField(
        source="version.status", help_text=choices_text(ModelVersion.Status)
    )
    source_uri = serializers.CharField(source="version.source_uri")
    artifact_sha256 = serializers.CharField(source="version.artifact_sha256")
    code_commit = serializers.CharField(source="version.code_commit")
    protected = serializers.BooleanField()
    set_at = serializers.DateTimeField()
    via_request = serializers.IntegerField(source="via_request_id", allow_null=True)


class RegisteredModelSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer()
    owner = UserBriefSerializer()
    status = serializers.CharField(help_text=choices_text(RegisteredModel.Status))
    aliases = serializers.SerializerMethodField(
        help_text="Alias name → the version number it points at."
    )

    class Meta:
        model = RegisteredModel
        fields = [
            "id",
            "name",
            "purpose",
            "team",
            "owner",
            "risk_tier",
            "status",
            "aliases",
            "mlflow_name",
            "created_at",
            "updated_at",
        ]

    def get_aliases(self, model: RegisteredModel) -> dict[str, int]:
        return {alias.name: alias.version.version for alias in model.aliases.all()}


class ModelCountsSerializer(serializers.Serializer):
    versions = serializers.IntegerField(source="version_count")
    requests_in_flight = serializers.IntegerField(help_text="Open or approved.")
    open_findings = serializers.IntegerField()


class RegisteredModelDetailSerializer(RegisteredModelSerializer):
    aliases = AliasSerializer(many=True)
    counts = ModelCountsSerializer(source="*")

    class Meta(RegisteredModelSerializer.Meta):
        fields = [*RegisteredModelSerializer.Meta.fields, "counts"]


# --- Versions ---------------------------------------------------------------------------


def _json_problem(value: Any, limit: int) -> str | None:
    """Why client JSON cannot be stored: too large, or a NUL character (which
    PostgreSQL's jsonb refuses)."""
    if len(json.dumps(value)) > limit:
        return f"At most {limit} characters of JSON."
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and "\x00" in item:
            return "Null characters are not allowed."
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


class VersionContentInputSerializer(serializers.Serializer):
    """A version's content; every field optional. Frozen once the version is submitted."""

    source_uri = serializers.CharField(
        max_length=2000, allow_blank=True, required=False
    )
    artifact_sha256 = serializers.RegexField(
        SHA256_PATTERN,
        allow_blank=True,
        required=False,
        error_messages={"invalid": "64 lowercase hex digits."},
    )
    code_commit = serializers.CharField(max_length=64, allow_blank=True, required=False)
    repository = serializers.CharField(max_length=500, allow_blank=True, required=False)
    run_ref = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        help_text="The training run, e.g. runs:/<id>.",
    )
    dataset_refs = serializers.ListField(
        child=serializers.CharField(max_length=500), max_length=100, required=False
    )
    metrics = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text='e.g. {"auc": 0.91}'
    )
    model_card = serializers.DictField(child=serializers.JSONField(), required=False)
    authors = serializers.ListField(
        child=IdField(),
        max_length=50,
        required=False,
        help_text="User ids of the builders; none of them may approve the version. "
        "The creator is always one.",
    )

    def validate_metrics(self, value: dict) -> dict:
        return self._json(value, MAX_METRICS_JSON)

    def validate_model_card(self, value: dict) -> dict:
        return self._json(value, MAX_MODEL_CARD_JSON)

    @staticmethod
    def _json(value: dict, limit: int) -> dict:
        problem = _json_problem(value, limit)
        if problem:
            raise serializers.ValidationError(problem)
        return value


# Versions are serialised by plain Serializers: a ModelSerializer rebuilds its fields
# from the model for every instance, about a fifth of a version create's CPU
# (bench/registry.py).
class ModelVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    model = ModelRefSerializer()
    version = serializers.IntegerField()
    status = serializers.CharField(help_text=choices_text(ModelVersion.Status))
    aliases = serializers.SerializerMethodField(help_text="Aliases pointing here.")
    source_uri = serializers.CharField()
    artifact_sha256 = serializers.CharField()
    code_commit = serializers.CharField()
    run_ref = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    revalidation_due = serializers.DateField(allow_null=True)
    revalidation_overdue_since = serializers.DateTimeField(allow_null=True)

    def get_aliases(self, version: ModelVersion) -> list[str]:
        return sorted(alias.name for alias in version.aliases.all())


class EvidenceSummarySerializer(serializers.Serializer):
    submitted = serializers.IntegerField(source="evidence_submitted")
    accepted = serializers.IntegerField(source="evidence_accepted")
    rejected = serializers.IntegerField(source="evidence_rejected")
    accepted_requirements = serializers.ListField(
        child=serializers.CharField(),
        help_text="Requirement keys with accepted evidence not replaced since.",
    )


class ModelVersionDetailSerializer(ModelVersionSerializer):
    repository = serializers.CharField()
    dataset_refs = serializers.ListField(child=serializers.CharField())
    metrics = serializers.DictField(child=serializers.JSONField())
    model_card = serializers.DictField(child=serializers.JSONField())
    authors = UserBriefSerializer(source="author_users", many=True)
    created_by = UserBriefSerializer()
    submitted_by = serializers.IntegerField(source="submitted_by_id", allow_null=True)
    evidence = EvidenceSummarySerializer(source="*")
    mlflow_version = serializers.CharField(
        help_text="The MLflow version this was imported from, if any."
    )
    updated_at = serializers.DateTimeField()


# --- Evidence ---------------------------------------------------------------------------


class EvidenceItemSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version_id")
    kind = serializers.CharField(help_text=choices_text(EvidenceRequirement.Kind))
    status = serializers.CharField(help_text=choices_text(EvidenceItem.Status))
    submitted_by = UserBriefSerializer()
    reviewed_by = UserBriefSerializer(allow_null=True)
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)
    download_url = serializers.SerializerMethodField(
        help_text="Where an uploaded file is served (null for a link)."
    )

    class Meta:
        model = EvidenceItem
        fields = [
            "id",
            "version",
            "requirement_key",
            "kind",
            "url",
            "file_name",
            "sha256",
            "note",
            "status",
            "submitted_by",
            "created_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "supersedes",
            "download_url",
        ]

    def get_download_url(self, item: EvidenceItem) -> str | None:
        if not item.file:
            return None
        return reverse("registry-api:evidence-download", args=[item.pk])
