"""Rubric API: the published rubrics, their tree and YAML; org weights and team targets."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.audit.models import AuditEvent, Chain
from apps.rubrics.models import DimensionSetting, Rubric, TeamTarget
from apps.rubrics.services import rubric_import
from apps.rubrics.validation import parse_rubric
from tests.accounts.factories import BusinessUnitFactory, TeamFactory
from tests.rubrics.helpers import MINI_TEXT, edit, import_mini, row_counts

pytestmark = pytest.mark.django_db

DEFAULT_RUBRIC = Path(__file__).parents[2] / "fixtures/rubrics/mlops-default.yaml"
SETTINGS = "/api/v1/rubrics/mini/settings/"


@pytest.fixture
def member(make_user, team):
    return make_user(Role.TEAM_MEMBER, team=team)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ORG_ADMIN)


@pytest.fixture
def staff(make_user):
    user = make_user()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def rubric():
    return import_mini()


def _draft() -> Rubric:
    return import_mini(
        publish=False, text=edit(MINI_TEXT, ("version: 1.0.0", "version: 2.0.0"))
    )


def _error(response) -> dict:
    return response.json()["error"]


# --- rubrics ----------------------------------------------------------------------------


def test_rubric_list_api_lists_published_rubrics_without_drafts(
    rubric, member, api_client
):
    _draft()

    response = api_client(member).get("/api/v1/rubrics/")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["results"][0] == {
        "slug": "mini",
        "version": "1.0.0",
        "title": "Mini rubric",
        "description": "Two dimensions, every question type.",
        "status": "published",
        "published_at": rubric.published_at.isoformat().replace("+00:00", "Z"),
        "content_sha256": rubric.content_sha256,
    }


def test_rubric_list_api_shows_drafts_to_staff(rubric, staff, api_client):
    _draft()

    response = api_client(staff).get("/api/v1/rubrics/")

    assert [r["status"] for r in response.json()["results"]] == ["draft", "published"]


def test_rubric_detail_api_returns_the_whole_tree(rubric, member, api_client):
    response = api_client(member).get("/api/v1/rubrics/mini/1.0.0/")

    body = response.json()
    assert response.status_code == 200
    assert [lv["level"] for lv in body["levels"]] == [0, 1, 2, 3, 4]
    data, ops = body["dimensions"]
    assert (data["key"], data["weight"], data["core"]) == ("data", 1.5, True)
    assert [q["key"] for q in data["questions"]] == [
        "data.snapshots",
        "data.l3.validated",
    ]
    assert data["questions"][1]["options"][1] == {
        "value": "ranges",
        "label": "Value ranges",
        "level": None,
        "evidence_required": True,
    }
    assert data["criteria"][1] == {
        "key": "data.l2.versioned",
        "level": 2,
        "statement": "Training data is versioned.",
        "evidence": "signal:data_versioning",
        "requires": ["data.l1.documented"],
        "effort": "M",
        "guidance": "Use a data versioning tool.",
        "anchor": "Google MLOps level 1",
        "question": "data.snapshots",
        "met_when": None,
    }
    assert ops["criteria"][2]["met_when"] == {"gte": 90}


def _detail_queries(api_client, user, path: str) -> int:
    client = api_client(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_rubric_detail_api_query_count_does_not_grow_with_the_rubric(
    rubric, member, api_client
):
    spec = parse_rubric(DEFAULT_RUBRIC.read_text(), filename="default.yaml")
    rubric_import(spec=spec, publish=True)

    small = _detail_queries(api_client, member, "/api/v1/rubrics/mini/1.0.0/")
    large = _detail_queries(api_client, member, "/api/v1/rubrics/mlops-default/1.0.0/")

    # rubric, levels, dimensions, questions, options, criteria joined to question
    assert small == large == 6


def test_rubric_detail_api_hides_drafts_from_people(member, api_client):
    _draft()

    response = api_client(member).get("/api/v1/rubrics/mini/2.0.0/")

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_rubric_detail_api_shows_drafts_to_staff(staff, api_client):
    _draft()

    response = api_client(staff).get("/api/v1/rubrics/mini/2.0.0/")

    assert response.json()["status"] == "draft"


def test_rubric_export_api_answers_the_yaml_file(rubric, member, api_client):
    response = api_client(member).get("/api/v1/rubrics/mini/1.0.0/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mini-1.0.0.yaml"'
    spec = parse_rubric(response.content.decode(), filename="export.yaml")
    assert spec.fingerprint() == rubric.content_sha256


def test_rubric_export_api_honours_accept_yaml(rubric, member, api_client):
    client = api_client(member)

    found = client.get(
        "/api/v1/rubrics/mini/1.0.0/export/", HTTP_ACCEPT="application/yaml"
    )
    missing = client.get(
        "/api/v1/rubrics/mini/9.0.0/export/", HTTP_ACCEPT="application/yaml"
    )

    assert found.status_code == 200
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/yaml; charset=utf-8"


def test_rubric_export_api_refuses_unknown_version(rubric, member, api_client):
    response = api_client(member).get("/api/v1/rubrics/mini/9.0.0/export/")

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


# --- organisation weights and core flags --------------------------------------------------


def test_settings_api_lists_rubric_defaults_for_every_dimension(
    rubric, member, api_client
):
    response = api_client(member).get(SETTINGS)

    assert response.status_code == 200
    assert response.json() == {
        "rubric": "mini",
        "version": "1.0.0",
        "dimensions": [
            {
                "key": "data",
                "name": "Data",
                "weight": 1.5,
                "core": True,
                "default_weight": 1.5,
                "default_core": True,
                "overridden": False,
            },
            {
                "key": "ops",
                "name": "Operations",
                "weight": 1.0,
                "core": False,
                "default_weight": 1.0,
                "default_core": False,
                "overridden": False,
            },
        ],
    }


def test_settings_api_sets_an_override_and_audits_it(rubric, admin, org, api_client):
    response = api_client(admin).post(
        SETTINGS, {"dimension": "ops", "weight": 2.5, "core": True}, format="json"
    )

    assert response.status_code == 200
    ops = response.json()["dimensions"][1]
    assert (ops["weight"], ops["core"], ops["overridden"]) == (2.5, True, True)
    assert DimensionSetting.objects.get(organization=org).weight == 2.5
    event = AuditEvent.objects.get(chain__key=Chain.key_for(org.pk))
    assert (event.action, event.actor_id) == ("rubric.dimension_setting_set", admin.pk)


def test_settings_api_clears_an_override(rubric, admin, api_client):
    client = api_client(admin)
    client.post(
        SETTINGS, {"dimension": "ops", "weight": 2.5, "core": True}, format="json"
    )

    response = client.post(SETTINGS, {"dimension": "ops", "clear": True}, format="json")

    assert response.json()["dimensions"][1]["overridden"] is False
    assert not DimensionSetting.objects.exists()


@pytest.mark.parametrize(
    ("body", "code", "fields"),
    [
        (
            {"dimension": "infra", "weight": 1, "core": True},
            "unknown_dimension",
            ["dimension"],
        ),
        ({"dimension": "ops", "weight": 0, "core": True}, "invalid", ["weight"]),
        ({"dimension": "ops"}, "validation_error", ["weight", "core"]),
        ({"weight": 1, "core": True}, "validation_error", ["dimension"]),
    ],
    ids=["unknown dimension", "zero weight", "no values", "no dimension"],
)
def test_settings_api_refuses_bad_input_with_field_errors(
    rubric, admin, api_client, body, code, fields
):
    before = row_counts()

    response = api_client(admin).post(SETTINGS, body, format="json")

    assert response.status_code == 400
    assert _error(response)["code"] == code
    assert sorted(_error(response)["fields"]) == sorted(fields)
    assert row_counts() == before


def test_settings_api_refuses_rubric_without_published_version(admin, api_client):
    body = {"dimension": "data", "weight": 1, "core": True}

    read = api_client(admin).get(SETTINGS)
    write = api_client(admin).post(SETTINGS, body, format="json")

    assert read.status_code == 404
    assert (write.status_code, list(_error(write)["fields"])) == (400, ["rubric"])


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.EXECUTIVE, Role.AUDITOR])
def test_settings_api_lets_only_org_admins_write(
    rubric, make_user, team, api_client, role
):
    user = make_user(role, team=team)

    response = api_client(user).post(
        SETTINGS, {"dimension": "ops", "weight": 2, "core": True}, format="json"
    )

    assert response.status_code == 403
    assert not DimensionSetting.objects.exists()


# --- team targets ---------------------------------------------------------------------------


def _targets(team) -> str:
    return f"/api/v1/teams/{team.pk}/targets/"


def test_targets_api_lists_every_dimension_for_the_team_lead(
    rubric, make_user, team, api_client
):
    lead = make_user(Role.TEAM_LEAD, team=team)

    response = api_client(lead).get(_targets(team), {"rubric": "mini"})

    assert response.status_code == 200
    assert response.json() == {
        "team": team.pk,
        "rubric": "mini",
        "version": "1.0.0",
        "dimensions": [
            {"key": "data", "name": "Data", "level": None},
            {"key": "ops", "name": "Operations", "level": None},
        ],
    }


def test_targets_api_refuses_a_lead_of_another_team(rubric, make_user, org, api_client):
    other = TeamFactory(business_unit=BusinessUnitFactory(organization=org))
    lead = make_user(Role.TEAM_LEAD, team=other)
    team = TeamFactory(business_unit=other.business_unit)

    response = api_client(lead).get(_targets(team), {"rubric": "mini"})

    assert response.status_code == 403


def test_targets_api_needs_the_rubric_parameter(rubric, admin, team, api_client):
    response = api_client(admin).get(_targets(team))

    assert response.status_code == 400
    assert list(_error(response)["fields"]) == ["rubric"]


def test_targets_api_sets_a_target_and_audits_it(rubric, admin, org, team, api_client):
    body = {"rubric": "mini", "dimension": "ops", "level": 2}

    response = api_client(admin).post(_targets(team), body, format="json")

    assert response.status_code == 200
    assert response.json()["dimensions"][1] == {
        "key": "ops",
        "name": "Operations",
        "level": 2,
    }
    assert TeamTarget.objects.get(team=team).level == 2
    event = AuditEvent.objects.get(chain__key=Chain.key_for(org.pk))
    assert (event.action, event.actor_id) == ("rubric.team_target_set", admin.pk)


def test_targets_api_clears_a_target(rubric, admin, team, api_client):
    client = api_client(admin)
    client.post(
        _targets(team),
        {"rubric": "mini", "dimension": "ops", "level": 2},
        format="json",
    )

    response = client.post(
        _targets(team),
        {"rubric": "mini", "dimension": "ops", "clear": True},
        format="json",
    )

    assert response.json()["dimensions"][1]["level"] is None
    assert not TeamTarget.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"rubric": "mini", "dimension": "ops", "level": 7}, ["level"]),
        ({"rubric": "mini", "dimension": "infra", "level": 2}, ["dimension"]),
        ({"rubric": "nope", "dimension": "ops", "level": 2}, ["rubric"]),
        ({"rubric": "mini", "dimension": "ops"}, ["level"]),
    ],
    ids=["level 7", "unknown dimension", "unknown rubric", "no level"],
)
def test_targets_api_refuses_bad_input_with_field_errors(
    rubric, admin, team, api_client, body, fields
):
    before = row_counts()

    response = api_client(admin).post(_targets(team), body, format="json")

    assert response.status_code == 400
    assert list(_error(response)["fields"]) == fields
    assert row_counts() == before


def test_targets_api_lets_team_leads_read_but_not_write(
    rubric, make_user, team, api_client
):
    lead = make_user(Role.TEAM_LEAD, team=team)
    body = {"rubric": "mini", "dimension": "ops", "level": 2}

    response = api_client(lead).post(_targets(team), body, format="json")

    assert response.status_code == 403
    assert not TeamTarget.objects.exists()
