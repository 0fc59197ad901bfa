"""Fixtures for the audit tests: chains of real events, and a way to read them back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction

from apps.accounts.models import Organization
from apps.audit.models import AuditEvent, Chain
from apps.audit.services import record_event


@pytest.fixture
def append_events(org) -> Callable[..., list[AuditEvent]]:
    """append_events(3) appends three events to org's chain, one transaction each."""

    def _append(
        count: int,
        *,
        organization: Organization | None = org,
        action: str = "test.event",
        actor=None,
    ) -> list[AuditEvent]:
        events = []
        for n in range(count):
            with transaction.atomic():
                event = record_event(
                    organization=organization,
                    actor=actor,
                    action=action,
                    target=("test.thing", n),
                    data={"n": n},
                )
            events.append(event)
        return events

    return _append


@pytest.fixture
def org_chain(org) -> Callable[[], Chain]:
    """org_chain() re-reads org's chain (head included) from the database."""
    return lambda: Chain.objects.get(organization=org)
