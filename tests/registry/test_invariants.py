"""The registry invariants (registry-anchors.md §9.3), each checked against the database.

`assert_invariants` reads the whole registry and checks what must always hold; a
property test throws random sequences of workflow steps at it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.audit.integrity import chain_verify
from apps.audit.models import AuditEvent, Chain
from apps.core.exceptions import ApplicationError
from apps.registry import promotion, services
from apps.registry.models import (
    Alias,
    Comment,
    Decision,
    EvidenceItem,
    ModelVersion,
    PromotionPolicy,
    PromotionRequest,
)

pytestmark = pytest.mark.django_db


def assert_invariants() -> None:
    # 1. A protected alias points at an active version whose request for the target
    #    was applied (or broken-glass and awaiting its retrospective).
    for alias in Alias.objects.filter(protected=True).select_related(
        "via_request", "version"
    ):
        request = alias.via_request
        assert request.status == "applied", alias
        assert (request.version_id, request.target) == (alias.version_id, alias.name)
        assert alias.version.status == ModelVersion.Status.ACTIVE
    # 2. Every approved or applied (not break-glass) request had N distinct approvers,
    #    none of them excluded, covering the required roles.
    for request in PromotionRequest.objects.filter(
        status__in=["approved", "applied"], break_glass=False
    ).select_related("version"):
        approvals = [d for d in request.decisions.all() if d.outcome == "approve"]
        approvers = {d.approver_id for d in approvals}
        policy = request.policy_snapshot
        assert len(approvers) >= policy["required_approvals"], request
        excluded = {
            request.requested_by_id,
            request.on_behalf_of_id,
            *request.version.authors,
        }
        assert not approvers & excluded, request
        covered = {role for d in approvals for role in d.roles}
        assert set(policy["required_roles"]) <= covered, request
        assert all(d.roles for d in approvals)
        # 3. No promotion without evidence: every mandatory requirement accepted.
        accepted = set(
            EvidenceItem.objects.filter(
                version=request.version, status="accepted"
            ).values_list("requirement_key", flat=True)
        )
        mandatory = {r["key"] for r in policy["requirements"] if r["mandatory"]}
        assert mandatory <= accepted, request
        # 10. approved_until = approved_at + ttl.
        if request.approved_at:
            assert request.approved_until - request.approved_at == timedelta(
                days=policy["approval_ttl_days"]
            )
    # 5. At most one request in flight per version and target.
    in_flight = PromotionRequest.objects.filter(status__in=["open", "approved"])
    pairs = list(in_flight.values_list("version_id", "target"))
    assert len(pairs) == len(set(pairs))
    # 6/7. The chain is whole.
    for chain in Chain.objects.all():
        assert chain_verify(chain=chain).finding is None


# --- Frozen content (4) and append-only history (7) -----------------------------------------


def _raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("artifact_sha256", "b" * 64),
        ("code_commit", "feedface"),
        ("metrics", '{"auc": 0.99}'),
        ("authors", "[]"),
        ("source_uri", "s3://elsewhere"),
        ("submitted_at", None),
    ],
)
def test_frozen_version_content_refuses_raw_sql(registry, column, value):
    version = registry.version(registry.model())
    with pytest.raises(DatabaseError, match="frozen"):
        _raw(
            f"UPDATE registry_modelversion SET {column} = %s WHERE id = %s",
            [value, version.pk],
        )
    with pytest.raises(DatabaseError, match="frozen"):
        _raw("DELETE FROM registry_modelversion WHERE id = %s", [version.pk])


def test_frozen_version_still_moves_through_its_lifecycle(registry):
    version = registry.version(registry.model())
    _raw(
        "UPDATE registry_modelversion SET status = 'retired', revalidation_due = NULL "
        "WHERE id = %s",
        [version.pk],
    )
    version.refresh_from_db()
    assert version.status == "retired"


def test_a_draft_version_is_editable_and_a_submitted_one_is_not(registry):
    model = registry.model()
    draft = registry.version(model, submit=False)
    draft = services.version_update(
        version=draft, updated_by=registry.lead, metrics={"auc": 0.91}
    )
    assert draft.metrics == {"auc": 0.91}
    services.version_submit(version=draft, submitted_by=registry.lead)
    with pytest.raises(ApplicationError) as refused:
        services.version_update(
            version=draft, updated_by=registry.lead, metrics={"auc": 0.99}
        )
    assert refused.value.code == "frozen"
    # Even a caller going around the services is stopped by the database.
    draft.refresh_from_db()
    draft.metrics = {"auc": 0.99}
    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic():
        draft.save()


def test_reviewed_evidence_is_immutable(registry):
    version = registry.version(registry.model())
    item = registry.evidence(version, "model_card")
    with pytest.raises(DatabaseError, match="frozen"):
        _raw("UPDATE registry_evidenceitem SET sha256 = 'x' WHERE id = %s", [item.pk])
    with pytest.raises(DatabaseError, match="frozen"):
        _raw("DELETE FROM registry_evidenceitem WHERE id = %s", [item.pk])


@pytest.mark.parametrize(
    "table", ["registry_decision", "registry_comment", "registry_promotionpolicy"]
)
def test_history_tables_are_append_only(registry, table):
    request = registry.approved()
    services.comment_add(
        author=registry.approvers[2], body="Looks fine.", request=request
    )
    assert Decision.objects.exists()
    assert Comment.objects.exists()
    assert PromotionPolicy.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"UPDATE {table} SET id = id")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {table}")


def test_a_comment_edit_is_a_new_row(registry):
    request = registry.approved()
    first = services.comment_add(
        author=registry.approvers[0], body="Typo", request=request
    )
    second = services.comment_add(
        author=registry.approvers[0], body="Fixed", request=request, supersedes=first
    )
    assert Comment.objects.filter(request=request).count() == 2
    assert second.supersedes_id == first.pk
    with pytest.raises(ApplicationError):
        services.comment_add(
            author=registry.approvers[1],
            body="Hijack",
            request=request,
            supersedes=first,
        )


# --- Unique constraints (5) -------------------------------------------------------------------


def test_the_database_refuses_a_second_request_in_flight(registry):
    request = registry.request(registry.version(registry.model()))
    duplicate = PromotionRequest(
        version=request.version,
        target=request.target,
        requested_by=request.requested_by,
        justification="x",
        policy=request.policy,
        policy_snapshot=request.policy_snapshot,
        evidence_digest_at_open=request.evidence_digest_at_open,
        opened_at=request.opened_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_database_refuses_a_protected_alias_without_a_request(registry):
    version = registry.version(registry.model())
    with pytest.raises(IntegrityError), transaction.atomic():
        Alias.objects.create(
            model=version.model,
            name="production",
            version=version,
            protected=True,
            set_by=registry.lead,
            set_at=version.created_at,
        )


# --- Exactly one event per step (6) ---------------------------------------------------------


def test_each_step_writes_exactly_one_event_and_a_refused_one_none(registry):
    model = registry.model(tier="medium")
    steps = [
        lambda: registry.version(model, submit=False),
    ]
    version = None
    for step in steps:
        before = AuditEvent.objects.count()
        version = step()
        assert AuditEvent.objects.count() == before + 1
    counted = [
        lambda: services.version_submit(version=version, submitted_by=registry.lead),
        lambda: registry.evidence(version, "model_card", accept=False),
        lambda: services.evidence_review(
            item=version.evidence.get(), reviewed_by=registry.approvers[2], accept=True
        ),
        lambda: registry.request(version),
        lambda: registry.approve(
            version.promotion_requests.get(), registry.approvers[0]
        ),
        lambda: registry.approve(
            version.promotion_requests.get(), registry.approvers[1]
        ),
        lambda: promotion.promotion_apply(
            request=version.promotion_requests.get(), applied_by=registry.lead
        ),
    ]
    for step in counted:
        before = AuditEvent.objects.count()
        step()
        assert AuditEvent.objects.count() == before + 1
    assert_invariants()


# --- Random walks ------------------------------------------------------------------------------

STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["approve", "reject", "replace_evidence", "apply", "withdraw", "reopen"]
        ),
        st.integers(min_value=0, max_value=6),
    ),
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_invariants_hold_after_any_sequence_of_steps(registry, steps):
    people = [
        registry.lead,
        registry.member,
        registry.admin,
        *registry.approvers,
        *registry.risk_officers,
    ]
    with transaction.atomic():
        model = registry.model(tier="high")
        version = registry.version(model)
        for key in ("validation_report", "model_card"):
            registry.evidence(version, key)
        request = registry.request(version)
        for action, who in steps:
            person = people[who % len(people)]
            try:
                if action in ("approve", "reject"):
                    promotion.promotion_decide(
                        request=request,
                        approver=person,
                        approve=action == "approve",
                        comment="Not yet." if action == "reject" else "",
                    )
                elif action == "replace_evidence":
                    current = version.evidence.filter(
                        requirement_key="model_card", superseded_by__isnull=True
                    ).first()
                    services.evidence_add(
                        version=version,
                        requirement_key="model_card",
                        kind="model_card",
                        submitted_by=registry.member,
                        url=f"https://wiki.example.com/card/{who}",
                        supersedes=current,
                    )
                elif action == "apply":
                    promotion.promotion_apply(request=request, applied_by=person)
                elif action == "withdraw":
                    promotion.promotion_withdraw(request=request, withdrawn_by=person)
                elif (
                    action == "reopen"
                    and not PromotionRequest.objects.get(pk=request.pk).in_flight
                ):
                    request = registry.request(version)
            except ApplicationError:
                pass
            assert_invariants()
        transaction.set_rollback(True)
