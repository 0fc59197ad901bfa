"""models/ and models/<id>/: list with filters, register, read, edit."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.registry import services
from apps.registry.models import ModelVersion, RegisteredModel
from tests.registry.api.helpers import error, url

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


# --- list --------------------------------------------------------------------------


def test_model_list_shows_team_owner_tier_and_aliases(registry, api_client):
    model = registry.model(tier="medium", name="fraud")
    registry.version(model)
    v2 = registry.version(model)
    services.alias_set(model=model, name="challenger", version=v2, set_by=registry.lead)

    response = api_client(registry.member).get(url("models"))

    [row] = response.json()["results"]
    assert row["team"] == {
        "id": registry.team.pk,
        "name": "Fraud models",
        "slug": registry.team.slug,
    }
    assert row["owner"]["id"] == registry.lead.pk
    assert (row["name"], row["risk_tier"], row["status"]) == (
        "fraud",
        "medium",
        "active",
    )
    assert row["aliases"] == {"challenger": 2}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"risk_tier": "high"}, ["credit"]),
        ({"q": "CRED"}, ["credit"]),
        ({"alias": "challenger"}, ["fraud"]),
        ({"q": ""}, ["credit", "fraud"]),
    ],
)
def test_model_list_filters(registry, api_client, query, expected):
    fraud = registry.model(tier="low", name="fraud")
    registry.model(tier="high", name="credit")
    version = registry.version(fraud)
    services.alias_set(
        model=fraud, name="challenger", version=version, set_by=registry.lead
    )

    assert _names(api_client(registry.member).get(url("models"), query)) == expected


def test_model_list_filters_by_team(registry, api_client):
    registry.model(name="fraud")

    other_team = registry.outsider.memberships.get().team_id
    client = api_client(registry.admin)

    assert _names(client.get(url("models"), {"team": registry.team.pk})) == ["fraud"]
    assert _names(client.get(url("models"), {"team": other_team})) == []


def test_model_list_filters_overdue_revalidation(registry, api_client):
    overdue = registry.model(name="overdue")
    registry.model(name="fine")
    ModelVersion.objects.filter(pk=registry.version(overdue).pk).update(
        revalidation_due=timezone.localdate(), revalidation_overdue_since=timezone.now()
    )

    client = api_client(registry.member)

    assert _names(client.get(url("models"), {"revalidation": "overdue"})) == ["overdue"]
    assert _names(client.get(url("models"), {"revalidation": "ok"})) == ["fine"]


def test_model_list_hides_other_teams_and_organisations(registry, api_client, stranger):
    registry.model(name="fraud")

    assert _names(api_client(registry.outsider).get(url("models"))) == []
    assert _names(api_client(stranger).get(url("models"))) == []


# --- register ----------------------------------------------------------------------


def test_model_register_creates_model_owned_by_caller(registry, api_client):
    response = api_client(registry.member).post(
        url("models"),
        {"team": registry.team.pk, "name": " churn ", "risk_tier": "high"},
        format="json",
    )

    assert response.status_code == 201, response.content
    model = RegisteredModel.objects.get(pk=response.json()["id"])
    assert (model.name, model.risk_tier, model.owner) == (
        "churn",
        "high",
        registry.member,
    )
    assert response.json()["counts"] == {
        "versions": 0,
        "requests_in_flight": 0,
        "open_findings": 0,
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"risk_tier": "extreme"}, "risk_tier", '"extreme" is not a valid choice.'),
        ({"name": "fraud"}, "name", "Already taken."),
        (
            {"name": "x" * 201},
            "name",
            "Ensure this field has no more than 200 characters.",
        ),
        ({"team": "abc"}, "team", "A valid integer is required."),
        (
            {"owner": 10**30},
            "owner",
            "Ensure this value is less than or equal to 9223372036854775807.",
        ),
    ],
)
def test_model_register_refuses_bad_input_by_field(
    registry, api_client, data, field, message
):
    registry.model(name="fraud")
    body = {"team": registry.team.pk, "name": "churn", "risk_tier": "low", **data}

    response = api_client(registry.member).post(url("models"), body, format="json")

    assert response.status_code == 400
    assert error(response)["fields"][field] == [message]


def test_model_register_refuses_owner_and_team_of_another_organisation(
    registry, api_client, stranger
):
    client = api_client(registry.member)
    body = {"team": registry.team.pk, "name": "churn", "risk_tier": "low"}

    foreign_owner = client.post(
        url("models"), {**body, "owner": stranger.pk}, format="json"
    )
    foreign_team = api_client(stranger).post(url("models"), body, format="json")

    assert error(foreign_owner)["fields"] == {"owner": ["Unknown user."]}
    assert error(foreign_team)["fields"] == {"team": ["Unknown team."]}


def test_model_register_is_forbidden_outside_the_team(registry, api_client):
    response = api_client(registry.outsider).post(
        url("models"),
        {"team": registry.team.pk, "name": "churn", "risk_tier": "low"},
        format="json",
    )

    assert response.status_code == 403
    assert not RegisteredModel.objects.filter(name="churn").exists()


# --- detail and edit ---------------------------------------------------------------


def test_model_detail_has_aliases_and_counts(registry, api_client):
    request = registry.approved(tier="low")
    model = request.version.model
    registry.version(model, submit=False)

    response = api_client(registry.admin).get(url("models", model.pk))

    body = response.json()
    assert response.status_code == 200
    assert body["counts"] == {
        "versions": 2,
        "requests_in_flight": 1,
        "open_findings": 0,
    }
    assert body["aliases"] == []


def test_model_detail_is_404_for_another_organisation_or_team(
    registry, api_client, stranger
):
    model = registry.model()

    assert api_client(stranger).get(url("models", model.pk)).status_code == 404
    assert api_client(registry.outsider).get(url("models", model.pk)).status_code == 404
    assert api_client(registry.member).get(url("models", 10**30)).status_code == 404


def test_model_patch_by_team_lead_changes_tier_and_owner(registry, api_client):
    model = registry.model(tier="low")

    response = api_client(registry.lead).patch(
        url("models", model.pk),
        {
            "risk_tier": "high",
            "owner": registry.member.pk,
            "purpose": "Scores payments.",
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    model.refresh_from_db()
    assert (model.risk_tier, model.owner, model.purpose) == (
        "high",
        registry.member,
        "Scores payments.",
    )
    assert response.json()["risk_tier"] == "high"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "non_field_errors"),
        ({"status": "deleted"}, "status"),
        ({"owner": 0}, "owner"),
    ],
)
def test_model_patch_refuses_bad_input(registry, api_client, data, field):
    model = registry.model()

    response = api_client(registry.lead).patch(
        url("models", model.pk), data, format="json"
    )

    assert response.status_code == 400
    assert field in error(response)["fields"]


def test_model_patch_is_forbidden_to_a_team_member(registry, api_client):
    model = registry.model(tier="low")

    response = api_client(registry.member).patch(
        url("models", model.pk), {"risk_tier": "high"}, format="json"
    )

    assert response.status_code == 403
    model.refresh_from_db()
    assert model.risk_tier == "low"
