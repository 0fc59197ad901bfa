"""Data for bench/reports.py, made through the services as people would make it, so
the audit chain holds every event a real history would."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import Membership, Organization, Role, Team, User
from apps.registry import promotion, services
from apps.registry.models import RegisteredModel

TIER = "high"  # two approvals with a risk officer, and evidence, for production
REJECT_EVERY = 5


def _org_people(org: Organization, role: str) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organization=org, memberships__role=role
        ).order_by("username")
    )


def _team_person(team: Team, role: str) -> User:
    return Membership.objects.get(team=team, role=role).user


def governed_model(org: Organization, name: str, *, requests: int) -> RegisteredModel:
    """A high-risk model whose versions went through `requests` promotion requests,
    alternately to staging and production; every fifth is rejected with a reason."""
    existing = RegisteredModel.objects.filter(organization=org, name=name).first()
    if existing is not None:
        return existing
    team = Team.objects.filter(organization=org).order_by("name").first()
    lead = _team_person(team, Role.TEAM_LEAD)
    member = _team_person(team, Role.TEAM_MEMBER)
    risk = _org_people(org, Role.RISK_OFFICER)[0]
    approvers = _org_people(org, Role.APPROVER)
    model = services.model_create(
        team=team,
        name=name,
        risk_tier=TIER,
        owner=lead,
        created_by=lead,
        purpose="Scores loan applications for default risk (benchmark history).",
    )
    for number in range(requests):
        target = ("staging", "production")[number % 2]
        version = _submitted_version(model, lead, number)
        request = promotion.promotion_open(
            version=version,
            target=target,
            requested_by=lead,
            justification=f"Candidate {number}: better recall at equal precision.",
        )
        # The evidence the request's policy asks for, reviewed before any decision.
        for requirement in request.policy_snapshot["requirements"]:
            if requirement["mandatory"]:
                _accepted_evidence(version, requirement["key"], member, risk)
        if number % REJECT_EVERY == REJECT_EVERY - 1:
            promotion.promotion_decide(
                request=request,
                approver=risk,
                approve=False,
                comment="The validation report misses the stress period of 2020.",
            )
            continue
        for approver in [risk, *approvers][
            : request.policy_snapshot["required_approvals"]
        ]:
            request = promotion.promotion_decide(
                request=request,
                approver=approver,
                approve=True,
                comment="Validation and model card reviewed.",
            )
        promotion.promotion_apply(request=request, applied_by=lead)
    return model


def _submitted_version(model: RegisteredModel, lead: User, number: int):
    version = services.version_create(
        model=model,
        created_by=lead,
        artifact_sha256=f"{number:064x}",
        code_commit=f"{number:040x}",
        run_ref=f"runs:/bench-{number}",
        source_uri=f"s3://models/bench/{number}",
    )
    return services.version_submit(version=version, submitted_by=lead)


def _accepted_evidence(version, key: str, member: User, reviewer: User) -> None:
    item = services.evidence_add(
        version=version,
        requirement_key=key,
        kind=key,
        submitted_by=member,
        upload=SimpleUploadedFile(f"{key}.pdf", b"%PDF-1.7 " + key.encode()),
    )
    services.evidence_review(item=item, reviewed_by=reviewer, accept=True)
