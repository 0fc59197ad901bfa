"""A team's roadmap in a real browser: the lead opens it, sees Now / Next / Later, and
puts an item in progress with an owner."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.accounts.models import Role
from apps.assessments import services as assessments
from apps.assessments.services import AnswerInput
from apps.roadmaps import services
from apps.roadmaps.models import RoadmapItem
from apps.rubrics.models import TeamTarget
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

# Data at level 2 (level 3 claimed, not evidenced), operations at level 1.
ANSWERS = {
    "data.l1.documented": True,
    "data.snapshots": "versioned",
    "data.l3.validated": True,
    "ops.l1.runbook": "https://wiki.example.com/runbook",
    "ops.l2.tools": ["ci"],
}


@pytest.fixture
def people():
    """A team with a lead and a member, a submitted assessment and its roadmap."""
    org = OrganizationFactory(name="Acme Analytics")
    team = TeamFactory(
        business_unit=BusinessUnitFactory(organization=org), name="Fraud Detection"
    )
    lead = UserFactory(organization=org, username="lead-fraud")
    MembershipFactory(user=lead, role=Role.TEAM_LEAD, team=team)
    member = UserFactory(
        organization=org, username="member-fraud", first_name="Ada", last_name="Byron"
    )
    MembershipFactory(user=member, role=Role.TEAM_MEMBER, team=team)
    rubric = rubric_create()
    TeamTarget.objects.create(
        team=team, rubric_slug=rubric.slug, dimension_key="ops", level=3
    )
    assessment = assessments.assessment_create(
        team=team, period="2026-Q4", rubric=rubric, created_by=lead
    )
    questions = {q.key: q for q in rubric.questions.all()}
    assessments.answers_save(
        assessment=assessment,
        respondent=lead,
        items=[AnswerInput(questions[k].pk, v) for k, v in ANSWERS.items()],
    )
    assessments.assessment_submit(assessment=assessment, submitted_by=lead)
    services.roadmap_generate(team=team, generated_by=lead)
    return {"lead": lead, "member": member, "team": team}


def test_lead_puts_an_item_in_progress_with_an_owner(
    page, live_server, people, tmp_path
):
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    sign_in(page, live_server.url, people["lead"].username)
    page.get_by_role("link", name="Roadmaps").click()
    page.get_by_role("link", name="Fraud Detection").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Roadmap: Fraud Detection"
    )
    for phase in ("Now", "Next", "Later"):
        expect(page.get_by_role("heading", name=phase, exact=True)).to_be_visible()
    now = page.locator("#phase-now")
    card = now.locator("#item-ops-l2-tools")
    expect(card).to_contain_text("Shared tooling is used.")
    expect(page.locator("#phase-next")).to_contain_text("ops.l3.retraining")

    card.get_by_text("Change status, owner or due quarter").click()
    card.get_by_label("Status").select_option(label="In progress")
    card.get_by_label("Owner").select_option(label="Ada Byron")
    card.get_by_label("Due quarter").fill("2027-Q1")
    card.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("ops.l2.tools saved.")
    card = page.locator("#item-ops-l2-tools")
    expect(card.locator(".status")).to_have_text("In progress")
    expect(card.locator(".owner")).to_have_text("Ada Byron")
    expect(card.locator(".due")).to_have_text("2027-Q1")
    page.screenshot(path=str(tmp_path / "roadmap.png"), full_page=True)
    item = RoadmapItem.objects.get(criterion_key="ops.l2.tools")
    assert (item.status, item.owner, item.due_quarter) == (
        RoadmapItem.Status.IN_PROGRESS,
        people["member"],
        "2027-Q1",
    )
    assert errors == []
