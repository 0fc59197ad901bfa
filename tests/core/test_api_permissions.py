"""Every API endpoint × every role on the owning team, another team's member and
another organisation's admin (and anonymous), with the status each one must get.

Rows name the URL route exactly as the URL conf spells it, so the guard test below can
fail when an endpoint exists that this table forgot. A write the table refuses leaves
the audit trail as it was: nothing changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts import services
from apps.accounts.models import Role
from apps.audit.models import AuditEvent, Chain
from apps.registry import promotion as registry_promotion
from apps.registry import services as registry_services
from apps.registry.mlflow.sync import mlflow_connection_set
from apps.registry.models import Finding, ModelVersion, RegisteredModel
from apps.reports.models import Report
from apps.roadmaps import services as roadmap_services
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_event_publish, webhook_subscription_create
from tests.accounts.factories import (
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)
from tests.assessments.factories import assessment_in, rubric_create
from tests.repos.factories import LinkedRepoFactory, scanned
from tests.rubrics.helpers import import_mini

pytestmark = pytest.mark.django_db

# The fixed order of the callers in every row's `expected`. Team roles are held on the
# objects' own team; "other_team_member" is a team member of another team of the same
# organisation; "other_org_admin" is an org admin of another organisation.
ACTORS = (
    "anonymous",
    "other_org_admin",
    "other_team_member",
    "team_member",
    "team_lead",
    "org_admin",
    "executive",
    "assessor",
    "approver",
    "risk_officer",
    "auditor",
)
NEW_USER = {
    "username": "newcomer",
    "email": "newcomer@example.com",
    "password": "an-unusual-passphrase-42",
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: str
    # Expected status per caller, in the order of ACTORS.
    expected: tuple[int, ...]
    kwargs: Callable[[Any, Any], dict[str, int]] = field(
        default=lambda world, actor: {}
    )
    data: dict | Callable[[Any], dict] | None = None


def _rubric(world, actor) -> dict[str, str | int]:
    """kwargs naming the published mini rubric (tests/rubrics/data/mini.yaml)."""
    rubric = import_mini()
    return {"slug": rubric.slug, "version": rubric.version, "team_id": world.team.pk}


def _own_token(world, actor) -> dict[str, int]:
    token, _ = services.api_token_create(user=actor or world.member, name="mine")
    return {"token_id": token.pk}


def _assessment(status: str, *, file: bool = False):
    """kwargs for an assessment of the world's team in `status`, and its evidence."""

    def kwargs(world, actor) -> dict[str, int]:
        assessment = assessment_in(world.team, status, file=file)
        evidence = assessment.evidence.get()
        world.question = evidence.question
        return {"assessment_id": assessment.pk, "evidence_id": evidence.pk}

    return kwargs


def _webhook(world, actor) -> dict[str, int]:
    """kwargs naming a subscription of the world's organisation and a failed delivery."""
    organization = world.team.organization
    subscription, _ = webhook_subscription_create(
        organization=organization, url="https://93.184.215.14/hook", events=["*"]
    )
    (delivery,) = webhook_event_publish(
        organization=organization, event="alias.drift_detected", payload={}
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed")
    return {"subscription_id": subscription.pk, "delivery_id": delivery.pk}


WEBHOOK = "api/v1/webhooks/subscriptions/<int:subscription_id>/"


# --- Registry -----------------------------------------------------------------------
# The world's team's model, registered by its member under the default policies; the
# rows below name it, its versions, evidence and requests.

LINEAGE = {
    "artifact_sha256": "a" * 64,
    "code_commit": "0123456789abcdef0123456789abcdef01234567",
    "run_ref": "runs:/abc123",
}


def _registered(world) -> RegisteredModel:
    registry_services.policy_defaults_install(organization=world.team.organization)
    return registry_services.model_create(
        team=world.team,
        name="fraud",
        risk_tier="low",
        owner=world.member,
        created_by=world.member,
    )


def _version(world, *, submit: bool = True) -> ModelVersion:
    version = registry_services.version_create(
        model=_registered(world), created_by=world.member, **LINEAGE
    )
    if submit:
        version = registry_services.version_submit(
            version=version, submitted_by=world.member
        )
    world.version = version
    return version


def _model_with_alias(world, actor) -> dict[str, int | str]:
    version = _version(world)
    registry_services.alias_set(
        model=version.model, name="challenger", version=version, set_by=world.member
    )
    return {"model_id": version.model_id, "alias": "challenger"}


def _draft(world, actor) -> dict[str, int]:
    return {"version_id": _version(world, submit=False).pk}


def _submitted(world, actor) -> dict[str, int]:
    return {"version_id": _version(world).pk}


def _file_evidence(world, actor) -> dict[str, int]:
    item = registry_services.evidence_add(
        version=_version(world),
        requirement_key="model_card",
        kind="model_card",
        submitted_by=world.member,
        upload=SimpleUploadedFile("card.pdf", b"%PDF-1.7 card"),
    )
    return {"evidence_id": item.pk}


def _open_request(world, actor) -> dict[str, int]:
    """A request to put the version on staging, opened by the team member."""
    request = registry_promotion.promotion_open(
        version=_version(world),
        target="staging",
        requested_by=world.member,
        justification="Ready for shadow traffic.",
    )
    world.request = request
    return {"request_id": request.pk}


def _approved_request(world, actor) -> dict[str, int]:
    kwargs = _open_request(world, actor)
    approver = UserFactory(organization=world.team.organization)
    MembershipFactory(
        user=approver, organization=approver.organization, role=Role.APPROVER
    )
    registry_promotion.promotion_decide(
        request=world.request, approver=approver, approve=True
    )
    return kwargs


def _finding(world, actor) -> dict[str, int]:
    finding = Finding.objects.create(
        organization=world.team.organization,
        model=_registered(world),
        kind=Finding.Kind.UNAPPROVED_ALIAS_MOVE,
        detail={"alias": "production"},
    )
    return {"finding_id": finding.pk}


def _models(world, actor) -> dict:
    _registered(world)
    return {}


def _submitted_version(world, actor) -> dict:
    _version(world)
    return {}


def _mlflow_connection(world, actor) -> dict:
    mlflow_connection_set(
        organization=world.team.organization,
        tracking_uri="https://mlflow.example.com",
        token="s3cret",
        default_team=world.team,
        configured_by=world.actors["org_admin"],
    )
    return {}


R = "api/v1/registry/"
MODEL = R + "models/<int:model_id>/"
VERSION = R + "versions/<int:version_id>/"
REQUEST = R + "requests/<int:request_id>/"


def _model(world, actor) -> dict[str, int]:
    return {"model_id": _registered(world).pk}


# Reads: everyone of the organisation who can see the team's models (the member, and
# org-wide readers); another organisation's rows do not exist for its admin. Writes:
# the team's people build (versions, evidence, aliases, requests); the team lead or an
# org admin edits a model; approvers and risk officers, of whom none is among these
# callers, review, decide, revalidate and resolve; org admins set policies.
REGISTRY_ENDPOINTS = [
    Endpoint(
        "GET",
        R + "models/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_models,
    ),
    # The other admin names a team of another organisation: "Unknown team." (400).
    Endpoint(
        "POST",
        R + "models/",
        (401, 400, 403, 201, 201, 201, 403, 403, 403, 403, 403),
        data=lambda w: {"team": w.team.pk, "name": "churn", "risk_tier": "low"},
    ),
    Endpoint(
        "GET",
        MODEL,
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_model,
    ),
    Endpoint(
        "PATCH",
        MODEL,
        (401, 404, 404, 403, 200, 200, 403, 403, 403, 403, 403),
        kwargs=_model,
        data={"purpose": "Scores card payments."},
    ),
    Endpoint(
        "GET",
        MODEL + "versions/",
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_model,
    ),
    Endpoint(
        "POST",
        MODEL + "versions/",
        (401, 404, 404, 201, 201, 403, 403, 403, 403, 403, 403),
        kwargs=_model,
        data={"run_ref": "runs:/def456"},
    ),
    Endpoint(
        "GET",
        MODEL + "aliases/<slug:alias>/",
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_model_with_alias,
    ),
    Endpoint(
        "PUT",
        MODEL + "aliases/<slug:alias>/",
        (401, 404, 404, 200, 200, 403, 403, 403, 403, 403, 403),
        kwargs=_model_with_alias,
        data={"version": 1},
    ),
    Endpoint(
        "DELETE",
        MODEL + "aliases/<slug:alias>/",
        (401, 404, 404, 204, 204, 403, 403, 403, 403, 403, 403),
        kwargs=_model_with_alias,
    ),
    Endpoint(
        "GET",
        R + "versions/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_submitted_version,
    ),
    Endpoint(
        "GET",
        VERSION,
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_submitted,
    ),
    Endpoint(
        "PATCH",
        VERSION,
        (401, 404, 404, 200, 200, 403, 403, 403, 403, 403, 403),
        kwargs=_draft,
        data={"run_ref": "runs:/def456"},
    ),
    Endpoint(
        "POST",
        VERSION + "submit/",
        (401, 404, 404, 200, 200, 403, 403, 403, 403, 403, 403),
        kwargs=_draft,
    ),
    Endpoint(
        "POST",
        VERSION + "revalidate/",
        (401, 404, 404, 403, 403, 403, 403, 403, 400, 400, 403),
        kwargs=_submitted,
        data={"note": "Backtested on last quarter."},
    ),
    Endpoint(
        "GET",
        VERSION + "evidence/",
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_submitted,
    ),
    Endpoint(
        "POST",
        VERSION + "evidence/",
        (401, 404, 404, 201, 201, 403, 403, 403, 403, 403, 403),
        kwargs=_submitted,
        data={
            "requirement_key": "model_card",
            "kind": "model_card",
            "url": "https://example.com/card",
        },
    ),
    Endpoint(
        "POST",
        R + "evidence/<int:evidence_id>/review/",
        (401, 404, 404, 403, 403, 403, 403, 403, 200, 200, 403),
        kwargs=_file_evidence,
        data={"accept": True},
    ),
    Endpoint(
        "GET",
        R + "evidence/<int:evidence_id>/download/",
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_file_evidence,
    ),
    Endpoint(
        "GET",
        R + "requests/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_open_request,
    ),
    # The other admin names a version of another organisation: "Unknown version."
    Endpoint(
        "POST",
        R + "requests/",
        (401, 400, 400, 201, 201, 403, 403, 403, 403, 403, 403),
        kwargs=_submitted_version,
        data=lambda w: {
            "version": w.version.pk,
            "target": "staging",
            "justification": "Ready for shadow traffic.",
        },
    ),
    Endpoint(
        "GET",
        REQUEST,
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_open_request,
    ),
    Endpoint(
        "POST",
        REQUEST + "decisions/",
        (401, 404, 404, 403, 403, 403, 403, 403, 200, 200, 403),
        kwargs=_open_request,
        data={"approve": True},
    ),
    # Only the requester (the member) withdraws; the team's people apply.
    Endpoint(
        "POST",
        REQUEST + "withdraw/",
        (401, 404, 404, 200, 403, 403, 403, 403, 403, 403, 403),
        kwargs=_open_request,
        data={"reason": "Not yet."},
    ),
    Endpoint(
        "POST",
        REQUEST + "apply/",
        (401, 404, 404, 200, 200, 403, 403, 403, 403, 403, 403),
        kwargs=_approved_request,
    ),
    # Anyone who can read a request may comment on it.
    Endpoint(
        "POST",
        REQUEST + "comments/",
        (401, 404, 404, 201, 201, 201, 201, 201, 201, 201, 201),
        kwargs=_open_request,
        data={"body": "Shadow traffic first, please."},
    ),
    # The other admin reads and sets their own organisation's policies.
    Endpoint(
        "GET", R + "policies/", (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
    ),
    Endpoint(
        "POST",
        R + "policies/",
        (401, 201, 403, 403, 403, 201, 403, 403, 403, 403, 403),
        data={
            "risk_tier": "low",
            "target": "staging",
            "required_approvals": 1,
            "approval_ttl_days": 30,
        },
    ),
    Endpoint(
        "GET",
        R + "findings/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_finding,
    ),
    Endpoint(
        "POST",
        R + "findings/<int:finding_id>/resolve/",
        (401, 404, 404, 403, 403, 403, 403, 403, 200, 200, 403),
        kwargs=_finding,
        data={"note": "Moved back through a request."},
    ),
    # The MLflow connection is org admins' business; the other admin reads their own
    # organisation's (none) and names a team of another organisation.
    Endpoint(
        "GET",
        R + "mlflow/",
        (401, 404, 403, 403, 403, 200, 403, 403, 403, 403, 403),
        kwargs=_mlflow_connection,
    ),
    Endpoint(
        "PUT",
        R + "mlflow/",
        (401, 400, 403, 403, 403, 200, 403, 403, 403, 403, 403),
        data=lambda w: {
            "tracking_uri": "https://mlflow.example.com",
            "token": "s3cret",
            "default_team": w.team.pk,
        },
    ),
]


P = "api/v1/repos/"
REPO = P + "<int:repo_id>/"


def _repo(world, actor) -> dict[str, int]:
    """The team's repository, scanned once; its team and scan for the routes naming them."""
    repo = LinkedRepoFactory(team=world.team)
    scan = scanned(repo, {"ci_config": (True, "wired")})
    return {"repo_id": repo.pk, "scan_id": scan.pk, "team_id": world.team.pk}


# Reads: the team's people and org-wide readers (approvers and risk officers too);
# another organisation's repositories do not exist for its admin. Writes: the team
# lead or an org admin links and changes repositories; anyone of the team (or an org
# admin) asks for a rescan; the auditor only reads.
REPOS_ENDPOINTS = [
    Endpoint(
        "GET", P, (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), kwargs=_repo
    ),
    # The other admin names a team of another organisation: "Unknown team." (400).
    Endpoint(
        "POST",
        P,
        (401, 400, 403, 403, 201, 201, 403, 403, 403, 403, 403),
        data=lambda w: {
            "team": w.team.pk,
            "name": "acme/churn",
            "provider": "github",
            "clone_url": "https://github.com/acme/churn.git",
        },
    ),
    Endpoint(
        "GET",
        REPO,
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_repo,
    ),
    Endpoint(
        "PATCH",
        REPO,
        (401, 404, 404, 403, 200, 200, 403, 403, 403, 403, 403),
        kwargs=_repo,
        data={"default_branch": "main"},
    ),
    Endpoint(
        "POST",
        REPO + "webhook-secret/",
        (401, 404, 404, 403, 200, 200, 403, 403, 403, 403, 403),
        kwargs=_repo,
    ),
    Endpoint(
        "GET",
        REPO + "scans/",
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_repo,
    ),
    Endpoint(
        "POST",
        REPO + "scans/",
        (401, 404, 404, 202, 202, 202, 403, 403, 403, 403, 403),
        kwargs=_repo,
    ),
    Endpoint(
        "GET",
        REPO + "signals/",
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_repo,
    ),
    Endpoint(
        "GET",
        REPO + "runs/",
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_repo,
    ),
    Endpoint(
        "GET",
        P + "scans/<int:scan_id>/",
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_repo,
    ),
    Endpoint(
        "GET",
        P + "teams/<int:team_id>/signals/",
        (401, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_repo,
    ),
]


RM = "api/v1/roadmaps/"


def _roadmap(world, actor) -> dict[str, int]:
    """The team's roadmap, planned from a submitted assessment; its first item."""
    assessment_in(world.team, "submitted")
    roadmap = roadmap_services.roadmap_generate(team=world.team)
    return {"team_id": world.team.pk, "item_id": roadmap.items.first().pk}


# Reads: the team's people and org-wide readers; another organisation's team does not
# exist for its admin, whose gaps are their own organisation's (none). Planning (a
# regeneration, an item's status, owner or due quarter): the team's people or an org
# admin; the auditor only reads.
ROADMAPS_ENDPOINTS = [
    Endpoint(
        "GET",
        RM + "teams/<int:team_id>/",
        (401, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_roadmap,
    ),
    Endpoint(
        "POST",
        RM + "teams/<int:team_id>/generate/",
        (401, 404, 404, 200, 200, 200, 403, 403, 404, 404, 403),
        kwargs=_roadmap,
    ),
    Endpoint(
        "PATCH",
        RM + "items/<int:item_id>/",
        (401, 404, 404, 200, 200, 200, 403, 403, 404, 404, 403),
        kwargs=_roadmap,
        data={"status": "in_progress"},
    ),
    Endpoint(
        "GET",
        RM + "gaps/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_roadmap,
    ),
]


RP = "api/v1/reports/"


def _report(world, actor) -> dict[str, int]:
    """A finished report on the world's team (the file is a stand-in: what is under
    test is who may read it)."""
    report = Report.objects.create(
        organization=world.team.organization,
        kind=Report.Kind.TEAM_ASSESSMENT,
        team=world.team,
        status=Report.Status.DONE,
        sha256="0" * 64,
        page_count=1,
    )
    report.file.save("report.pdf", ContentFile(b"%PDF-1.7 stand-in"))
    return {"report_id": report.pk}


# The team's people and org-wide readers read and request the team's reports; another
# organisation's team is unknown to its admin (400 on the field, 404 on the report).
REPORTS_ENDPOINTS = [
    Endpoint("GET", RP, (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Endpoint(
        "POST",
        RP,
        (401, 400, 403, 202, 202, 202, 202, 202, 403, 403, 202),
        data=lambda w: {"kind": "team_assessment", "team": w.team.pk},
    ),
    Endpoint(
        "GET",
        RP + "<int:report_id>/",
        (401, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_report,
    ),
    Endpoint(
        "GET",
        RP + "<int:report_id>/download/",
        (401, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_report,
    ),
]


ENDPOINTS = [
    Endpoint(
        "GET", "api/v1/me/", (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
    ),
    Endpoint(
        "GET",
        "api/v1/business-units/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    Endpoint(
        "GET", "api/v1/teams/", (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
    ),
    # Another organisation's team does not exist for the caller.
    Endpoint(
        "GET",
        "api/v1/teams/<int:team_id>/",
        (401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=lambda w, actor: {"team_id": w.team.pk},
    ),
    Endpoint(
        "GET", "api/v1/users/", (401, 200, 403, 403, 403, 200, 403, 403, 403, 403, 403)
    ),
    # The other organisation's admin creates the person in their own organisation.
    Endpoint(
        "POST",
        "api/v1/users/create/",
        (401, 201, 403, 403, 403, 201, 403, 403, 403, 403, 403),
        data=NEW_USER,
    ),
    Endpoint(
        "GET",
        "api/v1/memberships/",
        (401, 200, 403, 403, 403, 200, 403, 403, 403, 403, 403),
    ),
    # Granting a role to someone of another organisation: "Unknown user." (400).
    Endpoint(
        "POST",
        "api/v1/memberships/grant/",
        (401, 400, 403, 403, 403, 201, 403, 403, 403, 403, 403),
        data=lambda w: {"user": w.member.pk, "role": Role.AUDITOR},
    ),
    Endpoint(
        "POST",
        "api/v1/memberships/<int:membership_id>/revoke/",
        (401, 404, 403, 403, 403, 204, 403, 403, 403, 403, 403),
        kwargs=lambda w, actor: {"membership_id": w.member.memberships.get().pk},
    ),
    Endpoint(
        "GET", "api/v1/tokens/", (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
    ),
    Endpoint(
        "POST",
        "api/v1/tokens/create/",
        (401, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201),
        data={"name": "ci"},
    ),
    # Each caller revokes a token of their own (anonymous tries the member's).
    Endpoint(
        "POST",
        "api/v1/tokens/<int:token_id>/revoke/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_own_token,
    ),
    # The other admin reads their own (empty) chain, never this organisation's.
    Endpoint(
        "GET",
        "api/v1/audit/events/",
        (401, 200, 403, 403, 403, 200, 403, 403, 403, 403, 200),
    ),
    Endpoint(
        "GET",
        "api/v1/audit/events/<int:seq>/",
        (401, 404, 403, 403, 403, 200, 403, 403, 403, 403, 200),
        kwargs=lambda w, actor: {"seq": w.last_seq},
    ),
    Endpoint(
        "GET",
        "api/v1/audit/verify/",
        (401, 404, 403, 403, 403, 200, 403, 403, 403, 403, 200),
    ),
    # Assessments of the world's team (tests/assessments/factories.py: assessment_in).
    # Only assessors review, and none of these callers is one: every review is a 403.
    Endpoint(
        "GET",
        "api/v1/assessments/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    # The other admin names a team of another organisation: "Unknown team." (400).
    Endpoint(
        "POST",
        "api/v1/assessments/create/",
        (401, 400, 403, 403, 201, 201, 403, 403, 403, 403, 403),
        data=lambda w: {
            "team": w.team.pk,
            "period": "2026-Q4",
            "rubric_slug": rubric_create().slug,
        },
    ),
    # Anyone in an organisation gets the roll-up of the teams they can see.
    Endpoint(
        "GET",
        "api/v1/assessments/rollup/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    Endpoint(
        "GET",
        "api/v1/assessments/compare/",
        (401, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        data=lambda w: {
            "a": assessment_in(w.team, "submitted", period="2026-Q3").pk,
            "b": assessment_in(w.team, "submitted").pk,
        },
    ),
    Endpoint(
        "GET",
        "api/v1/assessments/<int:assessment_id>/",
        (401, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_assessment("draft"),
    ),
    # Answering and adding evidence are for the team's own people.
    Endpoint(
        "POST",
        "api/v1/assessments/<int:assessment_id>/answers/",
        (401, 404, 404, 200, 200, 403, 403, 403, 404, 404, 403),
        kwargs=_assessment("draft"),
        data=lambda w: {"answers": [{"question": w.question.pk, "value": True}]},
    ),
    Endpoint(
        "POST",
        "api/v1/assessments/<int:assessment_id>/evidence/",
        (401, 404, 404, 201, 201, 403, 403, 403, 404, 404, 403),
        kwargs=_assessment("draft"),
        data=lambda w: {"question": w.question.pk, "url": "https://example.com/x"},
    ),
    Endpoint(
        "GET",
        "api/v1/assessments/<int:assessment_id>/evidence/<int:evidence_id>/download/",
        (401, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_assessment("draft", file=True),
    ),
    # Only the team lead submits.
    Endpoint(
        "POST",
        "api/v1/assessments/<int:assessment_id>/submit/",
        (401, 404, 404, 403, 200, 403, 403, 403, 404, 404, 403),
        kwargs=_assessment("draft"),
    ),
    Endpoint(
        "GET",
        "api/v1/assessments/<int:assessment_id>/scores/",
        (401, 404, 404, 200, 200, 200, 200, 200, 404, 404, 200),
        kwargs=_assessment("submitted"),
    ),
    Endpoint(
        "POST",
        "api/v1/assessments/<int:assessment_id>/review/start/",
        (401, 404, 404, 403, 403, 403, 403, 200, 404, 404, 403),
        kwargs=_assessment("submitted"),
    ),
    # Another assessor started the review: only that reviewer acts on it (400).
    *(
        Endpoint(
            "POST",
            f"api/v1/assessments/<int:assessment_id>/{action}/",
            (401, 404, 404, 403, 403, 403, 403, 400, 404, 404, 403),
            kwargs=_assessment("in_review"),
            data=data,
        )
        for action, data in [
            ("evidence/<int:evidence_id>/verify", None),
            ("evidence/<int:evidence_id>/reject", {"comment": "Not a gate."}),
            (
                "disagreements/resolve",
                lambda w: {
                    "question": w.question.pk,
                    "value": True,
                    "justification": "Seen it.",
                },
            ),
            (
                "conflicts/resolve",
                {
                    "criterion": "data.l3.validated",
                    "claim_upheld": True,
                    "justification": "Seen it.",
                },
            ),
            ("review/complete", None),
        ]
    ),
    # Assessors and the team lead reopen.
    Endpoint(
        "POST",
        "api/v1/assessments/<int:assessment_id>/reopen/",
        (401, 404, 404, 403, 201, 403, 403, 201, 404, 404, 403),
        kwargs=_assessment("reviewed"),
    ),
    # Rubrics are the platform's: every organisation reads the published ones.
    Endpoint(
        "GET",
        "api/v1/rubrics/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ),
    Endpoint(
        "GET",
        "api/v1/rubrics/<slug:slug>/<str:version>/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_rubric,
    ),
    Endpoint(
        "GET",
        "api/v1/rubrics/<slug:slug>/<str:version>/export/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_rubric,
    ),
    # Weights and core flags: the other admin reads and sets their own organisation's.
    Endpoint(
        "GET",
        "api/v1/rubrics/<slug:slug>/settings/",
        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
        kwargs=_rubric,
    ),
    Endpoint(
        "POST",
        "api/v1/rubrics/<slug:slug>/settings/",
        (401, 200, 403, 403, 403, 200, 403, 403, 403, 403, 403),
        kwargs=_rubric,
        data={"dimension": "data", "weight": 2.0, "core": False},
    ),
    # Targets: the team's leads and org-wide readers read them; org admins set them.
    Endpoint(
        "GET",
        "api/v1/teams/<int:team_id>/targets/",
        (401, 404, 403, 403, 200, 200, 200, 200, 403, 403, 200),
        kwargs=_rubric,
        data={"rubric": "mini"},
    ),
    Endpoint(
        "POST",
        "api/v1/teams/<int:team_id>/targets/",
        (401, 404, 403, 403, 403, 200, 403, 403, 403, 403, 403),
        kwargs=_rubric,
        data={"rubric": "mini", "dimension": "data", "level": 3},
    ),
    # Webhooks are for org admins; the other admin manages their own organisation's.
    Endpoint(
        "GET",
        "api/v1/webhooks/events/",
        (401, 200, 403, 403, 403, 200, 403, 403, 403, 403, 403),
    ),
    Endpoint(
        "GET",
        "api/v1/webhooks/subscriptions/",
        (401, 200, 403, 403, 403, 200, 403, 403, 403, 403, 403),
    ),
    Endpoint(
        "POST",
        "api/v1/webhooks/subscriptions/create/",
        (401, 201, 403, 403, 403, 201, 403, 403, 403, 403, 403),
        data={"url": "https://93.184.215.14/hook", "events": ["*"]},
    ),
    Endpoint(
        "GET",
        WEBHOOK,
        (401, 404, 403, 403, 403, 200, 403, 403, 403, 403, 403),
        kwargs=_webhook,
    ),
    Endpoint(
        "POST",
        WEBHOOK + "update/",
        (401, 404, 403, 403, 403, 200, 403, 403, 403, 403, 403),
        kwargs=_webhook,
        data={"description": "Renamed"},
    ),
    Endpoint(
        "POST",
        WEBHOOK + "delete/",
        (401, 404, 403, 403, 403, 204, 403, 403, 403, 403, 403),
        kwargs=_webhook,
    ),
    Endpoint(
        "POST",
        WEBHOOK + "rotate-secret/",
        (401, 404, 403, 403, 403, 200, 403, 403, 403, 403, 403),
        kwargs=_webhook,
    ),
    Endpoint(
        "GET",
        WEBHOOK + "deliveries/",
        (401, 404, 403, 403, 403, 200, 403, 403, 403, 403, 403),
        kwargs=_webhook,
    ),
    Endpoint(
        "POST",
        WEBHOOK + "deliveries/<int:delivery_id>/redeliver/",
        (401, 404, 403, 403, 403, 202, 403, 403, 403, 403, 403),
        kwargs=_webhook,
    ),
    *REGISTRY_ENDPOINTS,
    *REPOS_ENDPOINTS,
    *ROADMAPS_ENDPOINTS,
    *REPORTS_ENDPOINTS,
    Endpoint(
        "GET", "api/schema/", (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
    ),
    Endpoint(
        "GET", "api/docs/", (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
    ),
]


def _path(endpoint: Endpoint, kwargs: dict[str, int]) -> str:
    path = re.sub(
        r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), endpoint.route
    )
    return "/" + path


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence files the rows upload go to a per-test directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


def one_of_each(team, make_user) -> dict[str, Any]:
    """A caller per name of ACTORS: each role held on `team`, a member of another team
    of its organisation, and an admin of another organisation."""
    other_team = TeamFactory(business_unit=team.business_unit, name="Churn models")
    actors: dict[str, Any] = {
        "anonymous": None,
        "other_org_admin": make_user(
            Role.ORG_ADMIN, organization=OrganizationFactory()
        ),
        "other_team_member": make_user(Role.TEAM_MEMBER, team=other_team),
    }
    for role in ACTORS[3:]:
        actors[role] = make_user(role, team=team)
    return actors


@pytest.fixture
def world(org, team, make_user):
    """This organisation with one caller of each kind (one_of_each)."""
    actors = one_of_each(team, make_user)
    world = SimpleNamespace(team=team, member=actors["team_member"], actors=actors)
    # Three audited changes, so this chain has seqs the other organisation lacks.
    for n in range(3):
        services.business_unit_create(organization=org, name=f"BU {n}", slug=f"bu-{n}")
    world.last_seq = Chain.objects.get(organization=org).head_seq
    return world


@pytest.mark.parametrize(
    ("endpoint", "actor_name", "expected"),
    [
        pytest.param(e, actor, e.expected[i], id=f"{e.method} {e.route} as {actor}")
        for e in ENDPOINTS
        for i, actor in enumerate(ACTORS)
    ],
)
def test_api_endpoint_answers_each_caller_with_expected_status(
    endpoint, actor_name, expected, world, api_client
):
    actor = world.actors[actor_name]
    path = _path(endpoint, endpoint.kwargs(world, actor))
    data = endpoint.data(world) if callable(endpoint.data) else endpoint.data
    events_before = AuditEvent.objects.count()

    response = getattr(api_client(actor), endpoint.method.lower())(
        path, data, format="json"
    )

    assert response.status_code == expected, response.content[:300]
    if endpoint.method != "GET" and expected >= 400:
        assert AuditEvent.objects.count() == events_before, "a refused write changed"


@pytest.mark.parametrize(
    "endpoint", [pytest.param(e, id=f"{e.method} {e.route}") for e in ENDPOINTS]
)
def test_api_endpoint_refuses_anonymous_with_bearer_challenge(
    endpoint, world, api_client
):
    path = _path(endpoint, endpoint.kwargs(world, None))

    response = getattr(api_client(None), endpoint.method.lower())(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "endpoint",
    [
        pytest.param(e, id=f"{e.method} {e.route}")
        for e in ENDPOINTS
        if e.route.startswith("api/v1/")
    ],
)
def test_api_endpoint_refuses_anonymous_in_error_shape(endpoint, world, api_client):
    path = _path(endpoint, endpoint.kwargs(world, None))

    response = getattr(api_client(None), endpoint.method.lower())(path)

    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }


def _api_routes(patterns, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            view = pattern.callback.cls
            for method in ("get", "post", "put", "patch", "delete"):
                if hasattr(view, method):
                    yield method.upper(), route


def test_every_row_names_a_status_for_each_caller():
    short = [(e.method, e.route) for e in ENDPOINTS if len(e.expected) != len(ACTORS)]

    assert short == []


def test_api_permission_table_lists_every_api_endpoint():
    served = set(_api_routes(get_resolver().url_patterns))

    listed = {(e.method, e.route) for e in ENDPOINTS}

    assert served - listed == set(), "add these endpoints to ENDPOINTS"
    assert listed - served == set(), "these table rows match no endpoint"
