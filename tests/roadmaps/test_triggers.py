"""Roadmaps re-plan themselves when a team's evidence changes: after a finished scan
of one of its repositories, as after a scored assessment (test_services.py)."""

from __future__ import annotations

import time

import pytest

from apps.assessments import services as assessments
from apps.repos import collection
from apps.repos.models import Scan
from apps.roadmaps import services
from apps.roadmaps.models import Roadmap, RoadmapItem
from tests.assessments.conftest import GOOD_ANSWERS
from tests.repos.conftest import local_root, make_git_repo  # noqa: F401  (fixtures)
from tests.repos.factories import LinkedRepoFactory

pytestmark = pytest.mark.django_db

PINNED = {"requirements.txt": "pandas==2.2.3\n"}


def test_a_finished_scan_replans_and_closes_what_it_evidences(
    draft,
    member,
    lead,
    answer,
    target,
    make_git_repo,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """Retraining is claimed and the plan asks to prove it. A scan of the team's
    repository finds no retraining: once the scan commits, the roadmap is planned
    again on its own, and the item becomes a conflict to resolve."""
    target("ops", 3)
    answer(
        draft, member, **{"ops.l3.retraining": 12, "ops.l2.tools": ["ci", "monitoring"]}
    )
    assessments.assessment_submit(assessment=draft, submitted_by=lead)
    roadmap = services.roadmap_generate(team=draft.team)
    checkout = make_git_repo(PINNED)
    repo = LinkedRepoFactory(
        team=draft.team, clone_url="", local_path=str(checkout.path), provider="git"
    )
    scan = Scan.objects.create(repo=repo, trigger=Scan.Trigger.MANUAL)

    with django_capture_on_commit_callbacks(execute=True):
        assert collection.scan_run(scan_id=scan.pk).status == "succeeded"

    replanned = Roadmap.objects.get(pk=roadmap.pk)
    # The scan says retraining is absent: the claim is now contradicted.
    assert replanned.revision == roadmap.revision + 1
    assert replanned.signal_states["continuous_training"] == "absent"
    item = replanned.items.get(criterion_key="ops.l3.retraining")
    assert (item.kind, item.status) == (RoadmapItem.Kind.RESOLVE, "planned")


@pytest.mark.django_db(transaction=True)
def test_a_worker_plans_the_roadmap_once_the_assessment_is_handed_in(
    draft, member, lead, answer, celery_worker
):
    """A real worker on Redis in the PostgreSQL pass of CI (eager in the embedded one)
    picks the re-planning up after the submission commits."""
    answer(draft, member, **GOOD_ANSWERS)

    assessments.assessment_submit(assessment=draft, submitted_by=lead)

    deadline = time.monotonic() + 60
    while not Roadmap.objects.filter(team=draft.team).exists():
        assert time.monotonic() < deadline, "no roadmap 60 s after the submission"
        time.sleep(0.2)
    roadmap = Roadmap.objects.get(team=draft.team)
    assert (roadmap.assessment_id, roadmap.generated_by) == (draft.pk, None)
    assert roadmap.items.filter(phase=RoadmapItem.Phase.NOW).exists()
