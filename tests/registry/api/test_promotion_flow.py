"""The promotion workflow over HTTP: decide, withdraw, apply (and break the glass),
comment. A version reaches a protected alias only through an applied request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.registry.models import Alias, Comment, PromotionRequest
from tests.registry.api.helpers import error, url

pytestmark = pytest.mark.django_db


def _post(api_client, user, request, action, body=None):
    return api_client(user).post(
        url("requests", request.pk, action), body or {}, format="json"
    )


def test_open_decide_apply_over_http_moves_the_alias(registry, api_client):
    model = registry.model(tier="medium")
    version = registry.version(model)
    lead, member = api_client(registry.lead), api_client(registry.member)
    member.post(
        url("versions", version.pk, "evidence"),
        {
            "requirement_key": "model_card",
            "kind": "model_card",
            "url": "https://c.example",
        },
        format="json",
    )
    card = version.evidence.get()
    api_client(registry.risk_officers[0]).post(
        url("evidence", card.pk, "review"), {"accept": True}, format="json"
    )

    opened = lead.post(
        url("requests"),
        {"version": version.pk, "target": "production", "justification": "Better."},
        format="json",
    ).json()
    first = api_client(registry.approvers[0]).post(
        url("requests", opened["id"], "decisions"), {"approve": True}, format="json"
    )
    second = api_client(registry.approvers[1]).post(
        url("requests", opened["id"], "decisions"),
        {"approve": True, "comment": "Card reviewed."},
        format="json",
    )
    applied = lead.post(url("requests", opened["id"], "apply"), {}, format="json")
    alias = member.get(url("models", model.pk, "aliases", "production"))

    assert first.json()["status"] == "open"
    assert first.json()["readiness"]["blockers"] == ["1 of 2 approvals."]
    assert second.json()["status"] == "approved"
    assert applied.status_code == 200, applied.content
    assert applied.json()["status"] == "applied"
    assert applied.json()["applied_by"]["id"] == registry.lead.pk
    assert alias.json()["version_id"] == version.pk
    assert (alias.json()["protected"], alias.json()["via_request"]) == (
        True,
        opened["id"],
    )


def test_decide_refuses_the_versions_authors(registry, api_client, make_user):
    builder = make_user("approver", "team_member", team=registry.team)
    version = registry.version(registry.model(), by=builder)
    request = registry.request(version, "staging")

    response = _post(api_client, builder, request, "decisions", {"approve": True})

    assert response.status_code == 403
    assert error(response)["code"] == "separation_of_duties"


def test_decide_reject_needs_a_comment_and_closes_the_request(registry, api_client):
    request = registry.request(registry.version(registry.model()), "staging")
    approver = registry.approvers[0]

    bare = _post(api_client, approver, request, "decisions", {"approve": False})
    reasoned = _post(
        api_client,
        approver,
        request,
        "decisions",
        {"approve": False, "comment": "No shadow run yet."},
    )

    assert error(bare)["fields"] == {"comment": ["Required."]}
    assert reasoned.json()["status"] == "rejected"
    assert reasoned.json()["readiness"]["blockers"][0] == "1 reject(s) recorded."


def test_decide_needs_the_approve_field(registry, api_client):
    request = registry.request(registry.version(registry.model()), "staging")

    response = _post(api_client, registry.approvers[0], request, "decisions", {})

    assert error(response)["fields"] == {"approve": ["This field is required."]}


def test_decide_twice_is_refused(registry, api_client):
    request = registry.request(registry.version(registry.model(tier="medium")))
    approver = registry.approvers[0]
    _post(api_client, approver, request, "decisions", {"approve": True})

    again = _post(api_client, approver, request, "decisions", {"approve": True})

    assert error(again)["code"] == "already_decided"


def test_withdraw_by_the_requester(registry, api_client):
    request = registry.request(registry.version(registry.model()), "staging")

    by_member = _post(api_client, registry.member, request, "withdraw")
    by_lead = _post(
        api_client, registry.lead, request, "withdraw", {"reason": "Later."}
    )

    assert (by_member.status_code, error(by_member)["code"]) == (403, "not_requester")
    assert by_lead.json()["status"] == "withdrawn"


def test_apply_refuses_a_request_that_is_not_approved(registry, api_client):
    request = registry.request(registry.version(registry.model()), "staging")

    response = _post(api_client, registry.lead, request, "apply")

    assert (response.status_code, error(response)["code"]) == (400, "invalid_status")
    assert not Alias.objects.filter(name="staging").exists()


def test_apply_after_the_approval_expired_expires_the_request(registry, api_client):
    request = registry.approved(tier="low")
    PromotionRequest.objects.filter(pk=request.pk).update(
        approved_until=timezone.now() - timedelta(minutes=1)
    )

    response = _post(api_client, registry.lead, request, "apply")

    assert error(response)["code"] == "approval_expired"
    request.refresh_from_db()
    assert request.status == "expired"


def test_break_glass_by_a_risk_officer_opens_a_retrospective(registry, api_client):
    version = registry.version(registry.model(tier="high"))
    request = registry.request(version)
    officer = registry.risk_officers[0]

    no_reason = _post(api_client, officer, request, "apply", {"break_glass": True})
    response = _post(
        api_client,
        officer,
        request,
        "apply",
        {"break_glass": True, "reason": "Fraud spike; the champion is failing."},
    )

    assert error(no_reason)["fields"] == {"reason": ["Required."]}
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["break_glass"]) == (
        "applied",
        True,
    )
    assert PromotionRequest.objects.get(retrospective_of=request).status == "open"
    assert Alias.objects.get(name="production").version_id == version.pk


def test_break_glass_is_refused_to_others(registry, api_client):
    request = registry.request(registry.version(registry.model(tier="high")))

    response = _post(
        api_client,
        registry.approvers[0],
        request,
        "apply",
        {"break_glass": True, "reason": "Hurry."},
    )

    assert (response.status_code, error(response)["code"]) == (403, "not_risk_officer")


def test_comment_and_revise_it(registry, api_client):
    request = registry.request(registry.version(registry.model()), "staging")

    first = _post(api_client, registry.admin, request, "comments", {"body": "Shadow?"})
    revised = _post(
        api_client,
        registry.admin,
        request,
        "comments",
        {"body": "Shadow traffic first?", "supersedes": first.json()["id"]},
    )

    assert first.status_code == revised.status_code == 201
    assert revised.json()["supersedes"] == first.json()["id"]
    detail = api_client(registry.member).get(url("requests", request.pk)).json()
    assert [c["body"] for c in detail["comments"]] == [
        "Shadow?",
        "Shadow traffic first?",
    ]


def test_comment_refuses_revising_someone_elses_or_unknown(registry, api_client):
    request = registry.request(registry.version(registry.model()), "staging")
    theirs = _post(api_client, registry.admin, request, "comments", {"body": "Hm."})

    not_mine = _post(
        api_client,
        registry.member,
        request,
        "comments",
        {"body": "Edited.", "supersedes": theirs.json()["id"]},
    )
    unknown = _post(
        api_client,
        registry.member,
        request,
        "comments",
        {"body": "x", "supersedes": 9**9},
    )
    empty = _post(api_client, registry.member, request, "comments", {"body": " "})

    assert error(not_mine)["fields"] == {
        "supersedes": ["Not yours or another subject."]
    }
    assert error(unknown)["fields"] == {"supersedes": ["Unknown comment."]}
    assert list(error(empty)["fields"]) == ["body"]
    assert Comment.objects.count() == 1


def test_request_actions_are_404_to_another_organisation(
    registry, api_client, stranger
):
    request = registry.request(registry.version(registry.model()), "staging")

    for action in ("decisions", "withdraw", "apply", "comments"):
        response = _post(
            api_client, stranger, request, action, {"approve": True, "body": "x"}
        )
        assert response.status_code == 404, action
