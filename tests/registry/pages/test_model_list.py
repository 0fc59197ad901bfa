"""The registry list: columns, filters in a shareable GET URL, visibility, paging and a
constant query budget."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.registry import promotion, services
from apps.registry.models import ModelVersion
from tests.registry.pages.conftest import count_queries

pytestmark = pytest.mark.django_db


def _in_production(registry, **model):
    request = registry.approved(**model)
    return promotion.promotion_apply(request=request, applied_by=registry.lead)


def _names(response) -> list[str]:
    return [m.name for m in response.context["page"]]


def test_list_shows_team_tier_owner_aliases_and_revalidation(registry, client_for):
    applied = _in_production(registry, tier="high")
    model = applied.version.model

    response = client_for(registry.lead).get("/registry/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/registry/models/{model.pk}/"' in html
    assert registry.team.name in html
    assert '<span class="tier tier-high">High</span>' in html
    assert registry.lead.get_full_name() in html
    assert "production → v1" in html
    assert '<span class="reval reval-ok">OK</span>' in html


def test_list_filters_by_team_tier_alias_and_search(registry, client_for):
    live = _in_production(registry, tier="medium").version.model
    services.model_update(
        model=live, updated_by=registry.lead, purpose="Scores card fraud"
    )
    registry.model(tier="low", name="churn")
    client = client_for(registry.approvers[0])

    assert _names(client.get("/registry/?risk_tier=medium")) == [live.name]
    assert _names(client.get("/registry/?alias=production")) == [live.name]
    assert _names(client.get("/registry/?q=card+fraud")) == [live.name]
    assert _names(client.get(f"/registry/?team={registry.team.pk}&q=churn")) == [
        "churn"
    ]


def test_list_filters_by_revalidation_state(registry, client_for):
    overdue = _in_production(registry).version
    ModelVersion.objects.filter(pk=overdue.pk).update(
        revalidation_due=date.today() - timedelta(days=1),
        revalidation_overdue_since=timezone.now(),
    )
    soon = _in_production(registry).version
    ModelVersion.objects.filter(pk=soon.pk).update(
        revalidation_due=date.today() + timedelta(days=10)
    )
    fine = _in_production(registry).version
    client = client_for(registry.lead)

    response = client.get("/registry/?revalidation=overdue")

    assert _names(response) == [overdue.model.name]
    assert (
        '<span class="reval reval-overdue">Overdue</span>' in response.content.decode()
    )
    assert _names(client.get("/registry/?revalidation=due_soon")) == [soon.model.name]
    # One state per model, the column and the filter agree: "ok" is neither.
    assert _names(client.get("/registry/?revalidation=ok")) == [fine.model.name]


def test_list_ignores_an_invalid_filter_and_says_so(registry, client_for):
    registry.model(name="kept")

    response = client_for(registry.lead).get("/registry/?risk_tier=extreme&team=x")

    assert response.status_code == 200
    assert _names(response) == ["kept"]
    assert "Ignored: team, risk tier" in response.content.decode()


def test_team_members_see_only_their_teams_models(registry, client_for):
    registry.model(name="ours")

    assert _names(client_for(registry.outsider).get("/registry/")) == []
    assert _names(client_for(registry.risk_officers[0]).get("/registry/")) == ["ours"]


def test_another_organisations_models_are_not_listed(registry, client_for, stranger):
    registry.model(name="ours")

    assert _names(client_for(stranger).get("/registry/")) == []


def test_list_pages_by_25_keeping_the_filters(registry, client_for):
    for n in range(30):
        registry.model(name=f"m{n:02}")

    response = client_for(registry.lead).get("/registry/?risk_tier=low&page=2")

    assert _names(response) == [f"m{n:02}" for n in range(25, 30)]
    assert 'href="?risk_tier=low&amp;page=1"' in response.content.decode()


def test_list_queries_do_not_grow_with_models(registry, client_for):
    def grow_to(count: int) -> None:
        while len(registry.team.registered_models.all()) < count:
            model = registry.model()
            version = registry.version(model)
            services.alias_set(
                model=model, name="challenger", version=version, set_by=registry.lead
            )

    client = client_for(registry.lead)
    client.get("/registry/")  # warm the session
    grow_to(3)
    few = count_queries(client, "/registry/?alias=challenger")
    grow_to(30)
    many = count_queries(client, "/registry/?alias=challenger")

    # Session, user, roles, the team filter's teams, alias names in use, the
    # paginator's count, the organisation (page header), one page of models (team,
    # owner, revalidation state annotated), their aliases with versions.
    assert few == many == 9


def test_list_needs_sign_in(client):
    response = client.get("/registry/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_superseded_versions_old_date_is_not_due(registry, client_for):
    first = _in_production(registry)
    model = first.version.model
    ModelVersion.objects.filter(pk=first.version_id).update(
        revalidation_due=date.today() + timedelta(days=3)
    )
    newer = registry.version(model)
    request = registry.approve(registry.request(newer), registry.approvers[2])
    promotion.promotion_apply(request=request, applied_by=registry.lead)

    client = client_for(registry.lead)
    assert _names(client.get("/registry/?revalidation=due_soon")) == []
    assert model.name in _names(client.get("/registry/?revalidation=ok"))
