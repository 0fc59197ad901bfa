"""A report is requested once and rendered once: regenerating makes a new report, so a
file an auditor was given can always be found again, unchanged, by its SHA-256."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.accounts.models import Organization, Team


class Report(models.Model):
    class Kind(models.TextChoices):
        TEAM_ASSESSMENT = "team_assessment", "Team assessment"

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
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="team_assessment")
                | models.Q(team__isnull=False),
                name="report_team_kind_has_team",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | (~models.Q(sha256="") & models.Q(page_count__isnull=False)),
                name="report_done_has_file_facts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"
