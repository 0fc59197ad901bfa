"""Linking a repository from the list: the webhook secret shown once with the webhook
to configure, and refusals shown next to the fields with the input kept."""

from __future__ import annotations

import pytest

from apps.core.crypto import decrypt_text
from apps.repos.models import LinkedRepo, Scan
from tests.repos.pages.conftest import messages_of

pytestmark = pytest.mark.django_db

TOKEN = "ghp_not-a-real-token-0123456789"


def _link(people, **changes) -> dict:
    return {
        "team": people.team.pk,
        "name": "fraud-scoring",
        "provider": "github",
        "clone_url": "https://github.com/acme/fraud-scoring.git",
        "credentials": TOKEN,
        **changes,
    }


def test_linking_shows_the_secret_once_with_the_github_webhook(
    people, client_for, django_capture_on_commit_callbacks
):
    client = client_for(people.lead)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/repos/link/", _link(people))

    html = response.content.decode()
    repo = LinkedRepo.objects.get()
    secret = decrypt_text(repo.webhook_secret_encrypted)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert f'id="webhook-secret" readonly value="{secret}"' in html
    assert 'value="http://testserver/hooks/github/"' in html
    assert "<code>application/json</code>" in html
    assert "Pushes, Workflow runs, Deployment statuses" in html
    assert f'href="/repos/{repo.pk}/"' in html
    assert TOKEN not in html
    assert (repo.team, repo.project, repo.created_by) == (
        people.team,
        "acme/fraud-scoring",
        people.lead,
    )
    assert Scan.objects.get(repo=repo).trigger == "link"
    assert len(callbacks) == 1  # the first scan's task, sent after commit


def test_the_secret_is_not_shown_again_on_the_repo_page(people, client_for):
    client = client_for(people.lead)
    client.post("/repos/link/", _link(people))
    repo = LinkedRepo.objects.get()

    html = client.get(f"/repos/{repo.pk}/").content.decode()

    assert decrypt_text(repo.webhook_secret_encrypted) not in html
    assert 'id="webhook-secret"' not in html
    assert 'value="http://testserver/hooks/github/"' in html  # still configurable


def test_linking_a_gitlab_repo_shows_the_gitlab_webhook(people, client_for):
    response = client_for(people.lead).post(
        "/repos/link/",
        _link(
            people,
            provider="gitlab",
            clone_url="https://gitlab.com/acme/ml/fraud.git",
        ),
    )

    html = response.content.decode()
    assert 'value="http://testserver/hooks/gitlab/"' in html
    assert "Push events, Pipeline events, Deployment events" in html
    assert "Secret token" in html
    assert LinkedRepo.objects.get().project == "acme/ml/fraud"


def test_a_generic_git_repo_shows_its_secret_without_webhook_setup(
    people, client_for, settings
):
    settings.REPOS_ALLOWED_HOSTS = ["git.example.com"]

    response = client_for(people.lead).post(
        "/repos/link/",
        _link(people, provider="git", clone_url="https://git.example.com/fraud.git"),
    )

    html = response.content.decode()
    secret = decrypt_text(LinkedRepo.objects.get().webhook_secret_encrypted)
    assert f'value="{secret}"' in html
    assert "/hooks/" not in html
    assert "scanned daily" in html


def test_a_refused_url_is_shown_next_to_the_field_keeping_the_input(people, client_for):
    response = client_for(people.lead).post(
        "/repos/link/", _link(people, clone_url="https://evil.example.com/x.git")
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert messages_of(response) == ["Cloning from evil.example.com is not allowed."]
    assert response.context["form"].errors["clone_url"] == [
        "Cloning from evil.example.com is not allowed."
    ]
    assert 'id="link_clone_url_error"' in html
    assert 'value="fraud-scoring"' in html
    assert 'value="https://evil.example.com/x.git"' in html
    assert TOKEN not in html  # the token is never rendered back
    assert not LinkedRepo.objects.exists()


def test_linking_the_same_repo_twice_is_refused_on_the_field(people, client_for):
    client = client_for(people.lead)
    client.post("/repos/link/", _link(people))

    response = client.post("/repos/link/", _link(people, name="again"))

    assert response.status_code == 400
    assert response.context["form"].errors["clone_url"] == [
        "This repository is already linked."
    ]
    assert LinkedRepo.objects.count() == 1


def test_a_bad_branch_is_refused_on_its_field(people, client_for):
    response = client_for(people.lead).post(
        "/repos/link/", _link(people, default_branch="--upload-pack=x")
    )

    assert response.status_code == 400
    assert "default_branch" in response.context["form"].errors
    assert not LinkedRepo.objects.exists()


def test_a_team_the_user_does_not_lead_is_not_a_choice(people, client_for):
    response = client_for(people.lead).post(
        "/repos/link/", _link(people, team=people.other_team.pk)
    )

    assert response.status_code == 400
    assert "team" in response.context["form"].errors
    assert not LinkedRepo.objects.exists()


def test_linking_without_a_managing_role_is_refused(people, client_for):
    response = client_for(people.member).post("/repos/link/", _link(people))

    assert response.status_code == 403
    assert messages_of(response) == [
        "Your roles do not allow you to link repositories."
    ]
    assert not LinkedRepo.objects.exists()


def test_an_admin_links_a_local_path_under_an_allowed_root(
    people, client_for, settings, tmp_path
):
    settings.REPOS_LOCAL_ROOTS = [str(tmp_path)]
    (tmp_path / "fraud").mkdir()

    response = client_for(people.admin).post(
        "/repos/link/",
        _link(people, provider="git", clone_url="", local_path=str(tmp_path / "fraud")),
    )

    assert response.status_code == 200
    assert LinkedRepo.objects.get().local_path == str((tmp_path / "fraud").resolve())


def test_a_local_path_outside_the_roots_is_refused_on_its_field(
    people, client_for, settings, tmp_path
):
    settings.REPOS_LOCAL_ROOTS = [str(tmp_path / "allowed")]

    response = client_for(people.admin).post(
        "/repos/link/",
        _link(people, provider="git", clone_url="", local_path="/etc"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["local_path"] == [
        "The path is outside the allowed folders."
    ]


def test_linking_needs_a_post(people, client_for):
    assert client_for(people.lead).get("/repos/link/").status_code == 405
