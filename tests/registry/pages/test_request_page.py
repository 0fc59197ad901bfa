"""The request page: policy snapshot, readiness in words, decisions and comments, and
action forms offered only to those allowed, each posting to one promotion service."""

from __future__ import annotations

import pytest

from apps.registry import promotion
from apps.registry.models import Alias, Comment, Decision, PromotionRequest
from tests.registry.pages.conftest import count_queries, messages_of

pytestmark = pytest.mark.django_db


def _url(request, action: str = "") -> str:
    return f"/registry/requests/{request.pk}/{action + '/' if action else ''}"


def _open(registry, tier: str = "low") -> PromotionRequest:
    return registry.request(registry.version(registry.model(tier=tier)))


def test_request_page_shows_the_policy_snapshot(registry, client_for):
    request = _open(registry, tier="high")

    html = client_for(registry.lead).get(_url(request)).content.decode()

    assert "<dt>Approvals</dt><dd>2 from independent approvers</dd>" in html
    assert "<dt>Required roles</dt><dd>risk officer</dd>" in html
    assert "<dt>Approvals valid for</dt><dd>7 days</dd>" in html
    assert "<strong>validation_report</strong>" in html
    assert "allowed to risk officers; retrospective within 72 hours" in html


def test_request_page_says_what_is_still_missing(registry, client_for):
    request = _open(registry, tier="high")
    registry.approve(request, registry.approvers[0])

    response = client_for(registry.lead).get(_url(request))

    assert list(response.context["readiness"].blockers) == [
        "1 of 2 approvals.",
        "No approval yet from a risk officer.",
        "No accepted evidence for model_card.",
        "No accepted evidence for validation_report.",
    ]
    assert "<li>No approval yet from a risk officer.</li>" in response.content.decode()


def test_an_approved_request_says_it_is_ready_to_apply(registry, client_for):
    request = registry.approved()

    html = client_for(registry.lead).get(_url(request)).content.decode()

    assert 'id="ready"' in html
    assert 'id="apply-form"' in html


def test_an_eligible_approver_is_offered_approve_and_reject(registry, client_for):
    request = _open(registry)

    html = client_for(registry.approvers[0]).get(_url(request)).content.decode()

    assert 'id="decide-form"' in html
    assert 'id="withdraw-form"' not in html
    assert 'id="apply-form"' not in html


def test_the_requester_is_offered_withdraw_not_a_decision(registry, client_for):
    request = _open(registry)

    html = client_for(registry.lead).get(_url(request)).content.decode()

    assert 'id="withdraw-form"' in html
    assert 'id="decide-form"' not in html


def test_an_approver_who_built_the_version_is_told_why_not(
    registry, client_for, make_user
):
    builder = make_user("approver")
    model = registry.model()
    request = registry.request(registry.version(model, authors=[builder.pk]))

    html = client_for(builder).get(_url(request)).content.decode()

    assert 'id="decide-form"' not in html
    assert "You are an author of the version: someone independent must decide." in html


def test_break_glass_is_offered_to_risk_officers_only_when_the_policy_allows(
    registry, client_for
):
    high, low = _open(registry, tier="high"), _open(registry, tier="low")
    officer = client_for(registry.risk_officers[0])

    assert 'id="break-glass-form"' in officer.get(_url(high)).content.decode()
    assert 'id="break-glass-form"' not in officer.get(_url(low)).content.decode()
    approver = client_for(registry.approvers[0]).get(_url(high)).content.decode()
    assert 'id="break-glass-form"' not in approver


def test_approving_records_the_decision_and_redirects(registry, client_for):
    request = _open(registry)

    response = client_for(registry.approvers[0]).post(
        _url(request, "decide"), {"outcome": "approve", "comment": "Fine."}, follow=True
    )

    request.refresh_from_db()
    assert request.status == PromotionRequest.Status.APPROVED
    assert response.redirect_chain == [(_url(request), 302)]
    assert messages_of(response) == ["Approval recorded; the request is approved."]
    assert "<blockquote>Fine.</blockquote>" in response.content.decode()


def test_a_reject_without_a_comment_is_refused_on_the_page(registry, client_for):
    request = _open(registry)

    response = client_for(registry.approvers[0]).post(
        _url(request, "decide"), {"outcome": "reject"}
    )

    assert response.status_code == 400
    assert messages_of(response) == ["A reject needs a comment saying why."]
    assert response.context["decide_form"].errors == {"comment": ["Required."]}
    assert not Decision.objects.exists()


def test_a_reject_with_a_comment_closes_the_request(registry, client_for):
    request = _open(registry)

    client_for(registry.approvers[0]).post(
        _url(request, "decide"), {"outcome": "reject", "comment": "No holdout."}
    )

    request.refresh_from_db()
    assert request.status == PromotionRequest.Status.REJECTED


def test_a_team_member_deciding_is_refused_not_an_error(registry, client_for):
    request = _open(registry)

    response = client_for(registry.member).post(
        _url(request, "decide"), {"outcome": "approve"}
    )

    assert response.status_code == 403
    assert messages_of(response) == [
        "Deciding promotions takes the approver or risk officer role."
    ]


def test_the_requester_withdraws(registry, client_for):
    request = _open(registry)

    response = client_for(registry.lead).post(
        _url(request, "withdraw"), {"reason": "Wrong version."}, follow=True
    )

    request.refresh_from_db()
    assert request.status == PromotionRequest.Status.WITHDRAWN
    assert messages_of(response) == ["Request withdrawn."]
    assert "<strong>Withdrawn</strong>" in response.content.decode()


def test_someone_else_withdrawing_is_refused(registry, client_for):
    request = _open(registry)

    response = client_for(registry.member).post(_url(request, "withdraw"))

    assert response.status_code == 403
    assert messages_of(response) == ["Only the requester can withdraw a request."]
    request.refresh_from_db()
    assert request.status == PromotionRequest.Status.OPEN


def test_the_team_applies_an_approved_request(registry, client_for):
    request = registry.approved()

    response = client_for(registry.member).post(_url(request, "apply"), follow=True)

    alias = Alias.objects.get(model=request.version.model, name="production")
    assert alias.version_id == request.version_id
    assert messages_of(response) == ["Applied: production → v1."]


def test_applying_an_open_request_is_refused_on_the_page(registry, client_for):
    request = _open(registry)

    response = client_for(registry.lead).post(_url(request, "apply"))

    assert response.status_code == 400
    assert messages_of(response) == ["The request is open; this needs it approved."]
    assert not Alias.objects.exists()


def test_a_risk_officer_breaks_the_glass_with_a_reason(registry, client_for):
    request = _open(registry, tier="high")

    response = client_for(registry.risk_officers[0]).post(
        _url(request, "break-glass"), {"reason": "Fraud wave tonight."}, follow=True
    )

    request.refresh_from_db()
    assert (request.status, request.break_glass) == ("applied", True)
    assert messages_of(response) == [
        "Break-glass applied: production → v1. A retrospective review is open."
    ]
    html = response.content.decode()
    assert f'href="/registry/requests/{request.retrospective.pk}/"' in html
    assert '<li class="event applied break-glass">' in html


def test_break_glass_without_a_reason_is_a_form_error(registry, client_for):
    request = _open(registry, tier="high")

    response = client_for(registry.risk_officers[0]).post(
        _url(request, "break-glass"), {"reason": ""}
    )

    assert response.status_code == 400
    assert "reason" in response.context["break_glass_form"].errors
    request.refresh_from_db()
    assert request.status == PromotionRequest.Status.OPEN


def test_anyone_who_reads_the_request_may_comment(registry, client_for):
    request = _open(registry)

    response = client_for(registry.admin).post(
        _url(request, "comments"), {"body": "Who owns the rollback?"}, follow=True
    )

    assert Comment.objects.get(request=request).author == registry.admin
    assert "Who owns the rollback?" in response.content.decode()


def test_an_approver_reviews_evidence_from_the_request_page(registry, client_for):
    model = registry.model(tier="medium")
    version = registry.version(model)
    item = registry.evidence(version, "model_card", accept=False)
    request = registry.request(version)

    response = client_for(registry.approvers[0]).post(
        _url(request, f"evidence/{item.pk}/review"),
        {"outcome": "reject", "comment": "Out of date."},
        follow=True,
    )

    item.refresh_from_db()
    assert (item.status, item.review_comment) == ("rejected", "Out of date.")
    assert response.redirect_chain == [(_url(request), 302)]


def test_another_organisations_request_is_a_404(registry, client_for, stranger):
    request = _open(registry)
    client = client_for(stranger)

    assert client.get(_url(request)).status_code == 404
    assert (
        client.post(_url(request, "decide"), {"outcome": "approve"}).status_code == 404
    )
    assert not Decision.objects.exists()


def test_request_page_queries_do_not_grow_with_decisions(registry, client_for):
    few_request = registry.approve(
        _open(registry, tier="critical"), registry.approvers[0]
    )
    many_request = registry.approve(
        _open(registry, tier="critical"), *registry.approvers
    )
    for request in (few_request, many_request):
        promotion.promotion_decide(
            request=request, approver=registry.risk_officers[0], approve=True
        )
    client = client_for(registry.lead)
    client.get(_url(few_request))

    # Session, user, roles, the request (model, team, people, policy), its decisions,
    # its comments, the readiness facts (decisions, accepted evidence, the team's
    # signals, the CI runs on the version's commit), the version's evidence, the
    # organisation (page header).
    few = count_queries(client, _url(few_request))
    many = count_queries(client, _url(many_request))

    assert few == many == 12
