"""Reads of the audit trail."""

from __future__ import annotations

import django_filters
from django.db.models import OuterRef, QuerySet, Subquery

from apps.accounts.models import Organization, User
from apps.audit.canonical import ZERO_HASH, format_timestamp
from apps.audit.models import AuditEvent, Chain


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.NumberFilter(field_name="actor_id")
    action = django_filters.CharFilter(field_name="action")
    action_prefix = django_filters.CharFilter(
        field_name="action", lookup_expr="startswith"
    )
    object_type = django_filters.CharFilter(field_name="object_type")
    object_id = django_filters.CharFilter(field_name="object_id")
    # ts is the canonical spelling (UTC, fixed width): compared as text, it sorts in
    # time order, so a bound spelled the same way filters by time.
    occurred_after = django_filters.IsoDateTimeFilter(method="_ts_from")
    occurred_before = django_filters.IsoDateTimeFilter(method="_ts_until")

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def _ts_from(self, queryset, name, value):
        return queryset.filter(ts__gte=format_timestamp(value))

    def _ts_until(self, queryset, name, value):
        return queryset.filter(ts__lt=format_timestamp(value))


def with_actor_username(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Annotate actor_username (None for system events) in the same query.

    actor_id is derived from the hashed text, so it is a plain integer, not a relation.
    """
    usernames = User.objects.filter(pk=OuterRef("actor_id")).values("username")[:1]
    return events.annotate(actor_username=Subquery(usernames))


def chain_of(*, organization: Organization) -> Chain | None:
    return Chain.objects.filter(organization=organization).first()


def figures_version(*, organization_id: int) -> str | None:
    """The hash of the organisation's newest event that may change a figure, in hex;
    None before the first such event (1 query). Equal versions, equal figures: the
    hash covers the whole chain before it, so it also tells databases apart."""
    found = (
        Chain.objects.filter(organization_id=organization_id)
        .values_list("figures_hash", flat=True)
        .first()
    )
    if found is None or bytes(found) == ZERO_HASH:
        return None
    return bytes(found).hex()


def audit_event_list(
    *, fetched_by: User, filters: dict | None = None
) -> QuerySet[AuditEvent]:
    """Events of the fetcher's organisation chain (role checks are the caller's)."""
    if not fetched_by.is_authenticated or not fetched_by.organization_id:
        return AuditEvent.objects.none()
    events = with_actor_username(
        AuditEvent.objects.filter(chain__organization_id=fetched_by.organization_id)
    )
    return AuditEventFilter(filters or {}, queryset=events).qs


def audit_event_get(*, fetched_by: User, seq: int) -> AuditEvent | None:
    return audit_event_list(fetched_by=fetched_by).filter(seq=seq).first()


def audit_event_export(*, chain: Chain, batch: int = 2000):
    """Every event of a chain in seq order, streamed."""
    return (
        AuditEvent.objects.filter(chain=chain)
        .order_by("seq")
        .values_list("seq", "canonical", "prev_hash", "hash")
        .iterator(chunk_size=batch)
    )
