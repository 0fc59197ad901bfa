"""Output shapes of the repositories API. None of them queries: the selectors load
what each one reads, and what a shape needs besides its row (the repository an
evidence link points into, the signals of a scan) comes in its context.

No shape names a secret: credentials are only ever `has_credentials`, and the webhook
secret is in the two answers that create one (RepoLinkedSerializer,
WebhookSecretSerializer). Statuses and kinds are plain strings with their values in
the help text, as in the registry's API (choice fields would collide in the schema).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.api.serializers import TeamRefSerializer
from apps.repos.links import evidence_url
from apps.repos.models import LinkedRepo, Provider, Scan, Signal


def choices_text(choices: type) -> str:
    """The values of a TextChoices, for the help text of a plain-string field."""
    return " | ".join(choices.values)


# --- Scans ------------------------------------------------------------------------------


class ScanSummarySerializer(serializers.Serializer):
    """Where a scan is: enough for a status badge and a progress bar."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text=choices_text(Scan.Status))
    trigger = serializers.CharField(help_text=choices_text(Scan.Trigger))
    step = serializers.CharField(help_text="What the scan is doing, while it runs.")
    percent = serializers.IntegerField(help_text="0 to 100, for a progress bar.")
    commit = serializers.CharField(help_text="The commit scanned; empty until done.")
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(help_text="Why the scan failed; empty otherwise.")


class ScanSerializer(ScanSummarySerializer):
    repo = serializers.IntegerField(source="repo_id")
    requested_by = serializers.IntegerField(
        source="requested_by_id",
        allow_null=True,
        help_text="A user id; null for scheduled and webhook scans.",
    )
    collector_version = serializers.CharField()
    attempts = serializers.IntegerField(help_text="Times a worker claimed the scan.")
    created_at = serializers.DateTimeField(help_text="When it was queued.")
    duration_seconds = serializers.SerializerMethodField()

    def get_duration_seconds(self, scan: Scan) -> float | None:
        if scan.started_at is None or scan.finished_at is None:
            return None
        return (scan.finished_at - scan.started_at).total_seconds()


class ScanRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    commit = serializers.CharField()
    finished_at = serializers.DateTimeField(allow_null=True)
    collector_version = serializers.CharField()


# --- Signals ----------------------------------------------------------------------------


class EvidenceLinkSerializer(serializers.Serializer):
    item = serializers.CharField(help_text='"path", "path:line", a run URL or id.')
    url = serializers.CharField(
        allow_null=True,
        help_text="The file at the commit on GitHub or GitLab; null when unknown.",
    )


class SignalSerializer(serializers.Serializer):
    """A signal of one scan. Context: `repo` (the links' base) and `commit` (the
    scan's, for a signal that names none)."""

    key = serializers.CharField()
    value = serializers.BooleanField(help_text="Whether the fact holds.")
    strength = serializers.CharField(
        help_text=choices_text(Signal.Strength) + " | empty when it does not hold."
    )
    source = serializers.CharField(help_text=choices_text(Signal.Source))
    evidence = serializers.SerializerMethodField()
    measure = serializers.DictField(help_text="Raw values, e.g. a CI pass rate.")
    commit = serializers.CharField()
    observed_at = serializers.DateTimeField()

    @extend_schema_field(EvidenceLinkSerializer(many=True))
    def get_evidence(self, signal: Signal) -> list[dict[str, Any]]:
        repo = self.context["repo"]
        commit = signal.commit or self.context["commit"]
        return [
            {"item": str(item), "url": evidence_url(repo, commit, str(item))}
            for item in signal.evidence
        ]


class ScanDetailSerializer(ScanSerializer):
    """A scan with its signals (context: `repo`, `commit`, `signals`)."""

    signals = serializers.SerializerMethodField()

    @extend_schema_field(SignalSerializer(many=True))
    def get_signals(self, scan: Scan) -> list[dict[str, Any]]:
        return SignalSerializer(
            self.context["signals"], many=True, context=self.context
        ).data


class RepoSignalsSerializer(serializers.Serializer):
    """The signals of a repository's latest successful scan (context: `repo`,
    `commit`)."""

    scan = ScanRefSerializer(allow_null=True, help_text="Null: never scanned.")
    signals = SignalSerializer(many=True)


class TeamEvidenceSerializer(serializers.Serializer):
    repo = serializers.CharField(help_text="The repository's name.")
    item = serializers.CharField()


class TeamSignalSerializer(serializers.Serializer):
    """One key across a team's enabled repositories (selectors.TeamSignal)."""

    key = serializers.CharField()
    value = serializers.BooleanField(help_text="Holds in at least one repository.")
    strength = serializers.CharField(
        help_text=choices_text(Signal.Strength) + " | empty."
    )
    observed_at = serializers.DateTimeField()
    stale = serializers.BooleanField(help_text="Observed before the freshness window.")
    evidence = serializers.SerializerMethodField()

    @extend_schema_field(TeamEvidenceSerializer(many=True))
    def get_evidence(self, signal: Any) -> list[dict[str, str]]:
        return [{"repo": repo, "item": str(item)} for repo, item in signal.evidence]


# --- CI runs ----------------------------------------------------------------------------


class CIRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField()
    provider_run_id = serializers.CharField()
    attempt = serializers.IntegerField()
    workflow = serializers.CharField()
    event = serializers.CharField(help_text="Normalised: push, schedule, manual, …")
    raw_event = serializers.CharField(help_text="The provider's own word.")
    status = serializers.CharField()
    conclusion = serializers.CharField(help_text="Empty until the run completes.")
    head_sha = serializers.CharField()
    ref = serializers.CharField()
    created_at = serializers.DateTimeField(
        source="run_created_at", allow_null=True, help_text="As the provider says."
    )
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField()


# --- Repositories -----------------------------------------------------------------------


class RepoSerializer(serializers.Serializer):
    """A linked repository, as selectors.repo_list loads it (team, latest scan)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    team = TeamRefSerializer()
    provider = serializers.CharField(help_text=choices_text(Provider))
    project = serializers.CharField(help_text='The provider\'s name, e.g. "org/repo".')
    location = serializers.CharField(help_text="The clone URL or the server folder.")
    default_branch = serializers.CharField()
    subdir = serializers.CharField(help_text="The folder scanned, in a monorepo.")
    enabled = serializers.BooleanField()
    has_credentials = serializers.SerializerMethodField()
    latest_scan = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_has_credentials(self, repo: LinkedRepo) -> bool:
        return bool(repo.credentials_encrypted)

    @extend_schema_field(ScanSummarySerializer(allow_null=True))
    def get_latest_scan(self, repo: LinkedRepo) -> dict[str, Any] | None:
        scans = repo.latest_scans  # loaded by selectors.repo_list
        return ScanSummarySerializer(scans[0]).data if scans else None


class WebhookUrlsSerializer(serializers.Serializer):
    github = serializers.CharField()
    gitlab = serializers.CharField()


def webhook_urls(request) -> dict[str, str]:
    """Where GitHub and GitLab deliver, as this server is reached."""
    return {
        provider: request.build_absolute_uri(reverse(f"hooks:{provider}"))
        for provider in ("github", "gitlab")
    }


class RepoLinkedSerializer(RepoSerializer):
    """The answer to linking (context: `request`, `webhook_secret`)."""

    webhook_secret = serializers.SerializerMethodField(
        help_text="Shown this once: configure the provider's webhook with it."
    )
    webhook_urls = serializers.SerializerMethodField()

    def get_webhook_secret(self, repo: LinkedRepo) -> str:
        return self.context["webhook_secret"]

    @extend_schema_field(WebhookUrlsSerializer)
    def get_webhook_urls(self, repo: LinkedRepo) -> dict[str, str]:
        return webhook_urls(self.context["request"])


class WebhookSecretSerializer(serializers.Serializer):
    webhook_secret = serializers.CharField(help_text="Shown this once.")
