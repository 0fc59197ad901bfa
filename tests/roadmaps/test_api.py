"""The roadmaps API: a team's roadmap, regenerating it, editing an item, org gaps.

Callers are fetched afresh before each counted request: roles are cached per user
object, and a cached role set would hide the permission query.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role, User
from apps.assessments import services as assessments
from apps.assessments.services import AnswerInput
from apps.audit.models import AuditEvent
from apps.roadmaps import services
from apps.roadmaps.models import Roadmap, RoadmapItem
from apps.rubrics.models import TeamTarget
from tests.accounts.factories import OrganizationFactory, TeamFactory
from tests.assessments.conftest import GOOD_ANSWERS

pytestmark = pytest.mark.django_db

API = "/api/v1/roadmaps/"
ITEM_FIELDS = {
    "id",
    "criterion",
    "statement",
    "guidance",
    "dimension",
    "level",
    "kind",
    "phase",
    "rank",
    "priority",
    "factors",
    "requires",
    "unblocks",
    "blocked_by_target",
    "pulled_in",
    "in_plan",
    "status",
    "dismissed_reason",
    "owner",
    "due_quarter",
    "closed_at",
    "closed_by",
    "closing_evidence",
}


def roadmap_url(team) -> str:
    return f"{API}teams/{team.pk}/"


def item_url(item) -> str:
    return f"{API}items/{item.pk}/"


def error(response) -> dict:
    """The error body, after checking it has the one error shape."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def edits() -> int:
    return AuditEvent.objects.filter(action="roadmap_item.updated").count()


@pytest.fixture
def roadmap(submitted) -> Roadmap:
    """Planned from GOOD_ANSWERS: ops.l2.tools (rank 1) and data.l3.validated."""
    return services.roadmap_generate(team=submitted.team)


@pytest.fixture
def item(roadmap) -> RoadmapItem:
    return roadmap.items.get(criterion_key="ops.l2.tools")


@pytest.fixture
def executive(make_user) -> User:
    return make_user(Role.EXECUTIVE)


@pytest.fixture
def admin(make_user) -> User:
    return make_user(Role.ORG_ADMIN)


# --- Reading a roadmap -----------------------------------------------------------------


def test_roadmap_answers_header_and_items_in_rank_order(roadmap, lead, api_client):
    response = api_client(lead).get(roadmap_url(roadmap.team))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["team"]["id"] == roadmap.team_id
    assert body["team"]["name"] == "Fraud models"
    assert body["assessment"] == {"id": roadmap.assessment_id, "period": "2026-Q4"}
    assert (body["revision"], body["floor"], body["generated_by"]) == (1, 1, None)
    assert body["engine_version"] == roadmap.engine_version
    assert isinstance(body["signal_states"], dict)
    assert [i["criterion"] for i in body["items"]] == [
        "ops.l2.tools",
        "data.l3.validated",
    ]
    assert set(body["items"][0]) == ITEM_FIELDS


def test_roadmap_item_says_why_it_is_ranked(roadmap, member, api_client):
    tools = api_client(member).get(roadmap_url(roadmap.team)).json()["items"][0]

    assert tools["statement"] == "Shared tooling is used."
    assert (tools["dimension"], tools["level"], tools["kind"]) == ("ops", 2, "build")
    assert (tools["phase"], tools["rank"], tools["status"]) == ("now", 1, "planned")
    assert tools["priority"] == pytest.approx(2.0)
    assert set(tools["factors"]) == {
        "weight",
        "urgency",
        "raises_floor",
        "below_target",
        "unblocks",
        "effort",
    }
    assert tools["factors"]["raises_floor"] is True
    assert (tools["owner"], tools["closed_at"], tools["closing_evidence"]) == (
        None,
        None,
        {},
    )


def test_roadmap_item_out_of_plan_has_no_phase_or_rank(item, lead, api_client):
    RoadmapItem.objects.filter(pk=item.pk).update(in_plan=False)

    body = api_client(lead).get(roadmap_url(item.roadmap.team)).json()

    (tools,) = [i for i in body["items"] if i["id"] == item.pk]
    assert (tools["in_plan"], tools["phase"], tools["rank"]) == (False, None, None)


def test_roadmap_names_who_generated_it(submitted, lead, api_client):
    services.roadmap_generate(team=submitted.team, generated_by=lead)

    body = api_client(lead).get(roadmap_url(submitted.team)).json()

    assert body["generated_by"]["id"] == lead.pk
    assert body["generated_by"]["username"] == lead.username


def test_roadmap_of_a_team_without_one_is_a_404_that_says_so(
    submitted, lead, api_client
):
    response = api_client(lead).get(roadmap_url(submitted.team))

    assert response.status_code == 404
    assert error(response) == {
        "code": "no_roadmap",
        "message": "The team has no roadmap yet: generate one.",
        "fields": {},
    }


@pytest.mark.parametrize("reader", ["member", "executive", "admin"])
def test_roadmap_is_read_by_the_team_and_org_readers(
    roadmap, reader, request, api_client
):
    user = request.getfixturevalue(reader)

    assert api_client(user).get(roadmap_url(roadmap.team)).status_code == 200


def test_roadmap_of_another_team_does_not_exist_for_its_lead(
    roadmap, outsider, api_client
):
    response = api_client(outsider).get(roadmap_url(roadmap.team))

    assert response.status_code == 404
    assert error(response)["message"] == "No such team."


def test_roadmap_of_another_organisation_does_not_exist(roadmap, make_user, api_client):
    stranger = make_user(Role.ORG_ADMIN, organization=OrganizationFactory())

    assert api_client(stranger).get(roadmap_url(roadmap.team)).status_code == 404


# --- Regenerating -----------------------------------------------------------------------


def generate_url(team) -> str:
    return roadmap_url(team) + "generate/"


def test_generate_plans_a_first_roadmap_and_answers_it(submitted, lead, api_client):
    response = api_client(lead).post(generate_url(submitted.team))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["revision"], body["generated_by"]["id"]) == (1, lead.pk)
    assert len(body["items"]) == 2
    roadmap = Roadmap.objects.get(team=submitted.team)
    assert roadmap.generated_by == lead
    assert {i["id"] for i in body["items"]} == set(
        roadmap.items.values_list("pk", flat=True)
    )


def test_generate_again_replans_and_keeps_the_team_edits(
    item, lead, member, target, api_client
):
    services.item_update(item=item, updated_by=lead, owner=member, status="done")
    target("ops", 3)

    body = api_client(member).post(generate_url(item.roadmap.team)).json()

    assert (body["revision"], body["generated_by"]["id"]) == (2, member.pk)
    items = {i["criterion"]: i for i in body["items"]}
    assert "ops.l3.retraining" in items
    tools = items["ops.l2.tools"]
    assert (tools["status"], tools["closed_by"]) == ("done", "team")
    assert tools["owner"]["id"] == member.pk


def test_generate_with_nothing_new_answers_the_same_revision(roadmap, lead, api_client):
    response = api_client(lead).post(generate_url(roadmap.team))

    assert response.status_code == 200
    assert response.json()["revision"] == 1 == Roadmap.objects.get().revision


def test_generate_without_a_submitted_assessment_is_a_400(draft, lead, api_client):
    response = api_client(lead).post(generate_url(draft.team))

    assert response.status_code == 400
    assert error(response) == {
        "code": "no_assessment",
        "message": "The team has no submitted assessment to plan from yet.",
        "fields": {},
    }
    assert not Roadmap.objects.exists()


def test_generate_is_refused_to_an_executive(roadmap, executive, api_client):
    response = api_client(executive).post(generate_url(roadmap.team))

    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert Roadmap.objects.get().revision == 1


def test_generate_by_an_org_admin(submitted, admin, api_client):
    response = api_client(admin).post(generate_url(submitted.team))

    assert response.status_code == 200
    assert Roadmap.objects.get().generated_by == admin


def test_generate_for_another_team_does_not_exist(roadmap, outsider, api_client):
    response = api_client(outsider).post(generate_url(roadmap.team))

    assert response.status_code == 404
    assert Roadmap.objects.get().revision == 1


# --- Editing an item -------------------------------------------------------------------


def test_item_edit_saves_and_answers_the_item(item, lead, member, api_client):
    response = api_client(lead).patch(
        item_url(item),
        {"status": "in_progress", "owner": member.pk, "due_quarter": "2027-q1"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == ITEM_FIELDS
    assert (body["status"], body["due_quarter"]) == ("in_progress", "2027-Q1")
    assert body["owner"]["id"] == member.pk
    item.refresh_from_db()
    assert (item.status, item.owner, item.due_quarter) == (
        "in_progress",
        member,
        "2027-Q1",
    )
    assert edits() == 1


def test_item_dismissed_with_a_reason(item, member, api_client):
    response = api_client(member).patch(
        item_url(item),
        {"status": "dismissed", "dismissed_reason": "Batch scoring only."},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["dismissed_reason"] == "Batch scoring only."
    item.refresh_from_db()
    assert (item.status, item.dismissed_reason) == ("dismissed", "Batch scoring only.")


def test_item_owner_and_quarter_are_cleared(item, lead, member, api_client):
    services.item_update(
        item=item, updated_by=lead, owner=member, due_quarter="2027-Q2"
    )

    response = api_client(lead).patch(
        item_url(item), {"owner": None, "due_quarter": ""}, format="json"
    )

    assert response.status_code == 200
    item.refresh_from_db()
    assert (item.owner, item.due_quarter) == (None, "")


def test_item_done_by_the_team_says_so(item, lead, api_client):
    body = api_client(lead).patch(item_url(item), {"status": "done"}, format="json")

    assert body.json()["closed_by"] == "team"
    assert body.json()["closed_at"] is not None


def test_item_edit_by_an_org_admin(item, admin, api_client):
    response = api_client(admin).patch(
        item_url(item), {"status": "done"}, format="json"
    )

    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == "done"


def test_item_edit_is_refused_to_an_executive(item, executive, api_client):
    response = api_client(executive).patch(
        item_url(item), {"status": "done"}, format="json"
    )

    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    item.refresh_from_db()
    assert item.status == "planned"
    assert edits() == 0


def test_item_of_another_team_does_not_exist(item, outsider, api_client):
    response = api_client(outsider).patch(
        item_url(item), {"status": "done"}, format="json"
    )

    assert response.status_code == 404
    assert error(response)["message"] == "No such roadmap item."
    item.refresh_from_db()
    assert item.status == "planned"


BAD_EDITS = [
    ({"priority": 99}, "priority", "Unknown field."),
    ({"status": "done", "rank": 1}, "rank", "Unknown field."),
    ({"status": "finished"}, "status", '"finished" is not a valid choice.'),
    ({"status": ["done"]}, "status", None),
    ({"due_quarter": "2027Q5"}, "due_quarter", "Use the form 2027-Q1."),
    ({"due_quarter": "next year"}, "due_quarter", "Use the form 2027-Q1."),
    ({"due_quarter": "q" * 21}, "due_quarter", None),
    ({"status": "dismissed"}, "dismissed_reason", "Say why the item is dismissed."),
    (
        {"status": "dismissed", "dismissed_reason": "   "},
        "dismissed_reason",
        "Say why the item is dismissed.",
    ),
    (
        {"dismissed_reason": "Not now."},
        "dismissed_reason",
        "Only a dismissed item has a reason.",
    ),
    ({"owner": 10**9}, "owner", "Unknown user."),
    ({"owner": "abc"}, "owner", None),
    ({"owner": 10**30}, "owner", None),
    ({"dismissed_reason": "bad\x00value"}, "dismissed_reason", None),
]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [pytest.param(*case, id=str(case[0])[:40]) for case in BAD_EDITS],
)
def test_item_bad_edit_is_a_400_on_the_field_and_changes_nothing(
    item, lead, member, api_client, data, field, message
):
    response = api_client(lead).patch(
        item_url(item), {"owner": member.pk, **data}, format="json"
    )

    assert response.status_code == 400, response.content
    fields = error(response)["fields"]
    assert field in fields
    if message:
        assert fields[field] == [message]
    item.refresh_from_db()
    assert (item.status, item.owner, item.due_quarter) == ("planned", None, "")
    assert edits() == 0


def test_item_edit_of_nothing_is_a_400(item, lead, api_client):
    response = api_client(lead).patch(item_url(item), {}, format="json")

    assert response.status_code == 400
    assert error(response)["fields"] == {
        "non_field_errors": ["Give at least one field to change."]
    }


def test_item_owner_must_be_on_the_team(item, lead, outsider, api_client):
    response = api_client(lead).patch(
        item_url(item), {"owner": outsider.pk, "status": "done"}, format="json"
    )

    assert response.status_code == 400
    assert error(response)["fields"] == {
        "owner": ["The owner must be a member of the team."]
    }
    item.refresh_from_db()
    assert (item.status, item.owner) == ("planned", None)
    assert edits() == 0


def test_item_owner_of_another_organisation_is_unknown(
    item, lead, make_user, api_client
):
    stranger = make_user(Role.ORG_ADMIN, organization=OrganizationFactory())

    response = api_client(lead).patch(
        item_url(item), {"owner": stranger.pk}, format="json"
    )

    assert response.status_code == 400
    assert error(response)["fields"] == {"owner": ["Unknown user."]}


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"done"'])
def test_item_malformed_body_is_a_400(item, lead, api_client, body):
    response = api_client(lead).patch(
        item_url(item), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert error(response)["code"] in {"parse_error", "validation_error"}
    assert edits() == 0


@pytest.mark.parametrize(
    "path", ["items/abc/", "items/-1/", "teams/x/", "teams/1.5/generate/"]
)
def test_path_that_matches_no_route_is_a_404(lead, api_client, path):
    assert api_client(lead).get(API + path).status_code == 404


def test_item_that_does_not_fit_an_id_is_a_404(lead, api_client):
    response = api_client(lead).patch(
        f"{API}items/{10**30}/", {"status": "done"}, format="json"
    )

    assert response.status_code == 404


# --- Organisation gaps -----------------------------------------------------------------


def handed_in_team(org, rubric, make_user, answers: dict, targets: dict | None = None):
    """Another team of the organisation with `answers` submitted and its `targets`."""
    team = TeamFactory(business_unit__organization=org)
    for dimension, level in (targets or {}).items():
        TeamTarget.objects.create(
            team=team, rubric_slug=rubric.slug, dimension_key=dimension, level=level
        )
    lead = make_user(Role.TEAM_LEAD, team=team)
    assessment = assessments.assessment_create(
        team=team, period="2026-Q4", rubric=rubric, created_by=lead
    )
    questions = {q.key: q.pk for q in rubric.questions.all()}
    assessments.answers_save(
        assessment=assessment,
        respondent=lead,
        items=[AnswerInput(questions[k], v) for k, v in answers.items()],
    )
    assessments.assessment_submit(assessment=assessment, submitted_by=lead)
    return team


def planned_team(org, rubric, make_user):
    """Another team of the organisation, planned from GOOD_ANSWERS."""
    team = handed_in_team(org, rubric, make_user, GOOD_ANSWERS)
    services.roadmap_generate(team=team)
    return team


def test_gaps_name_criteria_in_now_across_teams(
    roadmap, org, rubric, make_user, executive, api_client
):
    other = planned_team(org, rubric, make_user)

    response = api_client(executive).get(API + "gaps/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["teams_with_roadmap"] == 2
    first = body["common_now"][0]
    assert set(first) == {"criterion", "statement", "dimension", "level", "teams"}
    assert first["teams"] == sorted(["Fraud models", other.name])
    assert body["shared_blockers"] == []


def test_gaps_count_only_teams_the_caller_reads(
    roadmap, org, rubric, make_user, member, api_client
):
    planned_team(org, rubric, make_user)

    body = api_client(member).get(API + "gaps/").json()

    assert body["teams_with_roadmap"] == 1
    assert {t for gap in body["common_now"] for t in gap["teams"]} == {"Fraud models"}


def test_gaps_name_shared_blockers(
    draft, member, lead, answer, target, executive, api_client
):
    target("ops", 3)
    answer(draft, member, **{"ops.l1.runbook": "https://wiki.example.com/rb"})
    assessments.assessment_submit(assessment=draft, submitted_by=lead)
    services.roadmap_generate(team=draft.team)

    body = api_client(executive).get(API + "gaps/").json()

    (blocker,) = body["shared_blockers"]
    assert blocker["criterion"] == "ops.l2.tools"
    assert (blocker["teams"], blocker["items_blocked"]) == (["Fraud models"], 1)


def test_gaps_limit_caps_each_list(roadmap, executive, api_client):
    body = api_client(executive).get(API + "gaps/", {"limit": 1}).json()

    assert len(body["common_now"]) == 1


@pytest.mark.parametrize("limit", ["0", "51", "abc", "-3"])
def test_gaps_bad_limit_is_a_400(lead, api_client, limit):
    response = api_client(lead).get(API + "gaps/", {"limit": limit})

    assert response.status_code == 400
    assert "limit" in error(response)["fields"]


def test_gaps_without_roadmaps_are_empty(lead, api_client):
    body = api_client(lead).get(API + "gaps/").json()

    assert body == {"teams_with_roadmap": 0, "common_now": [], "shared_blockers": []}


# --- Query budgets ---------------------------------------------------------------------


@pytest.fixture
def plan_of(draft, member, lead, answer, target):
    """plan_of("few") plans 2 items (GOOD_ANSWERS); plan_of("many") 6 (no answers,
    targets at level 3 in both dimensions)."""

    def _plan(size: str) -> Roadmap:
        if size == "few":
            answer(draft, member, **GOOD_ANSWERS)
        else:
            target("ops", 3)
            target("data", 3)
            answer(draft, member, **{"data.l1.documented": False})
        assessments.assessment_submit(assessment=draft, submitted_by=lead)
        roadmap = services.roadmap_generate(team=draft.team)
        assert roadmap.items.count() == {"few": 2, "many": 6}[size]
        return roadmap

    return _plan


@pytest.mark.parametrize("size", ["few", "many"])
def test_roadmap_read_costs_the_same_whatever_the_items(
    plan_of, size, lead, api_client, django_assert_num_queries
):
    roadmap = plan_of(size)
    client = api_client(fresh(lead))

    # 1 caller's roles, 2 the team (visibility in a subquery), 3 the roadmap joined to
    # team, assessment, author and rubric, 4 its items joined to criterion and owner.
    with django_assert_num_queries(4):
        response = client.get(roadmap_url(roadmap.team))

    assert len(response.json()["items"]) == roadmap.items.count()


@pytest.mark.parametrize("size", ["few", "many"])
def test_item_edit_costs_the_same_whatever_the_items(
    plan_of, size, lead, member, api_client, django_assert_num_queries
):
    item = plan_of(size).items.first()
    client = api_client(fresh(lead))

    # 1 roles, 2 the item, 3-4 the owner and their memberships, 5 savepoint, 6 the
    # item locked, 7 owner on the team, 8 update, 9 organisation, 10-12 audit chain
    # and event, 13 release, 14 the item read back. PostgreSQL appends the event and
    # moves the chain head in one statement (apps/audit/services.py): one fewer.
    expected = 14 if connection.vendor == "sqlite" else 13
    with django_assert_num_queries(expected):
        response = client.patch(
            item_url(item), {"owner": member.pk, "status": "done"}, format="json"
        )

    assert response.status_code == 200, response.content


def test_generate_costs_the_same_whatever_the_items(
    org, rubric, make_user, admin, api_client
):
    few = handed_in_team(org, rubric, make_user, GOOD_ANSWERS)
    many = handed_in_team(
        org, rubric, make_user, {"data.l1.documented": False}, {"ops": 3, "data": 3}
    )
    # No fixed budget: generation is the service's (scoring, then storing the plan in
    # bulk) and its count moves with it. The API's promise is that items add none.
    counts = {}

    for team in (few, many):
        client = api_client(fresh(admin))
        with CaptureQueriesContext(connection) as queries:
            response = client.post(generate_url(team))
        counts[len(response.json()["items"])] = len(queries)

    assert list(counts) == [2, 6]
    assert counts[2] == counts[6]


@pytest.mark.parametrize("teams", [3, 10])
def test_gaps_cost_the_same_whatever_the_teams(
    teams, org, rubric, make_user, executive, api_client, django_assert_num_queries
):
    for _ in range(teams):
        planned_team(org, rubric, make_user)
    client = api_client(fresh(executive))

    # 1 caller's roles, 2 open items of visible teams joined to criterion, dimension
    # and team, 3 the count of visible teams' roadmaps.
    with django_assert_num_queries(3):
        response = client.get(API + "gaps/")

    assert response.json()["teams_with_roadmap"] == teams
