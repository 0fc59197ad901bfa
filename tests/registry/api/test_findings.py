"""findings/: list, resolve."""

from __future__ import annotations

import pytest

from apps.registry.models import Finding
from tests.registry.api.helpers import error, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(registry) -> Finding:
    model = registry.model(name="fraud")
    return Finding.objects.create(
        organization=model.organization,
        model=model,
        kind=Finding.Kind.UNAPPROVED_ALIAS_MOVE,
        detail={"alias": "production", "to_version": "9"},
    )


def test_finding_list_filters_by_status(finding, registry, api_client):
    client = api_client(registry.member)

    open_ = client.get(url("findings"), {"status": "open"}).json()["results"]
    resolved = client.get(url("findings"), {"status": "resolved"}).json()["results"]

    assert [(f["id"], f["kind"], f["model"]["name"]) for f in open_] == [
        (finding.pk, "unapproved_alias_move", "fraud")
    ]
    assert resolved == []


def test_finding_list_refuses_an_unknown_status(finding, registry, api_client):
    response = api_client(registry.member).get(url("findings"), {"status": "closed"})

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["status"]


def test_finding_resolve_by_a_risk_officer(finding, registry, api_client):
    response = api_client(registry.risk_officers[0]).post(
        url("findings", finding.pk, "resolve"),
        {"note": "Moved back through request 12."},
        format="json",
    )

    assert response.status_code == 200, response.content
    finding.refresh_from_db()
    assert (finding.status, finding.resolved_by) == (
        "resolved",
        registry.risk_officers[0],
    )
    assert finding.detail["resolution"] == "Moved back through request 12."


def test_finding_resolve_refusals(finding, registry, api_client, stranger):
    path = url("findings", finding.pk, "resolve")
    officer = api_client(registry.risk_officers[0])
    officer.post(path, {"note": "Done."}, format="json")

    again = officer.post(path, {"note": "Done."}, format="json")
    no_note = officer.post(path, {}, format="json")
    member = api_client(registry.member).post(path, {"note": "x"}, format="json")
    foreign = api_client(stranger).post(path, {"note": "x"}, format="json")

    assert error(again)["code"] == "invalid_status"
    assert error(no_note)["fields"] == {"note": ["This field is required."]}
    assert (member.status_code, foreign.status_code) == (403, 404)
