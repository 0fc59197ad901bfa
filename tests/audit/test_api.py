"""Audit API: filters, cursor pagination, organisation isolation, query budget, verify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection, transaction

from apps.accounts.models import Role, User
from apps.audit.db import drop_append_only_triggers
from apps.audit.models import AuditEvent, Chain
from apps.audit.services import record_event
from tests.accounts.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/audit/events/"
VERIFY_URL = "/api/v1/audit/verify/"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _record(organization, *, at=T0, actor=None, action="test.event", target=None):
    with mock.patch("django.utils.timezone.now", return_value=at), transaction.atomic():
        return record_event(
            organization=organization, actor=actor, action=action, target=target
        )


@pytest.fixture
def auditor(make_user):
    return make_user(Role.AUDITOR)


@pytest.fixture
def events(org, make_user):
    """Four events that differ in actor, action, object and time (one hour apart)."""
    alice, bob = make_user(Role.ORG_ADMIN), make_user(Role.ORG_ADMIN)
    hour = timedelta(hours=1)
    return {
        "alice_created": _record(
            org, at=T0, actor=alice, action="model.created", target=("model", 1)
        ),
        "bob_created": _record(
            org, at=T0 + hour, actor=bob, action="model.created", target=("model", 2)
        ),
        "bob_approved": _record(
            org,
            at=T0 + 2 * hour,
            actor=bob,
            action="promotion.approved",
            target=("promotion", 1),
        ),
        "system_verified": _record(org, at=T0 + 3 * hour, action="audit.verified"),
    }


def _seqs(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["seq"] for item in response.json()["results"]]


def _error(response) -> dict:
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"error"}
    return response.json()["error"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["system_verified", "bob_approved", "bob_created", "alice_created"]),
        ({"action": "model.created"}, ["bob_created", "alice_created"]),
        ({"action_prefix": "promotion."}, ["bob_approved"]),
        ({"object_type": "model"}, ["bob_created", "alice_created"]),
        ({"object_type": "model", "object_id": "2"}, ["bob_created"]),
        ({"occurred_after": (T0 + timedelta(hours=2)).isoformat()},
         ["system_verified", "bob_approved"]),
        ({"occurred_before": (T0 + timedelta(hours=1)).isoformat()}, ["alice_created"]),
    ],
)  # fmt: skip
def test_audit_event_list_api_filters(api_client, auditor, events, params, expected):
    response = api_client(auditor).get(EVENTS_URL, params)

    assert _seqs(response) == [events[name].seq for name in expected]


def test_audit_event_list_api_filters_by_actor(api_client, auditor, events):
    bob_id = events["bob_created"].actor_id

    response = api_client(auditor).get(EVENTS_URL, {"actor": bob_id})

    assert _seqs(response) == [events["bob_approved"].seq, events["bob_created"].seq]


def test_audit_event_list_api_shows_the_hashed_event(api_client, auditor, events):
    event = events["alice_created"]

    response = api_client(auditor).get(EVENTS_URL, {"object_id": "1"})

    item = response.json()["results"][-1]
    assert item["canonical"] == event.canonical
    assert item["body"]["seq"] == event.seq
    assert (item["prev_hash"], item["hash"]) == ("00" * 32, bytes(event.hash).hex())
    assert (item["actor"], item["actor_username"]) == (
        event.actor_id,
        User.objects.get(pk=event.actor_id).username,
    )
    assert item["occurred_at"] == item["body"]["ts"] == "2026-03-01T12:00:00.000000Z"


def test_audit_event_list_api_shows_no_username_for_system_events(
    api_client, auditor, events
):
    response = api_client(auditor).get(EVENTS_URL, {"action": "audit.verified"})

    (item,) = response.json()["results"]
    assert (item["actor"], item["actor_username"], item["actor_type"]) == (
        None,
        None,
        "system",
    )


def test_audit_event_list_api_pages_through_every_event_newest_first(
    api_client, auditor, org, append_events
):
    append_events(23)
    client, seen = api_client(auditor), []

    url, params = EVENTS_URL, {"page_size": 5}
    while url:
        body = client.get(url, params).json()
        seen += [item["seq"] for item in body["results"]]
        url, params = body["next"], None

    assert seen == list(range(23, 0, -1))


def test_audit_event_list_api_shows_only_the_callers_organisation(
    api_client, auditor, append_events
):
    append_events(2)
    other = OrganizationFactory()
    append_events(3, organization=other, action="other.secret")
    acme_key = Chain.objects.get(organization=auditor.organization).key

    response = api_client(auditor).get(EVENTS_URL)

    assert _seqs(response) == [2, 1]
    assert {item["body"]["chain"] for item in response.json()["results"]} == {acme_key}


def test_audit_event_detail_api_hides_another_organisations_event(
    api_client, auditor, append_events
):
    append_events(1)
    append_events(3, organization=OrganizationFactory())

    response = api_client(auditor).get(f"{EVENTS_URL}3/")

    assert response.status_code == 404


@pytest.mark.parametrize("count", [5, 50])
def test_audit_event_list_api_query_count_does_not_grow_with_events(
    api_client, make_user, org, count, django_assert_num_queries
):
    actors = [make_user(Role.ORG_ADMIN) for _ in range(3)]
    for n in range(count):
        _record(org, actor=actors[n % 3], target=("model", n))
    client = api_client(make_user(Role.AUDITOR))

    # 1. the caller's memberships (IsAuditReader)
    # 2. one page of events, joined to their chain, the actors' usernames in a
    #    subquery (actor_id is derived from the hashed text, not a foreign key)
    with django_assert_num_queries(2):
        response = client.get(EVENTS_URL, {"page_size": 50})

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"actor": "abc"}, "actor"),
        ({"occurred_after": "notadate"}, "occurred_after"),
        ({"occurred_before": "2026-13-45"}, "occurred_before"),
    ],
)
def test_audit_event_list_api_refuses_bad_filters(api_client, auditor, params, field):
    response = api_client(auditor).get(EVENTS_URL, params)

    error = _error(response)
    assert error["code"] == "validation_error"
    assert error["message"]
    assert list(error["fields"]) == [field]
    assert error["fields"][field]


def test_audit_verify_api_answers_ok_with_the_head(api_client, auditor, append_events):
    *_, last = append_events(3)

    response = api_client(auditor).get(VERIFY_URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["head_seq"], body["head_hash"]) == (
        True,
        3,
        bytes(last.hash).hex(),
    )
    assert body["first_bad_seq"] is None


def test_audit_verify_api_names_the_first_bad_seq(api_client, auditor, append_events):
    append_events(3)
    drop_append_only_triggers(connection)
    event = AuditEvent.objects.get(seq=2)
    AuditEvent.objects.filter(seq=2).update(
        canonical=event.canonical.replace("test.event", "test.rewritten")
    )

    body = api_client(auditor).get(VERIFY_URL).json()

    assert (body["ok"], body["first_bad_seq"], body["reason"]) == (False, 2, "edited")
