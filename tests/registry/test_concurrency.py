"""Twenty threads deciding and applying one request at once, on PostgreSQL's row locks:
exactly one alias move, exactly one `applied` event, a gapless chain, no deadlock."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from apps.audit.integrity import chain_verify
from apps.audit.models import AuditEvent, Chain
from apps.core.exceptions import ApplicationError
from apps.registry import promotion
from apps.registry.models import Alias, Decision, PromotionRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DECIDERS = 10
APPLIERS = 10
JOIN_S = 60


def test_twenty_threads_on_one_request_move_the_alias_exactly_once(registry, make_user):
    model = registry.model(tier="medium")  # two approvals and a model card
    version = registry.version(model)
    registry.evidence(version, "model_card")
    request = registry.request(version)
    deciders = [make_user("approver") for _ in range(DECIDERS)]
    appliers = [registry.lead, registry.member] * (APPLIERS // 2)
    start = threading.Barrier(DECIDERS + APPLIERS)
    refusals: list[str] = []
    crashes: list[BaseException] = []
    applied: list[int] = []

    def decide(approver) -> None:
        start.wait()
        try:
            promotion.promotion_decide(request=request, approver=approver, approve=True)
        except ApplicationError as refused:
            refusals.append(refused.code)

    def apply(person) -> None:
        start.wait()
        # Keep trying until the quorum lands or someone else applied.
        for _ in range(200):
            try:
                promotion.promotion_apply(request=request, applied_by=person)
                applied.append(person.pk)
                return
            except ApplicationError as refused:
                if PromotionRequest.objects.get(pk=request.pk).status == "applied":
                    refusals.append(refused.code)
                    return
            time.sleep(0.01)

    def run(work, person) -> None:
        try:
            work(person)
        except BaseException as crash:  # reported by the test, not lost in the thread
            crashes.append(crash)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(decide, person)) for person in deciders
    ] + [threading.Thread(target=run, args=(apply, person)) for person in appliers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_S)

    assert not [t for t in threads if t.is_alive()], "a thread is stuck (deadlock?)"
    assert crashes == []
    assert len(applied) == 1
    request.refresh_from_db()
    assert request.status == "applied"
    alias = Alias.objects.get(model=model, name="production")
    assert (alias.version_id, alias.via_request_id) == (version.pk, request.pk)
    assert AuditEvent.objects.filter(action="promotion_request.applied").count() == 1
    # Decisions after the apply were refused, never half-written.
    decided = Decision.objects.filter(request=request).count()
    assert decided + refusals.count("invalid_status") >= DECIDERS
    assert set(refusals) <= {"invalid_status"}
    events = AuditEvent.objects.filter(action="promotion_request.decided").count()
    assert events == decided
    chain = Chain.objects.get(organization=model.organization)
    assert chain_verify(chain=chain).ok
    seqs = list(
        AuditEvent.objects.filter(chain=chain)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(seqs) + 1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        assert cursor.fetchone()[0] == 0
