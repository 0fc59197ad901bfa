"""The admin shows rubric content read-only and edits org settings through services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from apps.audit.models import AuditEvent, Chain
from apps.rubrics.models import (
    Criterion,
    Dimension,
    DimensionSetting,
    Level,
    Option,
    Question,
    Rubric,
    TeamTarget,
)
from apps.rubrics.services import dimension_setting_set
from tests.accounts.factories import UserFactory
from tests.rubrics.helpers import import_mini, row_counts

pytestmark = pytest.mark.django_db

CONTENT = [Rubric, Level, Dimension, Question, Option, Criterion]
MODELS = [*CONTENT, DimensionSetting, TeamTarget]


@pytest.fixture
def superuser(org):
    return UserFactory(organization=org, is_staff=True, is_superuser=True)


@pytest.fixture
def signed_in(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def rubric():
    return import_mini()


def _url(model, action: str, *args) -> str:
    return reverse(f"admin:rubrics_{model._meta.model_name}_{action}", args=args)


def _org_actions(org) -> list[str]:
    events = AuditEvent.objects.filter(
        chain__key=Chain.key_for(org.pk), action__startswith="rubric."
    )
    return list(events.order_by("seq").values_list("action", flat=True))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_registers_rubric_model_with_list_options(model):
    model_admin = admin.site._registry[model]

    assert model_admin.list_display
    assert model_admin.search_fields
    assert isinstance(model_admin.list_select_related, list)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_changelist_renders(model, rubric, signed_in):
    response = signed_in.get(_url(model, "changelist"), {"q": "mini"})

    assert response.status_code == 200


@pytest.mark.parametrize("model", CONTENT, ids=lambda m: m.__name__)
def test_admin_shows_published_content_read_only(model, rubric, signed_in):
    obj = model.objects.first()
    before = row_counts()

    view = signed_in.get(_url(model, "change", obj.pk))
    change = signed_in.post(_url(model, "change", obj.pk), {})
    delete = signed_in.post(_url(model, "delete", obj.pk), {"post": "yes"})
    add = signed_in.get(_url(model, "add"))

    assert view.status_code == 200
    assert b'name="_save"' not in view.content
    assert (change.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    assert row_counts() == before


def test_admin_adds_dimension_setting_through_the_service(rubric, org, signed_in):
    data = {
        "organization": org.pk,
        "rubric_slug": "mini",
        "dimension_key": "ops",
        "weight": "2.5",
        "core": "on",
    }

    response = signed_in.post(_url(DimensionSetting, "add"), data)

    assert response.status_code == 302
    setting = DimensionSetting.objects.get()
    assert (setting.dimension_key, setting.weight, setting.core) == ("ops", 2.5, True)
    assert _org_actions(org) == ["rubric.dimension_setting_set"]


def test_admin_refuses_setting_for_unknown_dimension_as_form_error(
    rubric, org, signed_in
):
    data = {
        "organization": org.pk,
        "rubric_slug": "mini",
        "dimension_key": "infra",
        "weight": "2.5",
    }

    response = signed_in.post(_url(DimensionSetting, "add"), data)

    assert response.status_code == 200
    assert "mini 1.0.0 has no dimension &#x27;infra&#x27;." in response.content.decode()
    assert not DimensionSetting.objects.exists()


def test_admin_refuses_zero_weight_as_form_error(rubric, org, signed_in):
    data = {"organization": org.pk, "rubric_slug": "mini", "dimension_key": "ops"}

    response = signed_in.post(_url(DimensionSetting, "add"), data | {"weight": "0"})

    assert response.status_code == 200
    assert not DimensionSetting.objects.exists()


def test_admin_changes_and_deletes_setting_through_the_services(
    rubric, org, superuser, signed_in
):
    setting = dimension_setting_set(
        organization=org,
        rubric_slug="mini",
        dimension_key="ops",
        weight=2,
        core=True,
        actor=superuser,
    )

    signed_in.post(_url(DimensionSetting, "change", setting.pk), {"weight": "3"})
    signed_in.post(_url(DimensionSetting, "delete", setting.pk), {"post": "yes"})

    assert not DimensionSetting.objects.exists()
    assert _org_actions(org) == [
        "rubric.dimension_setting_set",
        "rubric.dimension_setting_set",
        "rubric.dimension_setting_cleared",
    ]


def test_admin_sets_team_target_through_the_service(rubric, org, team, signed_in):
    data = {
        "team": team.pk,
        "rubric_slug": "mini",
        "dimension_key": "data",
        "level": "3",
    }

    response = signed_in.post(_url(TeamTarget, "add"), data)

    assert response.status_code == 302
    assert TeamTarget.objects.get().level == 3
    assert _org_actions(org) == ["rubric.team_target_set"]
