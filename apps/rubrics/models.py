from __future__ import annotations

from django.db import models

from apps.core.models import TimeStampedModel


class Rubric(TimeStampedModel):
    """One version of a maturity rubric. Published versions never change."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    slug = models.SlugField(max_length=60)
    version = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    content_sha256 = models.CharField(
        max_length=64, help_text="Fingerprint of the normalised content."
    )

    class Meta:
        ordering = ["slug", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], name="rubric_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slug} {self.version}"


class Level(models.Model):
    """The meaning of a level (0–4), shared by every dimension of the rubric."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["rubric", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["rubric", "level"], name="rubric_level_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.name}"


class Dimension(models.Model):
    """An area of practice scored from level 0 to 4."""

    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="dimensions"
    )
    key = models.CharField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    core = models.BooleanField(default=True)
    weight = models.FloatField(default=1.0)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rubric", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["rubric", "key"], name="dimension_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """What a respondent answers; one question can decide several criteria."""

    class Type(models.TextChoices):
        YES_NO = "yes_no", "Yes / no"
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTI_SELECT = "multi_select", "Multiple choice"
        NUMBER = "number", "Number"
        TEXT = "text", "Text"

    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="questions"
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="questions"
    )
    key = models.CharField(max_length=120)
    type = models.CharField(max_length=20, choices=Type.choices)
    text = models.TextField()
    help = models.TextField(blank=True)
    unit = models.CharField(max_length=30, blank=True)
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    shared = models.BooleanField(
        default=False,
        help_text="Declared on the dimension and used by several criteria.",
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rubric", "dimension__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["rubric", "key"], name="question_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.key


class Option(models.Model):
    """A choice of a single-choice or multi-select question."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options"
    )
    value = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence_required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "value"], name="option_value_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Criterion(models.Model):
    """One checkable statement that must hold at a level of a dimension."""

    class Effort(models.TextChoices):
        SMALL = "S", "Small"
        MEDIUM = "M", "Medium"
        LARGE = "L", "Large"

    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="criteria"
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="criteria"
    )
    key = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField()
    statement = models.TextField()
    evidence = models.CharField(
        max_length=60, help_text="attest, artifact or signal:<key>"
    )
    requires = models.JSONField(
        default=list, help_text="Keys of prerequisite criteria."
    )
    effort = models.CharField(max_length=1, choices=Effort.choices)
    guidance = models.TextField()
    anchor = models.CharField(max_length=300)
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="criteria"
    )
    met_when = models.JSONField(null=True, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rubric", "dimension__position", "level", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["rubric", "key"], name="criterion_key_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4),
                name="criterion_level_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return self.key


class DimensionSetting(TimeStampedModel):
    """An organisation's weight and core flag for a dimension, overriding the rubric's."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="dimension_settings",
    )
    rubric_slug = models.SlugField(max_length=60)
    dimension_key = models.CharField(max_length=40)
    weight = models.FloatField()
    core = models.BooleanField()

    class Meta:
        ordering = ["organization", "rubric_slug", "dimension_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "rubric_slug", "dimension_key"],
                name="dimension_setting_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.rubric_slug}:{self.dimension_key}"


class TeamTarget(TimeStampedModel):
    """The level a team aims for in a dimension; roadmaps never plan past it."""

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="targets"
    )
    rubric_slug = models.SlugField(max_length=60)
    dimension_key = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["team", "rubric_slug", "dimension_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "rubric_slug", "dimension_key"],
                name="team_target_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(level__lte=4), name="team_target_level_0_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.dimension_key}→{self.level}"
