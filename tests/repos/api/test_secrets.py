"""Secrets never leave in an answer: credentials (nor their ciphertext) in none, a
webhook secret only in the one answer that made it. A whole journey through the API,
with every answer's body scanned."""

from __future__ import annotations

import pytest

from apps.repos.models import LinkedRepo, Scan
from tests.repos.api.helpers import API, url
from tests.repos.factories import scanned

pytestmark = pytest.mark.django_db

TOKEN = "ghp_firsttoken0123456789"
NEW_TOKEN = "glpat-secondtoken9876543210"


def _link(client, team_id: int) -> dict:
    body = {
        "team": team_id,
        "name": "acme/churn",
        "provider": "github",
        "clone_url": "https://github.com/acme/churn.git",
        "credentials": TOKEN,
    }
    response = client.post(url(), body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _bad_requests(client, repo_id: int, team_id: int) -> list:
    """Refused writes that carry a secret: their errors must not echo it."""
    return [
        client.post(
            url(),
            {
                "team": team_id,
                "name": "x",
                "provider": "github",
                "clone_url": f"https://x:{TOKEN}@github.com/acme/x.git",
                "credentials": TOKEN,
            },
            format="json",
        ),
        client.patch(
            url(repo_id), {"credentials": NEW_TOKEN, "subdir": "../x"}, format="json"
        ),
        client.patch(url(repo_id), {"credentials": NEW_TOKEN * 200}, format="json"),
    ]


def _reads(client, repo_id: int, team_id: int, scan_id: int) -> list:
    paths = [
        url(),
        url(repo_id),
        url(repo_id, "scans"),
        url(repo_id, "signals"),
        url(repo_id, "runs"),
        f"{API}scans/{scan_id}/",
        url("teams", team_id, "signals"),
        "/api/v1/audit/events/",
    ]
    return [client.get(path) for path in paths]


def test_no_answer_carries_a_secret_but_the_one_that_made_it(
    people, api_client, django_capture_on_commit_callbacks
):
    lead, admin = api_client(people.lead), api_client(people.admin)
    with django_capture_on_commit_callbacks(execute=False):
        linked = _link(lead, people.team.pk)
        repo_id = linked["id"]
        rotated = lead.post(url(repo_id, "webhook-secret")).json()["webhook_secret"]
        answers = [
            lead.patch(url(repo_id), {"credentials": NEW_TOKEN}, format="json"),
            *_bad_requests(lead, repo_id, people.team.pk),
            lead.post(url(repo_id, "scans")),
        ]
    Scan.objects.filter(repo_id=repo_id).update(status="failed")
    scan = scanned(LinkedRepo.objects.get(pk=repo_id), {"ci_config": (True, "wired")})
    for client in (lead, admin):
        answers += _reads(client, repo_id, people.team.pk, scan.pk)

    repo = LinkedRepo.objects.get(pk=repo_id)
    secrets = [
        TOKEN,
        NEW_TOKEN,
        linked["webhook_secret"],
        rotated,
        repo.credentials_encrypted,
        repo.webhook_secret_encrypted,
    ]
    assert linked["webhook_secret"] != rotated
    for response in answers:
        assert response.status_code < 500
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (response.request["PATH_INFO"], body[:300])
