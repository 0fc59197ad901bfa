"""Versions: create under a model, search, read, edit a draft, submit, revalidate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from apps.registry import promotion, services
from apps.registry.models import ModelVersion
from tests.registry.api.helpers import error, url

pytestmark = pytest.mark.django_db

SHA = "b" * 64
COMMIT = "feedface" * 5


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- create and list under a model -------------------------------------------------


def test_version_create_stores_content_and_counts_creator_as_author(
    registry, api_client
):
    model = registry.model()
    body = {
        "artifact_sha256": SHA,
        "code_commit": COMMIT,
        "run_ref": "runs:/42",
        "dataset_refs": ["s3://data/train-2026-10", "s3://data/test-2026-10"],
        "metrics": {"auc": 0.91, "recall": {"at_1pct_fpr": 0.4}},
        "model_card": {"intended_use": "Card fraud screening."},
        "authors": [registry.member.pk],
    }

    response = api_client(registry.lead).post(
        url("models", model.pk, "versions"), body, format="json"
    )

    assert response.status_code == 201, response.content
    version = ModelVersion.objects.get(pk=response.json()["id"])
    assert (version.version, version.status, version.metrics) == (
        1,
        "draft",
        body["metrics"],
    )
    assert version.authors == sorted([registry.lead.pk, registry.member.pk])
    assert response.json()["dataset_refs"] == body["dataset_refs"]
    assert {a["id"] for a in response.json()["authors"]} == set(version.authors)
    # Built from the created row, the answer is what a read returns.
    detail = api_client(registry.lead).get(url("versions", version.pk))
    assert response.json() == detail.json()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"artifact_sha256": "XYZ"}, "artifact_sha256", "64 lowercase hex digits."),
        ({"metrics": {"auc": "\x00"}}, "metrics", "Null characters are not allowed."),
        (
            {"metrics": [1, 2]},
            "metrics",
            'Expected a dictionary of items but got type "list".',
        ),
        (
            {"dataset_refs": "s3://one"},
            "dataset_refs",
            'Expected a list of items but got type "str".',
        ),
        (
            {"model_card": {"x": "y" * 300_000}},
            "model_card",
            "At most 262144 characters of JSON.",
        ),
    ],
)
def test_version_create_refuses_bad_content_by_field(
    registry, api_client, body, field, message
):
    model = registry.model()

    response = api_client(registry.lead).post(
        url("models", model.pk, "versions"), body, format="json"
    )

    assert response.status_code == 400
    assert error(response)["fields"][field] == [message]


def test_version_create_refuses_authors_outside_the_organisation(
    registry, api_client, stranger
):
    model = registry.model()

    response = api_client(registry.lead).post(
        url("models", model.pk, "versions"), {"authors": [stranger.pk]}, format="json"
    )

    assert response.status_code == 400
    assert error(response)["fields"] == {
        "authors": [f"Unknown user(s): [{stranger.pk}]."]
    }


def test_version_create_is_forbidden_to_readers_and_hidden_from_strangers(
    registry, api_client, stranger
):
    model = registry.model()
    path = url("models", model.pk, "versions")

    assert api_client(registry.admin).post(path, {}, format="json").status_code == 403
    assert api_client(stranger).post(path, {}, format="json").status_code == 404
    assert not ModelVersion.objects.exists()


def test_model_version_list_is_newest_first(registry, api_client):
    model = registry.model()
    first, second = registry.version(model), registry.version(model)
    registry.version(registry.model())  # another model's

    response = api_client(registry.member).get(url("models", model.pk, "versions"))

    assert _ids(response) == [second.pk, first.pk]


# --- search ------------------------------------------------------------------------


@pytest.fixture
def catalogue(registry):
    """Two models: low-tier fraud (v1 submitted, v2 a draft with its own commit) and
    high-tier credit (v1 submitted, holding `challenger`)."""
    fraud = registry.model(tier="low", name="fraud")
    credit = registry.model(tier="high", name="credit")
    versions = {
        "fraud1": registry.version(fraud),
        "fraud2": registry.version(
            fraud, submit=False, code_commit=COMMIT, artifact_sha256=SHA
        ),
        "credit1": registry.version(credit),
    }
    services.alias_set(
        model=credit,
        name="challenger",
        version=versions["credit1"],
        set_by=registry.lead,
    )
    return versions


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["credit1", "fraud2", "fraud1"]),
        ({"code_commit": "feedface"}, ["fraud2"]),
        ({"artifact_sha256": SHA}, ["fraud2"]),
        ({"status": "draft"}, ["fraud2"]),
        ({"risk_tier": "high"}, ["credit1"]),
        ({"alias": "challenger"}, ["credit1"]),
    ],
)
def test_version_search_filters(catalogue, registry, api_client, query, expected):
    response = api_client(registry.member).get(url("versions"), query)

    assert _ids(response) == [catalogue[name].pk for name in expected]


def test_version_search_filters_by_model_and_team(catalogue, registry, api_client):
    fraud = catalogue["fraud1"].model
    client = api_client(registry.member)

    by_model = client.get(url("versions"), {"model": fraud.pk})
    by_team = client.get(url("versions"), {"team": registry.team.pk})

    assert _ids(by_model) == [catalogue["fraud2"].pk, catalogue["fraud1"].pk]
    assert len(_ids(by_team)) == 3


def test_version_search_pages_by_cursor(catalogue, registry, api_client):
    client = api_client(registry.member)

    first = client.get(url("versions"), {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [r["id"] for r in first["results"] + second["results"]] == [
        catalogue[name].pk for name in ("credit1", "fraud2", "fraud1")
    ]
    assert second["next"] is None
    assert "count" not in first


def test_version_search_shows_nothing_to_another_organisation(
    catalogue, api_client, stranger
):
    assert _ids(api_client(stranger).get(url("versions"))) == []


def test_version_search_refuses_a_bad_cursor(catalogue, registry, api_client):
    response = api_client(registry.member).get(url("versions"), {"cursor": "nonsense"})

    assert response.status_code == 404
    assert error(response)["message"] == "Invalid cursor"


# --- detail ------------------------------------------------------------------------


def test_version_detail_has_lineage_card_metrics_authors_evidence_and_aliases(
    registry, api_client
):
    model = registry.model()
    version = registry.version(
        model,
        metrics={"auc": 0.9},
        model_card={"limitations": "Card-present only."},
        dataset_refs=["s3://d/1"],
    )
    registry.evidence(version, "model_card")
    registry.evidence(version, "validation_report", accept=False)
    services.alias_set(
        model=model, name="challenger", version=version, set_by=registry.lead
    )

    body = api_client(registry.member).get(url("versions", version.pk)).json()

    assert body["model"]["name"] == model.name
    assert body["code_commit"] == version.code_commit
    assert body["dataset_refs"] == ["s3://d/1"]
    assert (body["metrics"], body["model_card"]) == (
        {"auc": 0.9},
        {"limitations": "Card-present only."},
    )
    assert [a["id"] for a in body["authors"]] == [registry.lead.pk]
    assert body["evidence"] == {
        "submitted": 1,
        "accepted": 1,
        "rejected": 0,
        "accepted_requirements": ["model_card"],
    }
    assert body["aliases"] == ["challenger"]


def test_version_detail_is_404_outside_visibility(registry, api_client, stranger):
    version = registry.version(registry.model())

    assert api_client(stranger).get(url("versions", version.pk)).status_code == 404
    assert (
        api_client(registry.outsider).get(url("versions", version.pk)).status_code
        == 404
    )


# --- edit, submit ------------------------------------------------------------------


def test_version_patch_edits_a_draft(registry, api_client):
    version = registry.version(registry.model(), submit=False)

    response = api_client(registry.member).patch(
        url("versions", version.pk), {"run_ref": "runs:/99"}, format="json"
    )

    assert response.status_code == 200, response.content
    version.refresh_from_db()
    assert version.run_ref == "runs:/99"


def test_version_patch_refuses_a_submitted_version(registry, api_client):
    version = registry.version(registry.model())

    response = api_client(registry.member).patch(
        url("versions", version.pk), {"run_ref": "runs:/99"}, format="json"
    )

    assert response.status_code == 400
    assert error(response)["code"] == "frozen"
    version.refresh_from_db()
    assert version.run_ref == "runs:/abc123"


def test_version_submit_freezes_the_version(registry, api_client):
    version = registry.version(registry.model(), submit=False)

    response = api_client(registry.member).post(url("versions", version.pk, "submit"))

    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    version.refresh_from_db()
    assert version.is_frozen


def test_version_submit_names_the_missing_lineage(registry, api_client):
    version = services.version_create(model=registry.model(), created_by=registry.lead)

    response = api_client(registry.lead).post(url("versions", version.pk, "submit"))

    assert response.status_code == 400
    assert set(error(response)["fields"]) == {
        "artifact_sha256",
        "code_commit",
        "run_ref",
    }


# --- revalidate --------------------------------------------------------------------


def test_version_revalidate_moves_the_due_date(registry, api_client):
    request = registry.approved(tier="low")
    promotion.promotion_apply(request=request, applied_by=registry.lead)

    response = api_client(registry.approvers[2]).post(
        url("versions", request.version_id, "revalidate"),
        {"note": "Backtested on Q3.", "interval_days": 30},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert (
        response.json()["revalidation_due"]
        == (date.today() + timedelta(days=30)).isoformat()
    )


def test_version_revalidate_refuses_without_a_due_date_or_role(registry, api_client):
    version = registry.version(registry.model())
    path = url("versions", version.pk, "revalidate")

    no_date = api_client(registry.approvers[0]).post(path, {"note": "x"}, format="json")
    no_role = api_client(registry.member).post(path, {"note": "x"}, format="json")
    no_note = api_client(registry.approvers[0]).post(path, {}, format="json")

    assert (no_date.status_code, error(no_date)["code"]) == (400, "invalid_status")
    assert no_role.status_code == 403
    assert error(no_note)["fields"] == {"note": ["This field is required."]}
