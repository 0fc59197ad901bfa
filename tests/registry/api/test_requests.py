"""requests/ and requests/<id>/: open, list, read with readiness."""

from __future__ import annotations

import pytest

from apps.registry.models import PromotionRequest
from tests.registry.api.helpers import error, url

pytestmark = pytest.mark.django_db

WHY = "Beats the champion on recall at equal precision."


def _open(api_client, user, **body):
    return api_client(user).post(url("requests"), body, format="json")


# --- open --------------------------------------------------------------------------


def test_request_open_snapshots_the_policy_and_explains_what_is_missing(
    registry, api_client
):
    version = registry.version(registry.model(tier="high"))

    response = _open(
        api_client,
        registry.lead,
        version=version.pk,
        target="production",
        justification=WHY,
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert PromotionRequest.objects.get(pk=body["id"]).status == "open"
    assert body["policy_snapshot"]["required_roles"] == ["risk_officer"]
    assert body["readiness"] == {
        "approved": False,
        "valid_approvals": 0,
        "covered_roles": [],
        "blockers": [
            "0 of 2 approvals.",
            "No approval yet from a risk officer.",
            "No accepted evidence for model_card.",
            "No accepted evidence for validation_report.",
        ],
    }


def test_request_open_for_someone_else(registry, api_client):
    version = registry.version(registry.model())

    response = _open(
        api_client,
        registry.lead,
        version=version.pk,
        target="staging",
        justification=WHY,
        on_behalf_of=registry.member.pk,
    )

    assert response.status_code == 201
    assert response.json()["on_behalf_of"]["id"] == registry.member.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": "challenger"}, "target"),  # not protected: set it directly
        ({"justification": "   "}, "justification"),
        ({"version": 10**6}, "version"),
        ({"version": "v1"}, "version"),
        ({"on_behalf_of": 10**6}, "on_behalf_of"),
        ({"target": "t" * 61}, "target"),
    ],
)
def test_request_open_refuses_bad_input_by_field(registry, api_client, body, field):
    version = registry.version(registry.model())
    body = {"version": version.pk, "target": "staging", "justification": WHY, **body}

    response = _open(api_client, registry.lead, **body)

    assert response.status_code == 400
    assert field in error(response)["fields"]


def test_request_open_refuses_a_draft_and_a_duplicate(registry, api_client):
    model = registry.model()
    draft = registry.version(model, submit=False)
    submitted = registry.version(model)
    body = {"target": "staging", "justification": WHY}

    for_draft = _open(api_client, registry.lead, version=draft.pk, **body)
    _open(api_client, registry.lead, version=submitted.pk, **body)
    duplicate = _open(api_client, registry.lead, version=submitted.pk, **body)

    assert error(for_draft)["code"] == "not_submitted"
    assert error(duplicate)["code"] == "duplicate_request"


def test_request_open_names_another_organisations_version_unknown(
    registry, api_client, stranger
):
    version = registry.version(registry.model())

    response = _open(
        api_client, stranger, version=version.pk, target="staging", justification=WHY
    )

    assert error(response)["fields"] == {"version": ["Unknown version."]}


# --- list ---------------------------------------------------------------------------


@pytest.fixture
def promotion_requests(registry):
    """An open staging request and an approved production request."""
    version = registry.version(registry.model(name="fraud"))
    return {
        "open": registry.request(version, "staging"),
        "approved": registry.approved(tier="low"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["approved", "open"]),
        ({"status": "open"}, ["open"]),
        ({"target": "production"}, ["approved"]),
        ({"status": "nonsense"}, None),
    ],
)
def test_request_list_filters(
    promotion_requests, registry, api_client, query, expected
):
    response = api_client(registry.member).get(url("requests"), query)

    if expected is None:
        assert response.status_code == 400
        return
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [promotion_requests[name].pk for name in expected]


def test_request_list_awaiting_me_leaves_out_decided_and_own(
    promotion_requests, registry, api_client
):
    decided_by = registry.risk_officers[0]  # approved the production request

    mine = api_client(decided_by).get(url("requests"), {"awaiting_me": "true"})
    requester = api_client(registry.lead).get(url("requests"), {"awaiting_me": "1"})

    assert [r["id"] for r in mine.json()["results"]] == [promotion_requests["open"].pk]
    assert requester.json()["results"] == []


def test_request_list_filters_by_model(promotion_requests, registry, api_client):
    model = promotion_requests["open"].version.model

    response = api_client(registry.member).get(url("requests"), {"model": model.pk})

    [row] = response.json()["results"]
    assert (row["id"], row["model"]["name"], row["version"]["version"]) == (
        promotion_requests["open"].pk,
        "fraud",
        1,
    )


def test_request_list_is_empty_for_another_organisation(
    promotion_requests, api_client, stranger
):
    assert api_client(stranger).get(url("requests")).json()["results"] == []


# --- detail --------------------------------------------------------------------------


def test_request_detail_shows_decisions_comments_and_readiness(
    promotion_requests, registry, api_client
):
    approved = promotion_requests["approved"]

    body = api_client(registry.member).get(url("requests", approved.pk)).json()

    [decision] = body["decisions"]
    assert decision["approver"]["id"] == registry.risk_officers[0].pk
    assert (decision["outcome"], decision["roles"], decision["still_valid"]) == (
        "approve",
        ["risk_officer"],
        True,
    )
    assert body["readiness"] == {
        "approved": True,
        "valid_approvals": 1,
        "covered_roles": ["risk_officer"],
        "blockers": [],
    }
    assert body["status"] == "approved"
    assert body["policy_snapshot"]["target"] == "production"


def test_request_detail_marks_approvals_stale_when_evidence_changes(
    registry, api_client
):
    version = registry.version(registry.model(tier="medium"))
    card = registry.evidence(version, "model_card")
    request = registry.approve(registry.request(version), registry.approvers[0])
    registry.evidence(version, "fairness_test")  # the accepted set changed

    body = api_client(registry.member).get(url("requests", request.pk)).json()

    assert card.status == "accepted"
    assert body["decisions"][0]["still_valid"] is False
    assert body["readiness"]["blockers"] == [
        "0 of 2 approvals. 1 went stale (evidence changed or approval expired)."
    ]


def test_request_detail_is_404_outside_visibility(
    promotion_requests, registry, api_client, stranger
):
    path = url("requests", promotion_requests["open"].pk)

    assert api_client(stranger).get(path).status_code == 404
    assert api_client(registry.outsider).get(path).status_code == 404
