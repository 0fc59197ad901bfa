"""Generating a team's roadmap from its assessment and signals, and the team's edits."""

from __future__ import annotations

import json

import pytest

from apps.assessments import services as assessments
from apps.assessments.models import Evidence
from apps.audit.models import AuditEvent
from apps.core.exceptions import ApplicationError, PermissionDeniedError
from apps.roadmaps import services
from apps.roadmaps.models import Roadmap, RoadmapItem
from tests.assessments.conftest import GOOD_ANSWERS
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = pytest.mark.django_db

Status, ClosedBy = RoadmapItem.Status, RoadmapItem.ClosedBy


def items_of(roadmap: Roadmap) -> dict[str, RoadmapItem]:
    return {i.criterion_key: i for i in roadmap.items.all()}


def events(action: str) -> list[dict]:
    """The recorded events of `action`, as their canonical JSON says them."""
    return [
        json.loads(e.canonical)
        for e in AuditEvent.objects.filter(action=action).order_by("seq")
    ]


# --- Generation -------------------------------------------------------------------------


def test_plans_from_the_latest_handed_in_assessment(submitted, lead):
    # GOOD_ANSWERS: data at level 2 (level 3 claimed, not evidenced), ops at level 1.
    roadmap = services.roadmap_generate(team=submitted.team, generated_by=lead)
    assert (roadmap.assessment, roadmap.floor, roadmap.revision) == (submitted, 1, 1)
    items = items_of(roadmap)
    assert set(items) == {"data.l3.validated", "ops.l2.tools"}
    tools, validated = items["ops.l2.tools"], items["data.l3.validated"]
    # Raises the floor (ops is at the floor, level 2 is the next): ranked first.
    assert tools.rank == 1
    assert tools.factors["raises_floor"] is True
    assert tools.priority == pytest.approx(2.0 * 2 * 1 / 2)  # weight 2, effort M
    assert validated.kind == RoadmapItem.Kind.PROVE
    assert validated.factors["effort"] == 1
    assert {tools.phase, validated.phase} == {RoadmapItem.Phase.NOW}
    (event,) = events("roadmap.generated")
    assert event["data"]["added"] == ["data.l3.validated", "ops.l2.tools"]
    assert event["actor"]["id"] == lead.pk


def test_targets_bound_the_plan_and_levels_are_gated(submitted, lead, target):
    target("ops", 3)
    target("data", 2)
    items = items_of(services.roadmap_generate(team=submitted.team))
    assert set(items) == {"ops.l2.tools", "ops.l3.retraining"}  # data: at its target
    retraining = items["ops.l3.retraining"]
    assert retraining.requires == ["ops.l2.tools"]
    assert retraining.phase == RoadmapItem.Phase.NEXT
    assert items["ops.l2.tools"].unblocks == ["ops.l3.retraining"]


def test_a_draft_alone_gives_nothing_to_plan(draft, lead):
    with pytest.raises(ApplicationError) as caught:
        services.roadmap_generate(team=draft.team, generated_by=lead)
    assert caught.value.code == "no_assessment"
    assert not Roadmap.objects.exists()
    assert not events("roadmap.generated")


def test_people_outside_the_team_cannot_plan_it(submitted, outsider):
    with pytest.raises(PermissionDeniedError):
        services.roadmap_generate(team=submitted.team, generated_by=outsider)
    assert not Roadmap.objects.exists()


def test_regeneration_keeps_what_the_team_set(submitted, lead, member, target):
    roadmap = services.roadmap_generate(team=submitted.team)
    tools = items_of(roadmap)["ops.l2.tools"]
    services.item_update(
        item=tools,
        updated_by=lead,
        status=Status.IN_PROGRESS,
        owner=member,
        due_quarter="2027-q1",
    )
    validated = items_of(roadmap)["data.l3.validated"]
    services.item_update(
        item=validated,
        updated_by=lead,
        status=Status.DISMISSED,
        dismissed_reason="Batch scoring only.",
    )
    target("ops", 3)
    roadmap = services.roadmap_generate(team=submitted.team)
    items = items_of(roadmap)
    assert roadmap.revision == 2
    tools = items["ops.l2.tools"]
    assert (tools.status, tools.owner, tools.due_quarter) == (
        Status.IN_PROGRESS,
        member,
        "2027-Q1",
    )
    assert items["data.l3.validated"].status == Status.DISMISSED
    assert "ops.l3.retraining" in items


def test_an_untouched_item_out_of_scope_is_removed_a_touched_one_kept(
    submitted, lead, target
):
    target("ops", 3)
    roadmap = services.roadmap_generate(team=submitted.team)
    retraining = items_of(roadmap)["ops.l3.retraining"]
    services.item_update(item=retraining, updated_by=lead, due_quarter="2027-Q3")
    target("ops", 2)
    target("data", 2)
    items = items_of(services.roadmap_generate(team=submitted.team))
    assert "data.l3.validated" not in items  # untouched, now past the target
    assert items["ops.l3.retraining"].in_plan is False  # the team set a due quarter
    assert events("roadmap.generated")[-1]["data"]["removed"] == ["data.l3.validated"]


def test_an_item_closes_itself_when_evidence_appears(
    draft, member, lead, assessor, answer
):
    """The team claims a data validation gate and links it; until a reviewer verifies
    the link the plan asks to prove it. Verified: the item closes, by evidence."""
    answer(draft, member, **GOOD_ANSWERS)
    evidence = assessments.evidence_add(
        assessment=draft,
        question=draft.rubric.questions.get(key="data.l3.validated"),
        added_by=lead,
        url="https://ci.example.com/validation-gate",
    )
    assessments.assessment_submit(assessment=draft, submitted_by=lead)
    in_review = assessments.review_start(assessment=draft, reviewer=assessor)
    roadmap = services.roadmap_generate(team=in_review.team)
    assert items_of(roadmap)["data.l3.validated"].kind == RoadmapItem.Kind.PROVE
    assessments.evidence_review(evidence=evidence, reviewer=assessor, verified=True)
    assert Evidence.objects.get(pk=evidence.pk).status == Evidence.Status.VERIFIED
    roadmap = services.roadmap_generate(team=in_review.team)
    validated = items_of(roadmap)["data.l3.validated"]
    assert (validated.status, validated.closed_by, validated.in_plan) == (
        Status.DONE,
        ClosedBy.EVIDENCE,
        False,
    )
    assert validated.closing_evidence == {
        "artifact": "verified",
        "assessment": in_review.pk,
    }
    assert validated.closed_at is not None
    event = events("roadmap.generated")[-1]
    assert event["data"]["closed_by_evidence"] == ["data.l3.validated"]


def test_a_running_signal_closes_an_item_and_losing_it_reopens(
    draft, member, lead, answer, target
):
    """Retraining is claimed (within a day); the plan asks to prove it. A scan shows
    it running: closed by the signal, with the repository as evidence. When a later
    scan no longer finds it, the item opens again."""
    target("ops", 3)
    answer(
        draft, member, **{"ops.l3.retraining": 12, "ops.l2.tools": ["ci", "monitoring"]}
    )
    assessments.assessment_submit(assessment=draft, submitted_by=lead)
    roadmap = services.roadmap_generate(team=draft.team)
    assert items_of(roadmap)["ops.l3.retraining"].kind == RoadmapItem.Kind.PROVE
    repo = LinkedRepoFactory(team=draft.team)
    scanned(repo, {"continuous_training": (True, "running")})
    retraining = items_of(services.roadmap_generate(team=draft.team))[
        "ops.l3.retraining"
    ]
    assert (retraining.status, retraining.closed_by) == (Status.DONE, ClosedBy.EVIDENCE)
    assert retraining.closing_evidence["signal"] == "continuous_training"
    (source,) = retraining.closing_evidence["sources"]
    assert source["repo"] == repo.name
    assert source["value"] is True
    scanned(repo, {"continuous_training": (False, "")})
    retraining = items_of(services.roadmap_generate(team=draft.team))[
        "ops.l3.retraining"
    ]
    assert (retraining.status, retraining.closed_by, retraining.in_plan) == (
        Status.PLANNED,
        "",
        True,
    )
    assert events("roadmap.generated")[-1]["data"]["reopened"] == ["ops.l3.retraining"]


def test_an_item_done_by_the_team_is_not_reopened(submitted, lead):
    roadmap = services.roadmap_generate(team=submitted.team)
    tools = items_of(roadmap)["ops.l2.tools"]
    services.item_update(item=tools, updated_by=lead, status=Status.DONE)
    tools = items_of(services.roadmap_generate(team=submitted.team))["ops.l2.tools"]
    assert (tools.status, tools.closed_by) == (Status.DONE, ClosedBy.TEAM)


def test_a_new_assessment_regenerates_the_roadmap_after_commit(
    draft, member, lead, answer, django_capture_on_commit_callbacks
):
    answer(draft, member, **GOOD_ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):
        assessments.assessment_submit(assessment=draft, submitted_by=lead)
    roadmap = Roadmap.objects.get(team=draft.team)
    assert roadmap.generated_by is None
    assert roadmap.assessment == draft
    (event,) = events("roadmap.generated")
    assert event["actor"]["id"] is None


# --- Item edits ------------------------------------------------------------------------


@pytest.fixture
def item(submitted) -> RoadmapItem:
    return items_of(services.roadmap_generate(team=submitted.team))["ops.l2.tools"]


def test_an_edit_is_audited_with_what_changed(item, lead, member):
    services.item_update(item=item, updated_by=lead, owner=member, status="in_progress")
    (event,) = events("roadmap_item.updated")
    assert event["data"]["changes"] == {
        "status": ["planned", "in_progress"],
        "owner": [None, member.pk],
    }
    assert event["data"]["criterion"] == "ops.l2.tools"


def test_an_edit_that_changes_nothing_writes_nothing(item, lead):
    services.item_update(item=item, updated_by=lead, status="planned")
    assert not events("roadmap_item.updated")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "dismissed"}, "dismissed_reason"),
        ({"status": "dismissed", "dismissed_reason": "  "}, "dismissed_reason"),
        ({"status": "finished"}, "status"),
        ({"due_quarter": "2027Q5"}, "due_quarter"),
        ({"due_quarter": "next year"}, "due_quarter"),
        ({"dismissed_reason": "Not now."}, "dismissed_reason"),
        ({"priority": 99}, "priority"),
    ],
)
def test_bad_edits_are_refused_whole(item, lead, changes, field):
    with pytest.raises(ApplicationError) as caught:
        services.item_update(item=item, updated_by=lead, owner=lead, **changes)
    assert field in caught.value.fields
    item.refresh_from_db()
    assert (item.status, item.owner, item.due_quarter) == (Status.PLANNED, None, "")
    assert not events("roadmap_item.updated")


def test_the_owner_must_be_on_the_team(item, lead, outsider):
    with pytest.raises(ApplicationError) as caught:
        services.item_update(item=item, updated_by=lead, owner=outsider)
    assert caught.value.fields == {"owner": ["The owner must be a member of the team."]}


def test_only_the_team_and_admins_edit(item, outsider, make_user):
    with pytest.raises(PermissionDeniedError):
        services.item_update(item=item, updated_by=outsider, status="done")
    executive = make_user("executive")  # reads every roadmap, plans none
    with pytest.raises(PermissionDeniedError):
        services.item_update(item=item, updated_by=executive, status="done")
    admin = make_user("org_admin")
    services.item_update(item=item, updated_by=admin, status="done")
    item.refresh_from_db()
    assert (item.status, item.closed_by) == (Status.DONE, ClosedBy.TEAM)


def test_reopening_clears_the_closing_and_dismissal(item, lead):
    services.item_update(
        item=item, updated_by=lead, status="dismissed", dismissed_reason="Later."
    )
    services.item_update(item=item, updated_by=lead, status="planned")
    item.refresh_from_db()
    assert (item.status, item.dismissed_reason, item.closed_by) == ("planned", "", "")


def test_generating_again_with_nothing_new_changes_nothing(submitted, lead):
    first = services.roadmap_generate(team=submitted.team)
    again = services.roadmap_generate(team=submitted.team, generated_by=lead)
    assert again.revision == first.revision == 1
    assert len(events("roadmap.generated")) == 1
