"""Query budgets: the registry's lists cost the same with 3 rows as with 30.

Callers are fetched afresh before each request: roles are cached per user object, and
a cached role set would hide the permission query.
"""

from __future__ import annotations

import pytest

from apps.accounts.models import User
from apps.registry import services
from tests.registry.api.helpers import url

pytestmark = pytest.mark.django_db


def _models_with_aliases(registry, n: int) -> None:
    for _ in range(n):
        model = registry.model()
        version = registry.version(model)
        services.alias_set(
            model=model, name="challenger", version=version, set_by=registry.lead
        )


def _versions_with_aliases(registry, n: int) -> None:
    model = registry.model()
    for i in range(n):
        version = registry.version(model)
        services.alias_set(
            model=model, name=f"shadow-{i}", version=version, set_by=registry.lead
        )


def _requests(registry, n: int) -> None:
    model = registry.model()
    for _ in range(n):
        registry.request(registry.version(model), "staging")


LISTS = {
    # 1 caller's roles, 2 count, 3 models joined to team and owner, 4 their aliases
    # joined to versions.
    "models": (url("models"), _models_with_aliases, 4),
    # 1 caller's roles, 2 one cursor page of versions joined to models (no count),
    # 3 their aliases.
    "versions": (url("versions"), _versions_with_aliases, 3),
    # 1 caller's roles, 2 count, 3 requests joined to version, model and requester.
    "requests": (url("requests"), _requests, 3),
}


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("name", list(LISTS))
def test_registry_list_runs_constant_queries(
    name, rows, registry, api_client, django_assert_num_queries
):
    path, make_rows, queries = LISTS[name]
    make_rows(registry, rows)
    client = api_client(User.objects.get(pk=registry.member.pk))

    with django_assert_num_queries(queries):
        response = client.get(path)

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
