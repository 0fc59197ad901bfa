"""The one-row reads (model_get, alias_get) answer exactly as visible_models, for
everyone, in one query."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.accounts.selectors import user_roles
from apps.registry import promotion, selectors
from apps.registry.models import Alias
from tests.accounts.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

READERS = [
    "lead",
    "member",
    "approver",
    "risk_officer",
    "auditor",
    "admin",
    "outsider",
    "other_org",
    "anonymous",
]


@pytest.fixture
def held(registry):
    """A low-tier model whose production alias points at an applied version."""
    request = registry.approved(tier="low")
    promotion.promotion_apply(request=request, applied_by=registry.lead)
    return request.version.model


@pytest.fixture
def reader(registry, make_user):
    def _reader(who: str):
        return {
            "lead": lambda: registry.lead,
            "member": lambda: registry.member,
            "approver": lambda: registry.approvers[0],
            "risk_officer": lambda: registry.risk_officers[0],
            "auditor": lambda: make_user("auditor"),
            "admin": lambda: registry.admin,
            "outsider": lambda: registry.outsider,
            "other_org": lambda: make_user(
                "approver", organization=OrganizationFactory()
            ),
            "anonymous": AnonymousUser,
        }[who]()

    return _reader


def _pk(row) -> int | None:
    return row.pk if row is not None else None


@pytest.mark.parametrize("who", READERS)
@pytest.mark.parametrize("name", ["production", "missing"])
def test_alias_get_answers_as_visible_models(held, reader, who, name):
    user = reader(who)
    expected = Alias.objects.filter(
        model__in=selectors.visible_models(user=user).filter(pk=held.pk), name=name
    ).first()

    alias = selectors.alias_get(fetched_by=user, model_id=held.pk, name=name)

    assert _pk(alias) == _pk(expected)


@pytest.mark.parametrize("who", READERS)
def test_model_get_answers_as_visible_models(held, reader, who):
    user = reader(who)

    for model_id in (held.pk, held.pk + 1000):
        expected = selectors.visible_models(user=user).filter(pk=model_id).first()
        model = selectors.model_get(fetched_by=user, model_id=model_id)
        assert _pk(model) == _pk(expected)


def test_alias_get_sees_a_readable_alias_with_its_version(held, registry):
    alias = selectors.alias_get(
        fetched_by=registry.member, model_id=held.pk, name="production"
    )

    assert alias.version.model_id == held.pk
    assert alias.protected


def test_alias_get_is_one_query_once_roles_are_read(
    held, registry, django_assert_num_queries
):
    user = registry.outsider
    user_roles(user=user)  # the request's permission check reads them first

    # The alias with its model and version; the outsider's roles are cached.
    with django_assert_num_queries(1):
        selectors.alias_get(fetched_by=user, model_id=held.pk, name="production")


def test_model_get_is_one_query_once_roles_are_read(
    held, registry, django_assert_num_queries
):
    user = registry.lead
    user_roles(user=user)

    # The model with its team, owner and organisation.
    with django_assert_num_queries(1):
        model = selectors.model_get(fetched_by=user, model_id=held.pk)
        assert (model.team.pk, model.organization.pk) == (
            held.team_id,
            held.organization_id,
        )
