"""The registry's inventory by risk tier, and its overdue revalidations: the registry
as it stands when the report is read, whatever the period."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.registry.models import Alias, ModelVersion, RegisteredModel, RiskTier

from .rows import AliasRow, ModelRow, OverdueRow, TierRow, _person

# Most severe first, as a risk committee reads them.
TIER_ORDER = [RiskTier.CRITICAL, RiskTier.HIGH, RiskTier.MEDIUM, RiskTier.LOW]


# --- Inventory ------------------------------------------------------------------------


def _models(models: QuerySet[RegisteredModel]) -> list[RegisteredModel]:
    """The models with team, owner, aliases and the versions that carry duties (live
    or overdue): three queries."""
    aliases = Alias.objects.select_related("version").only(
        "name", "protected", "model_id", "version__version"
    )
    duties = ModelVersion.objects.filter(
        Q(status=ModelVersion.Status.ACTIVE)
        | Q(revalidation_overdue_since__isnull=False)
    ).only(
        "model_id",
        "version",
        "status",
        "revalidation_due",
        "revalidation_overdue_since",
    )
    return list(
        models.select_related("team", "owner")
        .prefetch_related(
            Prefetch("aliases", queryset=aliases.order_by("name")),
            Prefetch("versions", queryset=duties.order_by("version"), to_attr="duty"),
        )
        .order_by("name", "pk")
    )


def _model_row(model: RegisteredModel) -> ModelRow:
    due = [
        v.revalidation_due
        for v in model.duty
        if v.status == ModelVersion.Status.ACTIVE and v.revalidation_due
    ]
    return ModelRow(
        name=model.name,
        tier=model.get_risk_tier_display(),
        team=model.team.name,
        owner=_person(model.owner),
        status=model.get_status_display(),
        aliases=[
            AliasRow(name=a.name, version=a.version.version, protected=a.protected)
            for a in model.aliases.all()
        ],
        revalidation_due=min(due, default=None),
        overdue=any(v.revalidation_overdue_since for v in model.duty),
    )


def _tiers(models: list[RegisteredModel]) -> list[TierRow]:
    labels = dict(RiskTier.choices)
    return [
        TierRow(
            tier=tier,
            label=labels[tier],
            models=[_model_row(m) for m in models if m.risk_tier == tier],
        )
        for tier in TIER_ORDER
    ]


def _overdue(models: list[RegisteredModel]) -> list[OverdueRow]:
    today = timezone.localdate()
    return [
        OverdueRow(
            model=model.name,
            version=version.version,
            team=model.team.name,
            owner=_person(model.owner),
            due=version.revalidation_due,
            overdue_since=version.revalidation_overdue_since,
            days_overdue=(today - version.revalidation_due).days,
        )
        for model in models
        for version in model.duty
        if version.revalidation_overdue_since and version.revalidation_due
    ]
