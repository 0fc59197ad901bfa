"""Linked repositories and what is learnt from them.

A team links a repository (a clone URL, or a local path where an admin allows it).
Scans of a checkout and runs fetched from its CI system produce Signals: facts with a
key, whether they hold, how strong the evidence is and where it is. Scoring and the
promotion gates read the latest signals; the rows here are their provenance.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.models import Organization, Team
from apps.core.models import TimeStampedModel


class Provider(models.TextChoices):
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    GIT = "git", "Generic git"


class LinkedRepo(TimeStampedModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="linked_repos"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="repos")
    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=10, choices=Provider.choices)
    # Exactly one of the two: a clone URL (https or ssh, to an allowed host), or a
    # folder under settings.REPOS_LOCAL_ROOTS.
    clone_url = models.CharField(max_length=500, blank=True)
    local_path = models.CharField(max_length=500, blank=True)
    # The provider's name for the repository ("owner/name", "group/sub/name"): how
    # webhooks and the CI API find it. Empty for generic git.
    project = models.CharField(max_length=300, blank=True)
    default_branch = models.CharField(max_length=200, blank=True)
    # For monorepos: only this folder is scanned.
    subdir = models.CharField(max_length=300, blank=True)
    # Encrypted with apps.core.crypto; never returned by the API or logged.
    credentials_encrypted = models.TextField(blank=True)
    webhook_secret_encrypted = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(clone_url="") & ~Q(local_path=""))
                | (~Q(clone_url="") & Q(local_path="")),
                name="repo_has_url_or_path",
            ),
            models.UniqueConstraint(
                fields=["team", "clone_url", "local_path", "subdir"],
                name="repo_linked_once_per_team",
            ),
        ]
        indexes = [models.Index(fields=["provider", "project"])]

    def __str__(self) -> str:
        return self.name

    @property
    def location(self) -> str:
        return self.clone_url or self.local_path


class Scan(TimeStampedModel):
    """One collection run over a repository: its checkout, then its CI system."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Manual"
        SCHEDULE = "schedule", "Schedule"
        WEBHOOK = "webhook", "Webhook"
        LINK = "link", "Linked"

    repo = models.ForeignKey(LinkedRepo, on_delete=models.CASCADE, related_name="scans")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker's lease: a running scan whose lease lapsed was abandoned (the worker
    # died) and is claimed again.
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    commit = models.CharField(max_length=64, blank=True)
    collector_version = models.CharField(max_length=40, blank=True)
    step = models.CharField(max_length=60, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One scan per repository at a time.
            models.UniqueConstraint(
                fields=["repo"],
                condition=Q(status__in=["queued", "running"]),
                name="one_live_scan_per_repo",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.repo} scan {self.pk} ({self.status})"


class Signal(TimeStampedModel):
    """A fact about a repository: whether it holds, how strongly, and where it shows."""

    class Strength(models.TextChoices):
        DECLARED = "declared", "Declared"  # a config or file exists
        WIRED = "wired", "Wired"  # code or a CI step calls it
        RUNNING = "running", "Running"  # a recent successful run proves it

    class Source(models.TextChoices):
        SCAN = "scan", "Checkout scan"
        GITHUB = "github", "GitHub API"
        GITLAB = "gitlab", "GitLab API"
        WEBHOOK = "webhook", "Webhook"

    repo = models.ForeignKey(
        LinkedRepo, on_delete=models.CASCADE, related_name="signals"
    )
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="signals")
    key = models.CharField(max_length=60)
    value = models.BooleanField()
    strength = models.CharField(max_length=10, choices=Strength.choices, blank=True)
    # Paths ("path" or "path:line"), run ids, and raw measures (e.g. a pass rate).
    evidence = models.JSONField(default=list, blank=True)
    measure = models.JSONField(default=dict, blank=True)
    commit = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    observed_at = models.DateTimeField()

    class Meta:
        ordering = ["key"]
        constraints = [
            # A retried scan rewrites its signals instead of adding a second set.
            models.UniqueConstraint(
                fields=["scan", "key", "source"], name="signal_once_per_scan"
            ),
        ]
        indexes = [models.Index(fields=["repo", "key", "-observed_at"])]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class CIRun(TimeStampedModel):
    """A CI pipeline or workflow run, as the provider reported it."""

    repo = models.ForeignKey(LinkedRepo, on_delete=models.CASCADE, related_name="runs")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    provider_run_id = models.CharField(max_length=40)
    attempt = models.PositiveIntegerField(default=1)
    workflow = models.CharField(max_length=300, blank=True)
    event = models.CharField(max_length=30, blank=True)  # normalised: push, schedule…
    raw_event = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, blank=True)
    conclusion = models.CharField(max_length=20, blank=True)
    head_sha = models.CharField(max_length=64, blank=True)
    ref = models.CharField(max_length=200, blank=True)
    run_created_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["-run_created_at", "-pk"]
        constraints = [
            # Upserted by run and attempt: a re-fetch or a repeated webhook delivery
            # updates the row instead of counting the run twice.
            models.UniqueConstraint(
                fields=["repo", "provider_run_id", "attempt"], name="ci_run_once"
            ),
        ]
        indexes = [models.Index(fields=["repo", "head_sha"])]

    def __str__(self) -> str:
        return f"{self.provider} run {self.provider_run_id}"


class WebhookDelivery(models.Model):
    """A delivery received from a provider, kept so that a replay changes nothing."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        IGNORED = "ignored", "Ignored (event not used)"

    provider = models.CharField(max_length=10, choices=Provider.choices)
    delivery_id = models.CharField(max_length=100)
    repo = models.ForeignKey(
        LinkedRepo, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    event = models.CharField(max_length=60)
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "delivery_id"], name="webhook_delivery_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} delivery {self.delivery_id}"
