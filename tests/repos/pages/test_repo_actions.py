"""What is posted from the repository page (rescan, settings, a new webhook secret)
and the progress the page polls while a scan runs."""

from __future__ import annotations

import pytest

from apps.core.crypto import decrypt_text, encrypt_text
from apps.repos.models import LinkedRepo, Scan
from tests.repos.factories import scanned
from tests.repos.pages.conftest import messages_of

pytestmark = pytest.mark.django_db


def _url(repo, action: str = "") -> str:
    return f"/repos/{repo.pk}/{action}"


def _settings(repo, **changes) -> dict:
    data = {
        "name": repo.name,
        "project": repo.project,
        "default_branch": repo.default_branch,
        "subdir": repo.subdir,
        "enabled": "on" if repo.enabled else "",
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


# --- Rescan ---------------------------------------------------------------------------


def test_a_member_queues_a_rescan_and_returns_to_the_page(
    people, client_for, django_capture_on_commit_callbacks
):
    repo = people.repo()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(people.member).post(_url(repo, "scan/"), follow=True)

    scan = Scan.objects.get(repo=repo)
    assert response.redirect_chain == [(_url(repo), 302)]
    assert messages_of(response) == [f"Scan #{scan.pk} is queued."]
    assert (scan.trigger, scan.requested_by) == ("manual", people.member)
    assert len(callbacks) == 1
    assert 'id="scan-progress"' in response.content.decode()


def test_a_rescan_while_one_runs_queues_nothing(people, client_for):
    repo = people.repo()
    running = Scan.objects.create(repo=repo, trigger="webhook", status="running")

    response = client_for(people.member).post(_url(repo, "scan/"), follow=True)

    assert messages_of(response) == [f"Scan #{running.pk} is running."]
    assert Scan.objects.filter(repo=repo).count() == 1


def test_the_rescan_button_is_only_for_those_who_may_scan(people, client_for):
    repo = people.repo()

    assert (
        'id="rescan-form"' in client_for(people.member).get(_url(repo)).content.decode()
    )
    assert (
        'id="rescan-form"'
        not in client_for(people.approver).get(_url(repo)).content.decode()
    )


def test_a_rescan_without_the_role_is_refused(people, client_for):
    repo = people.repo()

    response = client_for(people.approver).post(_url(repo, "scan/"))

    assert response.status_code == 403
    assert messages_of(response) == [
        "Your roles do not allow you to scan this repository."
    ]
    assert not Scan.objects.exists()


def test_a_disabled_repo_is_not_rescanned(people, client_for):
    repo = people.repo(enabled=False)

    response = client_for(people.member).post(_url(repo, "scan/"))

    assert response.status_code == 400
    assert messages_of(response) == ["The repository is disabled."]
    assert "enable it in its settings" in response.content.decode()
    assert not Scan.objects.exists()


def test_a_rescan_of_another_teams_repo_is_a_404(people, client_for):
    repo = people.repo()

    assert client_for(people.outsider).post(_url(repo, "scan/")).status_code == 404


# --- Settings -------------------------------------------------------------------------


def test_a_lead_changes_the_branch_folder_and_enabled_flag(people, client_for):
    repo = people.repo()

    response = client_for(people.lead).post(
        _url(repo, "settings/"),
        _settings(repo, default_branch="release", subdir="ml/fraud", enabled=""),
        follow=True,
    )

    repo.refresh_from_db()
    assert messages_of(response) == ["Settings saved."]
    assert (repo.default_branch, repo.subdir, repo.enabled) == (
        "release",
        "ml/fraud",
        False,
    )


def test_a_new_token_replaces_the_stored_one_and_is_never_shown(people, client_for):
    repo = people.repo()
    client = client_for(people.lead)

    client.post(
        _url(repo, "settings/"), _settings(repo, credentials="glpat-new-secret")
    )

    repo.refresh_from_db()
    html = client.get(_url(repo)).content.decode()
    assert decrypt_text(repo.credentials_encrypted) == "glpat-new-secret"
    assert "glpat-new-secret" not in html
    assert "<dt>Access token</dt><dd>stored</dd>" in html


def test_the_stored_token_can_be_removed(people, client_for):
    repo = people.repo(credentials_encrypted=encrypt_text("old-token"))

    client_for(people.lead).post(
        _url(repo, "settings/"), _settings(repo, clear_credentials="on")
    )

    repo.refresh_from_db()
    assert repo.credentials_encrypted == ""


def test_giving_and_removing_a_token_at_once_is_refused(people, client_for):
    repo = people.repo(credentials_encrypted=encrypt_text("old-token"))

    response = client_for(people.lead).post(
        _url(repo, "settings/"),
        _settings(repo, credentials="new", clear_credentials="on"),
    )

    assert response.status_code == 400
    assert "Give a new token or remove it, not both." in response.content.decode()
    repo.refresh_from_db()
    assert decrypt_text(repo.credentials_encrypted) == "old-token"


def test_a_bad_folder_is_refused_on_its_field_keeping_the_input(people, client_for):
    repo = people.repo()

    response = client_for(people.lead).post(
        _url(repo, "settings/"), _settings(repo, subdir="../outside", name="renamed")
    )

    assert response.status_code == 400
    assert "subdir" in response.context["settings_form"].errors
    assert 'value="renamed"' in response.content.decode()
    repo.refresh_from_db()
    assert repo.subdir == ""


def test_unchanged_settings_change_nothing(people, client_for):
    repo = people.repo()

    response = client_for(people.lead).post(
        _url(repo, "settings/"), _settings(repo), follow=True
    )

    assert messages_of(response) == ["Nothing changed."]


def test_settings_are_for_managers_only(people, client_for):
    repo = people.repo()

    html = client_for(people.member).get(_url(repo)).content.decode()
    response = client_for(people.member).post(
        _url(repo, "settings/"), _settings(repo, name="mine")
    )

    assert 'id="settings"' not in html
    assert 'id="rotate-form"' not in html
    assert response.status_code == 403
    assert messages_of(response) == [
        "Your roles do not allow you to change this repository."
    ]
    repo.refresh_from_db()
    assert repo.name != "mine"


def test_the_settings_form_labels_every_field(people, client_for):
    repo = people.repo()

    html = client_for(people.admin).get(_url(repo)).content.decode()

    for field in ("name", "project", "default_branch", "subdir", "credentials"):
        assert f'<label for="settings_{field}">' in html
    assert '<input type="checkbox" name="enabled"' in html
    assert '<label for="settings_enabled">Enabled</label>' in html


# --- Webhook secret -------------------------------------------------------------------


def test_rotating_the_secret_shows_the_new_one_once(people, client_for):
    repo = people.repo()
    old = repo.webhook_secret_encrypted
    client = client_for(people.lead)

    response = client.post(_url(repo, "webhook-secret/"))

    repo.refresh_from_db()
    secret = decrypt_text(repo.webhook_secret_encrypted)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert repo.webhook_secret_encrypted != old
    assert f'id="webhook-secret" readonly value="{secret}"' in response.content.decode()
    assert secret not in client.get(_url(repo)).content.decode()


def test_rotating_the_secret_without_the_role_is_refused(people, client_for):
    repo = people.repo()

    response = client_for(people.member).post(_url(repo, "webhook-secret/"))

    assert response.status_code == 403
    assert (
        LinkedRepo.objects.get().webhook_secret_encrypted
        == repo.webhook_secret_encrypted
    )


# --- Progress -------------------------------------------------------------------------


def test_progress_reports_a_running_scans_step_and_percent(people, client_for):
    scan = Scan.objects.create(
        repo=people.repo(),
        trigger="manual",
        status="running",
        step="cloning",
        percent=12,
    )

    response = client_for(people.member).get(f"/repos/scans/{scan.pk}/progress.json")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "running",
        "step": "cloning",
        "percent": 12,
        "finished": False,
    }


def test_progress_of_a_finished_scan_says_so(people, client_for):
    scan = scanned(people.repo(), {"ci_config": (True, "declared")})

    body = client_for(people.member).get(f"/repos/scans/{scan.pk}/progress.json").json()

    assert (body["status"], body["finished"]) == ("succeeded", True)


def test_progress_of_a_scan_the_user_cannot_see_is_a_404(people, client_for, stranger):
    scan = Scan.objects.create(repo=people.repo(), trigger="manual")
    url = f"/repos/scans/{scan.pk}/progress.json"

    assert client_for(people.outsider).get(url).status_code == 404
    assert client_for(stranger).get(url).status_code == 404
    assert (
        client_for(people.member).get("/repos/scans/999999/progress.json").status_code
        == 404
    )


def test_progress_needs_sign_in(people, client):
    scan = Scan.objects.create(repo=people.repo(), trigger="manual")

    response = client.get(f"/repos/scans/{scan.pk}/progress.json")

    assert response.status_code == 302
