"""A team's improvement roadmap: what to do next, in order, and why.

The engine (engine.py) plans from the team's latest assessment scored with its current
signals. A team has one roadmap; each generation records what it was built from and
re-plans the items, keeping what the team set on them (status, owner, due quarter,
dismissals). An item closes itself when its criterion is met, and says by what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.models import Team
from apps.core.models import TimeStampedModel


class Roadmap(TimeStampedModel):
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="roadmap")
    rubric = models.ForeignKey(
        "rubrics.Rubric", on_delete=models.PROTECT, related_name="+"
    )
    # What the plan was built from: the team's latest assessment, scored with the
    # signals as they stood when `signals_as_of` (the newest observation) was read.
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="+"
    )
    signals_as_of = models.DateTimeField(null=True, blank=True)
    signal_states = models.JSONField(
        default=dict, help_text="Signal key → state (fresh, stale, absent) used."
    )
    floor = models.PositiveSmallIntegerField()
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when a new assessment or scan regenerated it.",
    )
    engine_version = models.CharField(max_length=20)
    revision = models.PositiveIntegerField(default=1)
    # SHA-256 of what the last generation planned from and planned: the same again
    # is not a new revision.
    plan_digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Roadmap of {self.team_id} (r{self.revision})"


class RoadmapItem(TimeStampedModel):
    class Phase(models.TextChoices):
        NOW = "now", "Now"
        NEXT = "next", "Next"
        LATER = "later", "Later"

    class Kind(models.TextChoices):
        BUILD = "build", "Build the practice"
        PROVE = "prove", "Prove it"
        RESOLVE = "resolve", "Resolve a conflict"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DISMISSED = "dismissed", "Dismissed"

    class ClosedBy(models.TextChoices):
        TEAM = "team", "The team"
        EVIDENCE = "evidence", "Evidence"
        ASSESSMENT = "assessment", "The assessment"

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="items")
    # Items are matched by key across generations, and so across rubric versions.
    criterion_key = models.CharField(max_length=120)
    criterion = models.ForeignKey(
        "rubrics.Criterion", on_delete=models.PROTECT, related_name="+"
    )
    dimension_key = models.CharField(max_length=40)
    target_level = models.PositiveSmallIntegerField(
        help_text="The criterion's level: the level this item helps reach."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    phase = models.CharField(max_length=5, choices=Phase.choices)
    rank = models.PositiveIntegerField(help_text="1 = first in the plan.")
    priority = models.FloatField()
    factors = models.JSONField(
        help_text="weight, urgency, raises_floor, below_target, unblocks, effort."
    )
    requires = models.JSONField(
        default=list, help_text="Keys of the plan items to do before this one."
    )
    unblocks = models.JSONField(
        default=list, help_text="Keys of the plan items waiting on this one."
    )
    blocked_by_target = models.JSONField(
        default=list, help_text="Prerequisites beyond their dimension's target."
    )
    pulled_in = models.BooleanField(
        default=False, help_text="In the plan only as another item's prerequisite."
    )
    in_plan = models.BooleanField(
        default=True, help_text="False once the latest generation no longer plans it."
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    dismissed_reason = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_quarter = models.CharField(max_length=7, blank=True, help_text="e.g. 2027-Q1")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=10, choices=ClosedBy.choices, blank=True)
    closing_evidence = models.JSONField(
        default=dict, blank=True, help_text="What showed the criterion met."
    )

    class Meta:
        ordering = ["roadmap", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap", "criterion_key"],
                name="roadmap_item_criterion_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismissed_reason=""),
                name="roadmap_item_dismissal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(due_quarter="") | Q(due_quarter__regex=r"^\d{4}-Q[1-4]$"),
                name="roadmap_item_due_quarter_format",
            ),
        ]
        indexes = [models.Index(fields=["roadmap", "phase", "rank"])]

    def __str__(self) -> str:
        return f"{self.criterion_key} ({self.phase})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)
