"""Fixtures for the registry API: evidence files in a temporary directory, and a
caller from another organisation."""

from __future__ import annotations

import pytest

from apps.accounts.models import User
from tests.accounts.factories import OrganizationFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence files go to a per-test directory, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def stranger(make_user) -> User:
    """An org admin of another organisation: none of this registry exists for them."""
    return make_user("org_admin", organization=OrganizationFactory())
