"""Demo roadmaps: every demo team has one, and one item is closed by a scan.

The churn team's latest assessment says its dependencies are pinned; its repository
(churn-notebooks) says otherwise, so its roadmap asks the team to resolve that. The
demo then pins them in the repository and rescans: the new signal closes the item,
recorded as closed by evidence, with the scan as the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from apps.accounts.models import Organization, Team
from apps.repos import services as repos
from apps.repos.demo import commit_files
from apps.repos.models import LinkedRepo, Scan
from apps.roadmaps import selectors, services
from apps.roadmaps.models import RoadmapItem

STORY_TEAM, STORY_REPO = "customer-churn", "churn-notebooks"
STORY_CRITERION = "code_ci.l2.deps-locked"
PINNED = {"requirements.txt": "pandas==2.2.3\nscikit-learn==1.5.2\n"}


@dataclass(frozen=True)
class DemoRoadmaps:
    generated: int
    closed_by_scan: bool


def seed_demo_roadmaps(*, organization: Organization) -> DemoRoadmaps:
    """A roadmap for each team that can have one and has none, then the story above
    (idempotent: a second run finds the requirements pinned and changes nothing)."""
    generated = 0
    for team in organization.teams.order_by("name"):
        if not hasattr(team, "roadmap") and selectors.plannable_assessment(team=team):
            services.roadmap_generate(team=team)
            generated += 1
    return DemoRoadmaps(generated, _close_by_scan(organization))


def _close_by_scan(organization: Organization) -> bool:
    team = Team.objects.filter(organization=organization, slug=STORY_TEAM).first()
    repo = LinkedRepo.objects.filter(team=team, name=STORY_REPO).first()
    open_item = RoadmapItem.objects.filter(
        roadmap__team=team,
        criterion_key=STORY_CRITERION,
        status__in=(RoadmapItem.Status.PLANNED, RoadmapItem.Status.IN_PROGRESS),
    ).exists()
    if repo is None or not open_item:
        return False
    if not commit_files(Path(repo.local_path), PINNED, "Pin the dependencies"):
        return False
    # Eager in the demo: the scan runs now, and its end re-plans the roadmap.
    repos.scan_request(repo=repo, trigger=Scan.Trigger.MANUAL)
    return RoadmapItem.objects.filter(
        roadmap__team=team,
        criterion_key=STORY_CRITERION,
        closed_by=RoadmapItem.ClosedBy.EVIDENCE,
    ).exists()
