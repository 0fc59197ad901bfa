from __future__ import annotations

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
    # The hash of the newest event that may change a figure the dashboards show (any
    # event but those of services.FIGURE_NEUTRAL_ACTIONS): their cache is keyed on it.
    figures_hash = models.BinaryField(max_length=32, default=ZERO_HASH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    @staticmethod
    def key_for(organization_id: int | None) -> str:
        return f"org:{organization_id}" if organization_id else Chain.PLATFORM_KEY


class CanonicalValue(models.Func):
    """One value of the hashed canonical text, extracted by the database.

    Used as the expression of the stored generated columns below: the database derives
    them from the text the chain hashes, so they cannot be edited to say otherwise.
    Both spellings are immutable (SQLite's json_extract is deterministic; PostgreSQL's
    text -> jsonb cast, #>> and text -> bigint cast are IMMUTABLE).
    """

    def __init__(self, *path: str, output_field: models.Field | None = None) -> None:
        self.path = path
        super().__init__(
            models.F("canonical"), output_field=output_field or models.TextField()
        )

    def _is_integer(self) -> bool:
        return isinstance(self.output_field, models.IntegerField)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"json_extract({sql}, '$.{'.'.join(self.path)}')", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        value = f"(({sql})::jsonb #>> '{{{','.join(self.path)}}}')"
        return (f"{value}::bigint" if self._is_integer() else value), params

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError(
            f"no canonical JSON extraction for {connection.vendor}"
        )


def _derived(*path: str, output_field: models.Field | None = None):
    return models.GeneratedField(
        expression=CanonicalValue(*path, output_field=output_field),
        output_field=output_field or models.TextField(),
        db_persist=True,
    )


class AuditEvent(models.Model):
    """One entry of a chain. Append-only: database triggers refuse UPDATE and DELETE.

    The indexed columns (ts, actor, action, object) are stored generated columns,
    derived by the database from `canonical`: nobody can write them, so filtering by
    them can only return what the hashed text says.
    """

    class ActorType(models.TextChoices):
        USER = "user", "User"
        SYSTEM = "system", "System"
        ANONYMOUS = "anonymous", "Anonymous"

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField()
    canonical = models.TextField(help_text="The exact JSON text that was hashed.")
    prev_hash = models.BinaryField(max_length=32)
    hash = models.BinaryField(max_length=32)
    # Derived from canonical. ts is the canonical spelling (UTC, fixed width), which
    # sorts chronologically: text -> timestamptz is not immutable on PostgreSQL.
    ts = _derived("ts")
    actor_id = _derived("actor", "id", output_field=models.BigIntegerField())
    actor_type = _derived("actor", "type")
    action = _derived("action")
    object_type = _derived("object", "type")
    object_id = _derived("object", "id")

    # The columns the database derives from canonical; integrity checks they still are.
    DERIVED_COLUMNS = (
        "ts",
        "actor_id",
        "actor_type",
        "action",
        "object_type",
        "object_id",
    )

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
            models.Index(fields=["chain", "actor_id"], name="audit_event_actor_idx"),
            models.Index(fields=["chain", "ts"], name="audit_event_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.chain_id}#{self.seq} {self.action}"
