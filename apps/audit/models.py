from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.audit.canonical import ZERO_HASH


class Chain(models.Model):
    """One append-only hash chain: one per organisation, plus the platform chain.

    The row doubles as the chain head: appends lock it, so they are serialised.
    """

    PLATFORM_KEY = "platform"

    key = models.CharField(max_length=80, unique=True)
    organization = models.OneToOneField(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="audit_chain",
        null=True,
        blank=True,
    )
    head_seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.BinaryField(max_length=32, default=ZERO_HASH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    @staticmethod
    def key_for(organization_id: int | None) -> str:
        return f"org:{organization_id}" if organization_id else Chain.PLATFORM_KEY


class AuditEvent(models.Model):
    """One entry of a chain. Append-only: database triggers refuse UPDATE and DELETE."""

    class ActorType(models.TextChoices):
        USER = "user", "User"
        SYSTEM = "system", "System"
        ANONYMOUS = "anonymous", "Anonymous"

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    canonical = models.TextField(help_text="The exact JSON text that was hashed.")
    prev_hash = models.BinaryField(max_length=32)
    hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "seq"], name="audit_event_seq_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["chain", "action"], name="audit_event_action_idx"),
            models.Index(
                fields=["chain", "object_type", "object_id"],
                name="audit_event_object_idx",
            ),
            models.Index(fields=["chain", "actor"], name="audit_event_actor_idx"),
            models.Index(fields=["chain", "occurred_at"], name="audit_event_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.chain_id}#{self.seq} {self.action}"
