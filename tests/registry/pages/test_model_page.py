"""The model page: header, aliases, versions with lineage, evidence, request
timelines, findings, the overdue banner, and the forms posted from it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.registry import promotion
from apps.registry.models import (
    EvidenceItem,
    Finding,
    ModelVersion,
    PromotionRequest,
)
from tests.registry.pages.conftest import count_queries, messages_of

pytestmark = pytest.mark.django_db


def _url(model) -> str:
    return f"/registry/models/{model.pk}/"


def test_model_page_shows_header_versions_lineage_and_aliases(registry, client_for):
    applied = registry.approved(tier="high")
    promotion.promotion_apply(request=applied, applied_by=registry.lead)
    model, version = applied.version.model, applied.version

    html = client_for(registry.member).get(_url(model)).content.decode()

    assert f"<h1>{model.name}</h1>" in html
    assert '<span class="tier tier-high">High</span>' in html
    assert "production → v1" in html
    assert f'<code title="{version.artifact_sha256}">{"a" * 12}…</code>' in html
    assert f">{version.code_commit[:10]}</code>" in html
    assert "runs:/abc123" in html
    assert "validation_report.pdf" in html
    assert f'href="/registry/requests/{applied.pk}/"' in html


def test_model_page_timeline_shows_decisions_with_roles_and_the_apply(
    registry, client_for
):
    applied = registry.approved(tier="high")
    promotion.promotion_apply(request=applied, applied_by=registry.lead)

    html = client_for(registry.lead).get(_url(applied.version.model)).content.decode()

    assert "<strong>Opened</strong>" in html
    assert html.count("<strong>Approved</strong>") == 2
    assert '<span class="muted">as risk officer</span>' in html
    assert "<strong>Applied</strong>" in html


def test_model_page_highlights_a_break_glass_apply(registry, client_for):
    model = registry.model(tier="high")
    request = registry.request(registry.version(model))
    promotion.promotion_apply(
        request=request,
        applied_by=registry.risk_officers[0],
        break_glass=True,
        reason="Fraud wave",
    )

    html = client_for(registry.lead).get(_url(model)).content.decode()

    assert '<li class="event applied break-glass">' in html
    assert "Break-glass applied" in html
    assert "retrospective review of" in html


def test_model_page_shows_the_overdue_banner_and_open_findings(registry, client_for):
    applied = registry.approved()
    promotion.promotion_apply(request=applied, applied_by=registry.lead)
    model = applied.version.model
    ModelVersion.objects.filter(pk=applied.version_id).update(
        revalidation_overdue_since=timezone.now()
    )
    Finding.objects.create(
        organization=model.organization,
        model=model,
        kind=Finding.Kind.UNAPPROVED_ALIAS_MOVE,
        detail={"alias": "production", "mlflow_version": "9"},
    )

    html = client_for(registry.lead).get(_url(model)).content.decode()

    assert 'id="revalidation-overdue"' in html
    assert "Revalidation overdue</strong> for v1" in html
    assert "Alias moved outside Tollgate" in html
    assert "<dt>mlflow version</dt><dd>9</dd>" in html


def test_model_page_forms_are_for_the_team_only(registry, client_for):
    model = registry.model()
    registry.version(model)

    for_member = client_for(registry.member).get(_url(model)).content.decode()
    for_approver = client_for(registry.approvers[0]).get(_url(model)).content.decode()

    assert "Open a promotion request" in for_member
    assert "Attach evidence" in for_member
    assert "Open a promotion request" not in for_approver
    assert "Attach evidence" not in for_approver


def test_another_organisations_model_is_a_404(registry, client_for, stranger):
    model = registry.model()

    assert client_for(stranger).get(_url(model)).status_code == 404


def test_another_teams_model_is_a_404_for_a_team_member(registry, client_for):
    model = registry.model()

    assert client_for(registry.outsider).get(_url(model)).status_code == 404


def test_model_page_queries_do_not_grow_with_versions(registry, client_for):
    def promoted_versions(count: int):
        model = registry.model(tier="high")
        for _ in range(count):
            version = registry.version(model)
            registry.evidence(version, "validation_report")
            registry.evidence(version, "model_card", accept=False)
            registry.approve(registry.request(version), registry.approvers[0])
        return model

    small, large = promoted_versions(1), promoted_versions(4)
    client = client_for(registry.lead)
    client.get(_url(small))

    # Session, user, roles, the model, versions (creator, submitter), their aliases,
    # evidence (people, `replaced`), requests (people), decisions (approver), the
    # protected alias names, the tier's requirements, the page's aliases, open
    # findings, the organisation (page header).
    few = count_queries(client, _url(small))
    many = count_queries(client, _url(large))

    assert few == many == 14


def test_opening_a_request_redirects_to_it_with_a_message(registry, client_for):
    model = registry.model()
    version = registry.version(model)

    response = client_for(registry.lead).post(
        f"{_url(model)}requests/",
        {"version": version.pk, "target": "production", "justification": "Better."},
        follow=True,
    )

    opened = PromotionRequest.objects.get(version=version)
    assert response.redirect_chain == [(f"/registry/requests/{opened.pk}/", 302)]
    assert messages_of(response) == [f"Request #{opened.pk} opened: v1 → production."]
    assert opened.requested_by == registry.lead


def test_a_refused_request_is_a_message_on_the_page_keeping_the_input(
    registry, client_for
):
    model = registry.model()
    version = registry.version(model)
    registry.request(version)

    response = client_for(registry.lead).post(
        f"{_url(model)}requests/",
        {"version": version.pk, "target": "production", "justification": "Again."},
    )

    assert response.status_code == 400
    assert messages_of(response) == ["v1 already has an open request for production."]
    assert "Again.</textarea>" in response.content.decode()
    assert PromotionRequest.objects.filter(version=version).count() == 1


def test_a_draft_version_is_not_offered_for_promotion(registry, client_for):
    model = registry.model()
    draft = registry.version(model, submit=False)

    response = client_for(registry.lead).post(
        f"{_url(model)}requests/",
        {"version": draft.pk, "target": "production", "justification": "Early."},
    )

    assert response.status_code == 400
    assert "version" in response.context["open_form"].errors
    assert not PromotionRequest.objects.exists()


def test_opening_a_request_without_the_role_is_refused_not_an_error(
    registry, client_for
):
    model = registry.model()
    version = registry.version(model)

    response = client_for(registry.risk_officers[0]).post(
        f"{_url(model)}requests/",
        {"version": version.pk, "target": "production", "justification": "Mine."},
    )

    assert response.status_code == 403
    assert messages_of(response) == [
        "Your roles do not allow you to promote this model."
    ]
    assert not PromotionRequest.objects.exists()


def test_attaching_a_link_records_evidence_and_redirects(registry, client_for):
    model = registry.model(tier="medium")
    version = registry.version(model)

    response = client_for(registry.member).post(
        f"{_url(model)}evidence/",
        {
            "version": version.pk,
            "requirement": "model_card",
            "url": "https://wiki.example.com/cards/fraud",
        },
        follow=True,
    )

    item = EvidenceItem.objects.get(version=version)
    assert (item.requirement_key, item.kind, item.submitted_by) == (
        "model_card",
        "model_card",
        registry.member,
    )
    assert messages_of(response) == ["Evidence for model_card attached to v1."]


def test_attaching_a_file_stores_its_hash(registry, client_for):
    model = registry.model()
    version = registry.version(model)
    upload = SimpleUploadedFile("card.md", b"# Model card\n")

    client_for(registry.member).post(
        f"{_url(model)}evidence/",
        {"version": version.pk, "requirement": "model_card", "file": upload},
    )

    item = EvidenceItem.objects.get(version=version)
    assert (item.file_name, len(item.sha256)) == ("card.md", 64)


def test_attaching_both_a_link_and_a_file_is_refused_on_the_page(registry, client_for):
    model = registry.model()
    version = registry.version(model)

    response = client_for(registry.member).post(
        f"{_url(model)}evidence/",
        {
            "version": version.pk,
            "requirement": "model_card",
            "url": "https://example.com/card",
            "file": SimpleUploadedFile("card.md", b"# card"),
        },
    )

    assert response.status_code == 400
    assert messages_of(response) == ["Give either a link or a file."]
    assert "A link or a file, not both." in response.content.decode()
    assert not EvidenceItem.objects.exists()


def test_an_approver_accepts_evidence_from_the_model_page(registry, client_for):
    model = registry.model()
    item = registry.evidence(registry.version(model), "model_card", accept=False)
    client = client_for(registry.approvers[0])

    assert 'aria-label="Review model_card"' in client.get(_url(model)).content.decode()
    response = client.post(
        f"{_url(model)}evidence/{item.pk}/review/", {"outcome": "accept"}, follow=True
    )

    item.refresh_from_db()
    assert (item.status, item.reviewed_by) == ("accepted", registry.approvers[0])
    assert messages_of(response) == ["Evidence for model_card accepted."]


def test_rejecting_evidence_without_a_comment_is_refused_on_the_page(
    registry, client_for
):
    model = registry.model()
    item = registry.evidence(registry.version(model), "model_card", accept=False)

    response = client_for(registry.approvers[0]).post(
        f"{_url(model)}evidence/{item.pk}/review/", {"outcome": "reject"}
    )

    assert response.status_code == 400
    assert messages_of(response) == ["Say why the evidence is rejected."]
    item.refresh_from_db()
    assert item.status == "submitted"


def test_an_author_is_not_offered_evidence_review(registry, client_for, make_user):
    model = registry.model()
    builder = make_user("approver")
    version = registry.version(model, authors=[builder.pk])
    item = registry.evidence(version, "model_card", accept=False)
    client = client_for(builder)

    html = client.get(_url(model)).content.decode()
    response = client.post(
        f"{_url(model)}evidence/{item.pk}/review/", {"outcome": "accept"}
    )

    assert 'aria-label="Review model_card"' not in html
    assert response.status_code == 403
    assert messages_of(response) == [
        "Evidence is reviewed by someone who neither submitted it nor built the version."
    ]


def test_evidence_of_another_model_is_a_404_on_this_model(registry, client_for):
    model, other = registry.model(), registry.model()
    item = registry.evidence(registry.version(other), "model_card", accept=False)

    response = client_for(registry.approvers[0]).post(
        f"{_url(model)}evidence/{item.pk}/review/", {"outcome": "accept"}
    )

    assert response.status_code == 404


def test_an_evidence_file_downloads_as_an_attachment(registry, client_for, stranger):
    item = registry.evidence(registry.version(registry.model()), "model_card")
    url = f"/registry/evidence/{item.pk}/file/"

    response = client_for(registry.approvers[0]).get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="model_card.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client_for(stranger).get(url).status_code == 404
