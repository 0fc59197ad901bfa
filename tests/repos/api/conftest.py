"""Callers besides the team's people (tests/repos/conftest.py): an approver, who reads
every repository and changes none, and an admin of another organisation. Repositories
on GitHub by default: their evidence links to github.com."""

from __future__ import annotations

import pytest

from apps.accounts.models import Role, User
from apps.repos.models import LinkedRepo
from tests.accounts.factories import OrganizationFactory
from tests.repos.factories import LinkedRepoFactory


@pytest.fixture
def approver(make_user) -> User:
    return make_user(Role.APPROVER)


@pytest.fixture
def stranger(make_user) -> User:
    """An org admin of another organisation: none of these repositories exist for them."""
    return make_user(Role.ORG_ADMIN, organization=OrganizationFactory())


@pytest.fixture
def repo(people) -> LinkedRepo:
    """The team's repository, acme/fraud on GitHub."""
    return LinkedRepoFactory(
        team=people.team,
        name="acme/fraud",
        project="acme/fraud",
        clone_url="https://github.com/acme/fraud.git",
        default_branch="main",
        created_by=people.lead,
    )
