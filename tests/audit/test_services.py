"""record_event: the one write path of the audit trail."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import transaction

from apps.audit.models import AuditEvent, Chain
from apps.audit.selectors import figures_version
from apps.audit.services import (
    FIGURE_NEUTRAL_ACTIONS,
    AuditOutsideTransactionError,
    record_event,
)
from tests.accounts.factories import TEST_PASSWORD, OrganizationFactory

pytestmark = pytest.mark.django_db

ZERO = bytes(32)


def _expected_hash(prev: bytes, canonical: str) -> bytes:
    return hashlib.sha256(prev + hashlib.sha256(canonical.encode()).digest()).digest()


def _record(organization, **kwargs) -> AuditEvent:
    kwargs = {"actor": None, "action": "test.event", **kwargs}
    with transaction.atomic():
        return record_event(organization=organization, **kwargs)


def test_record_event_numbers_the_chain_from_one_without_gaps(org, append_events):
    append_events(4)

    seqs = list(
        AuditEvent.objects.filter(chain__organization=org).values_list("seq", flat=True)
    )

    assert seqs == [1, 2, 3, 4]
    assert Chain.objects.get(organization=org).head_seq == 4


def test_record_event_links_each_event_to_its_predecessor(append_events):
    first, second, third = append_events(3)

    assert bytes(first.prev_hash) == ZERO
    assert bytes(second.prev_hash) == bytes(first.hash)
    assert bytes(third.prev_hash) == bytes(second.hash)


def test_record_event_hashes_prev_and_digest_of_canonical(append_events):
    events = append_events(3)

    for event in AuditEvent.objects.filter(pk__in=[e.pk for e in events]):
        prev = bytes(event.prev_hash)
        assert bytes(event.hash) == _expected_hash(prev, event.canonical)


def test_record_event_moves_the_head_to_the_last_event(append_events, org_chain):
    *_, last = append_events(3)

    chain = org_chain()

    assert (chain.head_seq, bytes(chain.head_hash)) == (3, bytes(last.hash))


def test_record_event_writes_sorted_compact_canonical_json(org, make_user):
    actor = make_user("org_admin")

    event = _record(org, actor=actor, target=("model", 7), data={"b": 1, "a": [2]})

    body = json.loads(event.canonical)
    assert event.canonical == json.dumps(body, sort_keys=True, separators=(",", ":"))
    assert set(body) >= {"chain", "seq", "ts", "actor", "action", "object"}
    assert set(body) >= {"data", "ctx"}
    assert body["chain"] == f"org:{org.pk}"
    assert body["actor"] == {"type": "user", "id": actor.pk}
    assert body["object"] == {"type": "model", "id": "7"}
    assert body["data"] == {"a": [2], "b": 1}


def test_record_event_stores_the_indexed_columns_of_the_body(org, make_user):
    actor = make_user("org_admin")

    event = _record(org, actor=actor, action="x.done", target=("model", 7))

    # Derived by the database from the hashed text; the returned event says the same.
    stored = AuditEvent.objects.get(pk=event.pk)
    body = json.loads(stored.canonical)
    columns = ("seq", "ts", "actor_id", "actor_type", "action", "object_type")
    columns += ("object_id",)
    expected = (1, body["ts"], actor.pk, "user", "x.done", "model", "7")
    assert tuple(getattr(stored, name) for name in columns) == expected
    assert tuple(getattr(event, name) for name in columns) == expected
    assert body["ts"].endswith("Z")


def test_record_event_derives_null_actor_for_system_events(org):
    event = _record(org)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_type) == (None, "system")
    assert (stored.object_type, stored.object_id) == ("", "")


def test_record_event_keeps_a_separate_chain_per_organisation(org, append_events):
    other = OrganizationFactory()
    append_events(2)

    event = _record(other)

    assert event.seq == 1
    assert event.chain.organization == other
    assert Chain.objects.get(organization=org).head_seq == 2


def test_record_event_without_organisation_goes_to_the_platform_chain():
    event = _record(None)

    chain = Chain.objects.get(pk=event.chain_id)
    assert (chain.key, chain.organization_id, chain.head_seq) == ("platform", None, 1)
    assert json.loads(event.canonical)["chain"] == "platform"


@pytest.mark.django_db(transaction=True)
def test_record_event_refuses_to_run_outside_a_transaction(org):
    with pytest.raises(AuditOutsideTransactionError, match="outside a transaction"):
        record_event(organization=org, actor=None, action="test.event")

    assert not AuditEvent.objects.exists()
    assert not Chain.objects.exists()


@pytest.mark.parametrize(
    "key",
    ["password", "new_password", "password2", "passphrase", "client_secret",
     "secret_key", "aws_secret_access_key", "access_token", "api_key", "apiKey",
     "private_key", "credentials", "Authorization"],
)  # fmt: skip
def test_record_event_redacts_sensitive_keys(org, key):
    event = _record(org, data={key: "hunter2", "name": "kept"})

    data = json.loads(event.canonical)["data"]
    assert data == {key: "[redacted]", "name": "kept"}
    assert "hunter2" not in event.canonical


def test_record_event_redacts_sensitive_keys_at_any_depth(org):
    data = {"outer": {"items": [{"token": "t0k3n", "id": 1}], "inner": {"pass": "p"}}}

    event = _record(org, data=data)

    body = json.loads(event.canonical)["data"]
    assert body == {
        "outer": {
            "items": [{"token": "[redacted]", "id": 1}],
            "inner": {"pass": "[redacted]"},
        }
    }


def test_record_event_puts_the_request_id_of_a_login_in_ctx(client, make_user, org):
    user = make_user("executive")

    response = client.post(
        "/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.login_succeeded")
    ctx = json.loads(event.canonical)["ctx"]
    assert ctx["request_id"] == response["X-Request-ID"]
    assert (event.actor_id, event.chain.organization_id) == (user.pk, org.pk)


def test_record_event_leaves_ctx_empty_outside_a_request(org):
    event = _record(org)

    assert json.loads(event.canonical)["ctx"] == {}


class Boom(Exception):
    pass


def _record_then_fail(organization) -> None:
    with transaction.atomic():
        record_event(organization=organization, actor=None, action="test.undone")
        raise Boom


def test_record_event_rolled_back_leaves_no_event_and_no_gap(org, append_events):
    *_, last = append_events(2)
    with pytest.raises(Boom):
        _record_then_fail(org)

    chain = Chain.objects.get(organization=org)
    assert (chain.head_seq, bytes(chain.head_hash)) == (2, bytes(last.hash))
    assert not AuditEvent.objects.filter(action="test.undone").exists()
    assert _record(org).seq == 3


def test_record_event_rolled_back_first_event_leaves_no_chain(org):
    with pytest.raises(Boom):
        _record_then_fail(org)

    assert not Chain.objects.filter(organization=org).exists()
    assert _record(org).seq == 1


def test_the_figures_hash_follows_every_event_but_the_neutral_ones(org):
    assert figures_version(organization_id=org.pk) is None
    changed = _record(org, action="assessment.submitted")
    assert figures_version(organization_id=org.pk) == bytes(changed.hash).hex()

    for action in ("api_token.created", "model_version.created", "auth.logged_out"):
        assert action in FIGURE_NEUTRAL_ACTIONS
        _record(org, action=action)
        assert figures_version(organization_id=org.pk) == bytes(changed.hash).hex()

    # An action no list names moves it: forgetting one costs a recomputation only.
    unlisted = _record(org, action="test.something_new")
    assert figures_version(organization_id=org.pk) == bytes(unlisted.hash).hex()
    assert Chain.objects.get(organization=org).head_seq == 5


def test_a_rolled_back_event_leaves_the_figures_hash_where_it_was(org):
    kept = _record(org, action="assessment.submitted")

    def failed_change():
        with transaction.atomic():
            record_event(organization=org, actor=None, action="assessment.reviewed")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failed_change()

    assert figures_version(organization_id=org.pk) == bytes(kept.hash).hex()
