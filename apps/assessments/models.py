from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStampedModel

PERIOD_PATTERN = r"^\d{4}-Q[1-4]$"


class Assessment(TimeStampedModel):
    """A team's self-assessment against one rubric version for one period.

    Reviewed assessments are locked. Reopening one creates the next revision and leaves
    the reviewed one readable.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        REVIEWED = "reviewed", "Reviewed"

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="assessments"
    )
    rubric = models.ForeignKey(
        "rubrics.Rubric", on_delete=models.PROTECT, related_name="assessments"
    )
    period = models.CharField(
        max_length=7,
        validators=[RegexValidator(PERIOD_PATTERN, "Use a quarter such as 2026-Q4.")],
    )
    revision = models.PositiveSmallIntegerField(default=1)
    previous_revision = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_revision",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["team", "-period", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period", "revision"], name="assessment_revision_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["team", "period"], name="assessment_team_period_idx")
        ]

    def __str__(self) -> str:
        suffix = f" r{self.revision}" if self.revision > 1 else ""
        return f"{self.team} {self.period}{suffix}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class NotApplicableReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", "Out of scope for this team"
    BUSINESS_PRIORITY = "business_priority", "Not a business priority"
    ARCHITECTURE = "architecture_constraint", "Architecture constraint"
    OTHER = "other", "Other (explain in the notes)"


class Answer(TimeStampedModel):
    """One respondent's answer to one question. Respondents do not overwrite each other."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        "rubrics.Question", on_delete=models.PROTECT, related_name="+"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    value = models.JSONField(null=True, blank=True)
    na_reason = models.CharField(
        max_length=30, choices=NotApplicableReason.choices, blank=True
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "question"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question", "respondent"],
                name="answer_unique_per_respondent",
            ),
            models.CheckConstraint(
                condition=Q(na_reason="") | Q(value__isnull=True),
                name="answer_value_or_na",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.question_id}:{self.respondent_id}"


class Evidence(TimeStampedModel):
    """A link or file backing an answer; a reviewer verifies it (full credit) or rejects it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="evidence"
    )
    question = models.ForeignKey(
        "rubrics.Question", on_delete=models.PROTECT, related_name="+"
    )
    option_value = models.CharField(
        max_length=60, blank=True, help_text="For multi-select options."
    )
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "question", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="evidence_link_or_file",
            ),
        ]

    def __str__(self) -> str:
        return self.url or self.file_name


class Resolution(TimeStampedModel):
    """An assessor's ruling on a disagreement between respondents or with a signal."""

    class Kind(models.TextChoices):
        DISAGREEMENT = "disagreement", "Respondents disagree"
        SIGNAL = "signal", "Answer contradicted by a signal"

    class Outcome(models.TextChoices):
        VALUE_CHOSEN = "value_chosen", "Value chosen"
        CLAIM_UPHELD = "claim_upheld", "Claim upheld"
        SIGNAL_UPHELD = "signal_upheld", "Signal upheld"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="resolutions"
    )
    question = models.ForeignKey(
        "rubrics.Question",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    criterion = models.ForeignKey(
        "rubrics.Criterion",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    chosen_value = models.JSONField(null=True, blank=True)
    chosen_na_reason = models.CharField(
        max_length=30, choices=NotApplicableReason.choices, blank=True
    )
    justification = models.TextField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"],
                condition=Q(kind="disagreement"),
                name="one_disagreement_ruling_per_question",
            ),
            models.UniqueConstraint(
                fields=["assessment", "criterion"],
                condition=Q(kind="signal"),
                name="one_signal_ruling_per_criterion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.kind}:{self.outcome}"


class ScoreSnapshot(models.Model):
    """Scores as computed at submit or review. Never edited: a recomputation is a new row."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "On submit"
        REVIEWED = "reviewed", "On review"
        RECOMPUTED = "recomputed", "Recomputed"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="snapshots"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    rubric = models.ForeignKey(
        "rubrics.Rubric", on_delete=models.PROTECT, related_name="+"
    )
    engine_version = models.CharField(max_length=20)
    floor = models.PositiveSmallIntegerField()
    index = models.FloatField()
    confidence = models.FloatField()
    target_gap = models.FloatField()
    payload = models.JSONField(
        help_text="Per dimension: level, progress, score, credits."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["assessment", "-created_at"]
        indexes = [
            # Everything the dashboards read from a snapshot but its payload, which
            # averages tens of kilobytes: SQLite stores columns after it behind the
            # payload's overflow pages, so finding each team's latest snapshot read
            # them all. Covered by this index, the trend over 8,000 snapshots went
            # from 75 to 11 ms (bench/dashboard.py).
            models.Index(
                fields=[
                    "assessment",
                    "created_at",
                    "floor",
                    "index",
                    "confidence",
                    "rubric",
                ],
                name="snapshot_summary_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.kind} {self.created_at:%Y-%m-%d}"


class ScoreDimension(models.Model):
    """One dimension of a snapshot, as a row: what dashboards and reports aggregate
    in SQL (medians, distributions) without reading every snapshot's JSON. Written
    with its snapshot, from the same score; append-only like it."""

    snapshot = models.ForeignKey(
        ScoreSnapshot, on_delete=models.PROTECT, related_name="dimension_scores"
    )
    dimension = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField()
    progress = models.FloatField()
    score = models.FloatField()
    target = models.PositiveSmallIntegerField(null=True, blank=True)
    weight = models.FloatField()
    core = models.BooleanField()
    # Its criteria in the score's conflicts: the dashboards count them here rather
    # than in the payload, which they would read whole (tens of kB per snapshot).
    conflicts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["snapshot", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "dimension"], name="score_dimension_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}:{self.dimension}={self.level}"
