"""Concurrent appends on PostgreSQL: the chain head's row lock serialises each chain.

Every thread has its own database connection and closes it when done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from apps.audit.integrity import chain_verify
from apps.audit.models import AuditEvent, Chain
from apps.audit.services import record_event
from tests.accounts.factories import OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16
PER_THREAD = 10
WAIT_S = 10


def _in_thread(work: Callable[[], None], errors: list) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except Exception as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _append(
    organization,
    *,
    locked: threading.Event | None = None,
    release: threading.Event | None = None,
) -> None:
    """Append one event; with `locked`, say so and keep the transaction open (holding
    the chain's row lock) until `release` is set."""
    with transaction.atomic():
        record_event(organization=organization, actor=None, action="test.concurrent")
        if locked is not None and release is not None:
            locked.set()
            release.wait(WAIT_S)


def test_record_event_from_sixteen_threads_builds_one_gapless_chain(org):
    start, errors = threading.Barrier(THREADS), []

    def work() -> None:
        start.wait()
        for _ in range(PER_THREAD):
            _append(org)

    threads = [_in_thread(work, errors) for _ in range(THREADS)]
    for thread in threads:
        thread.join()

    assert errors == []
    chain = Chain.objects.get(organization=org)
    seqs = AuditEvent.objects.filter(chain=chain).order_by("seq")
    assert list(seqs.values_list("seq", flat=True)) == list(
        range(1, 1 + THREADS * PER_THREAD)
    )
    assert chain.head_seq == THREADS * PER_THREAD
    assert chain_verify(chain=chain).ok


def _appended_while_held(held, appending_to, *, wait_s: float) -> bool:
    """Hold `held`'s chain lock in one thread and append to `appending_to` in another:
    did that append commit before the lock was released?"""
    locked, release, appended = (threading.Event() for _ in range(3))
    errors: list = []
    holder = _in_thread(lambda: _append(held, locked=locked, release=release), errors)
    assert locked.wait(WAIT_S)
    appender = _in_thread(lambda: (_append(appending_to), appended.set()), errors)
    appended_while_held = appended.wait(wait_s)
    release.set()
    holder.join()
    appender.join()
    assert errors == []
    return appended_while_held


def test_record_event_on_another_org_does_not_wait_for_a_held_chain(org):
    other = OrganizationFactory()
    for organization in (org, other):
        _append(organization)

    assert _appended_while_held(org, other, wait_s=WAIT_S)

    assert Chain.objects.get(organization=other).head_seq == 2
    assert Chain.objects.get(organization=org).head_seq == 2


def test_record_event_on_the_same_org_waits_for_the_held_chain(org):
    _append(org)

    assert not _appended_while_held(org, org, wait_s=0.5)

    seqs = AuditEvent.objects.filter(chain__organization=org).values_list("seq")
    assert sorted(seq for (seq,) in seqs) == [1, 2, 3]
    assert chain_verify(chain=Chain.objects.get(organization=org)).ok
