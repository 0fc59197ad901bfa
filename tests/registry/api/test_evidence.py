"""Evidence: list, attach a file or link, review, download."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.registry.models import EvidenceItem
from tests.registry.api.helpers import error, url

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 validation report"


@pytest.fixture
def version(registry):
    return registry.version(registry.model())


def test_evidence_add_attaches_a_link(version, registry, api_client):
    response = api_client(registry.member).post(
        url("versions", version.pk, "evidence"),
        {
            "requirement_key": "model_card",
            "kind": "model_card",
            "url": "https://wiki.example.com/cards/fraud",
            "note": "v2 of the card",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    item = EvidenceItem.objects.get(pk=response.json()["id"])
    assert (item.url, item.status, item.submitted_by) == (
        "https://wiki.example.com/cards/fraud",
        "submitted",
        registry.member,
    )
    assert response.json()["download_url"] is None


def test_evidence_add_uploads_a_file_that_downloads_as_an_attachment(
    version, registry, api_client
):
    client = api_client(registry.member)

    added = client.post(
        url("versions", version.pk, "evidence"),
        {
            "requirement_key": "validation_report",
            "kind": "validation_report",
            "file": SimpleUploadedFile("report.pdf", PDF),
        },
        format="multipart",
    )
    download = client.get(added.json()["download_url"])

    assert added.status_code == 201, added.content
    assert added.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),  # neither a link nor a file
        ({"url": "not a url"}, "url"),
        ({"url": "https://x.example", "kind": "horoscope"}, "kind"),
        (
            {"url": "https://x.example", "requirement_key": "no spaces"},
            "requirement_key",
        ),
        ({"url": "https://x.example", "supersedes": 10**6}, "supersedes"),
        ({"url": "https://x.example", "note": "n" * 1001}, "note"),
    ],
)
def test_evidence_add_refuses_bad_input_by_field(
    version, registry, api_client, body, field
):
    body = {"requirement_key": "model_card", "kind": "model_card", **body}

    response = api_client(registry.member).post(
        url("versions", version.pk, "evidence"), body, format="json"
    )

    assert response.status_code == 400
    assert field in error(response)["fields"]


def test_evidence_add_refuses_a_file_that_is_not_what_it_claims(
    version, registry, api_client
):
    response = api_client(registry.member).post(
        url("versions", version.pk, "evidence"),
        {
            "requirement_key": "model_card",
            "kind": "model_card",
            "file": SimpleUploadedFile("card.pdf", b"MZ\x90\x00 not a pdf"),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert error(response)["fields"] == {"file": ["The content is not a PDF file."]}


def test_evidence_add_replaces_a_reviewed_item(version, registry, api_client):
    old = registry.evidence(version, "model_card", accept=False)

    response = api_client(registry.member).post(
        url("versions", version.pk, "evidence"),
        {
            "requirement_key": "model_card",
            "kind": "model_card",
            "url": "https://wiki.example.com/cards/fraud-v2",
            "supersedes": old.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["supersedes"] == old.pk


def test_evidence_list_shows_every_item_of_the_version(version, registry, api_client):
    registry.evidence(version, "model_card")
    registry.evidence(version, "validation_report", accept=False)

    response = api_client(registry.admin).get(url("versions", version.pk, "evidence"))

    rows = {row["requirement_key"]: row for row in response.json()["results"]}
    assert rows["model_card"]["status"] == "accepted"
    assert rows["model_card"]["reviewed_by"]["id"] == registry.risk_officers[-1].pk
    assert rows["validation_report"]["status"] == "submitted"


def test_evidence_review_accepts(version, registry, api_client):
    item = registry.evidence(version, "model_card", accept=False)

    response = api_client(registry.approvers[0]).post(
        url("evidence", item.pk, "review"), {"accept": True}, format="json"
    )

    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.status, item.reviewed_by) == ("accepted", registry.approvers[0])


def test_evidence_review_reject_needs_a_comment(version, registry, api_client):
    item = registry.evidence(version, "model_card", accept=False)

    response = api_client(registry.approvers[0]).post(
        url("evidence", item.pk, "review"), {"accept": False}, format="json"
    )

    assert response.status_code == 400
    assert error(response)["fields"] == {"comment": ["Required."]}


def test_evidence_review_refuses_builders_and_non_reviewers(
    registry, api_client, make_user
):
    builder = make_user("approver", "team_member", team=registry.team)
    version = registry.version(registry.model(), by=builder)
    item = registry.evidence(version, "model_card", accept=False)
    path = url("evidence", item.pk, "review")

    by_author = api_client(builder).post(path, {"accept": True}, format="json")
    by_member = api_client(registry.lead).post(path, {"accept": True}, format="json")

    assert (by_author.status_code, error(by_author)["code"]) == (
        403,
        "separation_of_duties",
    )
    assert by_member.status_code == 403


def test_evidence_review_refuses_a_reviewed_item(version, registry, api_client):
    item = registry.evidence(version, "model_card")

    response = api_client(registry.approvers[0]).post(
        url("evidence", item.pk, "review"), {"accept": False, "comment": "No."}
    )

    assert response.status_code == 400
    assert error(response)["code"] == "invalid_status"


def test_evidence_download_of_a_link_is_404(version, registry, api_client):
    item = EvidenceItem.objects.create(
        version=version,
        requirement_key="model_card",
        kind="model_card",
        url="https://wiki.example.com/card",
        submitted_by=registry.member,
    )

    response = api_client(registry.member).get(url("evidence", item.pk, "download"))

    assert response.status_code == 404
    assert error(response)["message"] == "This evidence is a link, not a file."


def test_evidence_is_404_to_another_organisation(
    version, registry, api_client, stranger
):
    item = registry.evidence(version, "model_card", accept=False)
    client = api_client(stranger)

    assert client.get(url("evidence", item.pk, "download")).status_code == 404
    assert client.get(url("versions", version.pk, "evidence")).status_code == 404
    assert (
        client.post(
            url("evidence", item.pk, "review"), {"accept": True}, format="json"
        ).status_code
        == 404
    )
