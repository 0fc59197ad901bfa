"""The demo's roadmap story: a claim the churn repository contradicts becomes an item,
and pinning the dependencies closes it by evidence after the rescan."""

from __future__ import annotations

import pytest

from apps.accounts.demo import seed_demo
from apps.accounts.models import Organization, Role, Team, User
from apps.assessments.demo import default_rubric, seed_team_history
from apps.repos.demo import seed_demo_repos
from apps.roadmaps.demo import STORY_CRITERION, seed_demo_roadmaps
from apps.roadmaps.models import RoadmapItem


# Committed transactions: the demo's scans and re-planning run on commit, as in
# `make run` (tasks are eager).
@pytest.mark.django_db(transaction=True)
def test_pinning_the_churn_dependencies_closes_the_item_by_evidence(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.REPOS_LOCAL_ROOTS = [str(tmp_path / "demo-repos")]
    seed_demo()
    organization = Organization.objects.get(slug="acme")
    admin = User.objects.get(username="admin")
    seed_demo_repos(organization=organization, admin=admin)
    churn = Team.objects.get(slug="customer-churn")
    seed_team_history(
        team=churn,
        rubric=default_rubric(),
        lead=User.objects.get(
            memberships__team=churn, memberships__role=Role.TEAM_LEAD
        ),
        assessor=User.objects.filter(memberships__role=Role.ASSESSOR).first(),
    )
    item = RoadmapItem.objects.get(roadmap__team=churn, criterion_key=STORY_CRITERION)
    assert (item.kind, item.status) == ("resolve", "planned")  # the scan disagrees

    result = seed_demo_roadmaps(organization=organization)

    assert result.closed_by_scan is True
    item.refresh_from_db()
    assert (item.status, item.closed_by) == ("done", "evidence")
    assert item.closing_evidence["signal"] == "dependency_pinning"
    (source,) = item.closing_evidence["sources"]
    assert (source["repo"], source["value"]) == ("churn-notebooks", True)
    # Seeding again finds the dependencies pinned: nothing more happens.
    assert seed_demo_roadmaps(organization=organization).closed_by_scan is False
