"""The dashboards in a real browser: an executive opens the organisation's dashboard,
every chart draws with our plotly.js, a business-unit filter narrows the heatmap, a
heatmap row opens the team's page, which draws its charts; no console error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.models import Role
from apps.assessments import services as assessments
from apps.assessments.services import AnswerInput
from apps.dashboards.panels import ORG_PANELS, TEAM_PANELS
from apps.roadmaps import services as roadmaps
from tests.accounts.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)
from tests.assessments.factories import rubric_create
from tests.e2e.helpers import sign_in
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ANSWERS = {
    "data.l1.documented": True,
    "data.snapshots": "versioned",
    "data.l3.validated": True,
    "ops.l1.runbook": "https://wiki.example.com/runbook",
    "ops.l2.tools": ["ci"],
}
BASIC = {"data.l1.documented": True}


def _scored(team, rubric, period: str, answers: dict) -> None:
    lead = UserFactory(organization=team.organization)
    MembershipFactory(user=lead, role=Role.TEAM_LEAD, team=team)
    assessment = assessments.assessment_create(
        team=team, period=period, rubric=rubric, created_by=lead
    )
    questions = {q.key: q for q in rubric.questions.all()}
    assessments.answers_save(
        assessment=assessment,
        respondent=lead,
        items=[AnswerInput(questions[k].pk, v) for k, v in answers.items()],
    )
    assessments.assessment_submit(assessment=assessment, submitted_by=lead)


@pytest.fixture
def acme():
    """Three teams in two business units, scored over two quarters, one with a
    repository's signals and a roadmap; an executive who reads them all."""
    org = OrganizationFactory(name="Acme Analytics")
    retail = BusinessUnitFactory(organization=org, name="Retail")
    risk = BusinessUnitFactory(organization=org, name="Risk")
    rubric = rubric_create()
    fraud = TeamFactory(business_unit=risk, name="Fraud Detection")
    teams = [fraud, TeamFactory(business_unit=risk, name="Credit Scoring")]
    shop = TeamFactory(business_unit=retail, name="Recommendations")
    teams.append(shop)
    for team in teams:
        _scored(team, rubric, "2026-Q3", BASIC)
        _scored(team, rubric, "2026-Q4", ANSWERS if team is fraud else BASIC)
    scanned(LinkedRepoFactory(team=fraud), {"ci_runs_tests": (True, "running")})
    roadmaps.roadmap_generate(team=fraud)
    executive = UserFactory(organization=org, username="exec")
    MembershipFactory(user=executive, role=Role.EXECUTIVE)
    return {"executive": executive, "fraud": fraud, "retail": retail, "shop": shop}


def _charts_drawn(page: Page, panels) -> None:
    for panel in panels:
        chart = page.locator(f"#chart-{panel.key}")
        expect(chart.locator(".main-svg").first).to_be_attached()
        expect(chart).to_have_attribute("data-rendered", "true")


def _heatmap_hover(page: Page) -> str:
    """The hover box over the heatmap's top-left cell."""
    cells = page.locator("#chart-heatmap .nsewdrag").first
    box = cells.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.04, box["y"] + box["height"] * 0.1)
    hover = page.locator("#chart-heatmap .hovertext").first
    expect(hover).to_be_visible()
    return hover.text_content()


def _heatmap_rows(page: Page) -> int:
    return page.evaluate("document.getElementById('chart-heatmap').data[0].y.length")


def test_an_executive_filters_the_dashboard_and_opens_a_team(
    page, live_server, acme, tmp_path
):
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    sign_in(page, live_server.url, acme["executive"].username)
    page.get_by_role("link", name="Dashboards").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation dashboard")
    _charts_drawn(page, ORG_PANELS)
    assert _heatmap_rows(page) == 3
    # The cells' numbers arrive as typed arrays; the hover formats them.
    hover = _heatmap_hover(page)
    assert re.search(r"Score: \d\.\d\d \(\d+% of the way to the next level\)", hover)
    assert re.search(r"Target: (\d|none)", hover)
    assert "NaN" not in hover
    page.locator("#data-heatmap summary").click()
    expect(page.locator("#data-heatmap table")).to_be_visible()
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    page.get_by_label("Business unit", exact=True).select_option(label="Retail")
    page.get_by_role("button", name="Apply").click()

    # The filters are in the address: the view can be shared.
    unit = acme["retail"].pk
    expect(page).to_have_url(re.compile(rf"/dashboards/\?business_unit={unit}&"))
    _charts_drawn(page, ORG_PANELS)
    assert _heatmap_rows(page) == 1
    csv_link = page.get_by_role(
        "link", name="Download “Maturity by team and dimension” as CSV"
    )
    expect(csv_link).to_have_attribute(
        "href", f"/dashboards/data/heatmap.csv?business_unit={unit}&sort=name"
    )
    page.screenshot(path=str(tmp_path / "dashboard-retail.png"), full_page=True)

    # A heatmap row opens the team's page.
    page.locator("#chart-heatmap .nsewdrag").click()
    expect(page).to_have_url(f"{live_server.url}/dashboards/teams/{acme['shop'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendations")

    page.goto(f"{live_server.url}/dashboards/teams/{acme['fraud'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fraud Detection")
    _charts_drawn(page, TEAM_PANELS)
    expect(page.locator("#signal-ci_runs_tests")).to_contain_text("Running")
    page.get_by_role("link", name="ops.l2.tools").click()
    expect(page).to_have_url(
        f"{live_server.url}/roadmaps/teams/{acme['fraud'].pk}/#item-ops-l2-tools"
    )
    page.go_back()
    _charts_drawn(page, TEAM_PANELS)
    page.screenshot(path=str(tmp_path / "team.png"), full_page=True)
    assert errors == []
