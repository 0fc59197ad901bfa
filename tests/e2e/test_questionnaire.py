"""A team lead fills the questionnaire in a real browser, reloads, submits, sees scores."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.models import Role
from apps.assessments.demo import default_rubric
from apps.assessments.models import Answer, Assessment
from tests.accounts.factories import (
    TEST_PASSWORD,
    BusinessUnitFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DIMENSIONS = [
    "Data management & quality",
    "Experimentation & tracking",
    "Model validation & testing",
]


@pytest.fixture
def lead():
    org = OrganizationFactory(name="Acme Analytics")
    team = TeamFactory(
        business_unit=BusinessUnitFactory(organization=org), name="Fraud Detection"
    )
    user = UserFactory(organization=org, username="lead-fraud")
    MembershipFactory(user=user, role=Role.TEAM_LEAD, team=team)
    default_rubric()
    return user


def _answer_first_questions(page: Page, count: int) -> None:
    """Pick the second choice of the first `count` questions and wait for each save."""
    for index in range(count):
        question = page.locator("fieldset.question").nth(index)
        question.locator("input[type=radio], input[type=checkbox]").nth(1).check()
        expect(question.locator(".save-status")).to_have_text("Saved")


def test_lead_answers_three_dimensions_reloads_submits_and_sees_scores(
    page, live_server, lead
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(lead.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Assessments").first.click()
    page.get_by_label("Period").fill("2026-Q4")
    page.get_by_role("button", name="Start").click()

    for name in DIMENSIONS:
        page.get_by_role("link", name=name).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        _answer_first_questions(page, 3)
    page.reload()
    kept = page.locator("fieldset.question").first.locator("input:checked")

    expect(kept).to_have_count(1)
    expect(page.locator("#progress-text")).to_have_text("9 of 90 questions answered")
    assert Answer.objects.filter(respondent=lead).count() == 9

    page.get_by_role("link", name="Fraud Detection · 2026-Q4").click()
    page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_role("heading", name="Not answered yet")).to_be_visible()
    page.get_by_role("button", name="Submit assessment").click()

    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.locator("#dimension-scores tbody tr")).to_have_count(11)
    expect(page.locator("#kpi-floor")).to_have_text("0")
    assert Assessment.objects.get().status == Assessment.Status.SUBMITTED
