"""Verification tasks: eager on SQLite, a real worker on Redis in the PostgreSQL pass.

The worker has its own database connection, so these tests commit (transaction=True)
and poll the database for the event the task appends instead of reading task results.
"""

from __future__ import annotations

import json
import time

import pytest
from celery.contrib.django.task import DjangoTask
from django.db import connection

from apps.audit.db import drop_append_only_triggers, install_append_only_triggers
from apps.audit.models import AuditEvent, Chain
from apps.audit.tasks import audit_verify_all_chains, audit_verify_chain
from tests.accounts.factories import OrganizationFactory

VERIFIED = "audit.chain_verified"
TIMEOUT_S = 20


def _verified_events(chain: Chain) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(chain=chain, action=VERIFIED))


def _wait_for_verification(*chains: Chain) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not all(_verified_events(chain) for chain in chains):
        assert time.monotonic() < deadline, "no audit.chain_verified event in time"
        time.sleep(0.1)


def _outcome(chain: Chain) -> tuple[int, dict]:
    (event,) = _verified_events(chain)
    return event.seq, json.loads(event.canonical)["data"]


def test_audit_tasks_are_django_tasks():
    assert isinstance(audit_verify_chain, DjangoTask)
    assert isinstance(audit_verify_all_chains, DjangoTask)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_audit_verify_chain_task_appends_an_intact_outcome(
    celery_worker, append_events, org_chain
):
    append_events(3)
    chain = org_chain()

    audit_verify_chain.delay(chain.pk)

    _wait_for_verification(chain)
    seq, data = _outcome(chain)
    assert seq == 4
    assert (data["ok"], data["head_seq"], data["first_bad_seq"]) == (True, 3, None)
    assert data["head_hash"] == bytes(chain.head_hash).hex()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_audit_verify_chain_task_reports_a_broken_chain(
    celery_worker, append_events, org_chain
):
    append_events(3)
    drop_append_only_triggers(connection)
    try:
        event = AuditEvent.objects.get(seq=2)
        AuditEvent.objects.filter(seq=2).update(
            canonical=event.canonical.replace("test.event", "test.rewritten")
        )
    finally:
        install_append_only_triggers(connection)
    chain = org_chain()

    audit_verify_chain.delay(chain.pk)

    _wait_for_verification(chain)
    _, data = _outcome(chain)
    assert (data["ok"], data["first_bad_seq"], data["reason"]) == (False, 2, "edited")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_audit_verify_all_chains_task_verifies_every_chain_once(
    celery_worker, org, append_events
):
    other = OrganizationFactory()
    append_events(2)
    append_events(1, organization=other)
    append_events(1, organization=None)
    chains = list(Chain.objects.all())

    audit_verify_all_chains.delay()

    _wait_for_verification(*chains)
    assert [len(_verified_events(chain)) for chain in chains] == [1, 1, 1]
