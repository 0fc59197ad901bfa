"""The demo's repositories: written, linked and scanned, so the demo shows evidence of
varied maturity."""

from __future__ import annotations

import pytest

from apps.accounts.demo import seed_demo
from apps.accounts.models import Organization, User
from apps.repos.demo import DEMO_REPOS, seed_demo_repos
from apps.repos.models import LinkedRepo, Scan, Signal

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_org(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.REPOS_LOCAL_ROOTS = [str(tmp_path / "demo-repos")]
    seed_demo()
    organization = Organization.objects.get(slug="acme")
    return organization, User.objects.get(username="admin")


def test_demo_repositories_are_linked_scanned_and_differ_in_maturity(
    demo_org, django_capture_on_commit_callbacks
):
    organization, admin = demo_org

    with django_capture_on_commit_callbacks(execute=True):
        linked = seed_demo_repos(organization=organization, admin=admin)

    assert linked == len(DEMO_REPOS)
    assert set(Scan.objects.values_list("status", flat=True)) == {"succeeded"}
    holding = {
        repo.name: set(
            Signal.objects.filter(repo=repo, value=True).values_list("key", flat=True)
        )
        for repo in LinkedRepo.objects.all()
    }
    assert "ci_config" not in holding["churn-notebooks"]
    assert {"ci_runs_tests", "containerised", "dependency_pinning"} <= holding[
        "credit-scoring-service"
    ]
    assert {"data_versioning", "experiment_tracking", "model_registry"} <= holding[
        "fraud-pipeline"
    ]
    assert {"scheduled_workflow", "continuous_training"} <= holding[
        "pricing-retraining"
    ]
    assert "monitoring" in holding["forecasting-monitoring"]


def test_seeding_twice_links_nothing_new(demo_org, django_capture_on_commit_callbacks):
    organization, admin = demo_org
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo_repos(organization=organization, admin=admin)

    assert seed_demo_repos(organization=organization, admin=admin) == 0
    assert LinkedRepo.objects.count() == len(DEMO_REPOS)


def test_without_an_allowed_root_the_demo_links_no_repository(demo_org, settings):
    organization, admin = demo_org
    settings.REPOS_LOCAL_ROOTS = []

    assert seed_demo_repos(organization=organization, admin=admin) is None
    assert not LinkedRepo.objects.exists()


def test_demo_assessments_meet_conflicts_and_the_assessor_rules_on_them(
    demo_org, django_capture_on_commit_callbacks
):
    from apps.assessments.demo import seed_demo_assessments
    from apps.assessments.models import Assessment, Resolution, ScoreSnapshot

    organization, admin = demo_org
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo_repos(organization=organization, admin=admin)

    seed_demo_assessments(organization=organization)

    conflicted = [s for s in ScoreSnapshot.objects.all() if s.payload["conflicts"]]
    assert conflicted
    assert Resolution.objects.filter(kind="signal").exists()
    assert not Assessment.objects.filter(status="in_review").exists()
