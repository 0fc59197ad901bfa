"""repos/: list, link, read, change a repository, and rotate its webhook secret.

Linking queues a scan after commit; these tests capture the callback without running
it (running scans is tests/repos/test_collection.py's job).
"""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from apps.core.crypto import decrypt_text
from apps.repos.models import LinkedRepo
from tests.accounts.factories import TeamFactory
from tests.repos.api.helpers import error, url
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = pytest.mark.django_db

LINK = {
    "name": "acme/churn",
    "provider": "github",
    "clone_url": "https://github.com/acme/churn.git",
    "default_branch": "main",
}


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


# --- List ---------------------------------------------------------------------------------


def test_repo_list_shows_each_repo_with_its_latest_scan(repo, people, api_client):
    scan = scanned(repo, {"ci_config": (True, "wired")})

    response = api_client(people.member).get(url())

    [row] = response.json()["results"]
    assert row["team"] == {
        "id": people.team.pk,
        "name": people.team.name,
        "slug": people.team.slug,
    }
    assert (row["provider"], row["project"], row["location"]) == (
        "github",
        "acme/fraud",
        "https://github.com/acme/fraud.git",
    )
    assert (row["default_branch"], row["subdir"], row["enabled"]) == ("main", "", True)
    assert row["has_credentials"] is False
    assert row["latest_scan"]["id"] == scan.pk
    assert row["latest_scan"]["status"] == "succeeded"
    assert row["latest_scan"]["commit"] == "a" * 40


def test_repo_list_shows_null_latest_scan_before_any_scan(repo, people, api_client):
    response = api_client(people.member).get(url())

    assert response.json()["results"][0]["latest_scan"] is None


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("member", ["acme/fraud"]),
        ("outsider", ["acme/other"]),
        ("admin", ["acme/fraud", "acme/other"]),
        ("approver", ["acme/fraud", "acme/other"]),
        ("stranger", []),
    ],
)
def test_repo_list_shows_only_visible_repos(
    caller, expected, repo, people, approver, stranger, api_client
):
    other_team = people.outsider.memberships.get().team
    LinkedRepoFactory(team=other_team, name="acme/other")
    users = {**vars(people), "approver": approver, "stranger": stranger}

    assert _names(api_client(users[caller]).get(url())) == expected


def test_repo_list_filters_by_team(repo, people, api_client):
    LinkedRepoFactory(team=TeamFactory(organization=people.team.organization))

    response = api_client(people.admin).get(url(), {"team": people.team.pk})

    assert _names(response) == ["acme/fraud"]


def test_repo_list_refuses_anonymous(repo, api_client):
    assert api_client(None).get(url()).status_code in (401, 403)


# --- Link ---------------------------------------------------------------------------------


def test_repo_link_answers_the_secret_and_webhook_urls_and_queues_a_scan(
    people, api_client, django_capture_on_commit_callbacks
):
    body = {**LINK, "team": people.team.pk, "credentials": "ghp_token123"}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client(people.lead).post(url(), body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    repo = LinkedRepo.objects.get(pk=data["id"])
    assert decrypt_text(repo.webhook_secret_encrypted) == data["webhook_secret"]
    assert data["webhook_urls"] == {
        "github": "http://testserver/hooks/github/",
        "gitlab": "http://testserver/hooks/gitlab/",
    }
    assert (data["project"], data["has_credentials"]) == ("acme/churn", True)
    assert "credentials" not in data
    assert (data["latest_scan"]["status"], data["latest_scan"]["trigger"]) == (
        "queued",
        "link",
    )
    assert len(callbacks) == 1
    assert AuditEvent.objects.filter(action="repo.linked").count() == 1


def test_repo_link_is_for_the_team_lead_or_an_admin(people, api_client):
    body = {**LINK, "team": people.team.pk}

    member = api_client(people.member).post(url(), body, format="json")
    outsider = api_client(people.outsider).post(url(), body, format="json")

    assert (member.status_code, outsider.status_code) == (403, 403)
    assert error(member)["code"] == "permission_denied"
    assert not LinkedRepo.objects.exists()


def test_repo_link_to_another_organisations_team_is_an_unknown_team(
    people, stranger, api_client
):
    body = {**LINK, "team": people.team.pk}

    response = api_client(stranger).post(url(), body, format="json")

    assert response.status_code == 400
    assert error(response)["fields"] == {"team": ["Unknown team."]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"clone_url": "https://evil.example/acme/churn.git"}, "clone_url"),
        ({"clone_url": "file:///etc"}, "clone_url"),
        ({"clone_url": "ext::sh -c touch% /tmp/pwned"}, "clone_url"),
        ({"clone_url": ""}, "clone_url"),
        ({"provider": "bitbucket"}, "provider"),
        ({"default_branch": "--upload-pack=x"}, "default_branch"),
        ({"subdir": "../outside"}, "subdir"),
        ({"local_path": "/etc"}, "local_path"),
        ({"name": ""}, "name"),
    ],
)
def test_repo_link_rejects_bad_fields(changes, field, people, api_client):
    body = {**LINK, "team": people.team.pk, **changes}
    if "local_path" in changes:
        body["clone_url"] = ""

    response = api_client(people.admin).post(url(), body, format="json")

    assert response.status_code == 400, response.content
    assert field in error(response)["fields"]
    assert not LinkedRepo.objects.exists()


def test_repo_link_twice_is_refused(repo, people, api_client):
    body = {**LINK, "team": people.team.pk, "clone_url": repo.clone_url}

    response = api_client(people.lead).post(url(), body, format="json")

    assert response.status_code == 400
    assert error(response)["fields"] == {
        "clone_url": ["This repository is already linked."]
    }


def test_repo_link_of_a_local_path_is_for_admins(
    people, make_git_repo, api_client, django_capture_on_commit_callbacks
):
    checkout = make_git_repo()
    body = {
        "team": people.team.pk,
        "name": "local",
        "provider": "git",
        "local_path": str(checkout.path),
    }

    with django_capture_on_commit_callbacks(execute=False):
        by_lead = api_client(people.lead).post(url(), body, format="json")
        by_admin = api_client(people.admin).post(url(), body, format="json")

    assert by_lead.status_code == 403
    assert by_admin.status_code == 201, by_admin.content
    assert by_admin.json()["location"] == str(checkout.path.resolve())


# --- Read ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "status"),
    [("member", 200), ("approver", 200), ("outsider", 404), ("stranger", 404)],
)
def test_repo_detail_is_for_those_who_see_the_repo(
    caller, status, repo, people, approver, stranger, api_client
):
    users = {**vars(people), "approver": approver, "stranger": stranger}

    response = api_client(users[caller]).get(url(repo.pk))

    assert response.status_code == status
    if status == 200:
        assert response.json()["name"] == "acme/fraud"


# --- Change ---------------------------------------------------------------------------------


def test_repo_update_changes_fields_and_credentials(repo, people, api_client):
    client = api_client(people.lead)
    changes = {"subdir": "models/fraud", "enabled": False, "credentials": "glpat-x"}

    changed = client.patch(url(repo.pk), changes, format="json")
    cleared = client.patch(url(repo.pk), {"credentials": ""}, format="json")

    assert changed.status_code == 200, changed.content
    assert (changed.json()["subdir"], changed.json()["enabled"]) == (
        "models/fraud",
        False,
    )
    assert changed.json()["has_credentials"] is True
    assert cleared.json()["has_credentials"] is False
    repo.refresh_from_db()
    assert (repo.subdir, repo.enabled, repo.credentials_encrypted) == (
        "models/fraud",
        False,
        "",
    )


@pytest.mark.parametrize(("caller", "status"), [("member", 403), ("outsider", 404)])
def test_repo_update_is_for_the_team_lead_or_an_admin(
    caller, status, repo, people, api_client
):
    response = api_client(getattr(people, caller)).patch(
        url(repo.pk), {"enabled": False}, format="json"
    )

    assert response.status_code == status
    repo.refresh_from_db()
    assert repo.enabled is True


def test_repo_update_needs_a_change(repo, people, api_client):
    response = api_client(people.lead).patch(url(repo.pk), {}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in error(response)["fields"]


def test_repo_update_rejects_a_subdir_out_of_the_tree(repo, people, api_client):
    response = api_client(people.lead).patch(
        url(repo.pk), {"subdir": "../../etc"}, format="json"
    )

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["subdir"]


# --- Webhook secret -------------------------------------------------------------------------


def test_webhook_secret_rotate_answers_the_new_secret_once(repo, people, api_client):
    response = api_client(people.lead).post(url(repo.pk, "webhook-secret"))

    assert response.status_code == 200
    repo.refresh_from_db()
    assert response.json() == {
        "webhook_secret": decrypt_text(repo.webhook_secret_encrypted)
    }


@pytest.mark.parametrize(
    ("caller", "status"), [("member", 403), ("approver", 403), ("stranger", 404)]
)
def test_webhook_secret_rotate_is_for_the_team_lead_or_an_admin(
    caller, status, repo, people, approver, stranger, api_client
):
    users = {**vars(people), "approver": approver, "stranger": stranger}

    response = api_client(users[caller]).post(url(repo.pk, "webhook-secret"))

    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="repo.webhook_secret_rotated").exists()
