"""A repository's scans and rescans, one scan's signals with evidence links, the
current signals, CI runs, and a team's signals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.repos.models import CIRun, Scan, Signal
from tests.accounts.factories import TeamFactory
from tests.repos.api.helpers import API, error, url
from tests.repos.conftest import MATURE_FILES
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = pytest.mark.django_db

COMMIT = "a" * 40


def _users(people, approver, stranger) -> dict:
    return {**vars(people), "approver": approver, "stranger": stranger}


# --- Rescan and history -------------------------------------------------------------------


def test_rescan_queues_a_manual_scan(
    repo, people, api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client(people.member).post(url(repo.pk, "scans"))

    assert response.status_code == 202, response.content
    scan = Scan.objects.get(repo=repo)
    assert response.json()["id"] == scan.pk
    assert (scan.status, scan.trigger, scan.requested_by) == (
        "queued",
        "manual",
        people.member,
    )
    assert response.json()["requested_by"] == people.member.pk
    assert len(callbacks) == 1


def test_rescan_returns_the_scan_already_running(repo, people, api_client):
    running = Scan.objects.create(repo=repo, trigger="schedule", status="running")

    response = api_client(people.lead).post(url(repo.pk, "scans"))

    assert response.status_code == 202
    assert response.json()["id"] == running.pk
    assert Scan.objects.count() == 1


def test_rescan_of_a_disabled_repo_is_refused(repo, people, api_client):
    repo.enabled = False
    repo.save()

    response = api_client(people.lead).post(url(repo.pk, "scans"))

    assert response.status_code == 400
    assert error(response)["code"] == "disabled"
    assert not Scan.objects.exists()


@pytest.mark.parametrize(
    ("caller", "status"), [("approver", 403), ("outsider", 404), ("stranger", 404)]
)
def test_rescan_is_for_the_team_or_an_admin(
    caller, status, repo, people, approver, stranger, api_client
):
    client = api_client(_users(people, approver, stranger)[caller])

    response = client.post(url(repo.pk, "scans"))

    assert response.status_code == status
    assert not Scan.objects.exists()


def test_scan_history_lists_newest_first(repo, people, api_client):
    older = scanned(repo, {})
    failed = Scan.objects.create(
        repo=repo, trigger="webhook", status="failed", error="clone failed"
    )

    response = api_client(people.member).get(url(repo.pk, "scans"))

    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [failed.pk, older.pk]
    assert (rows[0]["status"], rows[0]["error"]) == ("failed", "clone failed")
    assert rows[1]["duration_seconds"] == 0.0


def test_scan_history_of_an_invisible_repo_is_not_found(repo, people, api_client):
    assert api_client(people.outsider).get(url(repo.pk, "scans")).status_code == 404


# --- One scan -------------------------------------------------------------------------------


def test_scan_detail_shows_progress_and_signals_with_evidence_links(
    repo, people, api_client
):
    scan = scanned(repo, {"ci_config": (True, "wired"), "model_card": (False, "")})
    Signal.objects.filter(key="ci_config").update(
        evidence=[".github/workflows/ci.yml:12", "https://github.com/runs/1"],
        measure={"jobs": 2},
    )

    response = api_client(people.member).get(f"{API}scans/{scan.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["step"], data["percent"]) == ("succeeded", "", 0)
    assert data["commit"] == COMMIT
    ci_config, model_card = data["signals"]
    assert (ci_config["key"], ci_config["value"], ci_config["strength"]) == (
        "ci_config",
        True,
        "wired",
    )
    assert ci_config["evidence"] == [
        {
            "item": ".github/workflows/ci.yml:12",
            "url": f"https://github.com/acme/fraud/blob/{COMMIT}/.github/workflows/ci.yml#L12",
        },
        {"item": "https://github.com/runs/1", "url": "https://github.com/runs/1"},
    ]
    assert ci_config["measure"] == {"jobs": 2}
    assert (model_card["value"], model_card["evidence"]) == (False, [])


def test_scan_detail_of_a_generic_git_repo_has_no_links(people, api_client):
    repo = LinkedRepoFactory(
        team=people.team, provider="git", clone_url="https://github.com/a/b.git"
    )
    scan = scanned(repo, {"tests_present": (True, "declared")})

    response = api_client(people.member).get(f"{API}scans/{scan.pk}/")

    assert response.json()["signals"][0]["evidence"] == [
        {"item": "tests_present.yml", "url": None}
    ]


@pytest.mark.parametrize(
    ("caller", "status"), [("approver", 200), ("outsider", 404), ("stranger", 404)]
)
def test_scan_detail_is_for_those_who_see_the_repo(
    caller, status, repo, people, approver, stranger, api_client
):
    scan = scanned(repo, {})
    client = api_client(_users(people, approver, stranger)[caller])

    assert client.get(f"{API}scans/{scan.pk}/").status_code == status


# --- Current signals ------------------------------------------------------------------------


def test_repo_signals_come_from_the_latest_successful_scan(repo, people, api_client):
    scanned(repo, {"old_key": (True, "declared")})
    current = scanned(repo, {"ci_config": (True, "running")})
    Scan.objects.create(repo=repo, trigger="manual", status="failed")

    response = api_client(people.member).get(url(repo.pk, "signals"))

    data = response.json()
    assert data["scan"]["id"] == current.pk
    assert data["scan"]["commit"] == COMMIT
    assert [s["key"] for s in data["signals"]] == ["ci_config"]
    assert data["signals"][0]["evidence"][0]["url"].startswith(
        f"https://github.com/acme/fraud/blob/{COMMIT}/"
    )


def test_repo_signals_before_any_scan_are_empty(repo, people, api_client):
    response = api_client(people.member).get(url(repo.pk, "signals"))

    assert response.json() == {"scan": None, "signals": []}


def test_repo_signals_of_an_invisible_repo_are_not_found(repo, stranger, api_client):
    assert api_client(stranger).get(url(repo.pk, "signals")).status_code == 404


# --- CI runs --------------------------------------------------------------------------------


def _run(repo, run_id: str, event: str, conclusion: str, hours_ago: int) -> CIRun:
    created = timezone.now() - timedelta(hours=hours_ago)
    return CIRun.objects.create(
        repo=repo,
        provider="github",
        provider_run_id=run_id,
        workflow=".github/workflows/ci.yml",
        event=event,
        raw_event=event,
        status="completed",
        conclusion=conclusion,
        head_sha=COMMIT,
        ref="main",
        run_created_at=created,
        started_at=created,
        finished_at=created + timedelta(minutes=5),
        url=f"https://github.com/acme/fraud/actions/runs/{run_id}",
    )


def test_run_list_shows_newest_runs_first(repo, people, api_client):
    _run(repo, "1", "push", "success", hours_ago=3)
    _run(repo, "2", "schedule", "failure", hours_ago=1)

    response = api_client(people.member).get(url(repo.pk, "runs"))

    rows = response.json()["results"]
    assert [row["provider_run_id"] for row in rows] == ["2", "1"]
    assert (rows[0]["event"], rows[0]["conclusion"], rows[0]["head_sha"]) == (
        "schedule",
        "failure",
        COMMIT,
    )
    assert rows[0]["url"] == "https://github.com/acme/fraud/actions/runs/2"
    assert rows[0]["created_at"] == rows[0]["started_at"]
    assert rows[0]["finished_at"] is not None


def test_run_list_filters_by_event_and_conclusion(repo, people, api_client):
    _run(repo, "1", "push", "success", hours_ago=3)
    _run(repo, "2", "schedule", "failure", hours_ago=2)
    _run(repo, "3", "schedule", "success", hours_ago=1)
    client = api_client(people.member)

    scheduled = client.get(url(repo.pk, "runs"), {"event": "schedule"})
    green = client.get(
        url(repo.pk, "runs"), {"event": "schedule", "conclusion": "success"}
    )

    assert [r["provider_run_id"] for r in scheduled.json()["results"]] == ["3", "2"]
    assert [r["provider_run_id"] for r in green.json()["results"]] == ["3"]


def test_run_list_of_an_invisible_repo_is_not_found(repo, people, api_client):
    assert api_client(people.outsider).get(url(repo.pk, "runs")).status_code == 404


# --- A team's signals -----------------------------------------------------------------------


def test_team_signals_combine_the_teams_repos(repo, people, api_client):
    second = LinkedRepoFactory(team=people.team, name="acme/churn")
    scanned(repo, {"ci_config": (True, "declared"), "monitoring": (False, "")})
    scanned(second, {"ci_config": (True, "running")})

    response = api_client(people.member).get(url("teams", people.team.pk, "signals"))

    assert response.status_code == 200
    ci_config, monitoring = response.json()
    assert (ci_config["key"], ci_config["value"], ci_config["strength"]) == (
        "ci_config",
        True,
        "running",
    )
    assert ci_config["stale"] is False
    assert sorted(e["repo"] for e in ci_config["evidence"]) == [
        "acme/churn",
        "acme/fraud",
    ]
    assert (monitoring["key"], monitoring["value"]) == ("monitoring", False)


@pytest.mark.parametrize(
    ("caller", "status"),
    [("admin", 200), ("approver", 200), ("outsider", 404), ("stranger", 404)],
)
def test_team_signals_are_for_those_who_see_the_team(
    caller, status, people, approver, stranger, api_client
):
    client = api_client(_users(people, approver, stranger)[caller])

    response = client.get(url("teams", people.team.pk, "signals"))

    assert response.status_code == status
    if status == 200:
        assert response.json() == []


def test_team_signals_of_another_organisations_team_are_not_found(people, api_client):
    team = TeamFactory()

    response = api_client(people.admin).get(url("teams", team.pk, "signals"))

    assert response.status_code == 404


# --- Through a real scan --------------------------------------------------------------------


def test_a_linked_checkout_is_scanned_and_its_signals_served(
    people, make_git_repo, api_client, django_capture_on_commit_callbacks
):
    checkout = make_git_repo(MATURE_FILES)
    client = api_client(people.admin)
    body = {
        "team": people.team.pk,
        "name": "local",
        "provider": "git",
        "local_path": str(checkout.path),
    }

    with django_capture_on_commit_callbacks(execute=True):
        repo_id = client.post(url(), body, format="json").json()["id"]

    data = client.get(url(repo_id, "signals")).json()
    signals = {s["key"]: s for s in data["signals"]}
    assert data["scan"]["commit"] == checkout.git("rev-parse", "HEAD")
    assert signals["ci_config"]["value"] is True
    evidence = signals["ci_config"]["evidence"]
    assert any(e["item"].startswith(".github/workflows/ci.yml") for e in evidence)
    assert {e["url"] for e in evidence} == {None}  # generic git: nowhere to link
