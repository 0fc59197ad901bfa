"""Roadmap pages: a team's roadmap (who sees it, who edits it, the edit form, the
regenerate button, the empty state), its exports, and the organisation's view; each
page with a query budget that does not grow with the data."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role, Team, User
from apps.assessments import services as assessments
from apps.assessments.services import AnswerInput
from apps.audit.models import AuditEvent
from apps.roadmaps import display, services
from apps.roadmaps.models import Roadmap, RoadmapItem
from apps.rubrics.models import TeamTarget
from tests.accounts.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)
from tests.assessments.conftest import GOOD_ANSWERS
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = pytest.mark.django_db

Status = RoadmapItem.Status


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(team: Team, action: str = "") -> str:
    return f"/roadmaps/teams/{team.pk}/{action}"


def item_url(item: RoadmapItem) -> str:
    return f"/roadmaps/items/{item.pk}/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def items_of(roadmap: Roadmap) -> dict[str, RoadmapItem]:
    return {i.criterion_key: i for i in roadmap.items.all()}


def edit(item: RoadmapItem, **changes) -> dict:
    """The item form as the page posts it, with `changes` applied."""
    data = {
        "status": item.status,
        "owner": item.owner_id or "",
        "due_quarter": item.due_quarter,
        "dismissed_reason": item.dismissed_reason,
    }
    return {**data, **changes}


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured)


@pytest.fixture
def roadmap(submitted, lead) -> Roadmap:
    """GOOD_ANSWERS planned: ops.l2.tools (#1) and data.l3.validated, both Now."""
    return services.roadmap_generate(team=submitted.team, generated_by=lead)


@pytest.fixture
def tools(roadmap) -> RoadmapItem:
    return items_of(roadmap)["ops.l2.tools"]


@pytest.fixture
def executive(make_user) -> User:
    return make_user(Role.EXECUTIVE)


def planned_team(org, rubric, name: str, answers: dict, **targets) -> Team:
    """A team of its own with a submitted assessment and its roadmap."""
    team = TeamFactory(business_unit=BusinessUnitFactory(organization=org), name=name)
    lead = UserFactory(organization=org)
    MembershipFactory(user=lead, organization=org, role=Role.TEAM_LEAD, team=team)
    for dimension, level in targets.items():
        TeamTarget.objects.create(
            team=team, rubric_slug=rubric.slug, dimension_key=dimension, level=level
        )
    assessment = assessments.assessment_create(
        team=team, period="2026-Q4", rubric=rubric, created_by=lead
    )
    questions = {q.key: q for q in rubric.questions.all()}
    assessments.answers_save(
        assessment=assessment,
        respondent=lead,
        items=[AnswerInput(questions[k].pk, v) for k, v in answers.items()],
    )
    assessments.assessment_submit(assessment=assessment, submitted_by=lead)
    services.roadmap_generate(team=team, generated_by=lead)
    return team


# --- Who sees and edits the team's roadmap ----------------------------------------------


def test_a_member_sees_the_three_phases_and_the_plan_basis(roadmap, member):
    response = signed_in(member).get(page_url(roadmap.team))

    html = response.content.decode()
    assert response.status_code == 200
    for phase in ("now", "next", "later"):
        assert f'id="phase-{phase}-title"' in html
    assert '<span class="rank">#1</span> <code>ops.l2.tools</code>' in html
    assert "Shared tooling is used." in html
    assert f'href="/assessments/{roadmap.assessment_id}/"' in html
    assert "the 2026-Q4 assessment" in html
    assert "level 1" in html
    assert "version 1.0.0" in html
    assert f'href="/roadmaps/teams/{roadmap.team_id}/roadmap.csv"' in html


def test_the_page_says_who_generated_it_or_automatically(roadmap, member, lead):
    html = signed_in(member).get(page_url(roadmap.team)).content.decode()
    assert f"by {lead.get_full_name() or lead.username}" in html

    Roadmap.objects.filter(pk=roadmap.pk).update(generated_by=None)
    html = signed_in(member).get(page_url(roadmap.team)).content.decode()
    assert "automatically, after a new assessment or scan" in html


def test_another_teams_lead_gets_404s(roadmap, tools, outsider):
    client = signed_in(outsider)

    assert client.get(page_url(roadmap.team)).status_code == 404
    assert client.get(page_url(roadmap.team, "roadmap.csv")).status_code == 404
    assert client.post(page_url(roadmap.team, "generate/")).status_code == 404
    assert client.post(item_url(tools), edit(tools, status="done")).status_code == 404
    tools.refresh_from_db()
    assert tools.status == Status.PLANNED


def test_anonymous_visitors_are_sent_to_sign_in(roadmap):
    response = Client().get(page_url(roadmap.team))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_executive_reads_without_forms_and_cannot_edit(roadmap, tools, executive):
    client = signed_in(executive)
    html = client.get(page_url(roadmap.team)).content.decode()
    assert "ops.l2.tools" in html
    assert 'id="regenerate-form"' not in html
    assert "/roadmaps/items/" not in html

    response = client.post(item_url(tools), edit(tools, status="done"))

    assert response.status_code == 403
    assert messages_of(response) == [
        "Your roles do not allow you to change this team's roadmap."
    ]
    tools.refresh_from_db()
    assert tools.status == Status.PLANNED
    assert client.post(page_url(roadmap.team, "generate/")).status_code == 403


def test_an_org_admin_edits_any_teams_items(tools, make_user):
    admin = make_user(Role.ORG_ADMIN)

    response = signed_in(admin).post(item_url(tools), edit(tools, status="done"))

    assert response.status_code == 302
    tools.refresh_from_db()
    assert (tools.status, tools.closed_by) == (Status.DONE, "team")


# --- The item form ----------------------------------------------------------------------


def test_a_lead_sets_status_owner_and_due_quarter(roadmap, tools, lead, member):
    response = signed_in(lead).post(
        item_url(tools),
        edit(tools, status="in_progress", owner=member.pk, due_quarter="2027-q1"),
        follow=True,
    )

    assert response.redirect_chain == [
        (page_url(roadmap.team) + "#item-ops-l2-tools", 302)
    ]
    assert messages_of(response) == ["ops.l2.tools saved."]
    tools.refresh_from_db()
    assert (tools.status, tools.owner, tools.due_quarter) == (
        Status.IN_PROGRESS,
        member,
        "2027-Q1",
    )
    assert AuditEvent.objects.filter(action="roadmap_item.updated").count() == 1
    html = response.content.decode()
    assert '<span class="status status-in_progress">In progress</span>' in html


def test_the_owner_choices_are_the_teams_people(tools, lead, member, outsider):
    response = signed_in(lead).get(page_url(tools.roadmap.team))
    (_now, cards) = response.context["phases"][0]
    choices = dict(cards[0].form.fields["owner"].choices)

    assert set(choices) == {"", lead.pk, member.pk}
    assert outsider.pk not in choices


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"due_quarter": "next year"}, "due_quarter", "Use the form 2027-Q1."),
        ({"status": "dismissed"}, "dismissed_reason", "Say why the item is dismissed."),
        ({"status": "finished"}, "status", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_whole_with_the_fields_message(
    tools, lead, member, changes, field, message
):
    response = signed_in(lead).post(
        item_url(tools), edit(tools, owner=member.pk, **changes)
    )

    assert response.status_code == 400
    (card,) = [c for c in response.context["phases"][0][1] if c.item.pk == tools.pk]
    assert message in " ".join(card.form.errors[field])
    assert message in response.content.decode()
    assert '<details class="edit" open>' in response.content.decode()
    tools.refresh_from_db()
    assert (tools.status, tools.owner, tools.due_quarter) == (Status.PLANNED, None, "")
    assert not AuditEvent.objects.filter(action="roadmap_item.updated").exists()


def test_an_owner_outside_the_team_is_not_accepted(tools, lead, outsider):
    response = signed_in(lead).post(item_url(tools), edit(tools, owner=outsider.pk))

    assert response.status_code == 400
    tools.refresh_from_db()
    assert tools.owner is None


def test_a_dismissal_with_its_reason_moves_the_item_to_closed(tools, lead):
    response = signed_in(lead).post(
        item_url(tools),
        edit(tools, status="dismissed", dismissed_reason="No shared tooling budget."),
        follow=True,
    )

    closed = [c.item.criterion_key for c in response.context["closed"]]
    assert closed == ["ops.l2.tools"]
    assert "Dismissed by the team" in response.content.decode()
    assert "No shared tooling budget." in response.content.decode()


def test_a_form_posted_unchanged_says_so(tools, lead):
    response = signed_in(lead).post(item_url(tools), edit(tools), follow=True)

    assert messages_of(response) == ["ops.l2.tools: nothing changed."]
    assert not AuditEvent.objects.filter(action="roadmap_item.updated").exists()


# --- What each card explains ------------------------------------------------------------


def test_a_card_explains_its_priority_and_links_what_it_unblocks(
    submitted, lead, member, target
):
    target("ops", 3)
    roadmap = services.roadmap_generate(team=submitted.team, generated_by=lead)

    html = signed_in(member).get(page_url(roadmap.team)).content.decode()

    assert (
        "weight 2 × urgency 3 (raises the floor, below target) × (1 + 1 unblocked)"
        " ÷ effort 2 = 6" in html
    )
    assert (
        '<a href="#item-ops-l3-retraining"><code>ops.l3.retraining</code></a>' in html
    )
    assert '<a href="#item-ops-l2-tools"><code>ops.l2.tools</code></a>' in html
    assert 'id="item-ops-l3-retraining"' in html
    assert (
        "A linked repository or CI system shows scheduled or triggered retraining"
        in html
    )


def test_a_prerequisite_beyond_a_target_is_explained(roadmap, member, tools):
    RoadmapItem.objects.filter(pk=tools.pk).update(
        blocked_by_target=["data.l3.validated"], requires=[]
    )

    html = signed_in(member).get(page_url(roadmap.team)).content.decode()

    assert (
        "needs <code>data.l3.validated</code> (Data is validated before training.),"
        " beyond your target for Data" in html
    )


def test_an_item_closed_by_a_signal_shows_its_repository(
    draft, member, lead, answer, target
):
    target("ops", 3)
    answer(
        draft, member, **{"ops.l3.retraining": 12, "ops.l2.tools": ["ci", "monitoring"]}
    )
    assessments.assessment_submit(assessment=draft, submitted_by=lead)
    services.roadmap_generate(team=draft.team)
    repo = LinkedRepoFactory(team=draft.team, name="acme/retrain")
    scanned(repo, {"continuous_training": (True, "running")})
    services.roadmap_generate(team=draft.team)

    response = signed_in(member).get(page_url(draft.team))

    assert [c.item.criterion_key for c in response.context["closed"]] == [
        "ops.l3.retraining"
    ]
    html = response.content.decode()
    assert "closed by evidence: The team&#x27;s repositories show scheduled" in html
    assert "Signal <code>continuous_training</code>" in html
    assert "acme/retrain at <code" in html
    assert ": holds" in html
    (summary,) = signed_in(member).get("/roadmaps/").context["teams"]
    assert summary.closed_by_evidence == 1


def test_an_item_the_team_kept_out_of_the_plan_has_its_own_section(
    submitted, lead, member, target
):
    target("ops", 3)
    roadmap = services.roadmap_generate(team=submitted.team, generated_by=lead)
    retraining = items_of(roadmap)["ops.l3.retraining"]
    services.item_update(item=retraining, updated_by=lead, due_quarter="2027-Q3")
    target("ops", 2)
    services.roadmap_generate(team=submitted.team, generated_by=lead)

    response = signed_in(member).get(page_url(submitted.team))

    assert [c.item.criterion_key for c in response.context["kept"]] == [
        "ops.l3.retraining"
    ]
    assert "Kept out of the plan" in response.content.decode()
    planned = [
        c.item.criterion_key for _, cards in response.context["phases"] for c in cards
    ]
    assert "ops.l3.retraining" not in planned


def test_priority_in_words_rounds_and_names_only_the_reasons_that_hold():
    factors = {
        "weight": 1.0,
        "urgency": 1.5,
        "raises_floor": False,
        "below_target": True,
        "unblocks": 0,
        "effort": 4,
    }

    assert display.priority_in_words(factors, 0.375) == (
        "weight 1 × urgency 1.5 (below target) × (1 + 0 unblocked) ÷ effort 4 = 0.38"
    )


# --- Regenerate and the empty state -----------------------------------------------------


def test_a_lead_generates_the_first_roadmap_from_the_empty_page(submitted, lead):
    client = signed_in(lead)
    html = client.get(page_url(submitted.team)).content.decode()
    assert "No roadmap yet" in html
    assert "the 2026-Q4 one is ready" in html
    assert 'id="regenerate-form"' in html

    response = client.post(page_url(submitted.team, "generate/"), follow=True)

    assert response.redirect_chain == [(page_url(submitted.team), 302)]
    assert messages_of(response) == ["Roadmap planned: revision 1."]
    roadmap = Roadmap.objects.get(team=submitted.team)
    assert roadmap.generated_by == lead


def test_regenerating_after_a_new_target_makes_a_new_revision(roadmap, lead, target):
    target("ops", 3)

    response = signed_in(lead).post(page_url(roadmap.team, "generate/"), follow=True)

    assert messages_of(response) == ["Roadmap planned: revision 2."]
    assert "ops.l3.retraining" in items_of(roadmap)


def test_regenerating_with_nothing_new_says_so(roadmap, lead):
    response = signed_in(lead).post(page_url(roadmap.team, "generate/"), follow=True)

    assert messages_of(response) == ["Nothing changed: still revision 1."]


def test_without_a_submitted_assessment_the_page_asks_for_one(draft, lead):
    client = signed_in(lead)
    html = client.get(page_url(draft.team)).content.decode()
    assert "submit an assessment first" in html
    assert 'id="regenerate-form"' not in html

    response = client.post(page_url(draft.team, "generate/"))

    assert response.status_code == 400
    assert messages_of(response) == [
        "The team has no submitted assessment to plan from yet."
    ]
    assert not Roadmap.objects.exists()


def test_an_executive_sees_the_empty_state_without_the_button(submitted, executive):
    html = signed_in(executive).get(page_url(submitted.team)).content.decode()

    assert "The team's people or an admin can generate it." in html
    assert 'id="regenerate-form"' not in html


# --- Exports ----------------------------------------------------------------------------


def test_the_csv_export_has_a_header_and_a_row_per_item(roadmap, member):
    response = signed_in(member).get(page_url(roadmap.team, "roadmap.csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="roadmap-{roadmap.team.slug}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["criterion"] for r in rows] == ["ops.l2.tools", "data.l3.validated"]
    assert rows[0]["rank"] == "1"
    assert rows[0]["phase"] == "now"
    assert rows[0]["statement"] == "Shared tooling is used."


def test_the_csv_export_neutralises_a_formula_in_a_dismissal_reason(
    roadmap, tools, lead
):
    services.item_update(
        item=tools,
        updated_by=lead,
        status="dismissed",
        dismissed_reason='=HYPERLINK("https://evil.example","x")',
    )

    response = signed_in(lead).get(page_url(roadmap.team, "roadmap.csv"))

    (row,) = [
        r
        for r in csv.DictReader(io.StringIO(response.content.decode()))
        if r["criterion"] == "ops.l2.tools"
    ]
    assert row["dismissed_reason"] == '\'=HYPERLINK("https://evil.example","x")'


def test_the_markdown_export_has_a_section_per_phase_and_the_closed(
    roadmap, tools, lead, member
):
    services.item_update(item=tools, updated_by=lead, status="done")

    response = signed_in(member).get(page_url(roadmap.team, "roadmap.md"))

    text = response.content.decode()
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="roadmap-{roadmap.team.slug}.md"'
    )
    assert text.startswith("# Roadmap: Fraud models\n")
    for heading in ("## Now", "## Next", "## Later", "## Closed"):
        assert f"\n{heading}\n" in text
    assert "- **ops.l2.tools**: Shared tooling is used. — done (the team)" in text


def test_exports_of_a_team_without_a_roadmap_are_404s(submitted, lead):
    client = signed_in(lead)

    assert client.get(page_url(submitted.team, "roadmap.csv")).status_code == 404
    assert client.get(page_url(submitted.team, "roadmap.md")).status_code == 404


# --- The organisation's view ------------------------------------------------------------


def test_the_org_view_lists_teams_with_their_counts_and_common_gaps(
    org, rubric, roadmap, executive
):
    other = planned_team(org, rubric, "Churn models", GOOD_ANSWERS)
    planned_team(org, rubric, "Pricing", {"data.snapshots": "nobody"})
    TeamFactory(business_unit=BusinessUnitFactory(organization=org), name="Search")

    response = signed_in(executive).get("/roadmaps/")

    teams = {t.name: t for t in response.context["teams"]}
    assert list(teams) == ["Churn models", "Fraud models", "Pricing", "Search"]
    fraud = teams["Fraud models"]
    assert (fraud.now_open, fraud.open_in_plan, fraud.closed_by_evidence) == (2, 2, 0)
    assert teams["Search"].generated_at is None
    html = response.content.decode()
    assert f'href="/roadmaps/teams/{other.pk}/"' in html
    assert "No roadmap yet" in html
    (tools,) = [
        g for g in response.context["gaps"].common_now if g.criterion == "ops.l2.tools"
    ]
    assert tools.teams == ["Churn models", "Fraud models"]
    assert "<strong>2</strong>: Churn models, Fraud models" in html


def test_a_team_member_sees_only_their_team_in_the_org_view(
    org, rubric, roadmap, member
):
    planned_team(org, rubric, "Churn models", GOOD_ANSWERS)

    response = signed_in(member).get("/roadmaps/")

    assert [t.name for t in response.context["teams"]] == ["Fraud models"]
    assert "Churn models" not in response.content.decode()


# --- Query budgets ----------------------------------------------------------------------


def test_the_team_page_costs_the_same_with_few_or_many_items(org, rubric, make_user):
    admin = make_user(Role.ORG_ADMIN)  # plans: forms and the owner choices included
    few = planned_team(org, rubric, "Few", GOOD_ANSWERS)
    many = planned_team(
        org, rubric, "Many", {"data.snapshots": "nobody"}, data=3, ops=3
    )
    items = list(Roadmap.objects.get(team=many).items.all())
    assert len(items) == 6
    assert len(items_of(Roadmap.objects.get(team=few))) == 2
    for item in items[:4]:
        owner = make_user(Role.TEAM_MEMBER, team=many)
        services.item_update(item=item, updated_by=admin, owner=owner)
    services.item_update(item=items[4], updated_by=admin, status="done")
    client = signed_in(admin)

    # session, user, the admin's roles, the team (among those visible), the roadmap,
    # its items (criterion and owner joined), the rubric's criteria with their
    # dimensions, the team's members (owner choices), the organisation (top bar)
    assert count_queries(client, page_url(few)) == 9
    assert count_queries(client, page_url(many)) == 9


def test_the_org_page_costs_the_same_for_3_or_10_teams(org, rubric, executive):
    client = signed_in(executive)
    for n in range(3):
        planned_team(org, rubric, f"Team {n}", GOOD_ANSWERS)
    # session, user, the executive's roles, the teams with their roadmap counts, the
    # open items behind the common gaps, the number of roadmaps, the organisation
    # (top bar)
    assert count_queries(client, "/roadmaps/") == 7
    for n in range(3, 10):
        planned_team(org, rubric, f"Team {n}", GOOD_ANSWERS, ops=3)

    assert count_queries(client, "/roadmaps/") == 7
