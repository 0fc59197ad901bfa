"""The model registry: models, versions, aliases, and the governed promotion of versions.

A protected alias (e.g. `production`) moves only through an applied PromotionRequest,
decided under the PromotionPolicy snapshotted when it opened. History rows — policies,
evidence requirements, decisions and comments — are append-only in the database, a
version's content is frozen once submitted, and accepted evidence never changes; the
triggers live in apps/registry/db.py.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from apps.accounts.models import Organization, Role, Team
from apps.core.models import TimeStampedModel

SHA256_PATTERN = r"^[0-9a-f]{64}$"
COMMIT_PATTERN = r"^[0-9a-f]{7,64}$"
ALIAS_PATTERN = r"^[a-z][a-z0-9_-]{0,59}$"

sha256_validator = RegexValidator(SHA256_PATTERN, "64 lowercase hex digits (SHA-256).")
commit_validator = RegexValidator(COMMIT_PATTERN, "A git commit: 7 to 64 hex digits.")
alias_validator = RegexValidator(
    ALIAS_PATTERN, "Lowercase letters, digits, - and _, starting with a letter."
)


class RiskTier(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


# Roles that may decide promotion requests, in the order a policy names them.
APPROVER_ROLES = (Role.APPROVER, Role.RISK_OFFICER)


class RegisteredModel(TimeStampedModel):
    """A model the organisation governs: its risk tier drives the promotion policy."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="registered_models"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="registered_models"
    )
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True, help_text="Intended use, in a sentence.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_models"
    )
    risk_tier = models.CharField(max_length=10, choices=RiskTier.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # The next version number, so versions stay monotonic under concurrent creates
    # (the model row is locked while it is read and bumped).
    next_version = models.PositiveIntegerField(default=1)
    mlflow_name = models.CharField(
        max_length=256, blank=True, help_text="Name in the synced MLflow registry."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="model_name_unique_per_org"
            ),
            models.CheckConstraint(
                condition=Q(risk_tier__in=RiskTier.values), name="model_risk_tier_known"
            ),
        ]
        indexes = [models.Index(fields=["organization", "team", "risk_tier"])]

    def __str__(self) -> str:
        return self.name


class ModelVersion(TimeStampedModel):
    """One version of a model. Its content is frozen when it is submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACTIVE = "active", "Active"  # holds at least one protected alias
        SUPERSEDED = "superseded", "Superseded"  # held one, lost it to a newer version
        SUSPENDED = "suspended", "Suspended"  # break-glass not ratified in time
        RETIRED = "retired", "Retired"

    model = models.ForeignKey(
        RegisteredModel, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveIntegerField()
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # --- Content: frozen once submitted (code and database trigger) ---------------
    # Opaque text: Tollgate never fetches, downloads or loads a model.
    source_uri = models.TextField(blank=True)
    artifact_sha256 = models.CharField(
        max_length=64, blank=True, validators=[sha256_validator]
    )
    code_commit = models.CharField(
        max_length=64, blank=True, validators=[commit_validator]
    )
    repository = models.CharField(max_length=500, blank=True)
    run_ref = models.CharField(max_length=200, blank=True)
    dataset_refs = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    model_card = models.JSONField(default=dict, blank=True)
    # User ids of the people who built this version: none of them may approve it.
    authors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # --- Lifecycle ------------------------------------------------------------------
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    revalidation_due = models.DateField(null=True, blank=True)
    revalidation_overdue_since = models.DateTimeField(null=True, blank=True)
    mlflow_version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["model", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "version"], name="version_number_unique_per_model"
            ),
            # One Tollgate version per MLflow version, however many syncs race.
            models.UniqueConstraint(
                fields=["model", "mlflow_version"],
                condition=~Q(mlflow_version=""),
                name="mlflow_version_imported_once",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="version_submitted_has_timestamp",
            ),
        ]
        indexes = [
            models.Index(fields=["revalidation_due"]),
            models.Index(fields=["model", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.model.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.submitted_at is not None


class Alias(TimeStampedModel):
    """A name pointing at one version of a model, e.g. `production` → v7."""

    model = models.ForeignKey(
        RegisteredModel, on_delete=models.PROTECT, related_name="aliases"
    )
    name = models.CharField(max_length=60, validators=[alias_validator])
    version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="aliases"
    )
    protected = models.BooleanField(default=False)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField()
    via_request = models.ForeignKey(
        "PromotionRequest",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name_plural = "aliases"
        ordering = ["model", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "name"], name="alias_name_unique_per_model"
            ),
            # A protected alias names the applied request that moved it there.
            models.CheckConstraint(
                condition=Q(protected=False) | Q(via_request__isnull=False),
                name="protected_alias_moved_by_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model.name}@{self.name}"


class PromotionPolicy(models.Model):
    """What promoting a model of one risk tier to one target takes. Append-only:
    an edit is a new row with the next version number."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="promotion_policies"
    )
    risk_tier = models.CharField(max_length=10, choices=RiskTier.choices)
    target = models.CharField(
        max_length=60, validators=[alias_validator], help_text="The protected alias."
    )
    version = models.PositiveIntegerField()
    required_approvals = models.PositiveSmallIntegerField()
    # Roles that must each be held by at least one approving decision.
    required_roles = models.JSONField(default=list, blank=True)
    approval_ttl_days = models.PositiveSmallIntegerField()
    revalidation_interval_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only for targets that need revalidation."
    )
    required_signals = models.JSONField(default=list, blank=True)
    allow_break_glass = models.BooleanField(default=False)
    retrospective_hours = models.PositiveSmallIntegerField(default=72)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "promotion policies"
        ordering = ["organization", "target", "risk_tier", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "risk_tier", "target", "version"],
                name="policy_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(required_approvals__gte=1) & Q(approval_ttl_days__gte=1),
                name="policy_needs_an_approval_and_a_ttl",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.risk_tier} → {self.target} (v{self.version})"


class EvidenceRequirement(models.Model):
    """One line of a policy's evidence checklist (append-only, like its policy)."""

    class Kind(models.TextChoices):
        VALIDATION_REPORT = "validation_report", "Validation report"
        MODEL_CARD = "model_card", "Model card"
        FAIRNESS_TEST = "fairness_test", "Fairness test"
        SECURITY_SCAN = "security_scan", "Security scan"
        LINEAGE_ATTESTATION = "lineage_attestation", "Lineage attestation"
        SIGNOFF = "signoff", "Sign-off"

    policy = models.ForeignKey(
        PromotionPolicy, on_delete=models.PROTECT, related_name="requirements"
    )
    key = models.SlugField(max_length=60)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    description = models.CharField(max_length=500, blank=True)
    mandatory = models.BooleanField(default=True)

    class Meta:
        ordering = ["policy", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "key"], name="requirement_key_unique_per_policy"
            )
        ]

    def __str__(self) -> str:
        return self.key


class EvidenceItem(TimeStampedModel):
    """A file or link proving one requirement for one version. Immutable once
    reviewed: a replacement is a new row that supersedes it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="evidence"
    )
    requirement_key = models.SlugField(max_length=60)
    kind = models.CharField(max_length=30, choices=EvidenceRequirement.Kind.choices)
    url = models.URLField(max_length=1000, blank=True)
    file = models.FileField(upload_to="registry-evidence/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.CharField(max_length=1000, blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="superseded_by",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["version", "requirement_key", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="registry_evidence_link_or_file",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(reviewed_at__isnull=False),
                name="registry_evidence_reviewed_has_timestamp",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_key}: {self.url or self.file_name}"


class PromotionRequest(TimeStampedModel):
    """A request to point a protected alias at a version, decided under a policy."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        APPROVED = "approved", "Approved"
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    # Still in flight: at most one per version and target.
    IN_FLIGHT = (Status.OPEN, Status.APPROVED)

    version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="promotion_requests"
    )
    target = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=Status.choices, default="open")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The person a bot or colleague opened the request for: they cannot approve it.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    justification = models.TextField()
    policy = models.ForeignKey(
        PromotionPolicy, on_delete=models.PROTECT, related_name="requests"
    )
    # The policy as it was when the request opened: later edits do not apply to it.
    policy_snapshot = models.JSONField()
    evidence_digest_at_open = models.CharField(max_length=64)
    opened_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_until = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    break_glass = models.BooleanField(default=False)
    # A break-glass apply opens a retrospective request that must reach quorum.
    retrospective_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="retrospective",
        null=True,
        blank=True,
    )
    retrospective_due = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "target"],
                condition=Q(status__in=["open", "approved"]),
                name="one_request_in_flight_per_version_target",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_until__isnull=False),
                name="approved_request_has_expiry",
            ),
        ]
        indexes = [models.Index(fields=["status", "opened_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.version} → {self.target}"

    @property
    def in_flight(self) -> bool:
        return self.status in self.IN_FLIGHT


class Decision(models.Model):
    """One approver's approve or reject on one request (append-only)."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    request = models.ForeignKey(
        PromotionRequest, on_delete=models.PROTECT, related_name="decisions"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=7, choices=Outcome.choices)
    # The approver's eligible roles when deciding: coverage is judged on these.
    roles = models.JSONField(default=list)
    comment = models.TextField(blank=True)
    # The accepted evidence when deciding: an approval goes stale when it changes.
    evidence_digest = models.CharField(max_length=64)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["request", "decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "approver"], name="one_decision_per_approver"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="reject") | ~Q(comment=""),
                name="reject_needs_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} by {self.approver_id} on #{self.request_id}"


class Comment(models.Model):
    """A remark on a request or a version (append-only; an edit is a new row)."""

    request = models.ForeignKey(
        PromotionRequest,
        on_delete=models.PROTECT,
        related_name="comments",
        null=True,
        blank=True,
    )
    version = models.ForeignKey(
        ModelVersion,
        on_delete=models.PROTECT,
        related_name="comments",
        null=True,
        blank=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False) | Q(version__isnull=False),
                name="comment_has_a_subject",
            )
        ]

    def __str__(self) -> str:
        return f"comment {self.pk}"


class MlflowConnection(TimeStampedModel):
    """Optional sync with an MLflow tracking server, one per organisation."""

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="mlflow_connection"
    )
    tracking_uri = models.URLField(max_length=500)
    # Encrypted with apps.core.crypto; never returned by the API or logged.
    token_encrypted = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)
    # Imported models land in this team until someone moves them.
    default_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    # Imported versions are recorded as created by the admin who set up the sync.
    configured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.tracking_uri


class Finding(TimeStampedModel):
    """Something the registry found wrong, e.g. an alias moved outside Tollgate."""

    class Kind(models.TextChoices):
        UNAPPROVED_ALIAS_MOVE = "unapproved_alias_move", "Alias moved outside Tollgate"
        REVALIDATION_OVERDUE = "revalidation_overdue", "Revalidation overdue"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="registry_findings"
    )
    model = models.ForeignKey(
        RegisteredModel, on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default="open")
    detail = models.JSONField(default=dict)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.model_id}"
