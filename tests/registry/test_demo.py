"""The demo registry: ~40 models over every tier, requests in every end state, one
break-glass, one overdue revalidation, a verifiable audit chain, and idempotent."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from apps.accounts.demo import seed_demo
from apps.accounts.management.commands import seed_demo as seed_demo_command
from apps.accounts.models import Membership, Organization, Role
from apps.audit.integrity import chain_verify
from apps.audit.models import AuditEvent, Chain
from apps.registry.demo import CATALOGUE, SWEEP_AHEAD, seed_demo_registry
from apps.registry.models import (
    Alias,
    Comment,
    Decision,
    EvidenceItem,
    ModelVersion,
    PromotionRequest,
    RegisteredModel,
    RiskTier,
)

pytestmark = pytest.mark.django_db

Status = PromotionRequest.Status
TABLES = [
    RegisteredModel,
    ModelVersion,
    Alias,
    PromotionRequest,
    Decision,
    EvidenceItem,
    Comment,
    AuditEvent,
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seeded once for the module, inside a transaction rolled back at its end; each
    test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        seed = seed_demo_registry(organization=Organization.objects.get(slug="acme"))
        yield seed
        transaction.set_rollback(True)


def _statuses() -> Counter:
    return Counter(PromotionRequest.objects.values_list("status", flat=True))


def _counts() -> dict[str, int]:
    return {table.__name__: table.objects.count() for table in TABLES}


def test_demo_registers_forty_models_over_every_tier_and_team(demo):
    tiers = Counter(RegisteredModel.objects.values_list("risk_tier", flat=True))
    per_team = Counter(RegisteredModel.objects.values_list("team__slug", flat=True))

    assert demo.models_created == RegisteredModel.objects.count() == 40
    assert tiers == {"low": 14, "medium": 11, "high": 9, "critical": 6}
    assert set(tiers) == set(RiskTier.values)
    assert len(per_team) == 12
    assert min(per_team.values()) >= 3


def test_demo_versions_carry_their_lineage(demo):
    submitted = ModelVersion.objects.exclude(status=ModelVersion.Status.DRAFT)

    assert ModelVersion.objects.count() == sum(spec.versions for spec in CATALOGUE)
    assert ModelVersion.objects.filter(status="draft").count() == 2
    for version in submitted:
        assert len(version.artifact_sha256) == 64
        assert len(version.code_commit) == 40
        assert version.run_ref.startswith("mlflow:runs/")
        assert len(version.dataset_refs) == 2
        assert version.metrics
        assert version.model_card["intended_use"] == version.model.purpose
    assert len({v.artifact_sha256 for v in submitted}) == submitted.count()


def test_demo_has_requests_in_every_end_state(demo):
    assert _statuses() == {
        Status.APPLIED: 84,
        Status.OPEN: 7,
        Status.REJECTED: 4,
        Status.APPROVED: 3,
        Status.WITHDRAWN: 3,
        Status.EXPIRED: 2,
    }
    applied = PromotionRequest.objects.filter(status=Status.APPLIED)
    assert set(applied.values_list("target", flat=True)) == {"production", "staging"}


def test_demo_open_requests_await_decisions_some_partly_approved(demo):
    open_requests = PromotionRequest.objects.filter(status=Status.OPEN)
    approvals = Counter(
        Decision.objects.filter(request__in=open_requests).values_list(
            "request_id", flat=True
        )
    )

    assert sum(1 for r in open_requests if r.pk not in approvals) == 4
    partly = [r for r in open_requests if r.pk in approvals]
    assert len(partly) == 3
    for request in partly:
        assert 0 < approvals[request.pk] < request.policy_snapshot["required_approvals"]


def test_demo_rejections_say_why_and_are_discussed(demo):
    rejected = PromotionRequest.objects.filter(status=Status.REJECTED)

    for request in rejected:
        reject = request.decisions.get(outcome=Decision.Outcome.REJECT)
        assert reject.comment
        assert request.comments.filter(author=request.requested_by).exists()
    assert (
        EvidenceItem.objects.filter(status="rejected")
        .exclude(review_comment="")
        .count()
        == EvidenceItem.objects.filter(status="rejected").count()
    )


def test_demo_expired_requests_were_approved_and_never_applied(demo):
    expired = PromotionRequest.objects.filter(status=Status.EXPIRED)

    assert demo.expired == expired.count() == 2
    for request in expired:
        assert request.approved_at is not None
        assert request.applied_by is None
        assert request.approved_until <= timezone.now() + SWEEP_AHEAD


def test_demo_has_one_break_glass_with_its_retrospective_open(demo):
    broken = PromotionRequest.objects.get(break_glass=True)
    retrospective = broken.retrospective

    assert broken.status == Status.APPLIED
    assert broken.applied_by.memberships.filter(role=Role.RISK_OFFICER).exists()
    assert retrospective.status == Status.OPEN
    assert retrospective.retrospective_due > timezone.now()
    alias = Alias.objects.get(model=broken.version.model, name="production")
    assert alias.via_request == broken


def test_demo_has_exactly_one_overdue_revalidation_on_a_production_version(demo):
    overdue = ModelVersion.objects.get(revalidation_overdue_since__isnull=False)
    swept_on = timezone.localdate() + SWEEP_AHEAD

    assert demo.revalidations_overdue == 1
    assert overdue.revalidation_due < swept_on
    assert overdue.aliases.filter(name="production", protected=True).exists()
    others = ModelVersion.objects.exclude(pk=overdue.pk)
    assert not others.filter(revalidation_due__lt=swept_on).exists()


def test_demo_every_protected_alias_was_moved_by_an_applied_request(demo):
    aliases = Alias.objects.select_related("via_request")
    names = Counter(aliases.values_list("name", flat=True))

    assert names == {"production": 31, "staging": 38}
    for alias in aliases:
        request = alias.via_request
        assert alias.protected
        assert request.status == Status.APPLIED
        assert (request.version_id, request.target) == (alias.version_id, alias.name)


def test_demo_people_include_two_approvers_and_two_risk_officers(demo):
    roles = Counter(Membership.objects.filter(team=None).values_list("role", flat=True))

    assert roles[Role.APPROVER] == 2
    assert roles[Role.RISK_OFFICER] == 2
    assert [login.username for login in demo.logins] == ["risk2"]


def test_demo_leaves_a_verifiable_audit_chain(demo):
    result = chain_verify(chain=Chain.objects.get(organization__slug="acme"))

    assert result.ok, result.finding


def test_seed_demo_command_seeds_the_registry_once(demo, monkeypatch):
    # The assessment history has its own test; this one is about the registry call.
    monkeypatch.setattr(
        seed_demo_command, "seed_demo_assessments", lambda organization: 0
    )
    before, out = _counts(), io.StringIO()

    call_command("seed_demo", "--allow-production", stdout=out)

    assert "Registry models created: 0" in out.getvalue()
    assert "risk2" in out.getvalue()
    assert _counts() == before
