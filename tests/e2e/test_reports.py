"""Reports in a real browser: a team member requests one from the reports page; a
report still waiting for its worker shows a progress bar that follows it, and the
page offers the download once a worker has rendered it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.accounts.models import Role
from apps.assessments import services as assessments
from apps.assessments.services import AnswerInput
from apps.reports import services
from apps.reports.models import Report
from tests.accounts.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)
from tests.assessments.factories import rubric_create
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member():
    """A team member whose team handed in an assessment of 2026-Q3."""
    org = OrganizationFactory(name="Acme Analytics")
    team = TeamFactory(
        business_unit=BusinessUnitFactory(organization=org, name="Risk"),
        name="风控模型团队",
    )
    rubric = rubric_create()
    lead = UserFactory(organization=org)
    MembershipFactory(user=lead, role=Role.TEAM_LEAD, team=team)
    assessment = assessments.assessment_create(
        team=team, period="2026-Q3", rubric=rubric, created_by=lead
    )
    question = rubric.questions.get(key="data.l1.documented")
    assessments.answers_save(
        assessment=assessment,
        respondent=lead,
        items=[AnswerInput(question.pk, True)],
    )
    assessments.assessment_submit(assessment=assessment, submitted_by=lead)
    member = UserFactory(organization=org, username="member")
    MembershipFactory(user=member, role=Role.TEAM_MEMBER, team=team)
    return member


def test_a_member_requests_a_report_and_downloads_it(page, live_server, member):
    sign_in(page, live_server.url, member.username)
    page.get_by_role("link", name="Reports").click()

    form = page.locator("#request-team_assessment")
    form.get_by_label("Paper").select_option("Letter")
    form.get_by_role("button", name="Request").click()

    # Tasks run at commit in the test settings (a worker in production).
    expect(page.get_by_role("heading", level=2, name="Done")).to_be_visible()
    report = Report.objects.get()
    expect(page.locator("#report-sha256")).to_have_text(report.sha256)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    content = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(content).hexdigest() == report.sha256


def test_the_progress_bar_follows_the_worker_and_then_offers_the_download(
    page, live_server, member
):
    team = member.memberships.get().team
    report = services.report_request(
        kind=Report.Kind.TEAM_ASSESSMENT, team=team, requested_by=member, enqueue=False
    )
    sign_in(page, live_server.url, member.username)
    page.goto(f"{live_server.url}/reports/{report.pk}/")

    bar = page.locator("#report-progress-bar")
    expect(bar).to_have_attribute("value", "0")
    expect(page.locator("#report-progress-text")).to_have_text(
        "Waiting for a worker (0 %)"
    )

    services.report_render(report_id=report.pk)  # the worker, while the page polls

    download = page.get_by_role("link", name="Download the PDF")
    expect(download).to_be_visible(timeout=20_000)
    report.refresh_from_db()
    expect(page.locator("#report-sha256")).to_have_text(report.sha256)
