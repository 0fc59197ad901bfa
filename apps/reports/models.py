"""A report is requested once and rendered once: regenerating makes a new report, so a
file an auditor was given can always be found again, unchanged, by its SHA-256."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.accounts.models import BusinessUnit, Organization, Team
from apps.registry.models import RegisteredModel


class Report(models.Model):
    """Its scope: a team (team assessment); a model, or the whole organisation
    (governance); a business unit, or the whole organisation (leadership). A
    governance report on a model also names the model's team, so the team's people
    may read it."""

    class Kind(models.TextChoices):
        TEAM_ASSESSMENT = "team_assessment", "Team assessment"
        GOVERNANCE = "governance", "Model governance"
        LEADERSHIP = "leadership", "Leadership"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RENDERING = "rendering", "Rendering"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class PageSize(models.TextChoices):
        A4 = "A4", "A4"
        LETTER = "Letter", "Letter"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    model = models.ForeignKey(
        RegisteredModel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    business_unit = models.ForeignKey(
        BusinessUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    period = models.CharField(max_length=7, blank=True)  # "2026-Q3"; blank: latest
    page_size = models.CharField(
        max_length=8, choices=PageSize.choices, default=PageSize.A4
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    # While rendering, the worker's claim lasts until then: a worker killed mid-render
    # leaves a lease that lapses, and the next delivery (or the sweep) claims it again.
    lease_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    # The audit chain the report was read against: the events it covers (first to
    # head) and the head's hash, so a reader can match it to an export of the trail.
    audit_first_seq = models.PositiveBigIntegerField(null=True, blank=True)
    audit_head_seq = models.PositiveBigIntegerField(null=True, blank=True)
    audit_head_hash = models.CharField(max_length=64, blank=True)
    # The chain verification run at generation (governance reports); None: not run.
    audit_verified = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="team_assessment")
                | models.Q(
                    team__isnull=False, model__isnull=True, business_unit__isnull=True
                ),
                name="report_team_kind_has_team",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="governance")
                | models.Q(business_unit__isnull=True)
                & (
                    models.Q(model__isnull=True, team__isnull=True)
                    | models.Q(model__isnull=False, team__isnull=False)
                ),
                name="report_governance_scope",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="leadership")
                | models.Q(team__isnull=True, model__isnull=True),
                name="report_leadership_scope",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | (~models.Q(sha256="") & models.Q(page_count__isnull=False)),
                name="report_done_has_file_facts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def scope_label(self) -> str:
        """What the report is about, in words: "Fraud scorer", "Retail", …"""
        if self.model_id:
            return self.model.name
        if self.team_id:
            return self.team.name
        if self.business_unit_id:
            return self.business_unit.name
        return self.organization.name
