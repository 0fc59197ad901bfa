"""A real browser (Debian's Chromium) against a live server: sign-in and tokens."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from apps.accounts.models import ApiToken, Role
from tests.accounts.factories import (
    TEST_PASSWORD,
    BusinessUnitFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member():
    """A team member of a small demo-like organisation."""
    org = OrganizationFactory(name="Acme Analytics")
    unit = BusinessUnitFactory(organization=org, name="Retail Banking")
    team = TeamFactory(business_unit=unit, name="Fraud Detection")
    user = UserFactory(organization=org, username="member-fraud")
    MembershipFactory(user=user, role=Role.TEAM_MEMBER, team=team)
    return user


def test_browser_sign_in_shows_team_directory(page, live_server, member):
    sign_in(page, live_server.url, member.username, TEST_PASSWORD)

    expect(page.get_by_role("heading", name="Teams of Acme Analytics")).to_be_visible()
    expect(page.get_by_role("heading", name="Retail Banking")).to_be_visible()
    expect(page.get_by_role("link", name="Fraud Detection")).to_be_visible()


def test_browser_wrong_password_shows_error(page, live_server, member):
    sign_in(page, live_server.url, member.username, "not the password")

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    assert page.url.endswith("/accounts/login/")


def test_browser_tokens_page_shows_new_secret_once(page, live_server, member):
    sign_in(page, live_server.url, member.username, TEST_PASSWORD)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("laptop")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("New token").input_value()

    page.goto(f"{live_server.url}/account/tokens/")

    assert ApiToken.objects.get(name="laptop").digest == (
        hashlib.sha256(secret.encode()).hexdigest()
    )
    expect(page.get_by_label("New token")).to_have_count(0)
    assert secret not in page.content()
    expect(page.get_by_role("cell", name="laptop")).to_be_visible()
