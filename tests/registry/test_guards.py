"""Every guard of the promotion workflow, one row each: who is refused, with which code,
and that a refused step writes nothing (no row, no audit event)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import membership_grant
from apps.audit.models import AuditEvent
from apps.core.exceptions import ApplicationError, PermissionDeniedError
from apps.registry import promotion, services
from apps.registry.models import Decision, PromotionRequest

pytestmark = pytest.mark.django_db


def _events() -> int:
    return AuditEvent.objects.count()


def _refused(step, code: str, error=ApplicationError):
    """Run a step that must be refused with `code`, and check it wrote nothing."""
    events, decisions = _events(), Decision.objects.count()
    with pytest.raises(error) as refused:
        step()
    assert refused.value.code == code, refused.value.message
    assert (_events(), Decision.objects.count()) == (events, decisions)
    return refused.value


def _open_request(registry, tier="low", **version_content):
    model = registry.model(tier=tier)
    version = registry.version(model, **version_content)
    return registry.request(version)


# --- Separation of duties --------------------------------------------------------------


def test_the_requester_cannot_approve_even_holding_the_approver_role(registry):
    membership_grant(user=registry.lead, role=Role.APPROVER)
    request = _open_request(registry)
    error = _refused(
        lambda: promotion.promotion_decide(
            request=request, approver=registry.lead, approve=True
        ),
        "separation_of_duties",
        PermissionDeniedError,
    )
    assert "requester" in error.message


def test_an_author_of_the_version_cannot_approve(registry):
    author = registry.approvers[0]
    request = _open_request(registry, authors=[author.pk])
    error = _refused(
        lambda: promotion.promotion_decide(
            request=request, approver=author, approve=True
        ),
        "separation_of_duties",
        PermissionDeniedError,
    )
    assert "author" in error.message


def test_the_versions_creator_is_an_author(registry):
    membership_grant(user=registry.member, role=Role.APPROVER)
    model = registry.model()
    version = registry.version(model, by=registry.member)
    request = registry.request(version)  # requested by the lead, built by the member
    _refused(
        lambda: promotion.promotion_decide(
            request=request, approver=registry.member, approve=True
        ),
        "separation_of_duties",
        PermissionDeniedError,
    )


def test_the_person_a_request_was_made_for_cannot_approve(registry):
    for_whom = registry.approvers[0]
    model = registry.model()
    request = registry.request(registry.version(model), on_behalf_of=for_whom)
    error = _refused(
        lambda: promotion.promotion_decide(
            request=request, approver=for_whom, approve=True
        ),
        "separation_of_duties",
        PermissionDeniedError,
    )
    assert "made for" in error.message


@pytest.mark.parametrize("who", ["admin", "member", "outsider"])
def test_only_approvers_and_risk_officers_decide_org_admins_included(registry, who):
    request = _open_request(registry)
    _refused(
        lambda: promotion.promotion_decide(
            request=request, approver=getattr(registry, who), approve=True
        ),
        "not_an_approver",
        PermissionDeniedError,
    )


def test_an_approver_decides_once(registry):
    request = _open_request(registry, tier="medium")
    registry.approve(request, registry.approvers[0])
    _refused(
        lambda: promotion.promotion_decide(
            request=request, approver=registry.approvers[0], approve=True
        ),
        "already_decided",
    )


def test_a_reject_needs_a_comment(registry):
    request = _open_request(registry)
    _refused(
        lambda: promotion.promotion_decide(
            request=request, approver=registry.approvers[0], approve=False, comment="  "
        ),
        "invalid",
    )
    request = promotion.promotion_decide(
        request=request,
        approver=registry.approvers[0],
        approve=False,
        comment="No drift test.",
    )
    assert request.status == PromotionRequest.Status.REJECTED


def test_roles_are_judged_at_decision_time(registry):
    """A revoked approver cannot decide any more, and a decision records its roles."""
    from apps.accounts.models import Membership
    from apps.accounts.services import membership_revoke

    request = _open_request(registry, tier="medium")
    approver = registry.approvers[0]
    membership_revoke(membership=Membership.objects.get(user=approver, role="approver"))
    approver = type(approver).objects.get(pk=approver.pk)  # a fresh role cache
    _refused(
        lambda: promotion.promotion_decide(
            request=request, approver=approver, approve=True
        ),
        "not_an_approver",
        PermissionDeniedError,
    )
    request = registry.approve(request, registry.risk_officers[0])
    assert request.decisions.get().roles == ["risk_officer"]


# --- Quorum, coverage and evidence --------------------------------------------------------


def test_quorum_is_n_distinct_approvals(registry):
    request = _open_request(registry, tier="medium")
    registry.evidence(request.version, "model_card")
    request = registry.approve(request, registry.approvers[0])
    assert request.status == PromotionRequest.Status.OPEN
    request = registry.approve(request, registry.approvers[1])
    assert request.status == PromotionRequest.Status.APPROVED


def test_high_tier_waits_for_a_risk_officer_however_many_approvers(registry):
    model = registry.model(tier="high")
    version = registry.version(model)
    for key in ("validation_report", "model_card"):
        registry.evidence(version, key)
    request = registry.approve(registry.request(version), *registry.approvers)
    assert request.status == PromotionRequest.Status.OPEN
    from apps.registry.selectors import request_readiness

    blockers = request_readiness(request=request, now=timezone.now()).blockers
    assert blockers == ["No approval yet from a risk officer."]
    request = registry.approve(request, registry.risk_officers[0])
    assert request.status == PromotionRequest.Status.APPROVED


def test_missing_mandatory_evidence_blocks_approval(registry):
    model = registry.model(tier="high")
    version = registry.version(model)
    registry.evidence(version, "model_card")
    registry.evidence(version, "validation_report", accept=False)  # submitted only
    request = registry.approve(
        registry.request(version), registry.risk_officers[0], registry.approvers[0]
    )
    assert request.status == PromotionRequest.Status.OPEN
    from apps.registry.selectors import request_readiness

    assert request_readiness(request=request, now=timezone.now()).blockers == [
        "No accepted evidence for validation_report."
    ]


def test_changed_evidence_after_approval_invalidates_it(registry):
    request = registry.approved(tier="high")
    version = request.version
    card = version.evidence.get(requirement_key="model_card")
    replacement = services.evidence_add(
        version=version,
        requirement_key="model_card",
        kind="model_card",
        submitted_by=registry.member,
        url="https://wiki.example.com/cards/v2",
        supersedes=card,
    )
    request.refresh_from_db()
    assert request.status == PromotionRequest.Status.OPEN
    _refused(
        lambda: promotion.promotion_apply(request=request, applied_by=registry.lead),
        "invalid_status",
    )
    # Accepting the new card does not revive the old approvals: they saw other evidence.
    services.evidence_review(
        item=replacement, reviewed_by=registry.approvers[2], accept=True
    )
    request.refresh_from_db()
    assert request.status == PromotionRequest.Status.OPEN


def test_a_policy_requiring_a_signal_waits_for_the_signal(registry):
    services.policy_set(
        organization=registry.team.organization,
        risk_tier="low",
        target="production",
        spec={
            "required_approvals": 1,
            "approval_ttl_days": 7,
            "required_signals": ["ci_green"],
        },
        set_by=registry.admin,
    )
    request = registry.approve(_open_request(registry), registry.approvers[0])
    assert request.status == PromotionRequest.Status.OPEN
    from apps.registry.selectors import request_readiness

    (blocker,) = request_readiness(request=request, now=timezone.now()).blockers
    assert blocker.startswith("Signal ci_green is not reported yet")


@pytest.mark.parametrize(
    ("conclusion", "blockers"),
    [("success", []), ("failure", ["Signal ci_green does not hold"])],
)
def test_ci_green_comes_from_the_runs_on_the_versions_commit(
    registry, conclusion, blockers
):
    from apps.registry.selectors import request_readiness
    from apps.repos.models import CIRun
    from tests.repos.factories import LinkedRepoFactory

    services.policy_set(
        organization=registry.team.organization,
        risk_tier="low",
        target="production",
        spec={
            "required_approvals": 1,
            "approval_ttl_days": 7,
            "required_signals": ["ci_green"],
        },
        set_by=registry.admin,
    )
    request = _open_request(registry)
    CIRun.objects.create(
        repo=LinkedRepoFactory(team=registry.team),
        provider="github",
        provider_run_id="1",
        status="completed",
        conclusion=conclusion,
        head_sha=request.version.code_commit,
    )
    registry.approve(request, registry.approvers[0])

    readiness = request_readiness(request=request, now=timezone.now())
    assert [b.split(":")[0] for b in readiness.blockers] == blockers


# --- Lifecycle ------------------------------------------------------------------------------


def test_one_request_in_flight_per_version_and_target(registry):
    request = _open_request(registry)
    _refused(lambda: registry.request(request.version), "duplicate_request")
    registry.request(request.version, "staging")  # another target is fine


def test_a_draft_version_cannot_be_promoted(registry):
    model = registry.model()
    draft = registry.version(model, submit=False)
    _refused(lambda: registry.request(draft), "not_submitted")


def test_only_the_requester_withdraws(registry):
    request = _open_request(registry)
    for other in (registry.member, registry.admin, registry.approvers[0]):
        _refused(
            lambda other=other: promotion.promotion_withdraw(
                request=request, withdrawn_by=other
            ),
            "not_requester",
            PermissionDeniedError,
        )
    request = promotion.promotion_withdraw(request=request, withdrawn_by=registry.lead)
    assert request.status == PromotionRequest.Status.WITHDRAWN


def test_an_open_request_cannot_be_applied(registry):
    request = _open_request(registry, tier="medium")
    _refused(
        lambda: promotion.promotion_apply(request=request, applied_by=registry.lead),
        "invalid_status",
    )


def test_an_expired_approval_cannot_be_applied(registry, monkeypatch):
    request = registry.approved()
    later = request.approved_until + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    events = _events()
    with pytest.raises(ApplicationError) as refused:
        promotion.promotion_apply(request=request, applied_by=registry.lead)
    assert refused.value.code == "approval_expired"
    request.refresh_from_db()
    assert request.status == PromotionRequest.Status.EXPIRED
    assert _events() == events + 1  # the expiry, and nothing of the apply
    assert not request.version.aliases.exists()


def test_the_daily_sweep_expires_stale_approvals(registry):
    request = registry.approved()
    assert promotion.expire_stale_approvals(now=request.approved_until) == 1
    request.refresh_from_db()
    assert request.status == PromotionRequest.Status.EXPIRED
    assert promotion.expire_stale_approvals(now=request.approved_until) == 0


def test_protected_aliases_cannot_be_set_directly(registry):
    model = registry.model()
    version = registry.version(model)
    _refused(
        lambda: services.alias_set(
            model=model, name="production", version=version, set_by=registry.lead
        ),
        "protected_alias",
    )
    alias = services.alias_set(
        model=model, name="challenger", version=version, set_by=registry.lead
    )
    assert not alias.protected


def test_promotions_are_blocked_while_a_revalidation_is_overdue(registry):
    request = registry.approved()
    promotion.promotion_apply(request=request, applied_by=registry.lead)
    version = request.version
    version.refresh_from_db()
    overdue_day = version.revalidation_due + timedelta(days=1)
    assert promotion.mark_overdue_revalidations(today=overdue_day) == 1
    assert promotion.mark_overdue_revalidations(today=overdue_day) == 0  # once

    newer = registry.version(version.model)
    _refused(lambda: registry.request(newer), "revalidation_overdue")

    services.version_revalidate(
        version=version,
        revalidated_by=registry.risk_officers[0],
        note="Backtest rerun.",
    )
    assert registry.request(newer).status == PromotionRequest.Status.OPEN


def test_an_approved_request_is_not_applied_once_revalidation_falls_overdue(registry):
    live = registry.approved()
    promotion.promotion_apply(request=live, applied_by=registry.lead)
    newer = registry.version(live.version.model)
    request = registry.approve(registry.request(newer), registry.approvers[1])
    live.version.refresh_from_db()
    promotion.mark_overdue_revalidations(
        today=live.version.revalidation_due + timedelta(days=1)
    )
    _refused(
        lambda: promotion.promotion_apply(request=request, applied_by=registry.lead),
        "revalidation_overdue",
    )


# --- Evidence review ---------------------------------------------------------------------------


def test_evidence_is_reviewed_by_someone_independent(registry):
    membership_grant(user=registry.member, role=Role.APPROVER)
    model = registry.model()
    version = registry.version(model)
    item = registry.evidence(version, "model_card", accept=False)  # submitted by member
    _refused(
        lambda: services.evidence_review(
            item=item, reviewed_by=registry.member, accept=True
        ),
        "separation_of_duties",
        PermissionDeniedError,
    )
    _refused(
        lambda: services.evidence_review(
            item=item, reviewed_by=registry.lead, accept=True
        ),
        "permission_denied",
        PermissionDeniedError,
    )


# --- Break-glass ------------------------------------------------------------------------------


def _high_request(registry):
    model = registry.model(tier="high")
    version = registry.version(model)
    return registry.request(version)


def test_break_glass_is_for_risk_officers_with_a_reason(registry):
    request = _high_request(registry)
    _refused(
        lambda: promotion.promotion_apply(
            request=request,
            applied_by=registry.approvers[0],
            break_glass=True,
            reason="x",
        ),
        "not_risk_officer",
        PermissionDeniedError,
    )
    _refused(
        lambda: promotion.promotion_apply(
            request=request, applied_by=registry.risk_officers[0], break_glass=True
        ),
        "invalid",
    )


def test_break_glass_is_refused_where_the_policy_does_not_allow_it(registry):
    request = _open_request(registry, tier="low")
    _refused(
        lambda: promotion.promotion_apply(
            request=request,
            applied_by=registry.risk_officers[0],
            break_glass=True,
            reason="Outage",
        ),
        "break_glass_not_allowed",
    )


def test_break_glass_applies_and_opens_a_retrospective_that_ratifies(registry):
    request = _high_request(registry)
    officer = registry.risk_officers[0]
    request = promotion.promotion_apply(
        request=request, applied_by=officer, break_glass=True, reason="Fraud spike"
    )
    assert (request.status, request.break_glass) == ("applied", True)
    assert request.version.aliases.get(name="production").protected
    retro = request.retrospective
    assert retro.status == "open"
    assert retro.retrospective_due > timezone.now()
    event = AuditEvent.objects.filter(
        action="promotion_request.break_glass_applied"
    ).get()
    assert event.object_id == str(request.pk)

    # Who broke the glass cannot ratify it.
    _refused(
        lambda: promotion.promotion_decide(
            request=retro, approver=officer, approve=True
        ),
        "separation_of_duties",
        PermissionDeniedError,
    )
    for key in ("validation_report", "model_card"):
        registry.evidence(request.version, key)
    retro = registry.approve(retro, registry.risk_officers[1], registry.approvers[0])
    assert retro.status == "applied"  # ratified: the alias stays


def test_a_missed_retrospective_suspends_the_version(registry):
    request = promotion.promotion_apply(
        request=_high_request(registry),
        applied_by=registry.risk_officers[0],
        break_glass=True,
        reason="Fraud spike",
    )
    retro = request.retrospective
    assert promotion.enforce_retrospectives(now=retro.retrospective_due) == 1
    retro.refresh_from_db()
    request.version.refresh_from_db()
    assert retro.status == "expired"
    assert request.version.status == "suspended"
    assert not request.version.aliases.exists()
    assert (
        AuditEvent.objects.filter(
            action="promotion_request.retrospective_missed"
        ).count()
        == 1
    )


# --- Policies ---------------------------------------------------------------------------------


def test_policy_edits_are_versioned_and_spare_requests_in_flight(registry):
    request = _open_request(registry)
    policy = services.policy_set(
        organization=registry.team.organization,
        risk_tier="low",
        target="production",
        spec={"required_approvals": 3, "approval_ttl_days": 7},
        set_by=registry.admin,
    )
    assert policy.version == 2
    assert AuditEvent.objects.filter(action="promotion_policy.updated").count() == 1
    request = registry.approve(request, registry.approvers[0])
    assert request.status == PromotionRequest.Status.APPROVED  # still N = 1


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"required_approvals": 0, "approval_ttl_days": 7}, "required_approvals"),
        ({"required_approvals": 1, "approval_ttl_days": 0}, "approval_ttl_days"),
        (
            {
                "required_approvals": 1,
                "approval_ttl_days": 7,
                "required_roles": ["org_admin"],
            },
            "required_roles",
        ),
        (
            {
                "required_approvals": 1,
                "approval_ttl_days": 7,
                "required_signals": ["vibes"],
            },
            "required_signals",
        ),
    ],
)
def test_invalid_policies_are_refused_with_the_field(registry, spec, field):
    error = _refused(
        lambda: services.policy_set(
            organization=registry.team.organization,
            risk_tier="low",
            target="production",
            spec=spec,
            set_by=registry.admin,
        ),
        "invalid",
    )
    assert field in error.fields


def test_only_org_admins_edit_policies(registry):
    _refused(
        lambda: services.policy_set(
            organization=registry.team.organization,
            risk_tier="low",
            target="production",
            spec={"required_approvals": 1, "approval_ttl_days": 7},
            set_by=registry.risk_officers[0],
        ),
        "permission_denied",
        PermissionDeniedError,
    )


def test_an_apply_that_finds_approvals_gone_stale_reopens_with_one_event(
    registry, monkeypatch
):
    """Approvals expire one by one: the first of two ages out before the apply."""
    version = registry.version(registry.model(tier="medium"))
    registry.evidence(version, "model_card")
    request = registry.request(version)
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start - timedelta(days=10))
    request = registry.approve(request, registry.approvers[0])
    monkeypatch.setattr(timezone, "now", lambda: start)
    request = registry.approve(request, registry.approvers[1])
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(days=5))
    events = _events()

    with pytest.raises(ApplicationError) as refused:
        promotion.promotion_apply(request=request, applied_by=registry.lead)

    assert refused.value.code == "not_approved"
    request.refresh_from_db()
    assert request.status == PromotionRequest.Status.OPEN
    assert _events() == events + 1
    reopened = AuditEvent.objects.order_by("-pk").first()
    assert reopened.action == "promotion_request.reopened"
    assert not version.aliases.exists()


def test_new_evidence_for_a_requirement_replaces_the_current_item(registry):
    request = registry.approved(tier="medium")
    card = request.version.evidence.get(requirement_key="model_card")

    newer = services.evidence_add(
        version=request.version,
        requirement_key="model_card",
        kind="model_card",
        submitted_by=registry.member,
        url="https://wiki.example.com/cards/fraud-v2",
    )

    assert newer.supersedes_id == card.pk
    request.refresh_from_db()
    assert (
        request.status == PromotionRequest.Status.OPEN
    )  # its approvals saw the old card


@pytest.mark.parametrize("days", [0, -30])
def test_a_revalidation_interval_below_a_day_is_refused(registry, days):
    request = registry.approved()
    promotion.promotion_apply(request=request, applied_by=registry.lead)
    version = request.version
    version.refresh_from_db()
    due = version.revalidation_due

    error = _refused(
        lambda: services.version_revalidate(
            version=version,
            revalidated_by=registry.risk_officers[0],
            note="Rerun.",
            interval_days=days,
        ),
        "invalid",
    )

    assert "interval_days" in error.fields
    version.refresh_from_db()
    assert version.revalidation_due == due
