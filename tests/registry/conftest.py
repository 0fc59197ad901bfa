"""A governed registry to test against: default policies, a team, approvers, and helpers
that walk a version to the point a test needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import Team, User
from apps.registry import promotion, services
from apps.registry.models import (
    EvidenceItem,
    ModelVersion,
    PromotionRequest,
    RegisteredModel,
)


@dataclass
class Registry:
    team: Team
    lead: User  # team lead: registers, builds, requests
    member: User  # team member: another builder
    approvers: list[User]  # org-level approvers
    risk_officers: list[User]
    admin: User  # org admin (no say in promotions)
    outsider: User  # team member of another team

    def model(self, *, tier: str = "low", name: str | None = None) -> RegisteredModel:
        return services.model_create(
            team=self.team,
            name=name or f"model-{RegisteredModel.objects.count() + 1}",
            risk_tier=tier,
            owner=self.lead,
            created_by=self.lead,
        )

    def version(
        self,
        model: RegisteredModel,
        *,
        submit: bool = True,
        by: User | None = None,
        **content: Any,
    ) -> ModelVersion:
        lineage = {
            "artifact_sha256": "a" * 64,
            "code_commit": "0123456789abcdef0123456789abcdef01234567",
            "run_ref": "runs:/abc123",
            "source_uri": "s3://models/fraud/7",
        }
        version = services.version_create(
            model=model, created_by=by or self.lead, **{**lineage, **content}
        )
        if submit:
            version = services.version_submit(
                version=version, submitted_by=by or self.lead
            )
        return version

    def evidence(
        self, version: ModelVersion, key: str, *, accept: bool = True, kind: str = ""
    ) -> EvidenceItem:
        item = services.evidence_add(
            version=version,
            requirement_key=key,
            kind=kind or (key if key in _KINDS else "signoff"),
            submitted_by=self.member,
            upload=SimpleUploadedFile(f"{key}.pdf", b"%PDF-1.7 " + key.encode()),
        )
        if accept:
            item = services.evidence_review(
                item=item, reviewed_by=self.risk_officers[-1], accept=True
            )
        return item

    def request(
        self, version: ModelVersion, target: str = "production", **kwargs: Any
    ) -> PromotionRequest:
        return promotion.promotion_open(
            version=version,
            target=target,
            requested_by=kwargs.pop("requested_by", self.lead),
            justification="Beats the champion on recall at equal precision.",
            **kwargs,
        )

    def approve(self, request: PromotionRequest, *people: User) -> PromotionRequest:
        for person in people:
            request = promotion.promotion_decide(
                request=request, approver=person, approve=True
            )
        return request

    def approved(
        self, *, tier: str = "low", target: str = "production"
    ) -> PromotionRequest:
        """A request that met its policy and waits to be applied."""
        model = self.model(tier=tier)
        version = self.version(model)
        for requirement in _mandatory(model, target):
            self.evidence(version, requirement)
        request = self.request(version, target)
        needed = request.policy_snapshot["required_approvals"]
        deciders = [*self.risk_officers[:1], *self.approvers][:needed]
        return self.approve(request, *deciders)


_KINDS = {
    "validation_report",
    "model_card",
    "fairness_test",
    "security_scan",
    "lineage_attestation",
    "signoff",
}


def _mandatory(model: RegisteredModel, target: str) -> list[str]:
    from apps.registry.models import PromotionPolicy

    policy = (
        PromotionPolicy.objects.filter(
            organization=model.organization, risk_tier=model.risk_tier, target=target
        )
        .order_by("-version")
        .first()
    )
    return [r.key for r in policy.requirements.all() if r.mandatory]


@pytest.fixture
def registry(org, team, make_user) -> Registry:
    services.policy_defaults_install(organization=org)
    from tests.accounts.factories import TeamFactory

    other_team = TeamFactory(business_unit=team.business_unit, name="Other")
    return Registry(
        team=team,
        lead=make_user("team_lead", team=team),
        member=make_user("team_member", team=team),
        approvers=[make_user("approver") for _ in range(3)],
        risk_officers=[make_user("risk_officer") for _ in range(2)],
        admin=make_user("org_admin"),
        outsider=make_user("team_member", team=other_team),
    )
