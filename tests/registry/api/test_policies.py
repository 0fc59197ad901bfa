"""policies/: read the current policies (or every version), set the next version."""

from __future__ import annotations

import pytest

from apps.registry.models import PromotionPolicy
from tests.registry.api.helpers import error, url

pytestmark = pytest.mark.django_db

SPEC = {
    "risk_tier": "low",
    "target": "staging",
    "required_approvals": 2,
    "required_roles": ["risk_officer"],
    "approval_ttl_days": 10,
    "required_signals": ["ci_green"],
    "requirements": [
        {"key": "shadow_report", "kind": "validation_report", "description": "Shadow"}
    ],
}


def _rows(response) -> list[tuple[str, str, int]]:
    assert response.status_code == 200, response.content
    return [
        (p["risk_tier"], p["target"], p["version"]) for p in response.json()["results"]
    ]


def test_policy_list_shows_the_current_policies_with_requirements(registry, api_client):
    response = api_client(registry.member).get(url("policies"))

    rows = {(p["risk_tier"], p["target"]): p for p in response.json()["results"]}
    assert len(rows) == 8
    critical = rows["critical", "production"]
    assert (critical["required_approvals"], critical["retrospective_hours"]) == (3, 24)
    assert [r["key"] for r in critical["requirements"]] == [
        "fairness_test",
        "model_card",
        "security_scan",
        "validation_report",
    ]


def test_policy_set_writes_the_next_version(registry, api_client):
    client = api_client(registry.admin)

    response = client.post(url("policies"), SPEC, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["version"], response.json()["created_by"]) == (
        2,
        registry.admin.pk,
    )
    assert response.json()["requirements"] == [
        {
            "key": "shadow_report",
            "kind": "validation_report",
            "description": "Shadow",
            "mandatory": True,
        }
    ]
    current = _rows(client.get(url("policies")))
    history = _rows(client.get(url("policies"), {"history": "1"}))
    assert ("low", "staging", 2) in current
    assert ("low", "staging", 1) not in current
    assert {("low", "staging", 2), ("low", "staging", 1)} <= set(history)


def test_policy_set_is_for_org_admins(registry, api_client):
    response = api_client(registry.risk_officers[0]).post(
        url("policies"), SPEC, format="json"
    )

    assert response.status_code == 403
    assert PromotionPolicy.objects.filter(version=2).count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"required_approvals": 0}, "required_approvals"),
        ({"required_roles": ["approver", "approver"]}, "required_roles"),
        ({"required_roles": ["org_admin"]}, "required_roles[0]"),
        (
            {"required_roles": ["approver", "risk_officer"], "required_approvals": 1},
            "required_roles",
        ),
        ({"required_signals": ["vibes"]}, "required_signals[0]"),
        ({"requirements": [{"key": "x", "kind": "tarot"}]}, "requirements[0].kind"),
        ({"requirements": [{"key": "a b", "kind": "signoff"}]}, "requirements[0].key"),
        ({"target": "Production!"}, "target"),
        ({"approval_ttl_days": 10**9}, "approval_ttl_days"),
    ],
)
def test_policy_set_refuses_bad_specs_by_field(registry, api_client, change, field):
    response = api_client(registry.admin).post(
        url("policies"), {**SPEC, **change}, format="json"
    )

    assert response.status_code == 400
    assert field in error(response)["fields"], error(response)["fields"]
