"""Organisation weights, core flags and team targets: validated, audited, reversible."""

from __future__ import annotations

import json

import pytest

from apps.audit.models import AuditEvent, Chain
from apps.core.exceptions import ApplicationError
from apps.rubrics.models import DimensionSetting, TeamTarget
from apps.rubrics.services import (
    dimension_setting_clear,
    dimension_setting_set,
    team_target_clear,
    team_target_set,
)
from tests.rubrics.helpers import MINI_TEXT, edit, import_mini

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric():
    return import_mini()


@pytest.fixture
def admin(make_user):
    return make_user("org_admin")


def _events(organization) -> list[dict]:
    events = AuditEvent.objects.filter(
        chain__key=Chain.key_for(organization.pk)
    ).order_by("seq")
    return [json.loads(e.canonical) for e in events]


def _set(org, admin, **values):
    args = {
        "rubric_slug": "mini",
        "dimension_key": "data",
        "weight": 2.0,
        "core": False,
    }
    return dimension_setting_set(organization=org, actor=admin, **(args | values))


def _target(team, admin, **values):
    args = {"rubric_slug": "mini", "dimension_key": "data", "level": 3}
    return team_target_set(team=team, actor=admin, **(args | values))


# --- dimension settings ------------------------------------------------------------------


def test_dimension_setting_set_stores_override_and_audits_it(rubric, org, admin):
    setting = _set(org, admin)

    assert (setting.weight, setting.core) == (2.0, False)
    (event,) = _events(org)
    assert event["action"] == "rubric.dimension_setting_set"
    assert event["actor"] == {"type": "user", "id": admin.pk}
    assert event["data"] == {
        "rubric": "mini",
        "dimension": "data",
        "weight": 2.0,
        "core": False,
        "previous": None,
    }


def test_dimension_setting_set_again_updates_the_row_and_names_previous(
    rubric, org, admin
):
    first = _set(org, admin)

    second = _set(org, admin, weight=3.0, core=True)

    assert second.pk == first.pk
    assert DimensionSetting.objects.get().weight == 3.0
    assert _events(org)[-1]["data"]["previous"] == {"weight": 2.0, "core": False}


def test_dimension_setting_set_to_same_values_records_nothing(rubric, org, admin):
    _set(org, admin)

    _set(org, admin)

    assert len(_events(org)) == 1


@pytest.mark.parametrize("weight", [0, -1.0, float("inf"), float("nan")])
def test_dimension_setting_set_refuses_weight_not_above_zero(
    rubric, org, admin, weight
):
    with pytest.raises(ApplicationError) as caught:
        _set(org, admin, weight=weight)

    assert list(caught.value.fields) == ["weight"]
    assert not DimensionSetting.objects.exists()
    assert _events(org) == []


def test_dimension_setting_set_refuses_unknown_dimension(rubric, org, admin):
    with pytest.raises(ApplicationError, match="has no dimension 'infra'") as caught:
        _set(org, admin, dimension_key="infra")

    assert caught.value.code == "unknown_dimension"
    assert list(caught.value.fields) == ["dimension"]
    assert not DimensionSetting.objects.exists()


def test_dimension_setting_set_refuses_rubric_without_published_version(org, admin):
    import_mini(publish=False)

    with pytest.raises(ApplicationError, match="No published rubric 'mini'") as caught:
        _set(org, admin)

    assert list(caught.value.fields) == ["rubric"]


def test_dimension_setting_set_checks_the_latest_published_version(rubric, org, admin):
    newer = edit(
        MINI_TEXT, ("version: 1.0.0", "version: 1.1.0"), ("id: ops\n", "id: infra\n")
    )
    newer = newer.replace("ops.", "infra.")
    import_mini(text=newer)

    _set(org, admin, dimension_key="infra")

    with pytest.raises(ApplicationError, match="has no dimension 'ops'"):
        _set(org, admin, dimension_key="ops")


def test_dimension_setting_clear_removes_override_and_audits_it(rubric, org, admin):
    _set(org, admin)

    cleared = dimension_setting_clear(
        organization=org, rubric_slug="mini", dimension_key="data", actor=admin
    )

    assert cleared is True
    assert not DimensionSetting.objects.exists()
    event = _events(org)[-1]
    assert event["action"] == "rubric.dimension_setting_cleared"
    assert event["data"]["previous"] == {"weight": 2.0, "core": False}


def test_dimension_setting_clear_without_override_records_nothing(rubric, org, admin):
    cleared = dimension_setting_clear(
        organization=org, rubric_slug="mini", dimension_key="data", actor=admin
    )

    assert cleared is False
    assert _events(org) == []


# --- team targets ---------------------------------------------------------------------------


def test_team_target_set_stores_level_and_audits_in_org_chain(rubric, org, team, admin):
    target = _target(team, admin)

    assert TeamTarget.objects.get() == target
    assert target.level == 3
    (event,) = _events(org)
    assert event["action"] == "rubric.team_target_set"
    assert event["data"] == {
        "team": team.pk,
        "rubric": "mini",
        "dimension": "data",
        "level": 3,
        "previous": None,
    }


@pytest.mark.parametrize("level", [0, 4])
def test_team_target_set_accepts_levels_0_to_4(rubric, team, admin, level):
    assert _target(team, admin, level=level).level == level


def test_team_target_set_again_names_previous_and_skips_no_change(
    rubric, org, team, admin
):
    _target(team, admin, level=0)
    _target(team, admin, level=2)

    _target(team, admin, level=2)

    assert [e["data"]["previous"] for e in _events(org)] == [None, 0]


@pytest.mark.parametrize("level", [-1, 5, True])
def test_team_target_set_refuses_level_out_of_range(rubric, org, team, admin, level):
    with pytest.raises(ApplicationError) as caught:
        _target(team, admin, level=level)

    assert list(caught.value.fields) == ["level"]
    assert not TeamTarget.objects.exists()
    assert _events(org) == []


def test_team_target_set_refuses_unknown_dimension(rubric, team, admin):
    with pytest.raises(ApplicationError) as caught:
        _target(team, admin, dimension_key="infra")

    assert caught.value.fields == {
        "dimension": ["mini 1.0.0 has no dimension 'infra'."]
    }


def test_team_target_clear_removes_target_and_audits_it(rubric, org, team, admin):
    _target(team, admin)

    cleared = team_target_clear(
        team=team, rubric_slug="mini", dimension_key="data", actor=admin
    )

    assert cleared is True
    assert not TeamTarget.objects.exists()
    assert _events(org)[-1]["action"] == "rubric.team_target_cleared"
    assert _events(org)[-1]["data"]["previous"] == 3


def test_team_target_clear_without_target_records_nothing(rubric, org, team, admin):
    cleared = team_target_clear(
        team=team, rubric_slug="mini", dimension_key="data", actor=admin
    )

    assert cleared is False
    assert _events(org) == []
